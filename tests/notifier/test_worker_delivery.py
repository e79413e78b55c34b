"""The worker as a real process against a real SMTP server: content, retries and outages."""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import select

from notifier.deliveries.models import Delivery
from partnerfund_shared.db import create_engine, create_sessionmaker
from tests.notifier.support import (
    decimal_amounts,
    notifier_settings,
    published_line,
    running_allocation,
    running_smtp_server,
    seed,
    start_worker,
    worker_environment,
    worker_processes,
)

pytestmark = pytest.mark.e2e

LEADERS = [
    ("Zoë Ångström-Nuñez", "zoe@example.org", "school_leader", "0101"),
    ("Kwame Mensah", "kwame@example.org", "school_leader", "0202"),
]
LINES = [
    published_line("0101", "Hernández K-8", "123456.00", per_pupil="308.64"),
    published_line("0202", "Mather Elementary", "0.00", eligible=False),
]
RELEASE = {"kind": "budget_release", "fiscal_year": 2028, "fund": "partnership"}


def ledger(database_url: str) -> list[Delivery]:
    async def load() -> list[Delivery]:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with create_sessionmaker(engine)() as session:
                return list(await session.scalars(select(Delivery).order_by(Delivery.id)))
        finally:
            await engine.dispose()

    return asyncio.run(load())


def wait_for_ledger(database_url: str, condition, seconds: float = 60.0) -> list[Delivery]:
    deadline = time.monotonic() + seconds
    while True:
        rows = ledger(database_url)
        if condition(rows):
            return rows
        if time.monotonic() > deadline:
            summary = [(row.id, row.status, row.attempts, row.last_error) for row in rows]
            raise AssertionError(f"ledger never reached the expected state: {summary}")
        time.sleep(0.1)


def all_final(rows: list[Delivery]) -> bool:
    return bool(rows) and all(row.status not in ("scheduled", "sending", "retry_wait") for row in rows)


@pytest.fixture
def database_url(databases, backend, request) -> str:
    label = request.node.name.split("[")[0].removeprefix("test_")[:30]
    return databases.fresh_url("notifier", backend, label)


class TestBudgetReleaseMessage:
    def test_amount_and_name_arrive_intact(self, database_url: str, tmp_path: Path):
        with running_smtp_server() as smtp, running_allocation(LINES) as allocation:
            settings = notifier_settings(database_url, smtp_port=smtp.port, allocation_url=allocation.url)
            asyncio.run(seed(database_url, settings, LEADERS, RELEASE))
            env = worker_environment(database_url, smtp_port=smtp.port, allocation_url=allocation.url)

            with worker_processes([start_worker(env, tmp_path / "worker.log")]):
                received = smtp.wait_for(2)
                rows = wait_for_ledger(database_url, all_final)

        by_recipient = {message.recipients[0]: message.parsed for message in received}
        eligible = by_recipient["zoe@example.org"]
        text = eligible.get_body(("plain",)).get_content()
        html = eligible.get_body(("html",)).get_content()

        assert decimal_amounts(eligible["Subject"]) == [Decimal("123456.00")]
        assert Decimal("123456.00") in decimal_amounts(text)
        assert [amount for amount in decimal_amounts(text) if amount != Decimal("308.64")] == [
            Decimal("123456.00")
        ]
        assert "$123,456.00" in html
        assert eligible["To"].addresses[0].display_name == "Zoë Ångström-Nuñez"
        assert "Dear Zoë Ångström-Nuñez," in text
        assert "You receive this message because" in text

        not_eligible = by_recipient["kwame@example.org"].get_body(("plain",)).get_content()
        assert "is not eligible" in not_eligible
        assert decimal_amounts(not_eligible) == []

        assert [row.status for row in rows] == ["sent", "sent"]
        assert {row.message_id for row in rows} == {
            str(message["Message-ID"]).strip() for message in by_recipient.values()
        }


class TestFailures:
    def test_4xx_is_retried_then_sent(self, database_url: str, tmp_path: Path):
        with running_smtp_server() as smtp, running_allocation(LINES) as allocation:
            smtp.reply_with("451 4.3.0 Mailbox busy, try later", "421 4.7.0 Too many connections")
            settings = notifier_settings(database_url, smtp_port=smtp.port, allocation_url=allocation.url)
            asyncio.run(seed(database_url, settings, LEADERS[:1], RELEASE))
            env = worker_environment(database_url, smtp_port=smtp.port, allocation_url=allocation.url)

            with worker_processes([start_worker(env, tmp_path / "worker.log")]):
                rows = wait_for_ledger(database_url, all_final)
            received = smtp.messages

        assert rows[0].status == "sent"
        assert rows[0].attempts == 3
        assert len(received) == 1

    def test_5xx_fails_at_once(self, database_url: str, tmp_path: Path):
        with running_smtp_server() as smtp, running_allocation(LINES) as allocation:
            smtp.reply_with("550 5.1.1 Mailbox unavailable")
            settings = notifier_settings(database_url, smtp_port=smtp.port, allocation_url=allocation.url)
            asyncio.run(seed(database_url, settings, LEADERS[:1], RELEASE))
            env = worker_environment(database_url, smtp_port=smtp.port, allocation_url=allocation.url)

            with worker_processes([start_worker(env, tmp_path / "worker.log")]):
                rows = wait_for_ledger(database_url, all_final)
            received = smtp.messages

        assert rows[0].status == "failed"
        assert rows[0].attempts == 1
        assert "550" in (rows[0].last_error or "")
        assert received == []

    def test_allocation_outage_delays_release(self, database_url: str, tmp_path: Path):
        with running_smtp_server() as smtp, running_allocation(LINES) as allocation:
            allocation.unavailable = True
            settings = notifier_settings(database_url, smtp_port=smtp.port, allocation_url=allocation.url)
            asyncio.run(seed(database_url, settings, LEADERS, RELEASE))
            env = worker_environment(
                database_url, smtp_port=smtp.port, allocation_url=allocation.url, max_attempts=50
            )

            with worker_processes([start_worker(env, tmp_path / "worker.log")]):
                waiting = wait_for_ledger(
                    database_url,
                    lambda rows: all(row.status == "retry_wait" and row.attempts >= 2 for row in rows),
                )
                assert smtp.messages == []
                allocation.unavailable = False
                rows = wait_for_ledger(database_url, all_final)
            received = smtp.messages

        assert all("allocation service" in (row.last_error or "") for row in waiting)
        assert [row.status for row in rows] == ["sent", "sent"]
        assert len(received) == 2


