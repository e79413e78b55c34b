"""Ledger statements of the worker: claim due rows under a lease, record outcomes, release.

On PostgreSQL several workers claim concurrently. The claim locks due rows with
`FOR UPDATE SKIP LOCKED`, so each row goes to one worker, and marks them `sending` with a
lease. On SQLite the same statement runs inside `BEGIN IMMEDIATE` (see
partnerfund_shared.db), which serialises writers, and a lock row keeps a second worker from
sending at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

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


@cache
def _outcome_update(keys: tuple[str, ...]) -> Any:
    # One statement per set of outcome columns, built once, so SQLAlchemy finds its compiled
    # form in the cache and asyncpg its prepared statement.
    columns = Delivery.__table__.c
    return (
        update(Delivery)
        .where(
            Delivery.id == bindparam("outcome_delivery_id"),
            Delivery.lease_owner == bindparam("outcome_worker_id"),
            Delivery.status == "sending",
        )
        .values(
            {
                **{key: bindparam(f"outcome_{key}", type_=columns[key].type) for key in keys},
                "lease_owner": None,
                "lease_expires_at": None,
                "updated_at": bindparam("outcome_now", type_=columns["updated_at"].type),
            }
        )
    )


def outcome_statement(
    delivery_id: int, worker_id: str, now: datetime, values: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """Write a send's outcome and end the lease; it matches no row if another worker took over.

    Returns the statement and its parameters.
    """
    keys = tuple(sorted(values))
    parameters = {f"outcome_{key}": values[key] for key in keys}
    parameters.update(outcome_delivery_id=delivery_id, outcome_worker_id=worker_id, outcome_now=now)
    return _outcome_update(keys), parameters


def renew_statement(ids: Sequence[int], worker_id: str, expires_at: datetime) -> Any:
    return (
        update(Delivery)
        .where(
            Delivery.id.in_(ids),
            Delivery.lease_owner == worker_id,
            Delivery.status == "sending",
        )
        .values(lease_expires_at=expires_at)
    )


def release_statement(ids: Sequence[int], worker_id: str, now: datetime) -> Any:
    """Give unsent claimed rows back: they were never attempted, so the claim's attempt is undone."""
    return (
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
    )


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


class LedgerWriter:
    """Commit each outcome of a batch as soon as it is known, as cheaply as the database allows.

    On PostgreSQL every write is one autocommitted statement on a dedicated connection with
    `synchronous_commit = off`, so the server acknowledges the commit before it flushes its WAL
    to disk. An acknowledged outcome survives a crash of the worker, which is the failure the
    leases handle. A crash of the PostgreSQL server itself can lose the outcomes acknowledged
    in the last three `wal_writer_delay` periods (600 ms with the default 200 ms), and those
    rows are sent again after their lease. On SQLite each write is a short session transaction.
    """

    def __init__(
        self, engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], *, sqlite: bool
    ) -> None:
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.sqlite = sqlite
        self._connection: AsyncConnection | None = None
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> LedgerWriter:
        if self.sqlite:
            self._session = self.sessionmaker()
        else:
            connection = await self.engine.connect()
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql("SET synchronous_commit = off")
            self._connection = connection
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._session is not None:
            await self._session.close()
        if self._connection is not None:
            # Restore the default before the connection goes back to the pool.
            await self._connection.exec_driver_sql("RESET synchronous_commit")
            await self._connection.close()

    async def _execute(self, statement: Any, parameters: dict[str, Any] | None = None) -> int:
        if self._connection is not None:
            cursor = await self._connection.execute(statement, parameters)
            return int(cursor.rowcount or 0)
        assert self._session is not None
        result: Any = await self._session.execute(statement, parameters)
        await self._session.commit()
        return int(result.rowcount or 0)

    async def record(self, delivery_id: int, worker_id: str, now: datetime, values: dict[str, Any]) -> bool:
        return bool(await self._execute(*outcome_statement(delivery_id, worker_id, now, values)))

    async def renew(self, ids: Sequence[int], worker_id: str, expires_at: datetime) -> int:
        return await self._execute(renew_statement(ids, worker_id, expires_at))

    async def release(self, ids: Sequence[int], worker_id: str, now: datetime) -> int:
        return await self._execute(release_statement(ids, worker_id, now))
