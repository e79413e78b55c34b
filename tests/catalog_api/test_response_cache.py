"""The response cache of public pages: served while current, rebuilt after any change it can see."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, text, update
from starlette.requests import Request

from catalog_api.organizations.models import Organization
from catalog_api.programs.models import Program
from catalog_api.public_cache.models import WATCHED_TABLES, CatalogChanges
from catalog_api.public_cache.service import CACHE_LOOKUPS, ResponseCache
from catalog_api.settings import ResponseCacheSettings
from partnerfund_shared.testing import Harness
from tests.catalog_api.builders import make_program, writer_headers

SQLITE_TRIGGER_TABLES = "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_count_%'"
POSTGRESQL_TRIGGER_TABLES = (
    "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE '%_count_change'"
)

SQLITE_TRIGGER_TABLES = "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_count_%'"
POSTGRESQL_TRIGGER_TABLES = (
    "SELECT event_object_table FROM information_schema.triggers WHERE trigger_name LIKE '%_count_change'"
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lookups(outcome: str) -> float:
    return CACHE_LOOKUPS.labels(outcome)._value.get()


def install_cache(app: FastAPI, clock: FakeClock | None = None, **settings: Any) -> ResponseCache:
    cache = ResponseCache(ResponseCacheSettings(**settings), clock or FakeClock())
    app.state.response_cache = cache
    return cache


async def generation(catalog: Harness) -> int:
    async with catalog.sessionmaker() as session:
        value = await session.scalar(select(CatalogChanges.generation))
    assert value is not None
    return value


async def rename_elsewhere(catalog: Harness, program_id: int, name: str) -> None:
    """Change a program as another process would: straight in the database, not through this app."""
    async with catalog.sessionmaker() as session:
        await session.execute(update(Program).where(Program.id == program_id).values(name=name))
        await session.commit()


class TestServedFromCache:
    async def test_repeated_search_hits_cache(self, catalog: Harness) -> None:
        await make_program(catalog, name="Chess Club")
        first = await catalog.client.get("/v1/programs", params={"q": "chess"})
        hits_before = lookups("hit")

        second = await catalog.client.get("/v1/programs", params={"q": "chess"})

        assert second.status_code == 200
        assert lookups("hit") == hits_before + 1
        assert second.content == first.content
        assert second.headers["etag"] == first.headers["etag"]
        assert second.headers["cache-control"] == "public, max-age=300"

    async def test_cached_entry_answers_if_none_match_with_304(self, catalog: Harness) -> None:
        await make_program(catalog)
        etag = (await catalog.client.get("/v1/programs")).headers["etag"]

        response = await catalog.client.get("/v1/programs", headers={"If-None-Match": etag})

        assert response.status_code == 304
        assert response.headers["etag"] == etag

    async def test_query_strings_are_separate_entries(self, catalog: Harness) -> None:
        await make_program(catalog, name="Chess Club")
        await make_program(catalog, name="Poetry Slam", description="Students write poems.")

        chess = await catalog.client.get("/v1/programs", params={"q": "chess"})
        poetry = await catalog.client.get("/v1/programs", params={"q": "poetry"})

        assert [item["name"] for item in chess.json()["items"]] == ["Chess Club"]
        assert [item["name"] for item in poetry.json()["items"]] == ["Poetry Slam"]

    async def test_errors_are_not_stored(self, catalog: Harness) -> None:
        cache: ResponseCache = catalog.app.state.response_cache
        stored = len(cache)

        missing = await catalog.client.get("/v1/programs/999999")
        unknown = await catalog.client.get("/v1/programs", params={"area": "Underwater Basket Weaving"})

        assert missing.status_code == 404
        assert unknown.status_code == 422
        assert len(cache) == stored

    async def test_disabled_cache_builds_every_response(self, catalog: Harness) -> None:
        cache = install_cache(catalog.app, enabled=False)
        await make_program(catalog, name="Chess Club")
        disabled_before = lookups("disabled")

        for _ in range(3):
            response = await catalog.client.get("/v1/programs", params={"q": "chess"})
            assert response.json()["total"] == 1

        assert lookups("disabled") == disabled_before + 3
        assert len(cache) == 0


class TestFreshness:
    async def test_write_through_this_process_shows_at_once(self, catalog: Harness) -> None:
        # A check interval of an hour: only the count of this process's own writes can refresh.
        install_cache(catalog.app, check_seconds=3600)
        program = await make_program(catalog, name="Chess Club")
        assert (await catalog.client.get(f"/v1/programs/{program['id']}")).json()["name"] == "Chess Club"

        response = await catalog.client.patch(
            f"/v1/programs/{program['id']}",
            json={"name": "Chess Masters"},
            headers=await writer_headers(catalog),
        )
        assert response.status_code == 200

        page = await catalog.client.get(f"/v1/programs/{program['id']}")
        search = await catalog.client.get("/v1/programs", params={"q": "masters"})
        assert page.json()["name"] == "Chess Masters"
        assert [item["name"] for item in search.json()["items"]] == ["Chess Masters"]

    async def test_failed_write_also_counts(self, catalog: Harness) -> None:
        cache = install_cache(catalog.app, check_seconds=3600)
        writes_before = cache.version.local_writes

        response = await catalog.client.post(
            "/v1/programs", json={"name": "No organization"}, headers=await writer_headers(catalog)
        )

        assert response.status_code == 422
        assert cache.version.local_writes == writes_before + 1

    async def test_write_elsewhere_shows_after_the_check_interval(self, catalog: Harness) -> None:
        clock = FakeClock()
        install_cache(catalog.app, clock, check_seconds=1.0)
        program = await make_program(catalog, name="Chess Club")
        path = f"/v1/programs/{program['id']}"
        assert (await catalog.client.get(path)).json()["name"] == "Chess Club"

        await rename_elsewhere(catalog, program["id"], "Chess Masters")
        clock.now += 0.5
        within_interval = await catalog.client.get(path)
        clock.now += 0.5
        after_interval = await catalog.client.get(path)

        # Within the interval the cached page may lag; once it has passed, the counter is read.
        assert within_interval.json()["name"] == "Chess Club"
        assert after_interval.json()["name"] == "Chess Masters"
        assert after_interval.headers["etag"] != within_interval.headers["etag"]

    async def test_check_on_every_request_sees_writes_elsewhere(self, catalog: Harness) -> None:
        install_cache(catalog.app, check_seconds=0)
        program = await make_program(catalog, name="Chess Club")
        path = f"/v1/programs/{program['id']}"
        assert (await catalog.client.get(path)).json()["name"] == "Chess Club"

        await rename_elsewhere(catalog, program["id"], "Chess Masters")

        assert (await catalog.client.get(path)).json()["name"] == "Chess Masters"

    async def test_portfolio_check_is_never_cached(self, catalog: Harness) -> None:
        install_cache(catalog.app, check_seconds=3600)
        program = await make_program(catalog)
        path = f"/v1/portfolio/2028/programs/{program['id']}"
        before = await catalog.client.get(path)

        async with catalog.sessionmaker() as session:
            await session.execute(
                update(Program).where(Program.id == program["id"]).values(status="archived")
            )
            await session.commit()
        after = await catalog.client.get(path)

        assert before.json() != after.json()
        assert after.headers["cache-control"] == "no-cache"


class TestChangeCounter:
    async def test_writes_to_public_tables_count(self, catalog: Harness) -> None:
        start = await generation(catalog)
        program = await make_program(catalog)

        after_create = await generation(catalog)
        await rename_elsewhere(catalog, program["id"], "Renamed")
        after_update = await generation(catalog)

        assert after_create > start
        assert after_update > after_create

    async def test_each_watched_table_has_a_trigger(self, catalog: Harness) -> None:
        async with catalog.sessionmaker() as session:
            query = SQLITE_TRIGGER_TABLES if catalog.backend == "sqlite" else POSTGRESQL_TRIGGER_TABLES
            tables = {row[0] for row in await session.execute(text(query))}
        assert tables == set(WATCHED_TABLES)

    async def test_private_tables_do_not_count(self, catalog: Harness) -> None:
        # API keys, audit entries and import records never appear in a public response.
        start = await generation(catalog)

        await catalog.token_with("catalog:read")
        async with catalog.sessionmaker() as session:
            await session.execute(text("UPDATE import_batches SET actor = 'someone else'"))
            await session.commit()

        assert await generation(catalog) == start

    async def test_bulk_update_count_per_backend(self, catalog: Harness) -> None:
        await make_program(catalog, name="One")
        await make_program(catalog, name="Two")
        start = await generation(catalog)

        async with catalog.sessionmaker() as session:
            changed = await session.execute(update(Organization).values(description="Updated"))
            await session.commit()

        rows = changed.rowcount
        assert rows >= 2
        expected = start + 1 if catalog.backend == "postgresql" else start + rows
        assert await generation(catalog) == expected


class TestMemoryBound:
    async def test_large_responses_are_not_stored(self, catalog: Harness) -> None:
        cache = install_cache(catalog.app, max_megabytes=1)
        await make_program(catalog, description="x" * 300_000)

        response = await catalog.client.get("/v1/programs")

        assert response.status_code == 200
        assert len(response.content) > 256 * 1024
        assert len(cache) == 0

    async def test_least_recently_used_entries_leave_first(self, catalog: Harness) -> None:
        cache = install_cache(catalog.app, max_megabytes=1)
        await make_program(catalog, description="y" * 120_000)

        # Each page contains the long description once, so about eight pages fit in one megabyte.
        for limit in range(1, 13):
            assert (await catalog.client.get("/v1/programs", params={"limit": limit})).status_code == 200

        assert 0 < len(cache) < 12
        assert cache.stored_bytes <= cache.max_bytes
        assert "/v1/programs?limit=12" in cache
        assert "/v1/programs?limit=1" not in cache


def page_request(app: FastAPI, path: str) -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [], "app": app}
    return Request(scope)


class TestConcurrentBuilds:
    async def test_concurrent_requests_build_once(self, catalog: Harness) -> None:
        cache = install_cache(catalog.app, check_seconds=3600)
        await cache.version.current(catalog.sessionmaker)
        release = asyncio.Event()
        builds = 0

        async def build() -> dict[str, str]:
            nonlocal builds
            builds += 1
            await release.wait()
            return {"page": "built once"}

        waiting = [
            asyncio.create_task(cache.respond(page_request(catalog.app, "/v1/example"), build))
            for _ in range(10)
        ]
        await asyncio.sleep(0)
        release.set()
        responses = await asyncio.gather(*waiting)

        assert builds == 1
        assert {response.body for response in responses} == {b'{"page":"built once"}'}
        assert "/v1/example?" in cache

    async def test_failed_build_lets_waiters_build(self, catalog: Harness) -> None:
        cache = install_cache(catalog.app, check_seconds=3600)
        await cache.version.current(catalog.sessionmaker)
        release = asyncio.Event()
        builds = 0

        async def build() -> dict[str, int]:
            nonlocal builds
            builds += 1
            await release.wait()
            if builds == 1:
                raise RuntimeError("first build failed")
            return {"build": builds}

        first = asyncio.create_task(cache.respond(page_request(catalog.app, "/v1/example"), build))
        await asyncio.sleep(0)
        second = asyncio.create_task(cache.respond(page_request(catalog.app, "/v1/example"), build))
        await asyncio.sleep(0)
        release.set()

        with pytest.raises(RuntimeError, match="first build failed"):
            await first
        response = await second
        assert builds == 2
        assert response.body == b'{"build":2}'
