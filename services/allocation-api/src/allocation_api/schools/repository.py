from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.schools.models import School

# SQLite allows 32,766 bound parameters per statement; PostgreSQL 32,767.
LOOKUP_CHUNK = 5_000


async def find_existing_codes(session: AsyncSession, codes: Collection[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(codes)
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start : start + LOOKUP_CHUNK]
        found.update(await session.scalars(select(School.code).where(School.code.in_(chunk))))
    return found


async def insert_schools(session: AsyncSession, values: Sequence[dict[str, Any]]) -> None:
    if values:
        await session.execute(_table(School).insert(), list(values))


async def update_schools(session: AsyncSession, values: Sequence[dict[str, Any]]) -> None:
    """Update existing schools from dicts keyed `b_code`, `b_name`, `b_rc_code`, `b_dese_code`
    and `b_updated_at` (SQLAlchemy reserves the plain column names for the SET clause)."""
    if not values:
        return
    statement = (
        update(_table(School))
        .where(_table(School).c.code == bindparam("b_code"))
        .values(
            name=bindparam("b_name"),
            rc_code=bindparam("b_rc_code"),
            dese_code=bindparam("b_dese_code"),
            updated_at=bindparam("b_updated_at"),
        )
    )
    await session.execute(statement, list(values))


async def get_school(session: AsyncSession, code: str) -> School | None:
    return await session.get(School, code)


async def list_schools(session: AsyncSession, *, limit: int, after_code: str | None) -> Sequence[School]:
    query = select(School).order_by(School.code).limit(limit + 1)
    if after_code is not None:
        query = query.where(School.code > after_code)
    return (await session.scalars(query)).all()


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)
