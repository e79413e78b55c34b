"""Folding the rows of a PartnerBPS export into one desired record per organization, program,
school profile and partnership, before anything is compared with the database.

Repeats of a school-and-program pair merge into one partnership. Grades and days are the
union of the rows. The service capacity is the sum over the distinct rows, because each
differing row is another session of the same program at that school, and a row that repeats
another exactly adds nothing. Program fields that differ between rows are merged too: their
vocabulary lists are unions, and for student fees the first row wins with a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalog_api.partnerships.export import ExportRow, Fees
from catalog_api.partnerships.school_matching import SchoolRef
from catalog_api.text import match_key
from catalog_api.vocabularies.terms import Term, Vocabulary
from partnerfund_shared.errors import ErrorItem
from partnerfund_shared.schemas import catalog as schemas

OrganizationKey = str
ProgramKey = tuple[str, str]


@dataclass
class DesiredOrganization:
    name: str
    website: str | None
    first_row: int


@dataclass
class DesiredProgram:
    organization_key: OrganizationKey
    name: str
    fees: Fees
    first_row: int
    terms: dict[int, Term] = field(default_factory=dict)


@dataclass
class DesiredSchoolProfile:
    neighborhood: str | None = None
    hours: str | None = None
    grades: dict[int, Term] = field(default_factory=dict)
    grades_labels: list[str] = field(default_factory=list)


@dataclass
class DesiredPartnership:
    school: SchoolRef
    program_key: ProgramKey
    first_row: int
    grades: dict[int, Term] = field(default_factory=dict)
    days: dict[int, Term] = field(default_factory=dict)
    # Capacity of each distinct row content, so exact duplicates count once.
    capacities: dict[tuple[object, ...], int | None] = field(default_factory=dict)

    def service_capacity(self) -> int | None:
        known = [capacity for capacity in self.capacities.values() if capacity is not None]
        return sum(known) if known else None


@dataclass
class DesiredCatalog:
    organizations: dict[OrganizationKey, DesiredOrganization] = field(default_factory=dict)
    programs: dict[ProgramKey, DesiredProgram] = field(default_factory=dict)
    schools: dict[int, DesiredSchoolProfile] = field(default_factory=dict)
    partnerships: dict[tuple[int, ProgramKey], DesiredPartnership] = field(default_factory=dict)
    repeats: list[schemas.RepeatedRow] = field(default_factory=list)
    warnings: list[ErrorItem] = field(default_factory=list)


def _program_terms(row: ExportRow) -> list[Term]:
    return [
        *row.program_areas,
        *row.program_subareas,
        *row.time_of_day,
        *row.days_of_operation,
        *row.grades_served,
    ]


def aggregate_rows(matched: list[tuple[ExportRow, SchoolRef]]) -> DesiredCatalog:
    """Fold matched rows, in file order, into the desired state of the catalog."""
    catalog = DesiredCatalog()
    for row, school in matched:
        organization_key = match_key(row.organization_name)
        program_key = (organization_key, match_key(row.program_name))
        _add_organization(catalog, row, organization_key)
        _add_program(catalog, row, organization_key, program_key)
        _add_school_profile(catalog, row, school)
        _add_partnership(catalog, row, school, program_key)
    return catalog


def _add_organization(catalog: DesiredCatalog, row: ExportRow, key: OrganizationKey) -> None:
    organization = catalog.organizations.get(key)
    if organization is None:
        catalog.organizations[key] = DesiredOrganization(
            row.organization_name, row.organization_website, row.number
        )
    elif organization.website is None:
        organization.website = row.organization_website


def _add_program(
    catalog: DesiredCatalog, row: ExportRow, organization_key: OrganizationKey, key: ProgramKey
) -> None:
    program = catalog.programs.get(key)
    if program is None:
        program = DesiredProgram(organization_key, row.program_name, row.student_fees, row.number)
        catalog.programs[key] = program
    elif row.student_fees is not program.fees:
        catalog.warnings.append(
            ErrorItem(
                message=(
                    f"student_fees differs from row {program.first_row} of the same program; "
                    f"kept '{program.fees.value}'"
                ),
                row=row.number,
                column="student_fees",
                value=row.student_fees.value,
            )
        )
    for term in _program_terms(row):
        program.terms[term.id] = term


def _add_school_profile(catalog: DesiredCatalog, row: ExportRow, school: SchoolRef) -> None:
    profile = catalog.schools.setdefault(school.id, DesiredSchoolProfile())
    profile.neighborhood = profile.neighborhood or row.school_neighborhood
    profile.hours = profile.hours or row.school_hours
    for grade in row.school_grades:
        profile.grades[grade.id] = grade
    if row.school_grades_label and row.school_grades_label not in profile.grades_labels:
        profile.grades_labels.append(row.school_grades_label)


def _add_partnership(
    catalog: DesiredCatalog, row: ExportRow, school: SchoolRef, program_key: ProgramKey
) -> None:
    key = (school.id, program_key)
    partnership = catalog.partnerships.get(key)
    if partnership is None:
        partnership = DesiredPartnership(school, program_key, row.number)
        catalog.partnerships[key] = partnership
    else:
        catalog.repeats.append(
            schemas.RepeatedRow(
                row=row.number,
                first_row=partnership.first_row,
                school_code=school.school_code,
                program=row.program_name,
                organization=row.organization_name,
            )
        )
    for grade in row.grades_served:
        partnership.grades[grade.id] = grade
    for day in row.days_of_operation:
        partnership.days[day.id] = day
    content = (
        tuple(term.id for term in row.grades_served),
        tuple(term.id for term in row.days_of_operation),
        row.service_capacity,
    )
    partnership.capacities.setdefault(content, row.service_capacity)


def ordered_labels(terms: dict[int, Term]) -> list[str]:
    return [term.value for term in Vocabulary.ordered(terms.values())]
