from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.need_index.models import NeedIndexScore, NeedIndexSet

INSERT_CHUNK = 5_000


async def next_version(session: AsyncSession, fiscal_year: int) -> int:
    current = await session.scalar(
        select(func.max(NeedIndexSet.version)).where(NeedIndexSet.fiscal_year == fiscal_year)
    )
    return (current or 0) + 1


async def add_set(session: AsyncSession, score_set: NeedIndexSet) -> NeedIndexSet:
    session.add(score_set)
    await session.flush()
    return score_set


async def insert_scores(session: AsyncSession, values: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(values), INSERT_CHUNK):
        await session.execute(_table(NeedIndexScore).insert(), list(values[start : start + INSERT_CHUNK]))


async def get_set(session: AsyncSession, set_id: int) -> NeedIndexSet | None:
    return await session.get(NeedIndexSet, set_id)


async def newest_set(session: AsyncSession, fiscal_year: int) -> NeedIndexSet | None:
    return await session.scalar(
        select(NeedIndexSet)
        .where(NeedIndexSet.fiscal_year == fiscal_year)
        .order_by(NeedIndexSet.version.desc())
        .limit(1)
    )


async def list_sets(
    session: AsyncSession, fiscal_year: int, *, limit: int, before_version: int | None
) -> Sequence[NeedIndexSet]:
    query = (
        select(NeedIndexSet)
        .where(NeedIndexSet.fiscal_year == fiscal_year)
        .order_by(NeedIndexSet.version.desc())
        .limit(limit + 1)
    )
    if before_version is not None:
        query = query.where(NeedIndexSet.version < before_version)
    return (await session.scalars(query)).all()


async def list_scores(
    session: AsyncSession, set_id: int, *, limit: int, after_code: str | None
) -> Sequence[NeedIndexScore]:
    query = (
        select(NeedIndexScore)
        .where(NeedIndexScore.set_id == set_id)
        .order_by(NeedIndexScore.school_code)
        .limit(limit + 1)
    )
    if after_code is not None:
        query = query.where(NeedIndexScore.school_code > after_code)
    return (await session.scalars(query)).all()


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)
