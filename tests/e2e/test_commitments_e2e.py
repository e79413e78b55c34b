"""Commitments end to end: the allocation and catalog APIs as real processes on loopback."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from partnerfund_shared.auth import create_api_key, generate_token
from partnerfund_shared.db import create_engine, create_sessionmaker
from partnerfund_shared.testing import ServiceProcess, free_port, start_module, wait_for_http
from tests.allocation_api.commitments.builders import (
    FISCAL_YEAR,
    add_program,
    commitment_body,
    load_district,
    publish_run,
)
from tests.conftest import MigratedDatabases, service_under_test
from tests.e2e.conftest import Platform

pytestmark = pytest.mark.e2e

ALLOCATED = Decimal("5000.00")
AMOUNTS = ("150.00", "275.50", "325.25", "90.10", "434.45")


def _commitments_path(school_code: str) -> str:
    return f"/v1/fiscal-years/{FISCAL_YEAR}/schools/{school_code}/commitments"


async def _active_commitments(allocation: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await allocation.get(
        f"/v1/fiscal-years/{FISCAL_YEAR}/commitments", headers=headers, params={"limit": 200}
    )
    assert response.status_code == 200, response.text
    return [item for item in response.json()["items"] if item["status"] != "cancelled"]


async def _register_key(service: str, url: str, token: str) -> None:
    definition = service_under_test(service).definition
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await create_api_key(
                session,
                definition.api_key_model,
                name="admin",
                scopes=definition.scopes,
                known_scopes=definition.scopes,
                token=token,
            )
    finally:
        await engine.dispose()


async def _fire_fifty(allocation: httpx.AsyncClient, headers: dict[str, str], program_id: int) -> None:
    """Send 50 commitments for school 0101 at once and check that none overspends its 5,000.00."""
    amounts = [Decimal(AMOUNTS[i % len(AMOUNTS)]) for i in range(50)]

    responses = await asyncio.gather(
        *(
            allocation.post(
                _commitments_path("0101"), headers=headers, json=commitment_body(program_id, str(amount))
            )
            for amount in amounts
        )
    )
    stored = await _active_commitments(allocation, headers)

    assert {response.status_code for response in responses} <= {201, 409}
    accepted = [a for a, r in zip(amounts, responses, strict=True) if r.status_code == 201]
    accepted_total = sum(accepted, Decimal(0))
    assert accepted
    assert len(accepted) < len(amounts)
    assert accepted_total <= ALLOCATED
    for amount, response in zip(amounts, responses, strict=True):
        if response.status_code == 409:
            assert response.json()["type"].endswith("/commitment-exceeds-balance")
            assert Decimal(response.json()["remaining"]) < amount
    assert len(stored) == len(accepted)
    assert sum((Decimal(item["amount"]) for item in stored), Decimal(0)) == accepted_total


@pytest.fixture
async def postgres_processes(
    databases: MigratedDatabases, postgres_url: str, tmp_path: Path
) -> AsyncIterator[dict[str, str]]:
    """Start the allocation and catalog APIs as processes on fresh PostgreSQL databases."""
    token = generate_token()
    ports = {"allocation": free_port(), "catalog": free_port()}
    env = {"PYTHONUNBUFFERED": "1"}
    for service, prefix in (("allocation", "ALLOCATION_"), ("catalog", "CATALOG_")):
        url = databases.fresh_url(service, "postgresql", "e2e_commitments")
        await _register_key(service, url, token)
        env[f"{prefix}DATABASE__URL"] = url
        env[f"{prefix}PORT"] = str(ports[service])
    env["ALLOCATION_CATALOG__URL"] = f"http://127.0.0.1:{ports['catalog']}"
    env["ALLOCATION_CATALOG__API_KEY"] = token

    processes: list[ServiceProcess] = []
    try:
        for service, package in (("catalog", "catalog_api"), ("allocation", "allocation_api")):
            process = start_module(package, ["serve"], env, tmp_path / f"{service}.log")
            processes.append(process)
            await asyncio.to_thread(
                wait_for_http, f"http://127.0.0.1:{ports[service]}/healthz", 60, process.process
            )
        yield {
            "allocation": f"http://127.0.0.1:{ports['allocation']}",
            "catalog": f"http://127.0.0.1:{ports['catalog']}",
            "token": token,
        }
    finally:
        for process in processes:
            process.stop()


class TestCommitmentsAcrossProcesses:
    async def test_commit_approve_cancel_and_summarise(self, platform: Platform) -> None:
        # One flow, because each test pays for starting three processes.
        headers = platform.headers
        async with (
            httpx.AsyncClient(base_url=platform.url("allocation"), timeout=30) as allocation,
            httpx.AsyncClient(base_url=platform.url("catalog"), timeout=30) as catalog,
        ):
            await load_district(allocation, headers)
            await publish_run(allocation, headers)
            tutoring = await add_program(catalog, headers, name="Tutoring", organization_name="Read Boston")
            outside = await add_program(
                catalog, headers, name="Robotics", organization_name="Makers", portfolio_status=None
            )

            created = await allocation.post(
                _commitments_path("0101"),
                headers={**headers, "Idempotency-Key": "e2e-1"},
                json=commitment_body(tutoring.program_id, "1200.00"),
            )
            replayed = await allocation.post(
                _commitments_path("0101"),
                headers={**headers, "Idempotency-Key": "e2e-1"},
                json=commitment_body(tutoring.program_id, "1200.00"),
            )
            rejected = await allocation.post(
                _commitments_path("0101"), headers=headers, json=commitment_body(outside.program_id, "10.00")
            )
            unknown = await allocation.post(
                _commitments_path("0101"), headers=headers, json=commitment_body(999999, "10.00")
            )
            second = await allocation.post(
                _commitments_path("0202"),
                headers=headers,
                json=commitment_body(tutoring.program_id, "800.00"),
            )
            approved = await allocation.post(
                f"/v1/commitments/{created.json()['id']}/approve", headers=headers
            )
            cancelled = await allocation.post(
                f"/v1/commitments/{second.json()['id']}/cancel", headers=headers
            )
            summary = await allocation.get(
                f"/v1/fiscal-years/{FISCAL_YEAR}/commitments/summary", headers=headers
            )
            export = await allocation.get(
                f"/v1/fiscal-years/{FISCAL_YEAR}/commitments/summary",
                headers=headers,
                params={"format": "csv", "by": "organization"},
            )
            platform.processes["catalog"].stop()
            catalog_down = await allocation.post(
                _commitments_path("0202"), headers=headers, json=commitment_body(tutoring.program_id, "10.00")
            )
            after_outage = await _active_commitments(allocation, headers)

        assert created.status_code == 201, created.text
        assert created.json()["organization_name"] == "Read Boston"
        assert created.json()["program_name"] == "Tutoring"
        assert replayed.status_code == 201
        assert replayed.json()["id"] == created.json()["id"]
        assert rejected.status_code == 422
        assert rejected.json()["reason"] == "program_not_in_portfolio"
        assert unknown.status_code == 422
        assert unknown.json()["reason"] == "program_not_found"
        assert approved.json()["status"] == "approved"
        assert cancelled.json()["status"] == "cancelled"
        assert summary.status_code == 200
        organizations = summary.json()["organizations"]
        assert [(item["organization_name"], item["committed"]) for item in organizations] == [
            ("Read Boston", "1200.00")
        ]
        assert organizations[0]["approved"] == "1200.00"
        rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert [(row["organization_name"], row["committed"]) for row in rows] == [("Read Boston", "1200.00")]
        assert catalog_down.status_code == 503
        assert catalog_down.headers["content-type"] == "application/problem+json"
        assert int(catalog_down.headers["retry-after"]) > 0
        assert [item["id"] for item in after_outage] == [created.json()["id"]]

    async def test_fifty_concurrent_requests_never_overspend(self, platform: Platform) -> None:
        headers = platform.headers
        async with (
            httpx.AsyncClient(base_url=platform.url("allocation"), timeout=60) as allocation,
            httpx.AsyncClient(base_url=platform.url("catalog"), timeout=30) as catalog,
        ):
            await load_district(allocation, headers)
            await publish_run(allocation, headers)
            program = await add_program(catalog, headers)

            await _fire_fifty(allocation, headers, program.program_id)

    async def test_fifty_concurrent_requests_on_postgresql(self, postgres_processes: dict[str, str]) -> None:
        headers = {"Authorization": f"Bearer {postgres_processes['token']}"}
        async with (
            httpx.AsyncClient(base_url=postgres_processes["allocation"], timeout=60) as allocation,
            httpx.AsyncClient(base_url=postgres_processes["catalog"], timeout=30) as catalog,
        ):
            await load_district(allocation, headers)
            await publish_run(allocation, headers)
            program = await add_program(catalog, headers)

            await _fire_fifty(allocation, headers, program.program_id)
