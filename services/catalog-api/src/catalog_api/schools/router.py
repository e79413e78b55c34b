"""School endpoints: public pages and the school list import."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from sqlalchemy import select

from catalog_api.dependencies import CatalogWriterDep, ResponseCacheDep, read_only
from catalog_api.imports.service import read_upload
from catalog_api.pagination import decode_cursor, encode_cursor
from catalog_api.schools import imports, service
from catalog_api.schools.models import School
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas import catalog as schemas
from partnerfund_shared.tabular.forms import MissingSchoolCodeForm, skipped_field
from partnerfund_shared.types import MAX_PAGE_LIMIT, SCHOOL_CODE_PATTERN, Page

router = APIRouter(prefix="/v1/schools", tags=["schools"])

SchoolCodePath = Annotated[str, Path(pattern=SCHOOL_CODE_PATTERN, examples=["4560"])]


@router.get("", response_model=Page[schemas.SchoolProfile])
async def list_schools(
    request: Request,
    session: SessionDep,
    cache: ResponseCacheDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = 100,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """List school profiles in school-code order."""

    async def build() -> Page[schemas.SchoolProfile]:
        query = select(School).order_by(School.school_code).limit(limit + 1)
        if cursor:
            (after,) = decode_cursor(cursor, (str,))
            query = query.where(School.school_code > after)
        schools = list((await session.scalars(query)).all())
        next_cursor = encode_cursor(schools[limit - 1].school_code) if len(schools) > limit else None
        return Page[schemas.SchoolProfile](
            items=[service.profile_of(school) for school in schools[:limit]], next_cursor=next_cursor
        )

    return await cache.respond(request, build)


@router.get("/{school_code}", response_model=schemas.SchoolPage)
async def get_school(
    request: Request,
    session: SessionDep,
    cache: ResponseCacheDep,
    school_code: SchoolCodePath,
    school_year: Annotated[
        int | None, Query(ge=2000, le=2100, description="Ending year: 2026 is 2025-26.")
    ] = None,
) -> Response:
    """Show a school's profile and its partnerships grouped by program area."""

    async def build() -> object:
        return await service.school_page(await read_only(session), school_code, school_year)

    return await cache.respond(request, build)


@router.post("/import", status_code=201, response_model=schemas.ImportResult)
async def import_schools(
    session: SessionDep,
    principal: CatalogWriterDep,
    file: Annotated[UploadFile, File(description="CSV or XLSX school list.")],
    columns: Annotated[
        str | None, Form(description='JSON: our field -> your header, {"school_code": "Code"}.')
    ] = None,
    on_missing_school_code: MissingSchoolCodeForm = "reject",
) -> schemas.ImportResult:
    """Import the district's school list: create new schools and update changed ones."""
    skip_field = skipped_field(on_missing_school_code)
    content, table = await read_upload(file, columns, imports.SCHOOL_COLUMNS, skip_rows_without=skip_field)
    return await imports.import_schools(session, principal, content, table)
