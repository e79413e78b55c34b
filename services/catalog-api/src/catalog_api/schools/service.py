"""The public school page: a school's partnerships grouped by program area."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
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


async def _public_school_years(session: AsyncSession, school_id: int) -> list[int]:
    rows = await session.scalars(
        select(Partnership.school_year)
        .join(Program, Program.id == Partnership.program_id)
        .where(Partnership.school_id == school_id, Program.status == PUBLIC_STATUS)
        .group_by(Partnership.school_year)
        .order_by(Partnership.school_year.desc())
    )
    return list(rows)


async def school_page(session: AsyncSession, school_code: str, school_year: int | None) -> schemas.SchoolPage:
    """Build a school's page for one school year, by default the latest with partnerships.

    A partnership appears under each area of its program, so area counts can add up to more
    than `partnership_count`. Programs without an area are grouped last, under `area: null`.
    """
    school = await session.scalar(select(School).where(School.school_code == school_code))
    if school is None:
        raise SchoolNotFound(detail=f"No school has the code {school_code}.")
    school_years = await _public_school_years(session, school.id)
    shown_year = school_year
    if shown_year is None and school_years:
        shown_year = school_years[0]

    rows: list[Any] = []
    if shown_year is not None:
        # Plain columns rather than ORM entities: a page can list hundreds of partnerships.
        result = await session.execute(
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
                Partnership.school_id == school.id,
                Partnership.school_year == shown_year,
                Program.status == PUBLIC_STATUS,
            )
            .order_by(Program.sort_name, Program.id)
        )
        rows = list(result.all())

    labels, areas = await _labels_and_areas(session, [row.program_id for row in rows])
    groups: dict[str | None, list[schemas.SchoolPartnership]] = {area: [] for area in areas}
    groups[None] = []
    for row in rows:
        # The values come from typed columns, so the entries skip validation.
        entry = schemas.SchoolPartnership.model_construct(
            id=row.id,
            program=schemas.ProgramRef.model_construct(id=row.program_id, name=row.program_name),
            organization=schemas.OrganizationRef.model_construct(
                id=row.organization_id, name=row.organization_name
            ),
            school_year=row.school_year,
            grades=list(row.grades or []),
            days=list(row.days or []),
            time_of_day=labels[row.program_id]["time_of_day"],
            service_capacity=row.service_capacity,
            students_enrolled=row.students_enrolled,
        )
        program_areas: list[str | None] = list(labels[row.program_id]["areas"]) or [None]
        for area in program_areas:
            groups[area].append(entry)

    return schemas.SchoolPage(
        **profile_of(school).model_dump(),
        school_year=shown_year,
        school_years=school_years,
        partnership_count=len(rows),
        areas=[
            schemas.SchoolAreaGroup(area=area, count=len(entries), partnerships=entries)
            for area, entries in groups.items()
            if entries
        ],
    )


async def _labels_and_areas(
    session: AsyncSession, program_ids: list[int]
) -> tuple[dict[int, ProgramLabels], list[str]]:
    """Load the programs' chosen labels, and list their program areas in vocabulary order.

    One query serves both: the areas of the page's groups are the areas its programs chose.
    """
    labels = {program_id: empty_labels() for program_id in program_ids}
    if not program_ids:
        return labels, []
    field_by_kind = {kind: field for field, kind in TERM_FIELDS.items()}
    rows = await session.execute(
        select(ProgramTerm.program_id, VocabularyTerm.kind, VocabularyTerm.value)
        .join(VocabularyTerm, VocabularyTerm.id == ProgramTerm.term_id)
        .where(ProgramTerm.program_id.in_(program_ids), ProgramTerm.implied.is_(False))
        .order_by(VocabularyTerm.position, VocabularyTerm.value)
    )
    areas: dict[str, None] = {}
    for program_id, kind, value in rows:
        labels[program_id][field_by_kind[kind]].append(value)
        if kind == "program_area":
            areas[value] = None
    return labels, list(areas)
