from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile, status

from allocation_api.dependencies import ReaderDep, WriterDep
from allocation_api.enrollment import service
from allocation_api.imports import ColumnsForm, FiscalYearPath, read_upload
from allocation_api.pagination import DEFAULT_PAGE_LIMIT, CursorQuery, LimitQuery
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas.allocation import EnrollmentRecord, EnrollmentSet, ImportResult
from partnerfund_shared.tabular.forms import MissingSchoolCodeForm, skipped_field
from partnerfund_shared.types import Page

router = APIRouter(tags=["enrollment"])


@router.post(
    "/v1/fiscal-years/{fiscal_year}/enrollment/import",
    status_code=status.HTTP_201_CREATED,
    response_model=ImportResult,
)
async def import_enrollment(
    session: SessionDep,
    principal: WriterDep,
    fiscal_year: FiscalYearPath,
    file: Annotated[UploadFile, File(description="CSV or XLSX with school_code and enrollment.")],
    columns: ColumnsForm = None,
    on_missing_school_code: MissingSchoolCodeForm = "reject",
) -> ImportResult:
    """Import enrollments as the fiscal year's next enrollment set."""
    content = await read_upload(file)
    return await service.import_enrollment(
        session,
        principal,
        fiscal_year,
        content=content,
        filename=file.filename,
        columns=columns,
        skip_rows_without=skipped_field(on_missing_school_code),
    )


@router.get("/v1/fiscal-years/{fiscal_year}/enrollment/sets", response_model=Page[EnrollmentSet])
async def list_enrollment_sets(
    session: SessionDep,
    _principal: ReaderDep,
    fiscal_year: FiscalYearPath,
    limit: LimitQuery = DEFAULT_PAGE_LIMIT,
    cursor: CursorQuery = None,
) -> Page[EnrollmentSet]:
    """List the fiscal year's enrollment sets, newest first."""
    return await service.list_sets(session, fiscal_year, limit=limit, cursor=cursor)


@router.get("/v1/enrollment-sets/{set_id}", response_model=EnrollmentSet)
async def get_enrollment_set(session: SessionDep, _principal: ReaderDep, set_id: int) -> EnrollmentSet:
    """Get one enrollment set."""
    return await service.get_set_schema(session, set_id)


@router.get("/v1/enrollment-sets/{set_id}/counts", response_model=Page[EnrollmentRecord])
async def list_enrollment_counts(
    session: SessionDep,
    _principal: ReaderDep,
    set_id: int,
    limit: LimitQuery = DEFAULT_PAGE_LIMIT,
    cursor: CursorQuery = None,
) -> Page[EnrollmentRecord]:
    """List the enrollments of a set by school code."""
    return await service.list_counts(session, set_id, limit=limit, cursor=cursor)
