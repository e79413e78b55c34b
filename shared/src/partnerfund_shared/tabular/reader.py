"""The one reader behind every import: CSV or XLSX bytes in, parsed rows or every problem out."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from partnerfund_shared.errors import ErrorItem, ImportRejected
from partnerfund_shared.tabular.cells import (
    EXCEL_ERROR_VALUES,
    CellError,
    CellValue,
    ValueWithWarning,
    cell_text,
)
from partnerfund_shared.tabular.columns import ColumnSpec
from partnerfund_shared.tabular.headers import HeaderMatch, check_mapping_fields, match_headers
from partnerfund_shared.tabular.sources import SheetRow, UnreadableFile, detect_format, read_rows

# Past this many, the problem list is cut so one bad upload cannot produce a huge response; the
# detail still gives the full count.
MAX_LISTED_PROBLEMS = 1000


@dataclass(frozen=True, slots=True)
class Row:
    """One imported data row, numbered as the spreadsheet shows it (the header is row 1)."""

    number: int
    # field name -> parsed value; None for a blank allowed cell or an absent optional column
    values: dict[str, Any]
    # field name -> the cell's trimmed text, for messages about the row
    raw: dict[str, str]


@dataclass(slots=True)
class Table:
    """The rows of an accepted file, with the warnings the import should report."""

    rows: list[Row]
    warnings: list[ErrorItem]
    # every header of the file as written, trimmed
    headers: list[str]
    # field name -> header as written, for the fields the file contains
    columns: dict[str, str] = field(default_factory=dict)
    filename: str | None = None

    def problem(self, row: Row, field_name: str, message: str) -> ErrorItem:
        """Build a problem about one cell, for checks that need more than the cell itself."""
        return ErrorItem(
            message=message,
            row=row.number,
            column=self.columns.get(field_name, field_name),
            value=row.raw.get(field_name),
        )


def import_rejected(filename: str | None, problems: Sequence[ErrorItem]) -> ImportRejected:
    """Build the error that rejects a whole file, listing its problems."""
    count = len(problems)
    name = filename or "the file"
    noun = "problem" if count == 1 else "problems"
    if count > MAX_LISTED_PROBLEMS:
        detail = (
            f"{count} {noun} in {name}; the first {MAX_LISTED_PROBLEMS} are listed. Nothing was imported."
        )
    else:
        detail = f"{count} {noun} in {name}; nothing was imported."
    return ImportRejected(detail=detail, errors=list(problems[:MAX_LISTED_PROBLEMS]))


def read_table(
    content: bytes,
    *,
    filename: str | None,
    columns: Sequence[ColumnSpec],
    mapping: Mapping[str, str] | None = None,
    content_type: str | None = None,
    skip_rows_without: str | None = None,
) -> Table:
    """Read a CSV or XLSX upload into parsed rows, or raise `ImportRejected` with every problem.

    The first non-blank row is the header. Blank rows (including rows of an XLSX sheet that
    are formatted but empty) are skipped, and columns that match no spec are ignored.
    `mapping` (field name -> header) overrides a field's own name and synonyms.
    `skip_rows_without` names a field: rows where it is blank are left out, each with a warning
    that names its row, instead of rejecting the file.
    Raises `InvalidInput` when `mapping` names a field that `columns` does not declare.
    """
    if mapping:
        check_mapping_fields(mapping, columns)
    try:
        sheet_rows = read_rows(content, detect_format(content, filename, content_type))
    except UnreadableFile as error:
        raise import_rejected(filename, [ErrorItem(message=error.message)]) from error

    filled_rows = [row for row in sheet_rows if not all(cell_text(cell) == "" for cell in row.cells)]
    if not filled_rows:
        raise import_rejected(
            filename,
            [ErrorItem(message="the file is empty: it has no header row and no data rows")],
        )
    header_row, data_rows = filled_rows[0], filled_rows[1:]

    headers = _header_texts(header_row)
    match = match_headers(headers, columns, mapping, header_row=header_row.number)
    problems = list(match.problems)
    if not data_rows:
        problems.append(
            ErrorItem(message="the file has no data rows below the header", row=header_row.number)
        )

    skipped: list[ErrorItem] = []
    skip_index = match.indexes.get(skip_rows_without) if skip_rows_without else None
    if skip_rows_without is not None and skip_index is not None:
        column = match.headers[skip_rows_without]
        kept_rows = []
        for sheet_row in data_rows:
            cell = sheet_row.cells[skip_index] if skip_index < len(sheet_row.cells) else None
            if cell_text(cell) == "":
                message = f"row skipped: no value for {skip_rows_without}"
                skipped.append(_cell_item(message, sheet_row, column, ""))
            else:
                kept_rows.append(sheet_row)
        data_rows = kept_rows

    rows, warnings = _parse_rows(data_rows, columns, match, problems)
    warnings = skipped + warnings
    if problems:
        raise import_rejected(filename, problems)
    return Table(
        rows=rows,
        warnings=warnings,
        headers=headers,
        columns=dict(match.headers),
        filename=filename,
    )


def _header_texts(header_row: SheetRow) -> list[str]:
    headers = [cell_text(cell) for cell in header_row.cells]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _parse_rows(
    data_rows: Sequence[SheetRow],
    columns: Sequence[ColumnSpec],
    match: HeaderMatch,
    problems: list[ErrorItem],
) -> tuple[list[Row], list[ErrorItem]]:
    rows: list[Row] = []
    warnings: list[ErrorItem] = []
    # field name -> value -> number of the first row that had it, for unique columns
    first_rows: dict[str, dict[Hashable, int]] = {spec.name: {} for spec in columns if spec.unique}

    for sheet_row in data_rows:
        values: dict[str, Any] = {}
        raw: dict[str, str] = {}
        for spec in columns:
            index = match.indexes.get(spec.name)
            if index is None:
                values[spec.name] = None
                continue
            cell = sheet_row.cells[index] if index < len(sheet_row.cells) else None
            raw[spec.name] = cell_text(cell)
            column = match.headers[spec.name]

            try:
                value, warning = _parse_cell(cell, spec)
            except CellError as error:
                problems.append(_cell_item(error.message, sheet_row, column, raw[spec.name]))
                continue
            values[spec.name] = value
            if warning:
                warnings.append(_cell_item(warning, sheet_row, column, raw[spec.name]))

            if spec.unique and value is not None:
                key = value if isinstance(value, Hashable) else raw[spec.name]
                first_row = first_rows[spec.name].setdefault(key, sheet_row.number)
                if first_row != sheet_row.number:
                    message = f"{spec.name} {raw[spec.name]} repeats row {first_row}"
                    problems.append(_cell_item(message, sheet_row, column, raw[spec.name]))
        rows.append(Row(number=sheet_row.number, values=values, raw=raw))
    return rows, warnings


def _cell_item(message: str, sheet_row: SheetRow, column: str, raw_text: str) -> ErrorItem:
    return ErrorItem(message=message, row=sheet_row.number, column=column, value=raw_text)


def _parse_cell(cell: CellValue, spec: ColumnSpec) -> tuple[Any, str | None]:
    """Parse one cell with its column's parser; return the value and an optional warning."""
    text = cell_text(cell)
    if text in EXCEL_ERROR_VALUES:
        raise CellError(f"Excel error {text} in this cell; fix the formula or type the value")
    if not text:
        if spec.allow_blank:
            return None, None
        raise CellError(f"a value is required for {spec.name}")

    parsed = spec.parse(text if isinstance(cell, str) else cell)
    if isinstance(parsed, ValueWithWarning):
        return parsed.value, parsed.warning
    return parsed, None
