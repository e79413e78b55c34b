"""Notifier benchmark on PostgreSQL: 10,000 deliveries through real worker processes.

Sends the same 10,000 messages three ways to one discarding aiosmtpd sink (a separate
process): a bare aiosmtplib loop over one connection, one worker process, and two worker
processes sharing the ledger. Prints messages per second for each and the ratio of the
workers to the bare loop, all measured in one run. A worker's rate is taken from the ledger's
`sent_at` times, first to last, so process start-up is not counted.

The campaign is a `custom` one, so no other service is called while sending. The worker's cost
is then the ledger (a claim per batch, one committed outcome per message) plus composing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import aiosmtplib
import pytest
from sqlalchemy import func, select, update

from notifier.deliveries.composer import compose_delivery
from notifier.deliveries.models import Delivery
from notifier.service import MIGRATIONS
from notifier.upstream import UpstreamData, open_upstream_clients
from partnerfund_shared.db import create_engine, create_sessionmaker, utc_now
from partnerfund_shared.testing import drop_postgres_database, free_port, recreate_postgres_database
from tests.notifier.support import notifier_settings, seed, worker_environment

MESSAGE_COUNT = 10_000
BATCH_SIZE = 100
DATABASE_NAME = "pf_notifier_bench"
DEFAULT_SERVER_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
# Target: one worker sends at least half as fast as the bare loop, on the same machine and run.
ONE_WORKER_TARGET_RATIO = 0.5


def server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_SERVER_URL


def campaign_body() -> dict:
    return {
        "kind": "custom",
        "subject": "Partnership Fund benchmark",
        "body": "One of ten thousand identical notices.",
        "audience": {"roles": ["school_leader"]},
    }


def contacts() -> list[tuple[str, str, str, str]]:
    return [
        (f"Leader {index}", f"leader{index}@example.org", "school_leader", f"{index % 9000 + 1000:04d}")
        for index in range(MESSAGE_COUNT)
    ]


async def compose_all(settings) -> list:
    """Build the exact messages the worker will send, with the worker's own composer."""
    engine = create_engine(settings.database.url, pool_size=2)
    try:
        async with create_sessionmaker(engine)() as session, open_upstream_clients(settings) as clients:
            from notifier.campaigns.repository import campaigns_by_id
            from notifier.contacts.repository import audience_contacts

            rows = list(await session.scalars(select(Delivery).order_by(Delivery.id)))
            campaigns = await campaigns_by_id(session, [rows[0].campaign_id])
            people = {
                contact.id: contact
                for contact in await audience_contacts(
                    session, roles=["school_leader"], school_codes=(), contact_ids=()
                )
            }
            upstream = UpstreamData(clients)
            now = utc_now()
            messages = []
            for row in rows:
                composed = await compose_delivery(
                    row, campaigns[row.campaign_id], people[row.contact_id], upstream, settings, now
                )
                messages.append((composed.message, row.recipient))
            return messages
    finally:
        await engine.dispose()


async def bare_loop(port: int, messages: list, sender: str) -> float:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await client.connect()
    started = time.perf_counter()
    for message, recipient in messages:
        await client.send_message(message, sender=sender, recipients=[recipient])
    elapsed = time.perf_counter() - started
    await client.quit()
    return elapsed


async def reset_ledger(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            now = utc_now()
            await session.execute(
                update(Delivery).values(
                    status="scheduled",
                    attempts=0,
                    sent_at=None,
                    next_attempt_at=now,
                    deadline=now + timedelta(days=1),
                )
            )
            await session.commit()
    finally:
        await engine.dispose()


async def sent_span(database_url: str) -> tuple[int, float]:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session:
            count, first, last = (
                await session.execute(
                    select(func.count(), func.min(Delivery.sent_at), func.max(Delivery.sent_at)).where(
                        Delivery.status == "sent"
                    )
                )
            ).one()
            return int(count), (last - first).total_seconds()
    finally:
        await engine.dispose()


def run_workers(env: dict[str, str], count: int, log_dir: Path) -> None:
    processes = []
    for index in range(count):
        log_file = (log_dir / f"worker{count}-{index}.log").open("wb")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "notifier.worker", "--exit-when-idle"],
                env={**os.environ, **env, "NOTIFIER_LOG_LEVEL": "WARNING"},
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        )
    for process in processes:
        assert process.wait(timeout=600) == 0


@pytest.fixture
def bench_database():
    url = asyncio.run(recreate_postgres_database(server_url(), DATABASE_NAME))
    MIGRATIONS.upgrade(url)
    yield url
    asyncio.run(drop_postgres_database(server_url(), DATABASE_NAME))


def test_notifier_throughput(bench_database: str, tmp_path: Path):
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.notifier_discard_sink", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        settings = notifier_settings(bench_database, smtp_port=port, batch_size=BATCH_SIZE)
        asyncio.run(seed(bench_database, settings, contacts(), campaign_body()))
        messages = asyncio.run(compose_all(settings))
        env = worker_environment(bench_database, smtp_port=port, batch_size=BATCH_SIZE)

        bare_seconds = asyncio.run(bare_loop(port, messages, settings.sender.email))

        run_workers(env, 1, tmp_path)
        one_count, one_seconds = asyncio.run(sent_span(bench_database))

        asyncio.run(reset_ledger(bench_database))
        run_workers(env, 2, tmp_path)
        two_count, two_seconds = asyncio.run(sent_span(bench_database))
    finally:
        sink.send_signal(signal.SIGTERM)
        sink_output = sink.communicate(timeout=30)[0]

    bare_rate = MESSAGE_COUNT / bare_seconds
    one_rate = (one_count - 1) / one_seconds
    two_rate = (two_count - 1) / two_seconds
    print()
    server = server_url().rsplit("@", 1)[-1]
    print(f"notifier benchmark: {MESSAGE_COUNT} messages, batch {BATCH_SIZE}, PostgreSQL {server}")
    print(f"  bare aiosmtplib loop: {bare_rate:8.0f} messages/s")
    print(f"  one worker:           {one_rate:8.0f} messages/s  ({one_rate / bare_rate:.2f} of bare)")
    print(f"  two workers:          {two_rate:8.0f} messages/s  ({two_rate / bare_rate:.2f} of bare)")
    print(f"  sink: {sink_output.strip().splitlines()[-1]}")

    assert one_count == MESSAGE_COUNT
    assert two_count == MESSAGE_COUNT
    assert one_rate / bare_rate >= ONE_WORKER_TARGET_RATIO
