"""The audit log: every import, run, publish and supersede, with who did it."""

from __future__ import annotations

import logging
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.audit import repository
from allocation_api.audit.models import AuditEntry
from allocation_api.pagination import decode_cursor, next_cursor
from partnerfund_shared.auth import Principal
from partnerfund_shared.schemas.allocation import AuditEntry as AuditEntryOut
from partnerfund_shared.types import Page

AuditAction = Literal[
    "schools_imported",
    "need_index_imported",
    "enrollment_imported",
    "run_created",
    "run_deleted",
    "run_published",
    "run_superseded",
]

log = logging.getLogger("allocation_api.audit")


async def record(
    session: AsyncSession,
    principal: Principal,
    action: AuditAction,
    *,
    subject_type: str,
    subject_id: str | int,
    fiscal_year: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry in the caller's transaction, so it is stored only if the change is."""
    entry = await repository.add_entry(
        session,
        actor=principal.identity,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        fiscal_year=fiscal_year,
        details=details or {},
    )
    log.info(
        "audit_recorded",
        extra={"action": action, "subject_id": str(subject_id), "actor": principal.identity},
    )
    return entry


async def list_entries(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None,
    action: str | None = None,
    fiscal_year: int | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
) -> Page[AuditEntryOut]:
    key = decode_cursor(cursor, [int])
    entries = await repository.list_entries(
        session,
        limit=limit,
        before_id=key[0] if key else None,
        action=action,
        fiscal_year=fiscal_year,
        subject_type=subject_type,
        subject_id=subject_id,
    )
    items = [AuditEntryOut.model_validate(entry, from_attributes=True) for entry in entries[:limit]]
    return Page[AuditEntryOut](items=items, next_cursor=next_cursor(entries, limit, lambda entry: [entry.id]))
