"""Real service processes on loopback for end-to-end tests.

Each test that uses `platform` gets the three APIs as uvicorn processes on free ports, with
fresh SQLite databases in a temporary folder and one admin key registered in all three.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from partnerfund_shared.auth import create_api_key, generate_token
from partnerfund_shared.db import create_engine, create_sessionmaker
from partnerfund_shared.testing import (
    ServiceProcess,
    free_port,
    sqlite_url,
    start_module,
    wait_for_http,
)
from tests.conftest import service_under_test

PACKAGES = {"allocation": "allocation_api", "catalog": "catalog_api", "notifier": "notifier"}
PREFIXES = {"allocation": "ALLOCATION_", "catalog": "CATALOG_", "notifier": "NOTIFIER_"}


@dataclass
class Platform:
    """The running services: base URLs, the admin token and the environment they were given."""

    folder: Path
    token: str
    ports: dict[str, int]
    env: dict[str, str]
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def start_extra(
        self, name: str, module: str, args: list[str], extra_env: dict[str, str]
    ) -> ServiceProcess:
        """Start another process (a worker, a mail sink) with the platform's environment."""
        process = start_module(module, args, {**self.env, **extra_env}, self.folder / f"{name}.log")
        self.processes[name] = process
        return process

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()


def platform_environment(folder: Path, ports: dict[str, int], token: str) -> dict[str, str]:
    env: dict[str, str] = {"PYTHONUNBUFFERED": "1"}
    for service, prefix in PREFIXES.items():
        env[f"{prefix}DATABASE__URL"] = sqlite_url(folder / f"{service}.db")
        env[f"{prefix}PORT"] = str(ports[service])
        env[f"{prefix}HOST"] = "127.0.0.1"
    env["ALLOCATION_CATALOG__URL"] = f"http://127.0.0.1:{ports['catalog']}"
    env["ALLOCATION_CATALOG__API_KEY"] = token
    env["NOTIFIER_ALLOCATION__URL"] = f"http://127.0.0.1:{ports['allocation']}"
    env["NOTIFIER_ALLOCATION__API_KEY"] = token
    env["NOTIFIER_CATALOG__URL"] = f"http://127.0.0.1:{ports['catalog']}"
    env["NOTIFIER_CATALOG__API_KEY"] = token
    return env


async def _register_admin_key(service: str, url: str, token: str) -> None:
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


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    """Migrate and start the three APIs as real processes; stop them after the test.

    Migrations and the admin key run in this process, which is much faster than a command per
    service. The APIs then start side by side, and the fixture waits for all three.
    """
    ports = {service: free_port() for service in PACKAGES}
    token = generate_token()
    env = platform_environment(tmp_path, ports, token)
    started = Platform(tmp_path, token, ports, env)
    try:
        for service in PACKAGES:
            url = env[f"{PREFIXES[service]}DATABASE__URL"]
            service_under_test(service).definition.migrations.upgrade(url)
            asyncio.run(_register_admin_key(service, url, token))
        for service, package in PACKAGES.items():
            started.processes[service] = start_module(package, ["serve"], env, tmp_path / f"{service}.log")
        for service, process in started.processes.items():
            health_url = f"http://127.0.0.1:{ports[service]}/healthz"
            try:
                wait_for_http(health_url, timeout=60, process=process.process)
            except Exception as error:
                raise RuntimeError(f"{service} did not start:\n{process.log_text()}") from error
        yield started
    finally:
        started.stop()
