"""Real peers for the notifier tests: an SMTP server on loopback and an allocation stand-in.

`SmtpServer` runs aiosmtpd in a thread. By default it accepts every message; `reply_with`
queues replies (for example "451 4.3.0 try later") that the next DATA commands get instead.
`AllocationStandIn` serves `GET /v1/fiscal-years/{fy}/allocations` with uvicorn on loopback,
shaped like the allocation service's published lines, and can return 503 or stop entirely.
Given a `policy`, it also serves the published run, `GET /v1/runs/1`, with that policy.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Response
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.campaigns.service import create_campaign
from notifier.contacts.service import import_contacts
from notifier.settings import Settings
from partnerfund_shared.db import create_engine, create_sessionmaker
from partnerfund_shared.schemas.notifier import CampaignCreate
from partnerfund_shared.testing import free_port


@dataclass
class ReceivedMessage:
    raw: bytes
    recipients: list[str]
    received_at: float

    @property
    def parsed(self) -> EmailMessage:
        message = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message

    @property
    def message_id(self) -> str:
        return str(self.parsed["Message-ID"]).strip()


class RecordingHandler:
    def __init__(self) -> None:
        self.messages: list[ReceivedMessage] = []
        self.replies: collections.deque[str] = collections.deque()
        self.lock = threading.Lock()
        self.delay_seconds = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        with self.lock:
            if self.replies:
                return self.replies.popleft()
            content = envelope.original_content or envelope.content
            self.messages.append(ReceivedMessage(bytes(content), list(envelope.rcpt_tos), time.time()))
        return "250 2.0.0 Accepted"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 with a recording, scriptable handler."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=True)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def reply_with(self, *replies: str) -> None:
        with self.handler.lock:
            self.handler.replies.extend(replies)

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def wait_for(self, count: int, seconds: float = 60.0) -> list[ReceivedMessage]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, received {len(self.messages)}")


@contextlib.contextmanager
def running_smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def published_line(
    code: str, name: str, amount: str, *, eligible: bool = True, per_pupil: str | None = None
) -> dict[str, Any]:
    return {
        "school_code": code,
        "school_name": name,
        "rc_code": "101000",
        "score": "0.6100" if eligible else "0.4100",
        "enrollment": 400,
        "eligible": eligible,
        "status": "funded" if eligible else "below_threshold",
        "weight": "400",
        "share": "0.5",
        "amount_before_rounding": amount,
        "rounding_adjustment": "0.00",
        "limit_applied": None,
        "amount": amount,
        "per_pupil": per_pupil,
        "explanation": (
            f"Score 0.6100 meets the threshold 0.56; 400 pupils share {amount}."
            if eligible
            else "Score 0.4100 is below the threshold 0.56."
        ),
    }


@dataclass
class AllocationStandIn:
    """A small allocation service on loopback that returns fixed published lines."""

    lines: list[dict[str, Any]]
    policy: dict[str, Any] | None = None
    fiscal_year: int = 2028
    port: int = field(default_factory=free_port)
    unavailable: bool = False
    requests: int = 0

    def __post_init__(self) -> None:
        app = FastAPI()

        @app.get("/v1/fiscal-years/{fiscal_year}/allocations")
        async def allocations(fiscal_year: int, fund: str = "partnership") -> Any:
            self.requests += 1
            if self.unavailable:
                return Response(status_code=503, content="down for maintenance")
            if fiscal_year != self.fiscal_year:
                return Response(status_code=404)
            return {
                "fiscal_year": fiscal_year,
                "fund": fund,
                "run_id": 1,
                "content_hash": "0" * 64,
                "published_at": "2027-12-01T12:00:00Z",
                "total": "0.00",
                "items": self.lines,
            }

        @app.get("/v1/runs/{run_id}")
        async def run(run_id: int) -> Any:
            if self.unavailable:
                return Response(status_code=503, content="down for maintenance")
            if run_id != 1 or self.policy is None:
                return Response(status_code=404)
            return {"id": 1, "fiscal_year": self.fiscal_year, "status": "published", "policy": self.policy}

        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("allocation stand-in did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextlib.contextmanager
def running_allocation(
    lines: list[dict[str, Any]], policy: dict[str, Any] | None = None
) -> Iterator[AllocationStandIn]:
    stand_in = AllocationStandIn(lines, policy)
    stand_in.start()
    try:
        yield stand_in
    finally:
        stand_in.stop()


def notifier_settings(
    database_url: str, *, smtp_port: int, allocation_url: str = "http://127.0.0.1:9", **worker: Any
) -> Settings:
    """Settings for an in-process worker or the service layer, pointed at loopback peers."""
    settings = Settings(
        database={"url": database_url},
        allocation={"url": allocation_url},
        catalog={"url": "http://127.0.0.1:9"},
        worker_poll_seconds=0.1,
    )
    settings.smtp.port = smtp_port
    settings.http.retries = 0
    settings.http.connect_timeout = 1.0
    settings.worker.backoff_seconds = 0.2
    settings.worker.max_backoff_seconds = 1.0
    for key, value in worker.items():
        setattr(settings.worker, key, value)
    return settings


def worker_environment(
    database_url: str, *, smtp_port: int, allocation_url: str = "http://127.0.0.1:9", **worker: Any
) -> dict[str, str]:
    """NOTIFIER_* variables for a worker process pointed at loopback peers."""
    env = {
        "NOTIFIER_DATABASE__URL": database_url,
        "NOTIFIER_SMTP__PORT": str(smtp_port),
        "NOTIFIER_ALLOCATION__URL": allocation_url,
        "NOTIFIER_CATALOG__URL": "http://127.0.0.1:9",
        "NOTIFIER_HTTP__RETRIES": "0",
        "NOTIFIER_HTTP__CONNECT_TIMEOUT": "1",
        "NOTIFIER_WORKER_POLL_SECONDS": "0.1",
        "NOTIFIER_WORKER__BACKOFF_SECONDS": "0.2",
        "NOTIFIER_WORKER__MAX_BACKOFF_SECONDS": "1",
        "NOTIFIER_LOG_LEVEL": "INFO",
    }
    for key, value in worker.items():
        env[f"NOTIFIER_WORKER__{key.upper()}"] = str(value)
    return env


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def signal(self, number: int) -> None:
        self.process.send_signal(number)

    def wait(self, seconds: float = 30.0) -> int:
        return self.process.wait(timeout=seconds)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_worker(env: dict[str, str], log_path: Path, *args: str) -> WorkerProcess:
    """Start `python -m notifier.worker` as a real process, output to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "notifier.worker", *args],
            env={**os.environ, **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return WorkerProcess(process, log_path)


@contextlib.contextmanager
def worker_processes(workers: list[WorkerProcess]) -> Iterator[list[WorkerProcess]]:
    try:
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def contacts_csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    lines = ["name,email,role,school_code"]
    for name, email, role, codes in rows:
        lines.append(f'"{name}",{email},{role},"{codes}"')
    return ("\n".join(lines) + "\n").encode()


async def seed(
    database_url: str,
    settings: Settings,
    contacts: list[tuple[str, str, str, str]],
    campaign: dict[str, Any],
    *,
    now: datetime | None = None,
) -> int:
    """Import contacts and create one campaign, committed; return the campaign id."""
    engine = create_engine(database_url, pool_size=2)
    try:
        async with create_sessionmaker(engine)() as session:
            await _seed(session, settings, contacts, campaign, now)
            await session.commit()
            return session.info["campaign_id"]
    finally:
        await engine.dispose()


async def _seed(
    session: AsyncSession,
    settings: Settings,
    contacts: list[tuple[str, str, str, str]],
    campaign: dict[str, Any],
    now: datetime | None,
) -> None:
    if contacts:
        await import_contacts(
            session,
            content=contacts_csv(contacts),
            filename="contacts.csv",
            mapping=None,
            imported_by="test",
        )
    created = await create_campaign(
        session, CampaignCreate.model_validate(campaign), settings=settings, created_by="test", now=now
    )
    session.info["campaign_id"] = created.id


def run_async(coroutine_factory: Callable[[], Any]) -> Any:
    return asyncio.run(coroutine_factory())


def decimal_amounts(text: str) -> list[Decimal]:
    import re

    return [Decimal(match.replace(",", "")) for match in re.findall(r"\$([0-9,]+\.[0-9]{2})", text)]
