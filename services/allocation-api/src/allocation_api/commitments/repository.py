"""Queries of the commitments, of their per-school locks and of the published allocation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, case, func, select, type_coerce
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.commitments.models import Commitment, CommitmentLock
from allocation_api.runs.models import RunLine
from partnerfund_shared.db import DecimalType, is_sqlite
from partnerfund_shared.schemas.commitments import ACTIVE_STATUSES, CommitmentStatus

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class StatusTotals:
    """Active commitment totals of one school or one organization, split by status."""

    approved: Decimal = ZERO
    proposed: Decimal = ZERO
    count: int = 0

    @property
    def committed(self) -> Decimal:
        return self.approved + self.proposed


@dataclass(frozen=True, slots=True)
class OrganizationTotals:
    organization_id: int
    organization_name: str
    totals: StatusTotals
    schools: int
    programs: int


@dataclass(frozen=True, slots=True)
class CommitmentFilters:
    fiscal_year: int
    fund: str | None = None
    school_code: str | None = None
    status: CommitmentStatus | None = None
    program_id: int | None = None
    organization_id: int | None = None


# --- the published allocation (the run itself is found by `runs.repository.published_run`) -----


async def find_run_line(session: AsyncSession, run_id: int, school_code: str) -> RunLine | None:
    return await session.get(RunLine, (run_id, school_code))


async def list_run_lines(session: AsyncSession, run_id: int) -> Sequence[RunLine]:
    result = await session.scalars(
        select(RunLine).where(RunLine.run_id == run_id).order_by(RunLine.school_code)
    )
    return result.all()


# --- the per-school lock ------------------------------------------------------------------------


async def lock_school(session: AsyncSession, fiscal_year: int, fund: str, school_code: str) -> None:
    """Take the write lock of one school's commitments in one fund, until the transaction ends.

    The lock row is created on first use with an upsert, so two first writers do not collide.
    On PostgreSQL `SELECT ... FOR UPDATE` then makes every other writer of this school wait until
    this transaction commits or rolls back; READ COMMITTED lets the next statement of the waiter
    see what the holder committed. SQLite has no row locks (SQLAlchemy leaves out FOR UPDATE), but
    the shared engine starts every transaction with BEGIN IMMEDIATE, which holds the database's
    single write lock from the transaction's first statement, so writers are already serialised.
    """
    values = {"fiscal_year": fiscal_year, "fund": fund, "school_code": school_code}
    insert = sqlite_insert if is_sqlite(session) else postgresql_insert
    await session.execute(insert(CommitmentLock).values(**values).on_conflict_do_nothing())
    await session.execute(
        select(CommitmentLock.school_code)
        .where(
            CommitmentLock.fiscal_year == fiscal_year,
            CommitmentLock.fund == fund,
            CommitmentLock.school_code == school_code,
        )
        .with_for_update()
    )


# --- commitments --------------------------------------------------------------------------------


async def add_commitment(session: AsyncSession, commitment: Commitment) -> Commitment:
    session.add(commitment)
    await session.flush()
    return commitment


async def get_commitment(session: AsyncSession, commitment_id: int) -> Commitment | None:
    # populate_existing: a caller that waited for the school's lock must see the committed state.
    return await session.get(Commitment, commitment_id, populate_existing=True)


async def find_by_idempotency_key(
    session: AsyncSession, created_by: str, idempotency_key: str
) -> Commitment | None:
    return await session.scalar(
        select(Commitment)
        .where(Commitment.created_by == created_by, Commitment.idempotency_key == idempotency_key)
        .execution_options(populate_existing=True)
    )


async def sum_school_totals(
    session: AsyncSession, fiscal_year: int, fund: str, school_code: str
) -> StatusTotals:
    """Sum one school's active commitments, exactly on both backends (see `DecimalType`)."""
    row = (
        await session.execute(
            _status_sums().where(
                Commitment.fiscal_year == fiscal_year,
                Commitment.fund == fund,
                Commitment.school_code == school_code,
                Commitment.status.in_(ACTIVE_STATUSES),
            )
        )
    ).one()
    return _totals(row.approved, row.proposed, row.commitments)


