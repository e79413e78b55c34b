from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.audit.models import AuditEntry


async def add_entry(session: AsyncSession, **values: Any) -> AuditEntry:
    entry = AuditEntry(**values)
    session.add(entry)
    await session.flush()
    return entry


async def list_entries(
    session: AsyncSession,
    *,
    limit: int,
    before_id: int | None,
    action: str | None,
    fiscal_year: int | None,
    subject_type: str | None,
    subject_id: str | None,
) -> Sequence[AuditEntry]:
    """Return up to `limit + 1` entries, newest first, so the caller can tell if more follow."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if fiscal_year is not None:
        query = query.where(AuditEntry.fiscal_year == fiscal_year)
    if subject_type is not None:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    return (await session.scalars(query)).all()
