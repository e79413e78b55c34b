"""The public catalog as open data: every approved program, and every partnership of one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.organizations.models import Organization
from catalog_api.partnerships.models import Partnership
from catalog_api.programs.models import Program
from catalog_api.programs.repository import load_program_labels
from catalog_api.programs.service import PUBLIC_STATUS
from catalog_api.schools.models import School

PROGRAM_COLUMNS = [
    "program_id",
    "program_name",
    "organization_id",
    "organization_name",
    "organization_website",
    "description",
    "areas",
    "subareas",
    "grades",
    "days",
    "time_of_day",
    "languages",
    "fees",
    "fees_explanation",
    "service_capacity",
    "last_verified_on",
]
PARTNERSHIP_COLUMNS = [
    "partnership_id",
    "school_code",
    "school_name",
    "neighborhood",
    "school_year",
    "program_id",
    "program_name",
    "organization_name",
    "grades",
    "days",
    "service_capacity",
    "students_enrolled",
]
# Multi-valued fields are joined with this separator in CSV, as the PartnerBPS export does.
CSV_LIST_SEPARATOR = "; "


async def program_records(session: AsyncSession) -> list[dict[str, Any]]:
    rows = (
        await session.execute(
            select(Program, Organization)
            .join(Organization, Organization.id == Program.organization_id)
            .where(Program.status == PUBLIC_STATUS)
            .order_by(Program.sort_name, Program.id)
        )
    ).all()
    labels = await load_program_labels(session, [row[0].id for row in rows])
    records = []
    for program, organization in rows:
        program_labels = labels[program.id]
        records.append(
            {
                "program_id": program.id,
                "program_name": program.name,
                "organization_id": organization.id,
                "organization_name": organization.name,
                "organization_website": organization.website,
                "description": program.description,
                **program_labels,
                "fees": program.fees,
                "fees_explanation": program.fees_explanation,
                "service_capacity": program.service_capacity,
                "last_verified_on": program.last_verified_on,
            }
        )
    return records


async def partnership_records(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(Partnership, School, Program, Organization)
        .join(School, School.id == Partnership.school_id)
        .join(Program, Program.id == Partnership.program_id)
        .join(Organization, Organization.id == Program.organization_id)
        .where(Program.status == PUBLIC_STATUS)
        .order_by(School.school_code, Partnership.school_year, Program.sort_name, Partnership.id)
    )
    return [
        {
            "partnership_id": partnership.id,
            "school_code": school.school_code,
            "school_name": school.name,
            "neighborhood": school.neighborhood,
            "school_year": partnership.school_year,
            "program_id": program.id,
            "program_name": program.name,
            "organization_name": organization.name,
            "grades": list(partnership.grades or []),
            "days": list(partnership.days or []),
            "service_capacity": partnership.service_capacity,
            "students_enrolled": partnership.students_enrolled,
        }
        for partnership, school, program, organization in rows
    ]


def csv_rows(records: list[dict[str, Any]], columns: list[str]) -> list[list[Any]]:
    """Flatten records into CSV cells; lists become `; `-separated text."""
    return [
        [
            CSV_LIST_SEPARATOR.join(value) if isinstance(value, list) else value
            for value in (record[column] for column in columns)
        ]
        for record in records
    ]
