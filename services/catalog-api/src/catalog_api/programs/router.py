"""Program endpoints: public search and pages, and writes for API-key holders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from catalog_api.dependencies import CatalogWriterDep, RecordReaderDep, ResponseCacheDep, read_only
from catalog_api.programs import search, service
from catalog_api.programs.dependencies import ProgramSearchDep
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas import catalog as schemas

router = APIRouter(prefix="/v1/programs", tags=["programs"])

ProgramId = Annotated[int, Path(ge=1)]


@router.get("", response_model=schemas.ProgramSearchPage)
async def search_programs(
    request: Request, session: SessionDep, cache: ResponseCacheDep, params: ProgramSearchDep
) -> Response:
    """Search approved programs by words and filters, with facet counts."""

    async def build() -> dict[str, object]:
        return await search.search_programs(await read_only(session), params)

    return await cache.respond(request, build)


@router.get("/{program_id}", response_model=schemas.Program)
async def get_program(
    request: Request, session: SessionDep, cache: ResponseCacheDep, program_id: ProgramId
) -> Response:
    """Show an approved program with its schools and portfolio approvals."""
    return await cache.respond(request, lambda: service.public_program(session, program_id))


@router.get("/{program_id}/record", response_model=schemas.ProgramRecord)
async def get_program_record(
    session: SessionDep, principal: RecordReaderDep, program_id: ProgramId
) -> schemas.ProgramRecord:
    """Show a program in any status, with its private fields."""
    return await service.program_record(session, program_id)


@router.post("", status_code=201, response_model=schemas.ProgramRecord)
async def create_program(
    session: SessionDep, principal: CatalogWriterDep, body: schemas.ProgramCreate
) -> schemas.ProgramRecord:
    """Create a draft program of an organization."""
    program = await service.create_program(session, principal, body)
    return await service.program_record(session, program.id)


@router.patch("/{program_id}", response_model=schemas.ProgramRecord)
async def update_program(
    session: SessionDep,
    principal: CatalogWriterDep,
    program_id: ProgramId,
    body: schemas.ProgramUpdate,
) -> schemas.ProgramRecord:
    """Change a program's fields; omitted fields keep their value."""
    await service.update_program(session, principal, program_id, body)
    return await service.program_record(session, program_id)


@router.post("/{program_id}/status", response_model=schemas.ProgramRecord)
async def change_program_status(
    session: SessionDep,
    principal: CatalogWriterDep,
    program_id: ProgramId,
    body: schemas.ProgramStatusChange,
) -> schemas.ProgramRecord:
    """Move a program to its next status: draft → submitted → approved → archived."""
    await service.change_status(session, principal, program_id, body.status)
    return await service.program_record(session, program_id)
