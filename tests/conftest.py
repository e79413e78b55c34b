"""Fixtures every suite uses: the backends, a migrated database per xdist worker, app harnesses.

Tests run on SQLite always and on PostgreSQL too when TEST_DATABASE_URL names a server, for
example `postgresql+asyncpg://postgres@127.0.0.1:5432/postgres`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from partnerfund_shared.app import ServiceDefinition
from partnerfund_shared.testing import (
    Harness,
    drop_postgres_database,
    open_harness,
    recreate_postgres_database,
    sqlite_url,
)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]
REAL_DATA_DIR = os.environ.get("PARTNERFUND_REAL_DATA_DIR")


@dataclass(frozen=True)
class ServiceUnderTest:
    key: str
    definition: ServiceDefinition
    create_app: Callable[[str], FastAPI]


def _allocation() -> ServiceUnderTest:
    from allocation_api.app import create_app
    from allocation_api.service import SERVICE
    from allocation_api.settings import Settings

    return ServiceUnderTest("allocation", SERVICE, lambda url: create_app(Settings(database={"url": url})))


def _catalog() -> ServiceUnderTest:
    from catalog_api.app import create_app
    from catalog_api.service import SERVICE
    from catalog_api.settings import Settings

    # Tests write rows straight through their session as well as through the API, so the response
    # cache reads the change counter on every request. tests/catalog_api/test_response_cache.py
    # covers the periodic check.
    return ServiceUnderTest(
        "catalog",
        SERVICE,
        lambda url: create_app(Settings(database={"url": url}, response_cache={"check_seconds": 0})),
    )


def _notifier() -> ServiceUnderTest:
    from notifier.app import create_app
    from notifier.service import SERVICE
    from notifier.settings import Settings

    return ServiceUnderTest("notifier", SERVICE, lambda url: create_app(Settings(database={"url": url})))


SERVICES: dict[str, Callable[[], ServiceUnderTest]] = {
    "allocation": _allocation,
    "catalog": _catalog,
    "notifier": _notifier,
}


def service_under_test(key: str) -> ServiceUnderTest:
    return SERVICES[key]()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of the tests that use it: each such test runs once per backend."""
    return str(request.param)


class MigratedDatabases:
    """One database per service, backend and xdist worker, built by the real migrations once."""

    def __init__(self, worker: str, folder: Path) -> None:
        self.worker = worker
        self.folder = folder
        self.urls: dict[tuple[str, str], str] = {}
        self.postgres_names: list[str] = []

    def url(self, service: str, backend: str) -> str:
        key = (service, backend)
        if key not in self.urls:
            self.urls[key] = self._create(service, backend)
        return self.urls[key]

    def fresh_url(self, service: str, backend: str, label: str) -> str:
        """Create an extra migrated database, for tests that must commit for real."""
        return self._create(service, backend, label)

    def _create(self, service: str, backend: str, label: str = "") -> str:
        # Fixtures call this from inside the test's event loop, and Alembic and asyncio.run need a
        # loop of their own, so the work runs in a separate thread while the caller waits.
        with ThreadPoolExecutor(max_workers=1) as executor:
            return executor.submit(self._create_blocking, service, backend, label).result()

    def _create_blocking(self, service: str, backend: str, label: str) -> str:
        url = self._create_empty(service, backend, label)
        service_under_test(service).definition.migrations.upgrade(url)
        return url

    def empty_url(self, service: str, backend: str, label: str) -> str:
        """Create a database with no tables at all, for tests of unmigrated deployments."""
        with ThreadPoolExecutor(max_workers=1) as executor:
            return executor.submit(self._create_empty, service, backend, label).result()

    def _create_empty(self, service: str, backend: str, label: str) -> str:
        name = f"pf_test_{service}_{self.worker}{'_' + label if label else ''}"
        if backend == "sqlite":
            path = self.folder / f"{name}.db"
            path.unlink(missing_ok=True)
            return sqlite_url(path)
        assert TEST_DATABASE_URL is not None
        # PostgreSQL truncates identifiers to 63 bytes; keep the unique part at the front.
        name = name[:63]
        self.postgres_names.append(name)
        return asyncio.run(recreate_postgres_database(TEST_DATABASE_URL, name))

    def drop_all(self) -> None:
        for (_service, backend), url in self.urls.items():
            if backend == "postgresql" and TEST_DATABASE_URL:
                name = url.rsplit("/", 1)[1]
                asyncio.run(drop_postgres_database(TEST_DATABASE_URL, name))


@pytest.fixture(scope="session")
def databases(  # type: ignore[no-untyped-def]
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, testrun_uid: str
):
    """Per-worker migrated databases (`worker_id` is "master" without xdist).

    The run's id is part of each name, so two suites running at once on one PostgreSQL server
    never drop each other's databases.
    """
    registry = MigratedDatabases(f"{worker_id}_{testrun_uid[:8]}", tmp_path_factory.mktemp("databases"))
    yield registry
    registry.drop_all()


async def _harness(key: str, databases: MigratedDatabases, backend: str) -> AsyncIterator[Harness]:
    service = service_under_test(key)
    url = databases.url(key, backend)
    async with open_harness(service.definition, lambda: service.create_app(url), url, backend) as h:
        yield h


@pytest.fixture
async def allocation(databases: MigratedDatabases, backend: str) -> AsyncIterator[Harness]:
    """The allocation API on a rolled-back transaction, once per backend."""
    async for harness in _harness("allocation", databases, backend):
        yield harness


@pytest.fixture
async def catalog(databases: MigratedDatabases, backend: str) -> AsyncIterator[Harness]:
    """The catalog API on a rolled-back transaction, once per backend."""
    async for harness in _harness("catalog", databases, backend):
        yield harness


@pytest.fixture
async def notifier(databases: MigratedDatabases, backend: str) -> AsyncIterator[Harness]:
    """The notifier API on a rolled-back transaction, once per backend."""
    async for harness in _harness("notifier", databases, backend):
        yield harness


@pytest.fixture
def real_data_dir() -> Path:
    """The folder of real district files; tests that need it skip, with this reason, without it."""
    if not REAL_DATA_DIR:
        pytest.skip("PARTNERFUND_REAL_DATA_DIR is not set, so the real district files are absent")
    path = Path(REAL_DATA_DIR)
    if not path.is_dir():
        pytest.fail(f"PARTNERFUND_REAL_DATA_DIR={REAL_DATA_DIR} is not a folder")
    return path


@pytest.fixture
def postgres_url() -> str:
    """The PostgreSQL server URL, for tests that need PostgreSQL itself (row locks, two workers)."""
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set, so there is no PostgreSQL server to test on")
    return TEST_DATABASE_URL


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--benchmarks",
        action="store_true",
        help="Collect tests/benchmarks (make bench); the normal suite leaves them out.",
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if "benchmarks" in collection_path.parts and not config.getoption("--benchmarks"):
        return True
    return None
