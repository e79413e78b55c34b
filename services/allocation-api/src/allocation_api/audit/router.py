from __future__ import annotations

from typing import Annotated

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
    action: Annotated[str | None, Query(description="Only this action, e.g. run_published.")] = None,
    fiscal_year: int | None = None,
    subject_type: Annotated[
        str | None,
        Query(description="run, need_index_set, enrollment_set or school_list."),
    ] = None,
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
