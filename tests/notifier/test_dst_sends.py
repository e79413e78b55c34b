"""Sends scheduled inside a DST change go out once, at the documented UTC moment.

02:30 on the spring-forward day does not exist and moves to 03:00 EDT (07:00 UTC); 01:30 on
the fall-back day happens twice and means the first occurrence, 01:30 EDT (05:30 UTC).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from notifier.upstream import open_upstream_clients
from notifier.worker.loop import DeliveryWorker
from partnerfund_shared.db import create_engine, is_sqlite_url
from tests.notifier.support import notifier_settings, running_smtp_server, seed

CONTACTS = [("Zoë Ångström", "zoe@example.org", "school_leader", "0101")]


@pytest.fixture
def database_url(databases, backend, request) -> str:
    label = request.node.name.split("[")[0].removeprefix("test_")[:30]
    return databases.fresh_url("notifier", backend, label)


async def send_due(settings) -> int:
    """Run one worker pass in this process (so time-machine applies) and return rows claimed."""
    engine = create_engine(settings.database.url, pool_size=1)
    try:
        async with open_upstream_clients(settings) as clients:
            worker = DeliveryWorker(
                settings,
                engine,
                clients,
                sqlite=is_sqlite_url(settings.database.url),
                worker_id="dst-test",
            )
            return await worker.run_once()
    finally:
        await engine.dispose()


def custom_campaign(send_at: str) -> dict:
    return {
        "kind": "custom",
        "subject": "Budget cycle note",
        "body": "The budget cycle starts soon.",
        "send_at": send_at,
        "audience": {"roles": ["school_leader"]},
    }


@pytest.mark.parametrize(
    ("local_send_at", "created_at", "expected_utc", "later_check"),
    [
        # Spring forward 2027-03-14: 02:00-02:59 does not exist.
        (
            "2027-03-14T02:30",
            datetime(2027, 3, 13, 15, 0, tzinfo=UTC),
            datetime(2027, 3, 14, 7, 0, tzinfo=UTC),
            timedelta(hours=1),
        ),
        # Fall back 2026-11-01: 01:00-01:59 happens twice; the second 01:30 is 06:30 UTC.
        (
            "2026-11-01T01:30",
            datetime(2026, 10, 31, 15, 0, tzinfo=UTC),
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
            timedelta(hours=1),
        ),
    ],
    ids=["spring_forward", "fall_back"],
)
def test_dst_send_goes_out_once(database_url, local_send_at, created_at, expected_utc, later_check):
    with running_smtp_server() as smtp:
        settings = notifier_settings(database_url, smtp_port=smtp.port)

        with time_machine.travel(created_at, tick=False):
            asyncio.run(seed(database_url, settings, CONTACTS, custom_campaign(local_send_at)))

        with time_machine.travel(expected_utc - timedelta(minutes=1), tick=False):
            early = asyncio.run(send_due(settings))
        with time_machine.travel(expected_utc + timedelta(seconds=30), tick=False):
            on_time = asyncio.run(send_due(settings))
        with time_machine.travel(expected_utc + later_check + timedelta(seconds=30), tick=False):
            again = asyncio.run(send_due(settings))
        received = smtp.messages

    from tests.notifier.test_worker_delivery import ledger

    rows = ledger(database_url)
    assert early == 0
    assert on_time == 1
    assert again == 0
    assert len(received) == 1
    assert rows[0].scheduled_for == expected_utc
    assert rows[0].sent_at == expected_utc + timedelta(seconds=30)
    assert rows[0].status == "sent"
