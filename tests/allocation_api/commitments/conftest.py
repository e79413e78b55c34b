"""The allocation API wired to a real catalog API, both on rolled-back test transactions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from allocation_api.commitments.catalog_client import CATALOG_CLIENT_STATE
from partnerfund_shared.http import create_service_client
from partnerfund_shared.settings import HttpClientSettings
from partnerfund_shared.testing import Harness, free_port
from tests.allocation_api.commitments.builders import (
    CatalogProgram,
    add_program,
    load_district,
    publish_run,
)

WRITE = "commitments:write"
APPROVE = "commitments:approve"
READ = "allocations:read"

# One retry with a short backoff keeps the unreachable-catalog tests fast.
TEST_HTTP = HttpClientSettings(connect_timeout=1.0, read_timeout=5.0, retries=1, backoff=0.01)


@dataclass
class Peers:
    """The allocation harness whose catalog client calls the catalog harness in process."""

    allocation: Harness
    catalog: Harness

    @property
    def client(self) -> httpx.AsyncClient:
        return self.allocation.client

    async def writer(self) -> dict[str, str]:
        return await self.allocation.headers_with(WRITE)

    async def approver(self) -> dict[str, str]:
        return await self.allocation.headers_with(WRITE, APPROVE)

    async def reader(self) -> dict[str, str]:
        return await self.allocation.headers_with(READ)

    async def publish(self, **overrides: object) -> dict[str, object]:
        """Load the sample district once and publish a flat run over it."""
        headers = await self.allocation.admin_headers()
        if not getattr(self, "_district_loaded", False):
            await load_district(self.client, headers)
            self._district_loaded = True
        return await publish_run(self.client, headers, **overrides)  # type: ignore[arg-type]

    async def program(self, **overrides: object) -> CatalogProgram:
        """Add a catalog program; each call without a `name` gets a new program."""
        self._programs = getattr(self, "_programs", 0) + 1
        overrides.setdefault("name", f"Program {self._programs}")
        headers = await self.catalog.admin_headers()
        return await add_program(self.catalog.client, headers, **overrides)  # type: ignore[arg-type]

    def point_catalog_at(self, http: httpx.AsyncClient) -> None:
        setattr(self.allocation.app.state, CATALOG_CLIENT_STATE, http)


@pytest.fixture
async def peers(allocation: Harness, catalog: Harness) -> AsyncIterator[Peers]:
    http = create_service_client(
        "http://catalog.test", TEST_HTTP, transport=httpx.ASGITransport(app=catalog.app)
    )
    pair = Peers(allocation, catalog)
    pair.point_catalog_at(http)
    yield pair
    await http.aclose()


@pytest.fixture
async def unreachable_catalog() -> AsyncIterator[httpx.AsyncClient]:
    """A catalog client aimed at a loopback port that nothing listens on."""
    http = create_service_client(f"http://127.0.0.1:{free_port()}", TEST_HTTP)
    yield http
    await http.aclose()
