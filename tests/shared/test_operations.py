"""Operations endpoints, readiness against real migrations, and model/migration drift."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from partnerfund_shared.db import create_engine, create_sessionmaker
from tests.conftest import SERVICES, MigratedDatabases, ServiceUnderTest, service_under_test


@contextlib.asynccontextmanager
async def _app_client(service: ServiceUnderTest, url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Serve the app on its own engine, outside any test transaction, as a deployment would."""
    app = service.create_app(url)
    app.state.engine = create_engine(url)
    app.state.sessionmaker = create_sessionmaker(app.state.engine)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await app.state.engine.dispose()


class TestReadiness:
    @pytest.mark.parametrize("key", sorted(SERVICES))
    async def test_unmigrated_is_503_then_migrated_is_200(
        self, key: str, databases: MigratedDatabases, backend: str
    ) -> None:
        service = service_under_test(key)
        url = databases.empty_url(key, backend, "empty")
        async with _app_client(service, url) as client:
            before = await client.get("/readyz")
            assert before.status_code == 503
            assert "migrate" in before.json()["detail"]

        with ThreadPoolExecutor(max_workers=1) as executor:
            executor.submit(service.definition.migrations.upgrade, url).result()

        async with _app_client(service, url) as client:
            after = await client.get("/readyz")
            assert after.status_code == 200


class TestOperationsRoutes:
    async def test_healthz_and_metrics(self, allocation) -> None:  # type: ignore[no-untyped-def]
        assert (await allocation.client.get("/healthz")).json() == {"status": "ok"}
        metrics = await allocation.client.get("/metrics")
        assert metrics.status_code == 200
        assert "http_requests_total" in metrics.text
        assert 'route="/healthz"' in metrics.text

    async def test_openapi_docs_served_without_cdn(self, allocation) -> None:  # type: ignore[no-untyped-def]
        docs = await allocation.client.get("/docs")
        assert docs.status_code == 200
        assert "cdn." not in docs.text
        assert "/docs-assets/swagger-ui-bundle.js" in docs.text
        script = await allocation.client.get("/docs-assets/swagger-ui-bundle.js")
        assert script.status_code == 200
        assert len(script.content) > 100_000
        assert (await allocation.client.get("/openapi.json")).json()["info"]["title"]


class TestMigrationsMatchModels:
    @pytest.mark.parametrize("key", sorted(SERVICES))
    async def test_alembic_check_finds_no_drift(
        self, key: str, databases: MigratedDatabases, backend: str
    ) -> None:
        url = databases.url(key, backend)

        with ThreadPoolExecutor(max_workers=1) as executor:
            executor.submit(service_under_test(key).definition.migrations.check, url).result()


class TestGarbageCollection:
    def test_tuning_freezes_and_raises_threshold_once(self) -> None:
        # In a child process, because the settings are process-wide.
        script = (
            "import gc\n"
            "from partnerfund_shared.app import GC_YOUNG_THRESHOLD, tune_garbage_collection\n"
            "default_middle, default_oldest = gc.get_threshold()[1:]\n"
            "tune_garbage_collection()\n"
            "frozen = gc.get_freeze_count()\n"
            "tune_garbage_collection()\n"
            "assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, default_middle, default_oldest)\n"
            "assert frozen > 0\n"
            "assert gc.get_freeze_count() == frozen\n"
            "print('ok')\n"
        )
        completed = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
        )

        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.strip() == "ok"
