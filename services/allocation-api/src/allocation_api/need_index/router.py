from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile, status

from allocation_api.dependencies import ReaderDep, WriterDep
from allocation_api.imports import ColumnsForm, FiscalYearPath, read_upload
from allocation_api.need_index import service
from allocation_api.pagination import DEFAULT_PAGE_LIMIT, CursorQuery, LimitQuery
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas.allocation import ImportResult, NeedIndexScore, NeedIndexSet
from partnerfund_shared.types import Page

router = APIRouter(tags=["need index"])


@router.post(
    "/v1/fiscal-years/{fiscal_year}/need-index/import",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportResult,
)
async def import_need_index(
    session: SessionDep,
    principal: WriterDep,
    fiscal_year: FiscalYearPath,
    file: Annotated[UploadFile, File(description="CSV or XLSX with school_code and score.")],
    columns: ColumnsForm = None,
) -> ImportResult:
    """Import need-index scores as the fiscal year's next score set."""
    content = await read_upload(file)
    return await service.import_scores(
        session, principal, fiscal_year, content=content, filename=file.filename, columns=columns
    )


@router.get("/v1/fiscal-years/{fiscal_year}/need-index/sets", response_model=Page[NeedIndexSet])
async def list_need_index_sets(
    session: SessionDep,
    _principal: ReaderDep,
    fiscal_year: FiscalYearPath,
    limit: LimitQuery = DEFAULT_PAGE_LIMIT,
    cursor: CursorQuery = None,
) -> Page[NeedIndexSet]:
    """List the fiscal year's score sets, newest first."""
    return await service.list_sets(session, fiscal_year, limit=limit, cursor=cursor)


@router.get("/v1/need-index-sets/{set_id}", response_model=NeedIndexSet)
async def get_need_index_set(session: SessionDep, _principal: ReaderDep, set_id: int) -> NeedIndexSet:
    """Get one score set."""
    return await service.get_set_schema(session, set_id)


@router.get("/v1/need-index-sets/{set_id}/scores", response_model=Page[NeedIndexScore])
async def list_need_index_scores(
    session: SessionDep,
    _principal: ReaderDep,
    set_id: int,
    limit: LimitQuery = DEFAULT_PAGE_LIMIT,
    cursor: CursorQuery = None,
) -> Page[NeedIndexScore]:
    """List the scores of a set by school code; a blank score is null."""
    return await service.list_scores(session, set_id, limit=limit, cursor=cursor)
