"""The PartnerBPS export import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, UploadFile

from catalog_api.dependencies import CatalogWriterDep
from catalog_api.imports.service import read_upload
from catalog_api.partnerships import imports, service
from catalog_api.partnerships.export import EXPORT_COLUMNS
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas import catalog as schemas

router = APIRouter(prefix="/v1/partnerships", tags=["partnerships"])


@router.post("/import", status_code=201, response_model=schemas.ImportResult)
async def import_partnerships(
    session: SessionDep,
    principal: CatalogWriterDep,
    file: Annotated[UploadFile, File(description="PartnerBPS Partnership Overview, CSV or XLSX.")],
    columns: Annotated[
        str | None, Form(description='JSON: our field -> your header, {"rc_code": "RC"}.')
    ] = None,
    on_unmatched_school: Annotated[
        imports.UnmatchedSchoolPolicy,
        Form(description="skip: skip and list rows that match no school; reject: refuse the file."),
    ] = imports.UnmatchedSchoolPolicy.REJECT,
    school_year: Annotated[
        int | None,
        Form(ge=2000, le=2100, description="Ending year, 2026 for 2025-26; default: the current one."),
    ] = None,
) -> schemas.ImportResult:
    """Import a PartnerBPS export: organizations, programs and partnerships, all or nothing."""
    content, table = await read_upload(file, columns, EXPORT_COLUMNS)
    return await imports.import_partnerships(
        session,
        principal,
        content,
        table,
        policy=on_unmatched_school,
        school_year=school_year or imports.current_school_year(),
    )


@router.patch("/{partnership_id}", response_model=schemas.PartnershipRecord)
async def update_partnership(
    session: SessionDep,
    principal: CatalogWriterDep,
    partnership_id: Annotated[int, Path(ge=1)],
    body: schemas.PartnershipUpdate,
) -> schemas.PartnershipRecord:
    """Set a partnership's students enrolled or service capacity."""
    return await service.update_partnership(session, principal, partnership_id, body)