async def list_school_commitments(
    session: AsyncSession, fiscal_year: int, fund: str, school_code: str
) -> Sequence[Commitment]:
    result = await session.scalars(
        select(Commitment)
        .where(
            Commitment.fiscal_year == fiscal_year,
            Commitment.fund == fund,
            Commitment.school_code == school_code,
        )
        .order_by(Commitment.id)
    )
    return result.all()


async def list_commitments(
    session: AsyncSession,
    filters: CommitmentFilters,
    *,
    after_id: int | None = None,
    limit: int | None = None,
) -> Sequence[Commitment]:
    """List commitments in id order, the keyset of the paginated list, or all of them without `limit`."""
    query = select(Commitment).where(Commitment.fiscal_year == filters.fiscal_year)
    if filters.fund is not None:
        query = query.where(Commitment.fund == filters.fund)
    if filters.school_code is not None:
        query = query.where(Commitment.school_code == filters.school_code)
    if filters.status is not None:
        query = query.where(Commitment.status == filters.status)
    if filters.program_id is not None:
        query = query.where(Commitment.program_id == filters.program_id)
    if filters.organization_id is not None:
        query = query.where(Commitment.organization_id == filters.organization_id)
    if after_id is not None:
        query = query.where(Commitment.id > after_id)
    query = query.order_by(Commitment.id)
    if limit is not None:
        query = query.limit(limit)
    return (await session.scalars(query)).all()


async def sum_totals_by_school(session: AsyncSession, fiscal_year: int, fund: str) -> dict[str, StatusTotals]:
    rows = await session.execute(
        _status_sums()
        .add_columns(Commitment.school_code)
        .where(
            Commitment.fiscal_year == fiscal_year,
            Commitment.fund == fund,
            Commitment.status.in_(ACTIVE_STATUSES),
        )
        .group_by(Commitment.school_code)
    )
    return {row.school_code: _totals(row.approved, row.proposed, row.commitments) for row in rows}


async def sum_totals_by_organization(
    session: AsyncSession, fiscal_year: int, fund: str
) -> list[OrganizationTotals]:
    """Sum the active commitments per organization, named as in its newest commitment."""
    scope = (
        Commitment.fiscal_year == fiscal_year,
        Commitment.fund == fund,
        Commitment.status.in_(ACTIVE_STATUSES),
    )
    rows = await session.execute(
        _status_sums()
        .add_columns(
            Commitment.organization_id,
            func.count(func.distinct(Commitment.school_code)).label("schools"),
            func.count(func.distinct(Commitment.program_id)).label("programs"),
        )
        .where(*scope)
        .group_by(Commitment.organization_id)
    )
    names = await _newest_organization_names(session, fiscal_year, fund)
    return [
        OrganizationTotals(
            organization_id=row.organization_id,
            organization_name=names[row.organization_id],
            totals=_totals(row.approved, row.proposed, row.commitments),
            schools=row.schools,
            programs=row.programs,
        )
        for row in rows
    ]


async def _newest_organization_names(session: AsyncSession, fiscal_year: int, fund: str) -> dict[int, str]:
    rows = await session.execute(
        select(Commitment.organization_id, Commitment.organization_name)
        .where(Commitment.fiscal_year == fiscal_year, Commitment.fund == fund)
        .order_by(Commitment.id)
    )
    # Later rows overwrite earlier ones, so each organization keeps its newest name.
    return {row.organization_id: row.organization_name for row in rows}


def _status_sums() -> Select[Decimal, Decimal, int]:
    return select(
        _sum_of_status("approved").label("approved"),
        _sum_of_status("proposed").label("proposed"),
        func.count(Commitment.id).label("commitments"),
    )


def _sum_of_status(status: CommitmentStatus) -> ColumnElement[Decimal]:
    # type_coerce keeps `DecimalType` on the result, so SQLite's integer cents come back as dollars.
    amount = case((Commitment.status == status, Commitment.amount))
    return type_coerce(func.coalesce(func.sum(amount), 0), DecimalType(14, 2))


def _totals(approved: Decimal, proposed: Decimal, count: int) -> StatusTotals:
    return StatusTotals(approved=approved, proposed=proposed, count=count)
