"""Columns of the contacts import and the checks that need a whole row."""

from __future__ import annotations

import re
from dataclasses import replace

from partnerfund_shared.tabular import (
    CellError,
    CellValue,
    ColumnSpec,
    ValueWithWarning,
    cell_text,
    parse_choice,
    parse_email,
    parse_text,
)
from partnerfund_shared.tabular.cells import parse_school_code

ROLE_LABELS = {
    "school_leader": "school_leader",
    "school leader": "school_leader",
    "principal": "school_leader",
    "headmaster": "school_leader",
    "head of school": "school_leader",
    "instructional_superintendent": "instructional_superintendent",
    "instructional superintendent": "instructional_superintendent",
    "superintendent": "instructional_superintendent",
    "central_office": "central_office",
    "central office": "central_office",
    "partner": "partner",
}

# Roles whose messages are about particular schools, so the row must name at least one.
ROLES_WITH_SCHOOLS = frozenset({"school_leader", "instructional_superintendent"})

_CODE_SEPARATORS = re.compile(r"[;,|\s]+")


def parse_school_codes(value: CellValue) -> list[str] | ValueWithWarning:
    """Parse one or more school codes separated by semicolons, commas, bars or spaces.

    A numeric cell (an XLSX number that lost its leading zero) is read as one code.
    """
    if isinstance(value, int | float):
        parsed = parse_school_code(value)
        if isinstance(parsed, ValueWithWarning):
            return ValueWithWarning([parsed.value], parsed.warning)
        return [parsed]

    codes: list[str] = []
    for part in _CODE_SEPARATORS.split(cell_text(value)):
        if not part:
            continue
        try:
            code = parse_school_code(part)
        except CellError as error:
            raise CellError(f"{part!r}: {error.message}") from error
        assert isinstance(code, str)
        if code not in codes:
            codes.append(code)
    if not codes:
        raise CellError("a value is required")
    return codes


def parse_language(value: CellValue) -> str:
    """Read a preferred language as a short lower-case tag ("en", "es", "Haitian Creole")."""
    text = parse_text(value)
    if len(text) > 20:
        raise CellError("must be a language name or tag of at most 20 characters")
    return text.lower()


def _lenient(spec: ColumnSpec) -> ColumnSpec:
    return replace(spec, parse=cell_text, allow_blank=True, unique=False)


# The same columns with every cell read as text, for the checks that span a row: they must
# run even when some cells are invalid, so one response lists every problem of the file.
def lenient_columns() -> list[ColumnSpec]:
    return [_lenient(spec) for spec in CONTACT_COLUMNS]


def role_of(text: str) -> str | None:
    """Return the role a cell names, or None when it names none (the cell check reports it)."""
    try:
        return str(parse_choice(ROLE_LABELS)(text))
    except CellError:
        return None


CONTACT_COLUMNS = [
    ColumnSpec(
        name="name",
        parse=parse_text,
        synonyms=("full name", "contact name", "contact"),
        description="The contact's name as it should appear in the greeting and the To header.",
    ),
    ColumnSpec(
        name="email",
        parse=parse_email,
        synonyms=("e-mail", "email address", "e-mail address", "mail"),
        unique=True,
        description="E-mail address, checked for syntax only (no DNS lookup).",
    ),
    ColumnSpec(
        name="role",
        parse=parse_choice(ROLE_LABELS),
        synonyms=("position", "contact role"),
        description="school_leader, instructional_superintendent, central_office or partner.",
    ),
    ColumnSpec(
        name="school_code",
        parse=parse_school_codes,
        synonyms=("school_codes", "school codes", "schools", "bps school code", "school"),
        required=False,
        allow_blank=True,
        description="Four-digit BPS codes; several separated by ';' for a superintendent.",
    ),
    ColumnSpec(
        name="language",
        parse=parse_language,
        synonyms=("preferred language", "preferred_language", "lang"),
        required=False,
        allow_blank=True,
        description="Preferred language; messages are written in English for now.",
    ),
]
