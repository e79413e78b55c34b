"""Builders that create catalog data through the API, with keyword overrides."""

from __future__ import annotations

import csv
import io
from typing import Any

from partnerfund_shared.testing import Harness

WRITE_SCOPE = "catalog:write"
DECIDE_SCOPE = "portfolio:decide"

EXPORT_HEADER = [
    "school_name",
    "rc_code",
    "school_neighborhood",
    "school_grades",
    "school_hours",
    "organization_name",
    "organization_website",
    "program_name",
    "program_areas",
    "program_subareas",
    "days_of_operation",
    "time_of_day",
    "grades_served",
    "student_fees",
    "service_capacity",
    "has_program_description",
    "has_goals_outcomes",
]


async def writer_headers(catalog: Harness) -> dict[str, str]:
    return await catalog.headers_with(WRITE_SCOPE)


async def make_organization(catalog: Harness, **overrides: Any) -> dict[str, Any]:
    body = {"name": "Readers Unite", "website": "https://readers.example.org", **overrides}
    response = await catalog.client.post(
        "/v1/organizations", json=body, headers=await writer_headers(catalog)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def make_program(
    catalog: Harness,
    *,
    organization_id: int | None = None,
    status: str = "approved",
    **overrides: Any,
) -> dict[str, Any]:
    """Create a program through the API and walk it to `status`."""
    if organization_id is None:
        organization_id = (
            await make_organization(catalog, name=f"Org for {overrides.get('name', 'program')}")
        )["id"]
    body = {
        "organization_id": organization_id,
        "name": "Reading Buddies",
        "description": "Older students read with younger ones.",
        "areas": ["Academic Support & Enrichment"],
        "subareas": ["Literacy"],
        "grades": ["K2-3"],
        "time_of_day": ["School Day (Class Time)"],
        "fees": "no",
        **overrides,
    }
    headers = await writer_headers(catalog)
    response = await catalog.client.post("/v1/programs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    program = dict(response.json())
    for step in ["submitted", "approved", "archived"]:
        if program["status"] == status:
            break
        response = await catalog.client.post(
            f"/v1/programs/{program['id']}/status", json={"status": step}, headers=headers
        )
        assert response.status_code == 200, response.text
        program = dict(response.json())
    return program


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


async def import_schools(catalog: Harness, rows: list[list[Any]], header: list[str] | None = None) -> Any:
    header = header or ["School Code", "RC Code", "School Name"]
    return await catalog.client.post(
        "/v1/schools/import",
        files={"file": ("schools.csv", csv_bytes(header, rows), "text/csv")},
        headers=await writer_headers(catalog),
    )


def export_row(**cells: Any) -> list[Any]:
    """Build one PartnerBPS export row; unnamed cells are blank or a small default."""
    defaults = {
        "school_name": "Elm Street Elementary",
        "rc_code": "101001",
        "school_neighborhood": "Roxbury",
        "school_grades": "K1-5",
        "school_hours": "8:00-2:30",
        "organization_name": "Readers Unite",
        "organization_website": "readers.example.org",
        "program_name": "Reading Buddies",
        "program_areas": "Academic Support & Enrichment",
        "program_subareas": "Literacy",
        "days_of_operation": "Monday;Wednesday",
        "time_of_day": "School Day",
        "grades_served": "K2;1;2",
        "student_fees": "No",
        "service_capacity": "20",
        "has_program_description": "yes",
        "has_goals_outcomes": "yes",
    }
    defaults.update(cells)
    return [defaults[column] for column in EXPORT_HEADER]


async def import_export(catalog: Harness, rows: list[list[Any]], **form: str) -> Any:
    data = {"school_year": "2026", **form}
    return await catalog.client.post(
        "/v1/partnerships/import",
        files={"file": ("export.csv", csv_bytes(EXPORT_HEADER, rows), "text/csv")},
        data=data,
        headers=await writer_headers(catalog),
    )


SCHOOLS = [
    ["4001", "101001", "Elm Street Elementary"],
    ["4002", "101002", "Oak Hill High School"],
    ["4560", "101420", "Sumner Elementary School"],
    ["4563", "101420", "Roberts Elementary"],
]
