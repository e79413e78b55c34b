"""Ledger statements of the worker: claim due rows under a lease, record outcomes, release.

On PostgreSQL several workers claim concurrently: the claim locks due rows with
`FOR UPDATE SKIP LOCKED`, so each row goes to one worker, and marks them `sending` with a
lease. On SQLite the same statement runs inside `BEGIN IMMEDIATE` (see
partnerfund_shared.db), which serialises writers; a lock row there also keeps a second
worker from sending at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.deliveries.models import Delivery, WorkerLock

SQLITE_LOCK_NAME = "sqlite-worker"
WAITING_STATUSES = ("scheduled", "retry_wait")


def _due(now: datetime) -> Any:
    waiting_and_due = and_(Delivery.status.in_(WAITING_STATUSES), Delivery.next_attempt_at <= now)
    # A row whose lease ran out belonged to a worker that crashed or hung: take it over.
    abandoned = and_(Delivery.status == "sending", Delivery.lease_expires_at < now)
    return or_(waiting_and_due, abandoned)


async def claim_batch(
    session: AsyncSession,
    *,
    worker_id: str,
    now: datetime,
    lease: timedelta,
    limit: int,
) -> list[Delivery]:
    """Claim up to `limit` due rows for this worker; the caller commits at once.

    Each claim counts as an attempt, so a message whose sender keeps crashing still reaches
    the attempt limit.
    """
    due_ids = (
        select(Delivery.id)
        .where(_due(now))
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(Delivery)
        .where(Delivery.id.in_(due_ids))
        .values(
            status="sending",
            lease_owner=worker_id,
            lease_expires_at=now + lease,
            attempts=Delivery.attempts + 1,
            updated_at=now,
        )
        .returning(Delivery)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    claimed = list(await session.scalars(statement))
    claimed.sort(key=lambda row: (row.next_attempt_at or row.scheduled_for, row.id))
    return claimed


async def record_outcome(
    session: AsyncSession, delivery_id: int, worker_id: str, now: datetime, values: dict[str, Any]
) -> bool:
    """Write a send's outcome and end the lease; False when another worker took the row over."""
    statement = (
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.lease_owner == worker_id,
            Delivery.status == "sending",
        )
        .values(**values, lease_owner=None, lease_expires_at=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def renew_leases(
    session: AsyncSession, ids: Sequence[int], worker_id: str, expires_at: datetime
) -> int:
    statement = (
        update(Delivery)
        .where(
            Delivery.id.in_(ids),
            Delivery.lease_owner == worker_id,
            Delivery.status == "sending",
        )
        .values(lease_expires_at=expires_at)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def release(session: AsyncSession, ids: Sequence[int], worker_id: str, now: datetime) -> int:
    """Give unsent claimed rows back: they were never attempted, so the claim's attempt is undone."""
    statement = (
        update(Delivery)
        .where(
            Delivery.id.in_(ids),
            Delivery.lease_owner == worker_id,
            Delivery.status == "sending",
        )
        .values(
            status=case((Delivery.last_error.is_(None), "scheduled"), else_="retry_wait"),
            attempts=Delivery.attempts - 1,
            lease_owner=None,
            lease_expires_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def queue_depth(session: AsyncSession, now: datetime) -> int:
    statement = select(func.count()).where(
        Delivery.status.in_(WAITING_STATUSES), Delivery.next_attempt_at <= now
    )
    return int(await session.scalar(statement) or 0)


async def pending_count(session: AsyncSession) -> int:
    """Count rows that are not finished: waiting, due later, or being sent."""
    statement = select(func.count()).where(Delivery.status.in_((*WAITING_STATUSES, "sending")))
    return int(await session.scalar(statement) or 0)


async def hold_sqlite_lock(session: AsyncSession, worker_id: str, now: datetime, lease: timedelta) -> bool:
    """Take or renew the single-worker lock of a SQLite ledger; False while another holds it."""
    lock = await session.scalar(
        select(WorkerLock)
        .where(WorkerLock.name == SQLITE_LOCK_NAME)
        .execution_options(populate_existing=True)
    )
    if lock is None:
        session.add(WorkerLock(name=SQLITE_LOCK_NAME, owner=worker_id, expires_at=now + lease))
        return True
    if lock.owner != worker_id and lock.expires_at > now:
        return False
    lock.owner = worker_id
    lock.expires_at = now + lease
    return True


async def drop_sqlite_lock(session: AsyncSession, worker_id: str) -> None:
    await session.execute(
        delete(WorkerLock).where(WorkerLock.name == SQLITE_LOCK_NAME, WorkerLock.owner == worker_id)
    )
