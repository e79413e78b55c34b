from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from allocation_api.enrollment.models import EnrollmentCount
from allocation_api.need_index.models import NeedIndexScore
from allocation_api.runs.models import Run, RunLine
from allocation_api.schools.models import School

# Lines per INSERT batch; SQLAlchemy splits each batch further to stay under the drivers'
# bound-parameter limits.
LINE_INSERT_CHUNK = 10_000


async def add_run(session: AsyncSession, run: Run) -> Run:
    session.add(run)
    await session.flush()
    return run


async def insert_lines(session: AsyncSession, values: Sequence[dict[str, Any]]) -> None:
    table = _table(RunLine)
    for start in range(0, len(values), LINE_INSERT_CHUNK):
        await session.execute(table.insert(), list(values[start : start + LINE_INSERT_CHUNK]))


async def get_run(session: AsyncSession, run_id: int, *, for_update: bool = False) -> Run | None:
    query = select(Run).where(Run.id == run_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def published_run(
    session: AsyncSession, fiscal_year: int, fund: str, *, for_update: bool = False
) -> Run | None:
    query = select(Run).where(Run.fiscal_year == fiscal_year, Run.fund == fund, Run.status == "published")
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_runs(
    session: AsyncSession,
    fiscal_year: int,
    *,
    fund: str | None,
    status: str | None,
    limit: int,
    before_id: int | None,
) -> Sequence[Run]:
    query = select(Run).where(Run.fiscal_year == fiscal_year).order_by(Run.id.desc()).limit(limit + 1)
    if fund is not None:
        query = query.where(Run.fund == fund)
    if status is not None:
        query = query.where(Run.status == status)
    if before_id is not None:
        query = query.where(Run.id < before_id)
    return (await session.scalars(query)).all()


async def list_lines(
    session: AsyncSession,
    run_id: int,
    *,
    limit: int | None = None,
    after_code: str | None = None,
    eligible: bool | None = None,
    school_code: str | None = None,
) -> Sequence[RunLine]:
    """Return a run's lines by school code; with `limit`, one more than asked for."""
    query = select(RunLine).where(RunLine.run_id == run_id).order_by(RunLine.school_code)
    if limit is not None:
        query = query.limit(limit + 1)
    if after_code is not None:
        query = query.where(RunLine.school_code > after_code)
    if eligible is not None:
        query = query.where(RunLine.eligible == eligible)
    if school_code is not None:
        query = query.where(RunLine.school_code == school_code)
    return (await session.scalars(query)).all()


async def delete_run(session: AsyncSession, run: Run) -> None:
    await session.execute(delete(RunLine).where(RunLine.run_id == run.id))
    await session.delete(run)
    await session.flush()


async def load_inputs(
    session: AsyncSession, score_set_id: int, enrollment_set_id: int
) -> list[tuple[str, str, str | None, Decimal | None, int | None]]:
    """Return (code, name, RC code, score, enrollment) for every school in either set, in one
    query: a school absent from a set gets None for that set's value."""
    score = aliased(NeedIndexScore)
    count = aliased(EnrollmentCount)
    query = (
        select(School.code, School.name, School.rc_code, score.score, count.enrollment)
        .outerjoin(score, and_(score.school_code == School.code, score.set_id == score_set_id))
        .outerjoin(count, and_(count.school_code == School.code, count.set_id == enrollment_set_id))
        .where(or_(score.set_id.is_not(None), count.set_id.is_not(None)))
    )
    return [tuple(row) for row in await session.execute(query)]  # type: ignore[misc]


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)
