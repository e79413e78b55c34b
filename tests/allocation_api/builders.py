"""Builders for allocation API tests: CSV files with keyword overrides and request helpers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import httpx

from partnerfund_shared.testing import Harness

FISCAL_YEAR = 2027

# Six schools: four score at or above 0.56, and "0105" and "0106" fall below it.
DEFAULT_SCHOOLS: tuple[tuple[str, str, str, str, int], ...] = (
    # code, name, RC code, score, enrollment
    ("0101", "Adams Elementary", "101203", "0.61", 200),
    ("0102", "Brighton High", "101624", "0.80", 400),
    ("0103", "Curley K-8", "101420", "0.56", 300),
    ("0104", "Dever Elementary", "101420", "0.72", 100),
    ("0105", "Eliot K-8", "101300", "0.41", 500),
    ("0106", "Fenway High", "101301", "0.30", 250),
)


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]], *, delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def school_list_csv(
    schools: Sequence[tuple[str, str, str, str, int]] = DEFAULT_SCHOOLS,
    *,
    header: Sequence[str] = ("School Code", "School Name", "RC Code"),
) -> bytes:
    return csv_bytes(header, [(code, name, rc) for code, name, rc, _score, _enrollment in schools])


def scores_csv(
    schools: Sequence[tuple[str, str, str, str, int]] = DEFAULT_SCHOOLS,
    *,
    header: Sequence[str] = ("School Code", "School Name", "FY27 OI Score"),
    overrides: dict[str, str] | None = None,
) -> bytes:
    """Build a need-index file; `overrides` replaces the score text of some school codes."""
    overrides = overrides or {}
    rows = [(code, name, overrides.get(code, score)) for code, name, _rc, score, _enr in schools]
    return csv_bytes(header, rows)


def enrollment_csv(
    schools: Sequence[tuple[str, str, str, str, int]] = DEFAULT_SCHOOLS,
    *,
    header: Sequence[str] = ("School Code", "Enrollment"),
    overrides: dict[str, Any] | None = None,
    leave_out: Sequence[str] = (),
) -> bytes:
    overrides = overrides or {}
    rows = [
        (code, overrides.get(code, enrollment))
        for code, _name, _rc, _score, enrollment in schools
        if code not in leave_out
    ]
    return csv_bytes(header, rows)


def make_policy(**overrides: Any) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "fund": "partnership",
        "pool": "10000.00",
        "eligibility": {"min_score": "0.56"},
        "weighting": {"method": "flat"},
        "rounding": "dollar",
        "exclude_incomplete": True,
    }
    policy.update(overrides)
    return policy


async def upload(
    allocation: Harness,
    path: str,
    content: bytes,
    *,
    filename: str = "upload.csv",
    columns: str | None = None,
    headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> httpx.Response:
    data = {**({"columns": columns} if columns is not None else {}), **(form or {})} or None
    return await allocation.client.post(
        path,
        files={"file": (filename, content)},
        data=data,
        headers=headers if headers is not None else await allocation.admin_headers(),
    )


async def import_schools(allocation: Harness, content: bytes | None = None, **kwargs: Any) -> httpx.Response:
    return await upload(allocation, "/v1/schools/import", content or school_list_csv(), **kwargs)


async def import_scores(
    allocation: Harness, content: bytes | None = None, *, fiscal_year: int = FISCAL_YEAR, **kwargs: Any
) -> httpx.Response:
    path = f"/v1/fiscal-years/{fiscal_year}/need-index/import"
    return await upload(allocation, path, content or scores_csv(), **kwargs)


async def import_enrollment(
    allocation: Harness, content: bytes | None = None, *, fiscal_year: int = FISCAL_YEAR, **kwargs: Any
) -> httpx.Response:
    path = f"/v1/fiscal-years/{fiscal_year}/enrollment/import"
    return await upload(allocation, path, content or enrollment_csv(), **kwargs)


async def seed_district(
    allocation: Harness,
    *,
    schools: Sequence[tuple[str, str, str, str, int]] = DEFAULT_SCHOOLS,
    fiscal_year: int = FISCAL_YEAR,
) -> dict[str, int]:
    """Import the school list, a score set and an enrollment set; return the two set ids."""
    for response in (
        await import_schools(allocation, school_list_csv(schools)),
        score_response := await import_scores(allocation, scores_csv(schools), fiscal_year=fiscal_year),
        enrollment_response := await import_enrollment(
            allocation, enrollment_csv(schools), fiscal_year=fiscal_year
        ),
    ):
        assert response.status_code == 201, response.text
    return {
        "need_index_set_id": score_response.json()["id"],
        "enrollment_set_id": enrollment_response.json()["id"],
    }


async def create_run(
    allocation: Harness, *, fiscal_year: int = FISCAL_YEAR, **policy_overrides: Any
) -> httpx.Response:
    return await allocation.client.post(
        f"/v1/fiscal-years/{fiscal_year}/runs",
        json=make_policy(**policy_overrides),
        headers=await allocation.admin_headers(),
    )


async def create_run_id(allocation: Harness, **policy_overrides: Any) -> int:
    response = await create_run(allocation, **policy_overrides)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def publish(allocation: Harness, run_id: int, body: dict[str, Any] | None = None) -> httpx.Response:
    return await allocation.client.post(
        f"/v1/runs/{run_id}/publish", json=body, headers=await allocation.admin_headers()
    )


async def all_lines(allocation: Harness, run_id: int) -> list[dict[str, Any]]:
    """Follow the cursor through every page of a run's lines."""
    headers = await allocation.admin_headers()
    lines: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200}
        if cursor:
            params["cursor"] = cursor
        response = await allocation.client.get(f"/v1/runs/{run_id}/lines", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        lines.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return lines
