"""Commitment routes: propose, approve and cancel, a school's balance, the summary and exports."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Response

from allocation_api.commitments import reports, service
from allocation_api.commitments.dependencies import (
    ApproverDep,
    CatalogDep,
    CommitmentIdPath,
    CommitmentSettingsDep,
    FiscalYearPath,
    IdempotencyKeyDep,
    ReaderDep,
    SchoolCodePath,
    WriterDep,
)
from allocation_api.commitments.repository import CommitmentFilters, list_commitments
from partnerfund_shared.db import SessionDep
from partnerfund_shared.errors import ErrorItem, InvalidInput
from partnerfund_shared.schemas.allocation import DEFAULT_FUND, Fund
from partnerfund_shared.schemas.commitments import (
    Commitment,
    CommitmentCancel,
    CommitmentCreate,
    CommitmentStatus,
    CommitmentSummary,
    SchoolBalance,
)
from partnerfund_shared.types import Page, PageLimit

router = APIRouter(prefix="/v1", tags=["commitments"])

FundQuery = Annotated[Fund, Query(description="The fund whose allocation is drawn on.")]
FormatQuery = Annotated[Literal["json", "csv", "xlsx"], Query(alias="format", description="Response format.")]


@router.post(
    "/fiscal-years/{fiscal_year}/schools/{school_code}/commitments",
    status_code=201,
    response_model=Commitment,
)
async def create_commitment(
    fiscal_year: FiscalYearPath,
    school_code: SchoolCodePath,
    body: CommitmentCreate,
    session: SessionDep,
    catalog: CatalogDep,
    settings: CommitmentSettingsDep,
    principal: WriterDep,
    response: Response,
    idempotency_key: IdempotencyKeyDep = None,
) -> Commitment:
    """Propose a commitment of a school's published allocation to a catalog program."""
    created = await service.create_commitment(
        session,
        catalog,
        fiscal_year=fiscal_year,
        school_code=school_code,
        request=body,
        principal=principal,
        idempotency_key=idempotency_key,
        requires_portfolio=settings.requires_portfolio(body.fund),
    )

    response.headers["Location"] = f"/v1/commitments/{created.commitment.id}"
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return reports.to_schema(created.commitment)


@router.get("/fiscal-years/{fiscal_year}/schools/{school_code}/balance", response_model=SchoolBalance)
async def get_school_balance(
    fiscal_year: FiscalYearPath,
    school_code: SchoolCodePath,
    session: SessionDep,
    _principal: ReaderDep,
    fund: FundQuery = DEFAULT_FUND,
) -> SchoolBalance:
    """Show a school's published allocation, what is committed of it and what remains."""
    return await reports.get_school_balance(session, fiscal_year, fund, school_code)


@router.get(
    "/fiscal-years/{fiscal_year}/commitments",
    response_model=Page[Commitment],
    responses={200: {"content": {reports.CSV_MEDIA_TYPE: {}, reports.XLSX_MEDIA_TYPE: {}}}},
)
async def list_fiscal_year_commitments(
    fiscal_year: FiscalYearPath,
    session: SessionDep,
    _principal: ReaderDep,
    fund: Annotated[Fund | None, Query()] = None,
    school_code: Annotated[str | None, Query(pattern=r"^[0-9]{4}$")] = None,
    status: Annotated[CommitmentStatus | None, Query()] = None,
    program_id: Annotated[int | None, Query(ge=1)] = None,
    organization_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[PageLimit, Query()] = 50,
    cursor: Annotated[str | None, Query()] = None,
    export_format: FormatQuery = "json",
) -> Page[Commitment] | Response:
    """List the fiscal year's commitments by id; `format=csv` or `xlsx` exports every match."""
    filters = CommitmentFilters(
        fiscal_year=fiscal_year,
        fund=fund,
        school_code=school_code,
        status=status,
        program_id=program_id,
        organization_id=organization_id,
    )

    if export_format != "json":
        everything = await list_commitments(session, filters)
        content = await reports.export_commitments(session, everything, fiscal_year, export_format)
        return _download(content, export_format, f"commitments-fy{fiscal_year}")

    rows = await list_commitments(session, filters, after_id=_parse_cursor(cursor), limit=limit + 1)
    page = rows[:limit]
    next_cursor = str(page[-1].id) if len(rows) > limit else None
    return Page[Commitment](items=[reports.to_schema(row) for row in page], next_cursor=next_cursor)


@router.get(
    "/fiscal-years/{fiscal_year}/commitments/summary",
    response_model=CommitmentSummary,
    responses={200: {"content": {reports.CSV_MEDIA_TYPE: {}, reports.XLSX_MEDIA_TYPE: {}}}},
)
async def get_commitment_summary(
    fiscal_year: FiscalYearPath,
    session: SessionDep,
    _principal: ReaderDep,
    fund: FundQuery = DEFAULT_FUND,
    export_format: FormatQuery = "json",
    by: Annotated[
        reports.SummaryGrouping,
        Query(description="The table that `format=csv` or `xlsx` exports."),
    ] = "school",
) -> CommitmentSummary | Response:
    """Total the fiscal year's commitments per school and per partner organization."""
    summary = await reports.summarise(session, fiscal_year, fund)
    if export_format == "json":
        return summary
    content = reports.export_summary(summary, by, export_format)
    return _download(content, export_format, f"commitments-fy{fiscal_year}-{fund}-by-{by}")


@router.get("/commitments/{commitment_id}", response_model=Commitment)
async def get_commitment(
    commitment_id: CommitmentIdPath, session: SessionDep, _principal: ReaderDep
) -> Commitment:
    """Show one commitment."""
    return reports.to_schema(await service.get_commitment(session, commitment_id))


@router.post("/commitments/{commitment_id}/approve", response_model=Commitment)
async def approve_commitment(
    commitment_id: CommitmentIdPath,
    session: SessionDep,
    catalog: CatalogDep,
    settings: CommitmentSettingsDep,
    principal: ApproverDep,
) -> Commitment:
    """Approve a proposed commitment after checking its program again; approving twice changes nothing."""
    commitment = await service.approve_commitment(
        session, catalog, commitment_id, principal, requires_portfolio=settings.requires_portfolio
    )
    return reports.to_schema(commitment)


@router.post("/commitments/{commitment_id}/cancel", response_model=Commitment)
async def cancel_commitment(
    commitment_id: CommitmentIdPath,
    session: SessionDep,
    principal: WriterDep,
    body: Annotated[CommitmentCancel | None, Body()] = None,
) -> Commitment:
    """Cancel a commitment and free its amount; an approved one needs `commitments:approve` too."""
    reason = body.reason if body is not None else None
    commitment = await service.cancel_commitment(session, commitment_id, principal, reason)
    return reports.to_schema(commitment)


def _parse_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit():
        raise InvalidInput(
            detail="The cursor is invalid; pass back the next_cursor of the previous page.",
            errors=[ErrorItem(message="invalid cursor", loc=("query", "cursor"))],
        )
    return int(cursor)


def _download(content: bytes, export_format: reports.ExportFormat, stem: str) -> Response:
    return Response(
        content,
        media_type=reports.media_type(export_format),
        headers={"Content-Disposition": f'attachment; filename="{stem}.{export_format}"'},
    )
