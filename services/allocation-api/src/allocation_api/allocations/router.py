from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse

from allocation_api.allocations import service
from allocation_api.dependencies import ReaderDep
from allocation_api.imports import FiscalYearPath
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas.allocation import (
    DEFAULT_FUND,
    Fund,
    PublishedAllocation,
    PublishedAllocationByBudgetCode,
)
from partnerfund_shared.types import SCHOOL_CODE_PATTERN

router = APIRouter(tags=["published allocations"])

# Caches must ask again each time, because a supersede can replace the published run at any
# moment; the ETag makes the repeat request cheap.
CACHE_CONTROL = "no-cache"


@router.get(
    "/v1/fiscal-years/{fiscal_year}/allocations",
    response_model=PublishedAllocation | PublishedAllocationByBudgetCode,
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        },
        304: {"description": "The representation matching If-None-Match has not changed."},
    },
)
async def read_published_allocation(
    session: SessionDep,
    _principal: ReaderDep,
    fiscal_year: FiscalYearPath,
    fund: Fund = DEFAULT_FUND,
    by: Annotated[
        service.Grouping, Query(description="school, or rc_code to sum by budget code.")
    ] = "school",
    export_format: Annotated[service.ExportFormat, Query(alias="format")] = "json",
    school_code: Annotated[str | None, Query(pattern=SCHOOL_CODE_PATTERN)] = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Any:
    """Read the published allocation of a fiscal year and fund, with ETag; JSON, CSV or XLSX."""
    run = await service.published_run(session, fiscal_year, fund)
    tag = service.entity_tag(run, by, export_format, school_code or "")
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if service.tag_matches(if_none_match, tag):
        return Response(status_code=304, headers=headers)

    lines = await service.load_lines(session, run, school_code)
    if export_format != "json":
        content, media_type, filename = service.export_file(run, lines, by, export_format)
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return Response(content=content, media_type=media_type, headers=headers)
    if by == "rc_code":
        document: Any = service.rc_document(run, lines)
    else:
        document = service.school_document(run, lines)
    return JSONResponse(content=document.model_dump(mode="json"), headers=headers)
