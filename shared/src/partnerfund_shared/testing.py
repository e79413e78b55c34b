"""Test support shared by the suites: per-worker migrated databases, app harnesses, real processes.

Imported only by tests and benchmarks; nothing in the services depends on it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from partnerfund_shared.app import ServiceDefinition
from partnerfund_shared.auth import create_api_key
from partnerfund_shared.db import create_engine


def postgres_admin_dsn(url: str) -> str:
    """Turn a SQLAlchemy URL into a plain libpq DSN for asyncpg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def database_url(base_url: str, name: str) -> str:
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


async def recreate_postgres_database(admin_url: str, name: str) -> str:
    """Drop and create database `name` on the server of `admin_url`; return its SQLAlchemy URL."""
    connection = await asyncpg.connect(postgres_admin_dsn(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return database_url(admin_url, name)


async def drop_postgres_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(postgres_admin_dsn(admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@dataclass
class Harness:
    """One service app under test, bound to a connection whose transaction is rolled back."""

    app: FastAPI
    client: httpx.AsyncClient
    session: AsyncSession
    sessionmaker: async_sessionmaker[AsyncSession]
    definition: ServiceDefinition
    backend: str
    url: str
    _tokens: dict[tuple[str, ...], str] = field(default_factory=dict)

    async def token_with(self, *scopes: str) -> str:
        """Create (once per scope set) a key with exactly these scopes and return its token."""
        wanted = tuple(sorted(scopes))
        if wanted not in self._tokens:
            async with self.sessionmaker() as session:
                _key, token = await create_api_key(
                    session,
                    self.definition.api_key_model,
                    name=f"test-{len(self._tokens)}",
                    scopes=wanted,
                    known_scopes=self.definition.scopes,
                )
                await session.commit()
            self._tokens[wanted] = token
        return self._tokens[wanted]

    async def headers_with(self, *scopes: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token_with(*scopes)}"}

    async def admin_headers(self) -> dict[str, str]:
        return await self.headers_with(*self.definition.scopes)


@contextlib.asynccontextmanager
async def open_harness(
    definition: ServiceDefinition,
    create_app: Callable[[], FastAPI],
    url: str,
    backend: str,
) -> AsyncIterator[Harness]:
    """Bind the app to one connection inside a transaction that is rolled back at the end.

    Each request's session commits into a SAVEPOINT (`join_transaction_mode`), so the code under
    test runs its real commit path while the test leaves nothing behind.
    """
    engine = create_engine(url, pool_size=2)
    try:
        async with engine.connect() as connection:
            transaction = await connection.begin()
            sessionmaker = _savepoint_sessionmaker(connection)
            app = create_app()
            app.state.engine = engine
            app.state.sessionmaker = sessionmaker
            transport = httpx.ASGITransport(app=app)
            async with (
                httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
                sessionmaker() as session,
            ):
                yield Harness(app, client, session, sessionmaker, definition, backend, url)
            await transaction.rollback()
    finally:
        await engine.dispose()


def _savepoint_sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


# --- real processes on loopback -------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30.0, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll `url` until it responds 200, the process exits, or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} responded")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError as error:
            last_error = error
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not respond 200 within {timeout} s (last error: {last_error!r})")


@dataclass
class ServiceProcess:
    """A service command running as a child process, its output written to `log_path`."""

    process: subprocess.Popen[bytes]
    log_path: Path
    base_url: str | None = None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_module(
    module: str,
    args: Sequence[str],
    env: Mapping[str, str],
    log_path: Path,
    *,
    health_url: str | None = None,
    cwd: Path | None = None,
) -> ServiceProcess:
    """Start `python -m module args` in the background; wait for `health_url` when given."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_file = log_path.open("wb")
    process = subprocess.Popen(  # noqa: S603 - fixed interpreter and module
        [sys.executable, "-m", module, *args],
        env={**os.environ, **env},
        cwd=cwd,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    log_file.close()
    started = ServiceProcess(process, log_path, base_url=None)
    if health_url is not None:
        try:
            wait_for_http(health_url, process=process)
        except Exception as error:
            started.stop(signal.SIGKILL)
            raise RuntimeError(f"{module} did not start:\n{started.log_text()}") from error
        started.base_url = health_url.rsplit("/", 1)[0]
    return started


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"
