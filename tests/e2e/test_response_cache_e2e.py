"""Two catalog processes on one database: each serves cached pages, and neither serves them stale.

A write made through one process shows at once in that process, and in the other one within its
`CATALOG_RESPONSE_CACHE__CHECK_SECONDS`.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from partnerfund_shared.testing import free_port, wait_for_http
from tests.allocation_api.commitments.builders import add_program
from tests.e2e.conftest import Platform

pytestmark = pytest.mark.e2e

CHECK_SECONDS = 0.5
# Generous for a loaded machine. The assertion on the lag below is the real bound.
WAIT_LIMIT_SECONDS = 15.0


def cache_hits(metrics_text: str) -> float:
    for line in metrics_text.splitlines():
        if line.startswith('catalog_response_cache_lookups_total{outcome="hit"}'):
            return float(line.split()[-1])
    raise AssertionError("the response cache counter is missing from /metrics")


class TestResponseCacheAcrossProcesses:
    async def test_write_reaches_other_process_within_interval(self, platform: Platform) -> None:
        second_port = free_port()
        second = platform.start_extra(
            "catalog-second",
            "catalog_api",
            ["serve"],
            {
                "CATALOG_PORT": str(second_port),
                "CATALOG_RESPONSE_CACHE__CHECK_SECONDS": str(CHECK_SECONDS),
            },
        )
        wait_for_http(f"http://127.0.0.1:{second_port}/healthz", timeout=60, process=second.process)
        query = {"q": "zeppelin"}

        async with (
            httpx.AsyncClient(base_url=platform.url("catalog"), timeout=30) as first_process,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{second_port}", timeout=30) as second_process,
        ):
            # Both processes cache the empty result, and the second one serves its repeat from the cache.
            assert (await first_process.get("/v1/programs", params=query)).json()["total"] == 0
            assert (await second_process.get("/v1/programs", params=query)).json()["total"] == 0
            hits_before = cache_hits((await second_process.get("/metrics")).text)
            assert (await second_process.get("/v1/programs", params=query)).json()["total"] == 0
            assert cache_hits((await second_process.get("/metrics")).text) == hits_before + 1

            await add_program(first_process, platform.headers, name="Zeppelin Builders")
            written_at = time.monotonic()

            # The writing process serves the new data at once.
            assert (await first_process.get("/v1/programs", params=query)).json()["total"] == 1

            seen_at = None
            while time.monotonic() - written_at < WAIT_LIMIT_SECONDS:
                if (await second_process.get("/v1/programs", params=query)).json()["total"] == 1:
                    seen_at = time.monotonic()
                    break
                await asyncio.sleep(0.05)

        assert seen_at is not None, "the second process never showed the new program"
        # One check interval, plus a margin for requests on a machine loaded by other test runs.
        assert seen_at - written_at < CHECK_SECONDS + 4.0
