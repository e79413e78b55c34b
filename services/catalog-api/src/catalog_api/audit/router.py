"""The audit log, read newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from catalog_api.audit.models import AuditEntry
from catalog_api.dependencies import RecordReaderDep
from catalog_api.pagination import decode_cursor, encode_cursor
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas import catalog as schemas
from partnerfund_shared.types import MAX_PAGE_LIMIT, Page

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", response_model=Page[schemas.AuditEntry])
async def list_audit_entries(
    session: SessionDep,
    principal: RecordReaderDep,
    entity_type: Annotated[str | None, Query(max_length=40, examples=["program"])] = None,
    entity_id: Annotated[str | None, Query(max_length=60)] = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[schemas.AuditEntry]:
    """List recorded changes, newest first, optionally for one entity or action."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if cursor:
        (before_id,) = decode_cursor(cursor, (int,))
        query = query.where(AuditEntry.id < before_id)

    entries = list((await session.scalars(query)).all())
    next_cursor = encode_cursor(entries[limit - 1].id) if len(entries) > limit else None
    return Page[schemas.AuditEntry](
        items=[
            schemas.AuditEntry(
                id=entry.id,
                occurred_at=entry.occurred_at,
                actor=entry.actor,
                action=entry.action,
                entity_type=entry.entity_type,
                entity_id=entry.entity_id,
                changes=entry.changes,
            )
            for entry in entries[:limit]
        ],
        next_cursor=next_cursor,
    )
