"""Several real worker processes on one PostgreSQL ledger: exactly once, and crash takeover."""

from __future__ import annotations

import asyncio
import collections
import json
import signal
import time
from pathlib import Path

import pytest

from partnerfund_shared.testing import drop_postgres_database
from tests.notifier.support import (
    notifier_settings,
    published_line,
    running_allocation,
    running_smtp_server,
    seed,
    start_worker,
    worker_environment,
    worker_processes,
)
from tests.notifier.test_worker_delivery import all_final, ledger, wait_for_ledger

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

RELEASE = {"kind": "budget_release", "fiscal_year": 2028, "fund": "partnership"}


def district(size: int):
    contacts = [
        (f"Leader {index}", f"leader{index}@example.org", "school_leader", f"{index:04d}")
        for index in range(1, size + 1)
    ]
    lines = [published_line(f"{index:04d}", f"School {index}", f"{index}.00") for index in range(1, size + 1)]
    return contacts, lines


@pytest.fixture
def postgres_database(databases, postgres_url, request):
    label = request.node.name.removeprefix("test_")[:30]
    url = databases.fresh_url("notifier", "postgresql", label)
    yield url
    asyncio.run(drop_postgres_database(postgres_url, url.rsplit("/", 1)[1]))


def sent_counts(worker_log: str) -> int:
    for line in worker_log.splitlines():
        if '"worker_stopped"' in line:
            return int(json.loads(line)["sent"])
    raise AssertionError(f"worker did not log worker_stopped:\n{worker_log[-2000:]}")


def test_two_workers_send_each_once(postgres_database: str, tmp_path: Path):
    contacts, lines = district(1000)
    with running_smtp_server() as smtp, running_allocation(lines) as allocation:
        settings = notifier_settings(postgres_database, smtp_port=smtp.port, allocation_url=allocation.url)
        asyncio.run(seed(postgres_database, settings, contacts, RELEASE))
        env = worker_environment(
            postgres_database, smtp_port=smtp.port, allocation_url=allocation.url, batch_size=25
        )
        workers = [start_worker(env, tmp_path / f"worker{index}.log") for index in (1, 2)]
        with worker_processes(workers):
            received = smtp.wait_for(1000, seconds=180)
            rows = wait_for_ledger(postgres_database, all_final, seconds=60)
            time.sleep(0.5)
        received = smtp.messages

    recipients = collections.Counter(message.recipients[0] for message in received)
    message_ids = collections.Counter(message.message_id for message in received)
    per_worker = [sent_counts(worker.log_text()) for worker in workers]

    assert len(received) == 1000
    assert len(recipients) == 1000
    assert max(recipients.values()) == 1
    assert max(message_ids.values()) == 1
    assert {row.status for row in rows} == {"sent"}
    assert sum(per_worker) == 1000
    assert min(per_worker) > 0, f"one worker sent nothing: {per_worker}"


def test_sigkill_mid_batch_is_taken_over(postgres_database: str, tmp_path: Path):
    contacts, lines = district(200)
    with running_smtp_server() as smtp, running_allocation(lines) as allocation:
        smtp.handler.delay_seconds = 0.01
        settings = notifier_settings(postgres_database, smtp_port=smtp.port, allocation_url=allocation.url)
        asyncio.run(seed(postgres_database, settings, contacts, RELEASE))
        env = worker_environment(
            postgres_database,
            smtp_port=smtp.port,
            allocation_url=allocation.url,
            batch_size=50,
            lease_seconds=2,
        )

        doomed = start_worker(env, tmp_path / "doomed.log")
        smtp.wait_for(20)
        doomed.signal(signal.SIGKILL)
        doomed.wait()
        at_kill = ledger(postgres_database)
        in_flight = {row.id for row in at_kill if row.status == "sending"}
        before_takeover = len(smtp.messages)

        with worker_processes([start_worker(env, tmp_path / "survivor.log")]):
            rows = wait_for_ledger(postgres_database, all_final, seconds=120)
            time.sleep(0.5)
        received = smtp.messages

    by_recipient = collections.defaultdict(list)
    for message in received:
        by_recipient[message.recipients[0]].append(message.message_id)
    duplicated = {recipient: ids for recipient, ids in by_recipient.items() if len(ids) > 1}
    row_by_recipient = {row.recipient: row for row in rows}

    assert in_flight, "the worker was killed between batches; nothing was claimed"
    assert before_takeover < 200
    assert {row.status for row in rows} == {"sent"}
    assert len(by_recipient) == 200
    # The documented window: at most the one message the killed worker had in flight.
    assert len(duplicated) <= 1
    for recipient, ids in duplicated.items():
        assert len(ids) == 2
        assert len(set(ids)) == 1, "a resend must carry the same Message-ID"
        assert row_by_recipient[recipient].id in in_flight
    taken_over = [row for row in rows if row.id in in_flight]
    assert all(row.attempts == 2 for row in taken_over)
