from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, UploadFile, status

from allocation_api.dependencies import ReaderDep, WriterDep
from allocation_api.imports import ColumnsForm, read_upload
from allocation_api.pagination import DEFAULT_PAGE_LIMIT, CursorQuery, LimitQuery
from allocation_api.schools import service
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas.allocation import ImportResult, School
from partnerfund_shared.tabular.forms import MissingSchoolCodeForm, skipped_field
from partnerfund_shared.types import SCHOOL_CODE_PATTERN, Page

router = APIRouter(prefix="/v1/schools", tags=["schools"])


@router.post("/import", status_code=status.HTTP_201_CREATED, response_model=ImportResult)
async def import_schools(
    session: SessionDep,
    principal: WriterDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX school list.")],
    columns: ColumnsForm = None,
    on_missing_school_code: MissingSchoolCodeForm = "reject",
) -> ImportResult:
    """Import the district's school list (school_code, school_name, rc_code, dese_code)."""
    content = await read_upload(file)
    return await service.import_schools(
        session,
        principal,
        content=content,
        filename=file.filename,
        columns=columns,
        skip_rows_without=skipped_field(on_missing_school_code),
    )


@router.get("", response_model=Page[School])
async def list_schools(
    session: SessionDep,
    _principal: ReaderDep,
    limit: LimitQuery = DEFAULT_PAGE_LIMIT,
    cursor: CursorQuery = None,
) -> Page[School]:
    """List schools by school code."""
    return await service.list_schools(session, limit=limit, cursor=cursor)


@router.get("/{school_code}", response_model=School)
async def get_school(
    session: SessionDep,
    _principal: ReaderDep,
    school_code: Annotated[str, Path(pattern=SCHOOL_CODE_PATTERN)],
) -> School:
    """Get one school of the school list."""
    return await service.get_school(session, school_code)
