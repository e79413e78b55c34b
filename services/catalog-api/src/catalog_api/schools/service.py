"""The public school page: a school's partnerships grouped by program area."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.organizations.models import Organization
from catalog_api.partnerships.models import Partnership
from catalog_api.programs.models import Program, ProgramTerm
from catalog_api.programs.repository import TERM_FIELDS, ProgramLabels, empty_labels
from catalog_api.programs.service import PUBLIC_STATUS
from catalog_api.schools.models import School
from catalog_api.vocabularies.models import VocabularyTerm
from partnerfund_shared.errors import NotFound
from partnerfund_shared.schemas import catalog as schemas


class SchoolNotFound(NotFound):
    slug = "school-not-found"
    title = "School not found"


def profile_of(school: School) -> schemas.SchoolProfile:
    return schemas.SchoolProfile(
        school_code=school.school_code,
        name=school.name,
        rc_code=school.rc_code,
        neighborhood=school.neighborhood,
        grades=list(school.grades or []),
        grades_label=school.grades_label,
        address=school.address,
        hours=school.hours,
    )


# The page's statements are built once, with bound parameters, so a request neither builds them
# nor computes their cache keys again. The public page is read far more often than it changes.
_SCHOOL_BY_CODE = select(School).where(School.school_code == bindparam("school_code"))

_PUBLIC_SCHOOL_YEARS = (
    select(Partnership.school_year)
    .join(Program, Program.id == Partnership.program_id)
    .where(Partnership.school_id == bindparam("school_id"), Program.status == PUBLIC_STATUS)
    .group_by(Partnership.school_year)
    .order_by(Partnership.school_year.desc())
)

# Plain columns rather than ORM entities: a page can list hundreds of partnerships.
_PARTNERSHIP_ROWS = (
    select(
        Partnership.id,
        Partnership.school_year,
        Partnership.grades,
        Partnership.days,
        Partnership.service_capacity,
        Partnership.students_enrolled,
        Program.id.label("program_id"),
        Program.name.label("program_name"),
        Organization.id.label("organization_id"),
        Organization.name.label("organization_name"),
    )
    .join(Program, Program.id == Partnership.program_id)
    .join(Organization, Organization.id == Program.organization_id)
    .where(
        Partnership.school_id == bindparam("school_id"),
        Partnership.school_year == bindparam("school_year"),
        Program.status == PUBLIC_STATUS,
    )
    .order_by(Program.sort_name, Program.id)
)

_LABEL_ROWS = (
    select(ProgramTerm.program_id, VocabularyTerm.kind, VocabularyTerm.value)
    .join(VocabularyTerm, VocabularyTerm.id == ProgramTerm.term_id)
    .join(Partnership, Partnership.program_id == ProgramTerm.program_id)
    .join(Program, Program.id == ProgramTerm.program_id)
    .where(
        Partnership.school_id == bindparam("school_id"),
        Partnership.school_year == bindparam("school_year"),
        Program.status == PUBLIC_STATUS,
        ProgramTerm.implied.is_(False),
    )
    .order_by(VocabularyTerm.position, VocabularyTerm.value)
)


async def _public_school_years(session: AsyncSession, school_id: int) -> list[int]:
    return list(await session.scalars(_PUBLIC_SCHOOL_YEARS, {"school_id": school_id}))


async def school_page(session: AsyncSession, school_code: str, school_year: int | None) -> dict[str, Any]:
    """Build the `schemas.SchoolPage` payload for a year, by default the latest with partnerships.

    A partnership appears under each area of its program, so area counts can add up to more
    than `partnership_count`. Programs without an area are grouped last, under `area: null`.
    """
    school = await session.scalar(_SCHOOL_BY_CODE, {"school_code": school_code})
    if school is None:
        raise SchoolNotFound(detail=f"No school has the code {school_code}.")
    school_years = await _public_school_years(session, school.id)
    shown_year = school_year
    if shown_year is None and school_years:
        shown_year = school_years[0]

    rows: list[Any] = []
    if shown_year is not None:
        result = await session.execute(_PARTNERSHIP_ROWS, {"school_id": school.id, "school_year": shown_year})
        rows = list(result.all())

    labels: dict[int, ProgramLabels] = {}
    areas: list[str] = []
    if rows and shown_year is not None:
        labels, areas = await _labels_and_areas(session, school.id, shown_year)
    groups: dict[str | None, list[dict[str, Any]]] = {area: [] for area in areas}
    groups[None] = []
    # Rows are unpacked by position, which costs less than attribute access on hundreds of rows.
    for (
        partnership_id, row_year, grades, days, service_capacity, students_enrolled,
        program_id, program_name, organization_id, organization_name,
    ) in rows:  # fmt: skip
        program_labels = labels.get(program_id) or empty_labels()
        # Plain dicts in the field order of `schemas.SchoolPartnership`: a page can contain hundreds.
        entry = {
            "id": partnership_id,
            "program": {"id": program_id, "name": program_name},
            "organization": {"id": organization_id, "name": organization_name},
            "school_year": row_year,
            "grades": list(grades or []),
            "days": list(days or []),
            "time_of_day": program_labels["time_of_day"],
            "service_capacity": service_capacity,
            "students_enrolled": students_enrolled,
        }
        program_areas: list[str | None] = list(program_labels["areas"]) or [None]
        for area in program_areas:
            groups[area].append(entry)

    return {
        **profile_of(school).model_dump(mode="json"),
        "school_year": shown_year,
        "school_years": school_years,
        "partnership_count": len(rows),
        "areas": [
            {"area": area, "count": len(entries), "partnerships": entries}
            for area, entries in groups.items()
            if entries
        ],
    }


async def _labels_and_areas(
    session: AsyncSession, school_id: int, school_year: int
) -> tuple[dict[int, ProgramLabels], list[str]]:
    """Load the chosen labels of the school's public programs in one year, and list their areas.

    One query serves both: the areas of the page's groups are the areas its programs chose, in
    vocabulary order.
    """
    field_by_kind = {kind: field for field, kind in TERM_FIELDS.items()}
    rows = await session.execute(_LABEL_ROWS, {"school_id": school_id, "school_year": school_year})
    labels: dict[int, ProgramLabels] = {}
    areas: dict[str, None] = {}
    for program_id, kind, value in rows:
        program_labels = labels.get(program_id)
        if program_labels is None:
            program_labels = labels[program_id] = empty_labels()
        program_labels[field_by_kind[kind]].append(value)
        if kind == "program_area":
            areas[value] = None
    return labels, list(areas)
