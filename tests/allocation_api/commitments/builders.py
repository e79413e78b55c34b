"""Builders that set up both peers through their HTTP APIs: a published allocation and programs.

They take an `httpx.AsyncClient` and headers, so the same calls serve the in-process harnesses
and the real processes of the end-to-end tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

FISCAL_YEAR = 2028


@dataclass(frozen=True)
class SchoolRow:
    code: str
    name: str
    score: str
    enrollment: int
    rc_code: str = ""


# A flat policy over 10000.00 gives each eligible school of 100 pupils 5000.00; 0303 is below the
# 0.56 threshold and gets 0.00.
DISTRICT = (
    SchoolRow("0101", "Adams Elementary", "0.7100", 100, "101101"),
    SchoolRow("0202", "Baker K-8", "0.6000", 100, "101202"),
    SchoolRow("0303", "Carter High", "0.3000", 100, "101303"),
)


def _csv(header: str, rows: list[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


async def _upload(client: httpx.AsyncClient, headers: dict[str, str], path: str, content: bytes) -> None:
    response = await client.post(path, headers=headers, files={"file": ("upload.csv", content, "text/csv")})
    assert response.status_code == 201, response.text


async def load_district(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    fiscal_year: int = FISCAL_YEAR,
    schools: tuple[SchoolRow, ...] = DISTRICT,
) -> None:
    """Import the school list, a need-index set and an enrollment set."""
    await _upload(
        client,
        headers,
        "/v1/schools/import",
        _csv(
            "school_code,school_name,rc_code",
            [f"{s.code},{s.name},{s.rc_code}" for s in schools],
        ),
    )
    await _upload(
        client,
        headers,
        f"/v1/fiscal-years/{fiscal_year}/need-index/import",
        _csv("school_code,score", [f"{s.code},{s.score}" for s in schools]),
    )
    await _upload(
        client,
        headers,
        f"/v1/fiscal-years/{fiscal_year}/enrollment/import",
        _csv("school_code,enrollment", [f"{s.code},{s.enrollment}" for s in schools]),
    )


async def publish_run(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    fiscal_year: int = FISCAL_YEAR,
    fund: str = "partnership",
    pool: str = "10000.00",
    supersedes: int | None = None,
) -> dict[str, Any]:
    """Compute a flat run over the newest sets and publish it; return the published run."""
    policy = {
        "fund": fund,
        "pool": pool,
        "eligibility": {"min_score": "0.56"},
        "weighting": {"method": "flat"},
        "rounding": "dollar",
    }
    created = await client.post(f"/v1/fiscal-years/{fiscal_year}/runs", headers=headers, json=policy)
    assert created.status_code == 201, created.text
    run_id = created.json()["id"]

    body = None if supersedes is None else {"supersedes": supersedes, "reason": "Revised pool"}
    published = await client.post(f"/v1/runs/{run_id}/publish", headers=headers, json=body)
    assert published.status_code == 200, published.text
    run: dict[str, Any] = published.json()
    return run


@dataclass(frozen=True)
class CatalogProgram:
    program_id: int
    organization_id: int
    name: str
    organization_name: str


async def add_program(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    name: str = "Reading Partners Tutoring",
    organization_name: str = "Reading Partners",
    organization_id: int | None = None,
    program_status: str = "approved",
    portfolio_status: str | None = "approved",
    fiscal_year: int = FISCAL_YEAR,
    category: str = "Literacy",
) -> CatalogProgram:
    """Create a program in the catalog, move it to `program_status` and record a portfolio decision.

    `portfolio_status=None` leaves the program out of the fiscal year's portfolio.
    """
    if organization_id is None:
        created = await client.post("/v1/organizations", headers=headers, json={"name": organization_name})
        # The catalog names organizations uniquely; a second program of one partner reuses it.
        if created.status_code == 409:
            organization_id = created.json()["organization_id"]
        else:
            assert created.status_code == 201, created.text
            organization_id = created.json()["id"]

    created = await client.post(
        "/v1/programs", headers=headers, json={"organization_id": organization_id, "name": name}
    )
    assert created.status_code == 201, created.text
    program = created.json()

    steps = {"draft": [], "submitted": ["submitted"], "approved": ["submitted", "approved"]}
    for status in steps[program_status]:
        moved = await client.post(
            f"/v1/programs/{program['id']}/status", headers=headers, json={"status": status}
        )
        assert moved.status_code == 200, moved.text

    if portfolio_status is not None:
        decided = await client.put(
            f"/v1/portfolio/{fiscal_year}/programs/{program['id']}",
            headers=headers,
            json={"category": category, "status": portfolio_status},
        )
        assert decided.status_code in (200, 201), decided.text

    return CatalogProgram(
        program_id=program["id"],
        organization_id=organization_id,
        name=name,
        organization_name=program["organization"]["name"],
    )


def commitment_body(program_id: int, amount: object, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"fund": "partnership", "program_id": program_id, "amount": amount}
    body.update(overrides)
    return body


def money(value: str) -> Decimal:
    return Decimal(value)
