"""Concurrent commitments against one school, on databases that really commit.

The rolled-back harness shares one connection between requests, so these tests give each app its
own engine on a fresh migrated database. The requests then run in separate transactions, as in
production, and only the school's lock keeps them within the allocation.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from allocation_api.app import create_app as create_allocation_app
from allocation_api.commitments.catalog_client import CATALOG_CLIENT_STATE
from allocation_api.commitments.models import Commitment
from allocation_api.service import SERVICE as ALLOCATION
from allocation_api.settings import Settings as AllocationSettings
from catalog_api.app import create_app as create_catalog_app
from catalog_api.service import SERVICE as CATALOG
from catalog_api.settings import Settings as CatalogSettings
from partnerfund_shared.app import ServiceDefinition
from partnerfund_shared.auth import create_api_key
from partnerfund_shared.db import create_engine, create_sessionmaker
from partnerfund_shared.http import create_service_client
from tests.allocation_api.commitments.builders import (
    FISCAL_YEAR,
    add_program,
    commitment_body,
    load_district,
    publish_run,
)
from tests.allocation_api.commitments.conftest import TEST_HTTP
from tests.conftest import MigratedDatabases

REQUESTS = 50
ALLOCATED = Decimal("5000.00")
# Amounts cycle through these; 50 of them add up to 12,753.00, far more than the 5,000.00.
AMOUNTS = ("150.00", "275.50", "325.25", "90.10", "434.45")
COMMITMENTS = f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/commitments"


@dataclass
class CommittingPeers:
    allocation: httpx.AsyncClient
    catalog: httpx.AsyncClient
    allocation_engine: AsyncEngine
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def _admin_token(engine: AsyncEngine, definition: ServiceDefinition, token: str | None) -> str:
    async with create_sessionmaker(engine)() as session:
        _key, created = await create_api_key(
            session,
            definition.api_key_model,
            name="race-admin",
            scopes=definition.scopes,
            known_scopes=definition.scopes,
            token=token,
        )
        await session.commit()
    return created


def _bind(app: FastAPI, engine: AsyncEngine) -> None:
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)


@pytest.fixture
async def committing_peers(
    databases: MigratedDatabases, backend: str, request: pytest.FixtureRequest
) -> AsyncIterator[CommittingPeers]:
    """Both apps with engines of their own on fresh databases, the catalog reached in process."""
    label = f"race_{request.node.name.split('[')[0][-20:]}"
    allocation_url = databases.fresh_url("allocation", backend, label)
    catalog_url = databases.fresh_url("catalog", backend, label)
    allocation_engine = create_engine(allocation_url, pool_size=10)
    catalog_engine = create_engine(catalog_url, pool_size=10)
    catalog_app = create_catalog_app(CatalogSettings(database={"url": catalog_url}))
    allocation_app = create_allocation_app(AllocationSettings(database={"url": allocation_url}))
    _bind(catalog_app, catalog_engine)
    _bind(allocation_app, allocation_engine)
    catalog_http = create_service_client(
        "http://catalog.test", TEST_HTTP, transport=httpx.ASGITransport(app=catalog_app)
    )
    setattr(allocation_app.state, CATALOG_CLIENT_STATE, catalog_http)

    token = await _admin_token(allocation_engine, ALLOCATION, None)
    await _admin_token(catalog_engine, CATALOG, token)
    try:
        async with (
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=allocation_app), base_url="http://allocation.test"
            ) as allocation,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=catalog_app), base_url="http://catalog.test"
            ) as catalog,
        ):
            yield CommittingPeers(allocation, catalog, allocation_engine, token)
    finally:
        await catalog_http.aclose()
        await allocation_engine.dispose()
        await catalog_engine.dispose()


async def _stored(engine: AsyncEngine) -> tuple[int, Decimal]:
    async with create_sessionmaker(engine)() as session:
        row = (await session.execute(select(func.count(Commitment.id), func.sum(Commitment.amount)))).one()
    return int(row[0]), Decimal(row[1] or 0)


class TestConcurrentCommitments:
    async def test_fifty_requests_never_overspend(self, committing_peers: CommittingPeers) -> None:
        peers = committing_peers
        await load_district(peers.allocation, peers.headers)
        await publish_run(peers.allocation, peers.headers)
        program = await add_program(peers.catalog, peers.headers)
        amounts = [Decimal(AMOUNTS[i % len(AMOUNTS)]) for i in range(REQUESTS)]

        responses = await asyncio.gather(
            *(
                peers.allocation.post(
                    COMMITMENTS,
                    headers=peers.headers,
                    json=commitment_body(program.program_id, str(amount)),
                )
                for amount in amounts
            )
        )

        statuses = [response.status_code for response in responses]
        assert set(statuses) <= {201, 409}, [r.text for r in responses if r.status_code not in (201, 409)]
        accepted = [amount for amount, r in zip(amounts, responses, strict=True) if r.status_code == 201]
        rejected = [(amount, r) for amount, r in zip(amounts, responses, strict=True) if r.status_code == 409]
        accepted_total = sum(accepted, Decimal(0))
        assert accepted_total <= ALLOCATED
        assert accepted
        assert rejected
        final_remaining = ALLOCATED - accepted_total
        for amount, response in rejected:
            problem = response.json()
            assert problem["type"].endswith("/commitment-exceeds-balance")
            # Each rejection saw a remaining balance below its amount. Balances only shrink, so
            # the amount is also more than what remains at the end.
            assert Decimal(problem["remaining"]) < amount
            assert amount > final_remaining
        assert await _stored(peers.allocation_engine) == (len(accepted), accepted_total)
        balance = await peers.allocation.get(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/balance", headers=peers.headers
        )
        assert Decimal(balance.json()["committed"]) == accepted_total
        assert len(balance.json()["commitments"]) == len(accepted)

    async def test_simultaneous_duplicates_create_one(self, committing_peers: CommittingPeers) -> None:
        peers = committing_peers
        await load_district(peers.allocation, peers.headers)
        await publish_run(peers.allocation, peers.headers)
        program = await add_program(peers.catalog, peers.headers)
        headers = {**peers.headers, "Idempotency-Key": "double-click"}
        body = commitment_body(program.program_id, "100.00")

        responses = await asyncio.gather(
            *(peers.allocation.post(COMMITMENTS, headers=headers, json=body) for _ in range(10))
        )

        assert [response.status_code for response in responses] == [201] * 10
        assert len({response.json()["id"] for response in responses}) == 1
        assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 9
        assert await _stored(peers.allocation_engine) == (1, Decimal("100.00"))