class TestShutdown:
    def test_sigterm_finishes_in_flight_and_releases_rest(self, database_url: str, tmp_path: Path):
        contacts = [
            (f"Leader {index}", f"leader{index}@example.org", "school_leader", f"{index:04d}")
            for index in range(1, 21)
        ]
        lines = [published_line(f"{index:04d}", f"School {index}", "1000.00") for index in range(1, 21)]
        with running_smtp_server() as smtp, running_allocation(lines) as allocation:
            smtp.handler.delay_seconds = 0.2
            settings = notifier_settings(database_url, smtp_port=smtp.port, allocation_url=allocation.url)
            asyncio.run(seed(database_url, settings, contacts, RELEASE))
            env = worker_environment(
                database_url, smtp_port=smtp.port, allocation_url=allocation.url, batch_size=20
            )

            worker = start_worker(env, tmp_path / "worker.log")
            smtp.wait_for(2)
            worker.signal(signal.SIGTERM)
            exit_code = worker.wait()
            rows = ledger(database_url)
            received = smtp.messages

        sent = [row for row in rows if row.status == "sent"]
        assert exit_code == 0
        assert len(sent) == len(received)
        assert 2 <= len(sent) < 20
        assert all(row.status in ("sent", "scheduled") for row in rows)
        assert all(row.lease_owner is None for row in rows)
        assert all(row.attempts == 0 for row in rows if row.status == "scheduled")


class TestEventInvitation:
    def test_ics_parses_with_utc_session_time(self, database_url: str, tmp_path: Path):
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        campaign = {
            "kind": "office_hours",
            "title": "Budget questions",
            "sessions": [
                {
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=1)).isoformat(),
                    "location": "Bolling Building",
                }
            ],
            "reminders": ["P1D"],
        }
        with running_smtp_server() as smtp:
            settings = notifier_settings(database_url, smtp_port=smtp.port)
            asyncio.run(seed(database_url, settings, LEADERS[:1], campaign))
            env = worker_environment(database_url, smtp_port=smtp.port)
            with worker_processes([start_worker(env, tmp_path / "worker.log")]):
                received = smtp.wait_for(1)
                rows = wait_for_ledger(database_url, lambda rows: rows[0].status == "sent")

        message = received[0].parsed
        parts = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
        calendar = icalendar.Calendar.from_ical(parts[0].get_content())
        event = calendar.walk("VEVENT")[0]

        assert calendar["METHOD"] == "REQUEST"
        assert event.decoded("DTSTART") == starts
        assert event.decoded("DTSTART").tzinfo is not None
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert event["UID"].startswith(f"session-{rows[0].session_id or 1}-contact-")
        assert [row.status for row in rows[1:]] == ["scheduled"]

    def test_series_arrives_one_session_per_message(self, database_url: str, tmp_path: Path):
        first = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
        second = first + timedelta(days=7)
        campaign = {
            "kind": "technical_assistance",
            "title": "Partnership Fund technical assistance",
            "sessions": [
                {
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=1)).isoformat(),
                    "video_link": "https://meet.example.org/partnership-fund-ta",
                }
                for start in (first, second)
            ],
        }
        with running_smtp_server() as smtp:
            settings = notifier_settings(database_url, smtp_port=smtp.port)
            asyncio.run(seed(database_url, settings, LEADERS[:1], campaign))
            env = worker_environment(database_url, smtp_port=smtp.port)
            with worker_processes([start_worker(env, tmp_path / "worker.log")]):
                received = smtp.wait_for(2)
                wait_for_ledger(database_url, all_final)

        events = []
        for message in received:
            parsed = message.parsed
            (part,) = [
                item for item in parsed.iter_attachments() if item.get_content_type() == "text/calendar"
            ]
            content = part.get_payload(decode=True)
            assert isinstance(content, bytes)
            calendar = icalendar.Calendar.from_ical(content)
            events.extend(calendar.walk("VEVENT"))

            assert parsed["Subject"].startswith("Invitation: Technical assistance, Partnership Fund")
            assert part.get_filename() == "invite.ics"
            assert content.count(b"\n") == content.count(b"\r\n")
            assert len(calendar.walk("VEVENT")) == 1
        assert len(received) == 2
        assert len({str(event["UID"]) for event in events}) == 2
        assert sorted(event.decoded("DTSTART") for event in events) == [first, second]
