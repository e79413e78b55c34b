from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.enrollment.models import EnrollmentCount, EnrollmentSet

INSERT_CHUNK = 5_000


async def next_version(session: AsyncSession, fiscal_year: int) -> int:
    current = await session.scalar(
        select(func.max(EnrollmentSet.version)).where(EnrollmentSet.fiscal_year == fiscal_year)
    )
    return (current or 0) + 1


async def add_set(session: AsyncSession, enrollment_set: EnrollmentSet) -> EnrollmentSet:
    session.add(enrollment_set)
    await session.flush()
    return enrollment_set


async def insert_counts(session: AsyncSession, values: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(values), INSERT_CHUNK):
        await session.execute(_table(EnrollmentCount).insert(), list(values[start : start + INSERT_CHUNK]))


async def get_set(session: AsyncSession, set_id: int) -> EnrollmentSet | None:
    return await session.get(EnrollmentSet, set_id)


async def newest_set(session: AsyncSession, fiscal_year: int) -> EnrollmentSet | None:
    return await session.scalar(
        select(EnrollmentSet)
        .where(EnrollmentSet.fiscal_year == fiscal_year)
        .order_by(EnrollmentSet.version.desc())
        .limit(1)
    )


async def list_sets(
    session: AsyncSession, fiscal_year: int, *, limit: int, before_version: int | None
) -> Sequence[EnrollmentSet]:
    query = (
        select(EnrollmentSet)
        .where(EnrollmentSet.fiscal_year == fiscal_year)
        .order_by(EnrollmentSet.version.desc())
        .limit(limit + 1)
    )
    if before_version is not None:
        query = query.where(EnrollmentSet.version < before_version)
    return (await session.scalars(query)).all()


async def list_counts(
    session: AsyncSession, set_id: int, *, limit: int, after_code: str | None
) -> Sequence[EnrollmentCount]:
    query = (
        select(EnrollmentCount)
        .where(EnrollmentCount.set_id == set_id)
        .order_by(EnrollmentCount.school_code)
        .limit(limit + 1)
    )
    if after_code is not None:
        query = query.where(EnrollmentCount.school_code > after_code)
    return (await session.scalars(query)).all()


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)
