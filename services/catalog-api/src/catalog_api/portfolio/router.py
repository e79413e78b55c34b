"""Opportunity Portfolio endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile

from catalog_api.caching import public_response
from catalog_api.dependencies import PortfolioDeciderDep, ResponseCacheDep
from catalog_api.imports.service import read_upload
from catalog_api.portfolio import imports, service
from catalog_api.portfolio.schemas import PortfolioImportResult
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas import catalog as schemas
from partnerfund_shared.types import FiscalYear

router = APIRouter(prefix="/v1/portfolio", tags=["portfolio"])

FiscalYearPath = Annotated[int, Path(ge=2000, le=2100, description="2028 is FY28.")]
ProgramId = Annotated[int, Path(ge=1)]


@router.get("", response_model=schemas.Portfolio)
async def get_portfolio(
    request: Request,
    session: SessionDep,
    cache: ResponseCacheDep,
    fiscal_year: Annotated[FiscalYear, Query()],
) -> Response:
    """List a fiscal year's approved portfolio programs by category."""
    return await cache.respond(request, lambda: service.public_portfolio(session, fiscal_year))


@router.get("/{fiscal_year}/programs/{program_id}", response_model=schemas.PortfolioCheck)
async def check_portfolio_program(
    request: Request, session: SessionDep, fiscal_year: FiscalYearPath, program_id: ProgramId
) -> Response:
    """Tell whether a program exists, is approved and is in the fiscal year's portfolio."""
    # Never served from the response cache, because the allocation service checks purchases
    # against this result.
    check = await service.check_program(session, fiscal_year, program_id)
    return public_response(request, check, revalidate=True)


@router.put("/{fiscal_year}/programs/{program_id}", response_model=schemas.PortfolioMembership)
async def decide_portfolio_program(
    response: Response,
    session: SessionDep,
    principal: PortfolioDeciderDep,
    fiscal_year: FiscalYearPath,
    program_id: ProgramId,
    body: schemas.PortfolioDecision,
) -> schemas.PortfolioMembership:
    """Set a program's category and vetting status in a fiscal year's portfolio."""
    membership, created = await service.decide(session, principal, fiscal_year, program_id, body)
    response.status_code = 201 if created else 200
    return membership


@router.post("/{fiscal_year}/import", status_code=201, response_model=PortfolioImportResult)
async def import_portfolio_decisions(
    session: SessionDep,
    principal: PortfolioDeciderDep,
    fiscal_year: FiscalYearPath,
    file: Annotated[UploadFile, File(description="Portfolio decisions, CSV or XLSX.")],
    columns: Annotated[
        str | None, Form(description='JSON: our field -> your header, {"program_name": "Program"}.')
    ] = None,
) -> PortfolioImportResult:
    """Import a year's portfolio decisions by organization and program name, all or nothing."""
    content, table = await read_upload(file, columns, imports.PORTFOLIO_COLUMNS)
    return await imports.import_decisions(session, principal, fiscal_year, content, table)
