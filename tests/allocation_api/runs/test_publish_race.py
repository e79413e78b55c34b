"""Two publishes of one fiscal year and fund at the same moment, on committing transactions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from allocation_api.app import create_app
from allocation_api.runs.models import Run
from allocation_api.service import SERVICE
from allocation_api.settings import Settings
from partnerfund_shared.auth import create_api_key
from partnerfund_shared.db import create_engine, create_sessionmaker
from tests.allocation_api.builders import (
    FISCAL_YEAR,
    enrollment_csv,
    make_policy,
    school_list_csv,
    scores_csv,
)
from tests.conftest import MigratedDatabases


@pytest.fixture
async def committing_client(
    databases: MigratedDatabases, backend: str
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], AsyncEngine]]:
    """The allocation API on a fresh database whose requests commit for real."""
    url = databases.fresh_url("allocation", backend, "publish_race")
    engine = create_engine(url, pool_size=5)
    app = create_app(Settings.model_validate({"database": {"url": url}}))
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    async with create_sessionmaker(engine)() as session:
        _key, token = await create_api_key(
            session, SERVICE.api_key_model, name="race", scopes=SERVICE.scopes, known_scopes=SERVICE.scopes
        )
        await session.commit()
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://allocation.test") as client:
            yield client, {"Authorization": f"Bearer {token}"}, engine
    finally:
        await engine.dispose()


async def seed(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    uploads = [
        ("/v1/schools/import", school_list_csv()),
        (f"/v1/fiscal-years/{FISCAL_YEAR}/need-index/import", scores_csv()),
        (f"/v1/fiscal-years/{FISCAL_YEAR}/enrollment/import", enrollment_csv()),
    ]
    for path, content in uploads:
        response = await client.post(path, files={"file": ("f.csv", content)}, headers=headers)
        assert response.status_code == 201, response.text


class TestPublishRace:
    async def test_one_of_two_publishes_wins(
        self, committing_client: tuple[httpx.AsyncClient, dict[str, str], AsyncEngine]
    ) -> None:
        client, headers, engine = committing_client
        await seed(client, headers)
        run_ids = []
        for pool in ("1000.00", "2000.00"):
            response = await client.post(
                f"/v1/fiscal-years/{FISCAL_YEAR}/runs", json=make_policy(pool=pool), headers=headers
            )
            assert response.status_code == 201, response.text
            run_ids.append(response.json()["id"])

        responses = await asyncio.gather(
            *(client.post(f"/v1/runs/{run_id}/publish", headers=headers) for run_id in run_ids)
        )

        assert sorted(response.status_code for response in responses) == [200, 409]
        async with create_sessionmaker(engine)() as session:
            published = await session.scalar(
                select(func.count()).select_from(Run).where(Run.status == "published")
            )
        assert published == 1
