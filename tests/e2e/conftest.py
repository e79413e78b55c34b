"""Real service processes on loopback for end-to-end tests.

Each test that uses `platform` gets the three APIs as uvicorn processes on free ports, with
fresh SQLite databases in a temporary folder and one admin key registered in all three.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from partnerfund_shared.auth import generate_token
from partnerfund_shared.testing import (
    ServiceProcess,
    free_port,
    run_module,
    sqlite_url,
    start_module,
)

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

    def start_extra(self, name: str, module: str, args: list[str], extra_env: dict[str, str]) -> ServiceProcess:
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


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    """Migrate and start the three APIs as real processes; stop them after the test."""
    ports = {service: free_port() for service in PACKAGES}
    token = generate_token()
    token_file = tmp_path / "admin-api-key"
    token_file.write_text(token)
    env = platform_environment(tmp_path, ports, token)
    started = Platform(tmp_path, token, ports, env)
    try:
        for service, package in PACKAGES.items():
            run_module(package, ["migrate"], env)
            run_module(
                package,
                ["api-key", "create", "--name", "admin", "--all-scopes", "--token-file", str(token_file)],
                env,
            )
            started.processes[service] = start_module(
                package,
                ["serve"],
                env,
                tmp_path / f"{service}.log",
                health_url=f"http://127.0.0.1:{ports[service]}/healthz",
            )
        yield started
    finally:
        started.stop()
