"""The PartnerBPS "Partnership Overview" export: its columns, and one parsed row.

One row is one (school, partner program) pair. Schools are named by RC budget code and name,
not by school code. Multi-valued cells (`program_areas`, `program_subareas`,
`days_of_operation`, `time_of_day`, `grades_served`) separate their values with `;`, and every
value must match the controlled vocabulary of its kind, through a label or a synonym.

All columns are read as raw cells, and `parse_export_row` checks them, so that one upload
reports every problem at once: bad cells and unknown vocabulary alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from catalog_api.vocabularies.terms import (
    GradeRangeInvalid,
    Term,
    Vocabulary,
    VocabularyKind,
)
from partnerfund_shared.errors import ErrorItem
from partnerfund_shared.tabular import (
    CellError,
    CellValue,
    ColumnSpec,
    Row,
    ValueWithWarning,
    cell_text,
    parse_choice,
    parse_digit_code,
    parse_non_negative_int,
)

MULTI_VALUE_SEPARATOR = ";"


class Fees(StrEnum):
    """Whether students pay to take part; "unknown" also stands for a blank cell."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


def _keep_cell(value: CellValue) -> CellValue:
    return value


def _column(name: str, *synonyms: str, required: bool = False) -> ColumnSpec:
    return ColumnSpec(name=name, parse=_keep_cell, synonyms=synonyms, required=required, allow_blank=True)


EXPORT_COLUMNS: tuple[ColumnSpec, ...] = (
    _column("school_name", "School", required=True),
    _column("rc_code", "RC", "RC Code", "Responsibility Center", required=True),
    _column("school_neighborhood", "Neighborhood"),
    _column("school_grades"),
    _column("school_hours"),
    _column("organization_name", "Organization", "Partner", "Partner Name", required=True),
    _column("organization_website", "Website", "Organization URL"),
    _column("program_name", "Program", required=True),
    _column("program_areas", "Program Area", "Areas"),
    _column("program_subareas", "Program Subarea", "Subareas"),
    _column("days_of_operation", "Days"),
    _column("time_of_day", "Times of Day"),
    _column("grades_served", "Grades"),
    _column("student_fees", "Fees"),
    _column("service_capacity", "Capacity"),
    _column("has_program_description"),
    _column("has_goals_outcomes"),
)

_parse_rc_code = parse_digit_code(6, "RC code")
_parse_fees = parse_choice(
    {"Yes": Fees.YES, "Y": Fees.YES, "No": Fees.NO, "N": Fees.NO, "Unknown": Fees.UNKNOWN}
)
_parse_flag = parse_choice({"Yes": True, "Y": True, "No": False, "N": False})

