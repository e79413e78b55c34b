from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response, status

from allocation_api.dependencies import PublisherDep, ReaderDep, WriterDep
from allocation_api.imports import FiscalYearPath
from allocation_api.pagination import DEFAULT_PAGE_LIMIT, CursorQuery, LimitQuery
from allocation_api.runs import service
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas.allocation import (
    AllocationPolicy,
    Fund,
    PublishRequest,
    Run,
    RunComparison,
    RunLine,
    RunStatus,
    RunVerification,
)
from partnerfund_shared.types import Page

router = APIRouter(tags=["runs"])


@router.post(
    "/v1/fiscal-years/{fiscal_year}/runs",
    status_code=status.HTTP_201_CREATED,
    response_model=Run,
)
async def create_run(
    session: SessionDep,
    principal: WriterDep,
    fiscal_year: FiscalYearPath,
    policy: AllocationPolicy,
) -> Run:
    """Compute a draft allocation run from a policy."""
    return await service.create_run(session, principal, fiscal_year, policy)


@router.get("/v1/fiscal-years/{fiscal_year}/runs", response_model=Page[Run])
async def list_runs(
    session: SessionDep,
    _principal: ReaderDep,
    fiscal_year: FiscalYearPath,
    fund: Fund | None = None,
    run_status: Annotated[RunStatus | None, Query(alias="status")] = None,
    limit: LimitQuery = DEFAULT_PAGE_LIMIT,
    cursor: CursorQuery = None,
) -> Page[Run]:
    """List the fiscal year's runs, newest first."""
    return await service.list_runs(
        session, fiscal_year, fund=fund, status=run_status, limit=limit, cursor=cursor
    )


@router.get("/v1/runs/{run_id}", response_model=Run)
async def get_run(session: SessionDep, _principal: ReaderDep, run_id: int) -> Run:
    """Get a run with its policy, totals and exclusions."""
    return service.to_schema(await service.get_run(session, run_id))


@router.delete("/v1/runs/{run_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_run(session: SessionDep, principal: WriterDep, run_id: int) -> Response:
    """Delete a draft run; deleting a published or superseded run returns 409."""
    await service.delete_run(session, principal, run_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/v1/runs/{run_id}/lines", response_model=Page[RunLine])
async def list_run_lines(
    session: SessionDep,
    _principal: ReaderDep,
    run_id: int,
    eligible: bool | None = None,
    limit: LimitQuery = DEFAULT_PAGE_LIMIT,
    cursor: CursorQuery = None,
) -> Page[RunLine]:
    """List a run's lines, one per school, by school code."""
    return await service.list_lines(session, run_id, limit=limit, cursor=cursor, eligible=eligible)


@router.post("/v1/runs/{run_id}/publish", response_model=Run)
async def publish_run(
    session: SessionDep,
    principal: PublisherDep,
    run_id: int,
    request: Annotated[PublishRequest | None, Body()] = None,
) -> Run:
    """Publish a run; to replace the published run, name it in `supersedes` with a reason."""
    return await service.publish_run(session, principal, run_id, request or PublishRequest())


@router.get("/v1/runs/{run_id}/verify", response_model=RunVerification)
async def verify_run(session: SessionDep, _principal: ReaderDep, run_id: int) -> RunVerification:
    """Recompute a run from its stored inputs and report whether the result is identical."""
    return await service.verify_run(session, run_id)


@router.get("/v1/runs/{base_run_id}/compare/{other_run_id}", response_model=RunComparison)
async def compare_runs(
    session: SessionDep, _principal: ReaderDep, base_run_id: int, other_run_id: int
) -> RunComparison:
    """Compare two runs school by school: eligibility gained or lost and the dollar change."""
    return await service.compare_runs(session, base_run_id, other_run_id)
