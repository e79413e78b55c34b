from __future__ import annotations

from fastapi import APIRouter, Query

from allocation_api.audit import service
from allocation_api.dependencies import ReaderDep
from allocation_api.pagination import DEFAULT_PAGE_LIMIT, CursorQuery, LimitQuery
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas.allocation import AuditEntry
from partnerfund_shared.types import Page

router = APIRouter(prefix="/v1/audit-log", tags=["audit"])


@router.get("", response_model=Page[AuditEntry])
async def list_audit_entries(
    session: SessionDep,
    _principal: ReaderDep,
    limit: LimitQuery = DEFAULT_PAGE_LIMIT,
    cursor: CursorQuery = None,
    action: str | None = Query(default=None, description="Only this action, e.g. run_published."),
    fiscal_year: int | None = None,
    subject_type: str | None = Query(default=None, description="run, need_index_set, ..."),
    subject_id: str | None = None,
) -> Page[AuditEntry]:
    """List audit entries, newest first."""
    return await service.list_entries(
        session,
        limit=limit,
        cursor=cursor,
        action=action,
        fiscal_year=fiscal_year,
        subject_type=subject_type,
        subject_id=subject_id,
    )