# Vocabulary kind of each multi-valued column checked against a vocabulary.
_VOCABULARY_COLUMNS = {
    "program_areas": VocabularyKind.PROGRAM_AREA,
    "program_subareas": VocabularyKind.PROGRAM_SUBAREA,
    "days_of_operation": VocabularyKind.DAY,
    "time_of_day": VocabularyKind.TIME_OF_DAY,
}


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One valid export row, with every label replaced by its canonical vocabulary term."""

    number: int
    school_name: str
    rc_code: str | None
    school_neighborhood: str | None
    school_grades_label: str | None
    school_grades: tuple[Term, ...]
    school_hours: str | None
    organization_name: str
    organization_website: str | None
    program_name: str
    program_areas: tuple[Term, ...]
    program_subareas: tuple[Term, ...]
    days_of_operation: tuple[Term, ...]
    time_of_day: tuple[Term, ...]
    grades_served: tuple[Term, ...]
    student_fees: Fees
    service_capacity: int | None
    has_program_description: bool | None
    has_goals_outcomes: bool | None


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """The outcome of parsing one row: the row when valid, and its problems and warnings."""

    row: ExportRow | None
    problems: list[ErrorItem]
    warnings: list[ErrorItem]


class _RowChecker:
    """Collects the problems of one row while its cells are parsed."""

    def __init__(self, row: Row, headers: dict[str, str]) -> None:
        self.row = row
        self.headers = headers
        self.problems: list[ErrorItem] = []
        self.warnings: list[ErrorItem] = []

    def item(self, field_name: str, message: str) -> ErrorItem:
        return ErrorItem(
            message=message,
            row=self.row.number,
            column=self.headers.get(field_name, field_name),
            value=self.row.raw.get(field_name, ""),
        )

    def problem(self, field_name: str, message: str) -> None:
        self.problems.append(self.item(field_name, message))

    def cell(self, field_name: str) -> CellValue:
        value: Any = self.row.values.get(field_name)
        return value

    def text(self, field_name: str, *, required: bool = False) -> str | None:
        text = cell_text(self.cell(field_name))
        if text:
            return text
        if required:
            self.problem(field_name, f"{field_name} is required")
        return None

    def parsed(self, field_name: str, parse: Any) -> Any:
        """Parse a non-blank cell with a tabular parser; a blank cell gives None."""
        cell = self.cell(field_name)
        if not cell_text(cell):
            return None
        try:
            value = parse(cell)
        except CellError as error:
            self.problem(field_name, error.message)
            return None
        if isinstance(value, ValueWithWarning):
            self.warnings.append(self.item(field_name, value.warning))
            return value.value
        return value

    def terms(self, field_name: str, kind: str, vocabulary: Vocabulary) -> tuple[Term, ...]:
        resolved = vocabulary.resolve_list(kind, cell_text(self.cell(field_name)), MULTI_VALUE_SEPARATOR)
        for unknown in resolved.unknown:
            self.problem(
                field_name,
                f"unknown {kind.replace('_', ' ')} '{unknown}'; add it or a synonym to the "
                f"{kind} vocabulary, or correct the cell",
            )
        return resolved.terms

    def grades(self, field_name: str, vocabulary: Vocabulary) -> tuple[Term, ...]:
        try:
            return tuple(vocabulary.expand_grades(cell_text(self.cell(field_name))))
        except GradeRangeInvalid as error:
            self.problem(field_name, str(error))
            return ()


def parse_export_row(row: Row, headers: dict[str, str], vocabulary: Vocabulary) -> ParsedRow:
    """Check one export row and resolve its labels; every problem of the row is collected.

    `headers` maps field names to the file's headers, so problems name the column as written.
    """
    checker = _RowChecker(row, headers)

    school_name = checker.text("school_name", required=True)
    rc_code = checker.parsed("rc_code", _parse_rc_code)
    organization_name = checker.text("organization_name", required=True)
    program_name = checker.text("program_name", required=True)
    school_grades = checker.grades("school_grades", vocabulary)
    grades_served = checker.grades("grades_served", vocabulary)
    terms = {
        field_name: checker.terms(field_name, kind, vocabulary)
        for field_name, kind in _VOCABULARY_COLUMNS.items()
    }
    fees = checker.parsed("student_fees", _parse_fees)
    capacity = checker.parsed("service_capacity", parse_non_negative_int)
    has_description = checker.parsed("has_program_description", _parse_flag)
    has_goals = checker.parsed("has_goals_outcomes", _parse_flag)

    if checker.problems or not (school_name and organization_name and program_name):
        return ParsedRow(None, checker.problems, checker.warnings)
    export_row = ExportRow(
        number=row.number,
        school_name=school_name,
        rc_code=rc_code,
        school_neighborhood=checker.text("school_neighborhood"),
        school_grades_label=checker.text("school_grades"),
        school_grades=school_grades,
        school_hours=checker.text("school_hours"),
        organization_name=organization_name,
        organization_website=checker.text("organization_website"),
        program_name=program_name,
        program_areas=terms["program_areas"],
        program_subareas=terms["program_subareas"],
        days_of_operation=terms["days_of_operation"],
        time_of_day=terms["time_of_day"],
        grades_served=grades_served,
        student_fees=fees or Fees.UNKNOWN,
        service_capacity=capacity,
        has_program_description=has_description,
        has_goals_outcomes=has_goals,
    )
    return ParsedRow(export_row, checker.problems, checker.warnings)
