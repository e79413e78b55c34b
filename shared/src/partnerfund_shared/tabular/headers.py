"""Matching of a file's header row to the expected columns, and the `columns` form field."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from partnerfund_shared.errors import ErrorItem, InvalidInput
from partnerfund_shared.tabular.columns import ColumnSpec
from partnerfund_shared.tabular.labels import normalise_label


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """Positions of the expected fields in the header row, and the header problems found."""

    # field name -> zero-based column index
    indexes: dict[str, int]
    # field name -> header as written in the file
    headers: dict[str, str]
    problems: list[ErrorItem]


def parse_columns_mapping(text: str | None, known_fields: Iterable[str]) -> dict[str, str] | None:
    """Validate the `columns` form field: a JSON object from our field names to file headers.

    Returns None when the field is absent or blank. Raises `InvalidInput` for invalid JSON, a
    value that is not a non-empty string, an unknown field name, or two fields given one header.
    """
    if text is None or not text.strip():
        return None
    fields = list(known_fields)
    location = ("body", "columns")
    example = '{"school_code": "BPS Code"}'

    try:
        decoded = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            detail=(f"The columns field is not valid JSON: {error.msg}. Send an object such as {example}."),
            errors=[ErrorItem(message=f"invalid JSON: {error.msg}", loc=location)],
        ) from error
    if not isinstance(decoded, dict):
        raise InvalidInput(
            detail=f"The columns field must be a JSON object such as {example}.",
            errors=[ErrorItem(message="must be a JSON object", loc=location)],
        )

    problems: list[ErrorItem] = []
    mapping: dict[str, str] = {}
    for field_name, header in decoded.items():
        if field_name not in fields:
            problems.append(
                ErrorItem(
                    message=f"unknown field {field_name!r}; known fields: {', '.join(fields)}",
                    loc=(*location, field_name),
                )
            )
        elif not isinstance(header, str) or not header.strip():
            problems.append(
                ErrorItem(
                    message="must be the header text of a column in the file",
                    loc=(*location, field_name),
                )
            )
        else:
            mapping[field_name] = header.strip()
    problems.extend(_shared_header_problems(mapping, location))

    if problems:
        raise InvalidInput(detail="The columns field is invalid.", errors=problems)
    return mapping


def _shared_header_problems(mapping: Mapping[str, str], location: tuple[str, ...]) -> list[ErrorItem]:
    fields_by_header: dict[str, list[str]] = {}
    for field_name, header in mapping.items():
        fields_by_header.setdefault(normalise_label(header), []).append(field_name)
    return [
        ErrorItem(
            message=f"fields {', '.join(names)} are all mapped to header {mapping[names[0]]!r}",
            loc=location,
        )
        for names in fields_by_header.values()
        if len(names) > 1
    ]


def check_mapping_fields(mapping: Mapping[str, str], columns: Sequence[ColumnSpec]) -> None:
    """Raise `InvalidInput` when `mapping` names a field that `columns` does not declare."""
    known = [spec.name for spec in columns]
    unknown = [name for name in mapping if name not in known]
    if unknown:
        raise InvalidInput(
            detail="The columns field is invalid.",
            errors=[
                ErrorItem(
                    message=f"unknown field {name!r}; known fields: {', '.join(known)}",
                    loc=("body", "columns", name),
                )
                for name in unknown
            ],
        )


def match_headers(
    headers: Sequence[str],
    columns: Sequence[ColumnSpec],
    mapping: Mapping[str, str] | None,
    *,
    header_row: int,
) -> HeaderMatch:
    """Find each expected column in the header row and collect every header problem.

    An explicit `mapping` entry replaces the field's own name and synonyms. Two headers that
    both match one field are a problem, as is one header that matches two fields, because
    guessing could import the wrong column. The `columns` mapping resolves either case.
    Headers that match no field are ignored, duplicates among them included.
    """
    mapping = mapping or {}
    normalised = [normalise_label(header) for header in headers]
    candidates: dict[str, list[int]] = {}
    mapped_indexes: set[int] = set()
    problems: list[ErrorItem] = []

    for spec in columns:
        if spec.name in mapping:
            target = normalise_label(mapping[spec.name])
            found = [index for index, label in enumerate(normalised) if label and label == target]
            candidates[spec.name] = found
            mapped_indexes.update(found)
            if not found:
                problems.append(
                    ErrorItem(
                        message=(
                            f"the columns mapping names header {mapping[spec.name]!r} for "
                            f"{spec.name}, but the file has no such header"
                        ),
                        row=header_row,
                        column=mapping[spec.name],
                    )
                )

    for spec in columns:
        if spec.name in mapping:
            continue
        candidates[spec.name] = [
            index
            for index, label in enumerate(normalised)
            if label and index not in mapped_indexes and _header_names_field(label, spec)
        ]
        if not candidates[spec.name] and spec.required:
            problems.append(_missing_column_problem(spec, header_row))

    problems.extend(_ambiguity_problems(headers, candidates, header_row))
    indexes = {name: found[0] for name, found in candidates.items() if len(found) == 1}
    return HeaderMatch(
        indexes=indexes,
        headers={name: headers[index] for name, index in indexes.items()},
        problems=problems,
    )


def _header_names_field(label: str, spec: ColumnSpec) -> bool:
    if label in {normalise_label(spelling) for spelling in spec.accepted_headers()}:
        return True
    return any(re.fullmatch(pattern, label) for pattern in spec.header_patterns)


def _missing_column_problem(spec: ColumnSpec, header_row: int) -> ErrorItem:
    spellings = ", ".join(repr(spelling) for spelling in spec.accepted_headers())
    message = f"missing column {spec.name}: name a column {spellings}"
    if spec.header_patterns:
        message += " (or a header matching " + ", ".join(spec.header_patterns) + ")"
    message += ", or map it with the columns field"
    return ErrorItem(message=message, row=header_row)


def _ambiguity_problems(
    headers: Sequence[str], candidates: Mapping[str, list[int]], header_row: int
) -> list[ErrorItem]:
    problems: list[ErrorItem] = []
    for name, found in candidates.items():
        if len(found) > 1:
            quoted = " and ".join(repr(headers[index]) for index in found)
            problems.append(
                ErrorItem(
                    message=(
                        f"duplicate columns for {name}: {quoted}; remove one or choose one "
                        f"with the columns field"
                    ),
                    row=header_row,
                    column=headers[found[1]],
                )
            )

    fields_by_index: dict[int, list[str]] = {}
    for name, found in candidates.items():
        for index in found:
            fields_by_index.setdefault(index, []).append(name)
    for index, names in fields_by_index.items():
        if len(names) > 1:
            problems.append(
                ErrorItem(
                    message=(
                        f"header {headers[index]!r} matches fields {', '.join(names)}; "
                        f"choose with the columns field"
                    ),
                    row=header_row,
                    column=headers[index],
                )
            )
    return problems
