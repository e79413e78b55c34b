"""Allocation benchmark on PostgreSQL: create a run over 100,000 generated schools.

Prints the engine's compute time, the whole `POST /v1/fiscal-years/{fy}/runs` request time, and
the ratio of both to a bare bulk insert of the same 100,000 run lines, all measured in one
process against one database. The import of the schools is excluded: they are loaded with
plain INSERTs first. Runs under `make bench`, against TEST_DATABASE_URL or the local server.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar, cast

import asyncpg
import httpx
import pytest
from sqlalchemy import Table, delete, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from allocation_api.app import create_app
from allocation_api.engine import compute_allocation, content_hash
from allocation_api.enrollment.models import EnrollmentCount, EnrollmentSet
from allocation_api.need_index.models import NeedIndexScore, NeedIndexSet
from allocation_api.runs import service as runs_service
from allocation_api.runs.models import Run, RunLine
from allocation_api.schools.models import School
from allocation_api.service import MIGRATIONS, SERVICE
from allocation_api.settings import Settings
from partnerfund_shared.auth import create_api_key
from partnerfund_shared.db import create_engine, create_sessionmaker, utc_now
from partnerfund_shared.schemas.allocation import AllocationPolicy
from partnerfund_shared.testing import (
    drop_postgres_database,
    postgres_admin_dsn,
    recreate_postgres_database,
)

SCHOOL_COUNT = 100_000
FISCAL_YEAR = 2027
DATABASE_NAME = "pf_alloc_bench"
DEFAULT_SERVER_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SEED_CHUNK = 10_000
POLICY = {
    "pool": "600000000.00",
    "eligibility": {"min_score": "0.56"},
    "weighting": {"method": "flat"},
    "rounding": "dollar",
    "exclude_incomplete": True,
}
# Targets on the 2-core reference machine.
COMPUTE_TARGET_SECONDS = 1.0
REQUEST_TO_INSERT_TARGET = 3.0

ResultT = TypeVar("ResultT")


def server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_SERVER_URL


async def server_reachable(url: str) -> bool:
    try:
        connection = await asyncpg.connect(postgres_admin_dsn(url), timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


def table_of(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


async def seed(engine: AsyncEngine) -> None:
    """Load 100,000 schools, each with a score and an enrollment.

    No score is blank and no enrollment missing, because excluded schools are listed in the run
    response, whose school codes must be the four digits that these generated codes exceed.
    """
    generator = random.Random(FISCAL_YEAR)
    now = utc_now()
    schools: list[dict[str, Any]] = []
    scores: list[dict[str, Any]] = []
    counts: list[dict[str, Any]] = []
    for number in range(SCHOOL_COUNT):
        code = f"{number:06d}"
        schools.append(
            {
                "code": code,
                "name": f"Generated School {number}",
                "rc_code": f"{100000 + number // 2}",
                "dese_code": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        score = Decimal(generator.randint(1, 999)).scaleb(-3)
        scores.append({"set_id": 1, "school_code": code, "school_name": None, "score": score})
        counts.append({"set_id": 1, "school_code": code, "enrollment": generator.randint(27, 2400)})

    async with engine.begin() as connection:
        await connection.execute(
            insert(table_of(NeedIndexSet)),
            [
                {
                    "id": 1,
                    "fiscal_year": FISCAL_YEAR,
                    "version": 1,
                    "filename": "generated.csv",
                    "rows": len(scores),
                    "scored": sum(1 for row in scores if row["score"] is not None),
                    "blank": sum(1 for row in scores if row["score"] is None),
                    "created_at": now,
                    "created_by": "benchmark",
                }
            ],
        )
        await connection.execute(
            insert(table_of(EnrollmentSet)),
            [
                {
                    "id": 1,
                    "fiscal_year": FISCAL_YEAR,
                    "version": 1,
                    "filename": "generated.csv",
                    "rows": len(counts),
                    "total_enrollment": sum(row["enrollment"] for row in counts),
                    "created_at": now,
                    "created_by": "benchmark",
                }
            ],
        )
        for model, rows in ((School, schools), (NeedIndexScore, scores), (EnrollmentCount, counts)):
            for start in range(0, len(rows), SEED_CHUNK):
                await connection.execute(insert(table_of(model)), rows[start : start + SEED_CHUNK])


async def timed(action: Callable[[], Awaitable[ResultT]]) -> tuple[float, ResultT]:
    started = time.perf_counter()
    result = await action()
    return time.perf_counter() - started, result


async def measure() -> dict[str, float]:
    url = await recreate_postgres_database(server_url(), DATABASE_NAME)
    await asyncio.to_thread(MIGRATIONS.upgrade, url)
    engine = create_engine(url)
    try:
        await seed(engine)
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session:
            _key, token = await create_api_key(
                session,
                SERVICE.api_key_model,
                name="benchmark",
                scopes=["allocations:write"],
                known_scopes=SERVICE.scopes,
            )
            await session.commit()

        # Compute alone, on the records the request loads.
        policy = AllocationPolicy.model_validate({**POLICY, "need_index_set_id": 1, "enrollment_set_id": 1})
        async with sessionmaker() as session:
            records = await runs_service.load_records(session, 1, 1)
        started = time.perf_counter()
        cpu_started = time.process_time()
        result = compute_allocation(policy, records)
        compute_seconds = time.perf_counter() - started
        compute_cpu_seconds = time.process_time() - cpu_started
        assert len(result.lines) == SCHOOL_COUNT

        # The whole request through the ASGI app, commit included.
        app = create_app(Settings.model_validate({"database": {"url": url}}))
        app.state.engine = engine
        app.state.sessionmaker = sessionmaker
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            request_seconds, response = await timed(
                lambda: client.post(
                    f"/v1/fiscal-years/{FISCAL_YEAR}/runs",
                    json=POLICY,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=600,
                )
            )
        assert response.status_code == 201, response.text
        run = response.json()
        assert run["total"] == "600000000.00"

        # A bare bulk insert of the same lines under a copy of the run row, in one transaction.
        started = time.perf_counter()
        content_hash(policy, result.lines)
        hash_seconds = time.perf_counter() - started

        async with engine.begin() as connection:
            copy = dict(run)
            await connection.execute(
                insert(table_of(Run)),
                [
                    {
                        "id": 1_000_000,
                        "fiscal_year": FISCAL_YEAR,
                        "fund": copy["fund"],
                        "status": "draft",
                        "policy": copy["policy"],
                        "need_index_set_id": 1,
                        "enrollment_set_id": 1,
                        "total": Decimal(copy["total"]),
                        "eligible_schools": copy["eligible_schools"],
                        "eligible_enrollment": copy["eligible_enrollment"],
                        "excluded": [],
                        "content_hash": copy["content_hash"],
                        "created_at": utc_now(),
                        "created_by": "benchmark",
                    }
                ],
            )
        line_values = [runs_service.line_values(1_000_000, line) for line in result.lines]

        async def bare_insert() -> None:
            async with engine.begin() as connection:
                for start in range(0, len(line_values), 10_000):
                    await connection.execute(insert(table_of(RunLine)), line_values[start : start + 10_000])

        insert_seconds, _ = await timed(bare_insert)
        async with engine.begin() as connection:
            await connection.execute(delete(table_of(RunLine)).where(RunLine.run_id == 1_000_000))
    finally:
        await engine.dispose()
        await drop_postgres_database(server_url(), DATABASE_NAME)

    return {
        "compute_seconds": compute_seconds,
        "compute_cpu_seconds": compute_cpu_seconds,
        "hash_seconds": hash_seconds,
        "request_seconds": request_seconds,
        "insert_seconds": insert_seconds,
        "eligible_schools": float(run["eligible_schools"]),
    }


def test_allocation_run_of_100000_schools() -> None:
    url = server_url()
    if not asyncio.run(server_reachable(url)):
        pytest.skip(f"no PostgreSQL server answers at {url}; set TEST_DATABASE_URL")

    figures = asyncio.run(measure())

    compute = figures["compute_seconds"]
    request = figures["request_seconds"]
    bare_insert = figures["insert_seconds"]
    print()
    print(
        f"allocation benchmark: {SCHOOL_COUNT:,} schools, "
        f"{int(figures['eligible_schools']):,} eligible, PostgreSQL, {os.cpu_count()} CPUs"
    )
    print(
        f"  compute (engine only)      {compute:8.3f} s wall, "
        f"{figures['compute_cpu_seconds']:.3f} s CPU   target < {COMPUTE_TARGET_SECONDS} s"
    )
    print(f"  content hash               {figures['hash_seconds']:8.3f} s")
    print(f"  whole request (POST runs)  {request:8.3f} s")
    print(f"  bare bulk insert of lines  {bare_insert:8.3f} s")
    print(f"  compute / bare insert      {compute / bare_insert:8.2f}")
    print(f"  request / bare insert      {request / bare_insert:8.2f}   target <= {REQUEST_TO_INSERT_TARGET}")

    assert compute < COMPUTE_TARGET_SECONDS, f"compute took {compute:.3f} s"
    assert request / bare_insert <= REQUEST_TO_INSERT_TARGET, (
        f"the request took {request / bare_insert:.2f} times the bare insert"
    )
