"""Open-data downloads of the public catalog, as CSV or JSON."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response

from catalog_api.caching import public_response
from catalog_api.opendata import service
from partnerfund_shared.db import SessionDep
from partnerfund_shared.tabular import write_csv

router = APIRouter(prefix="/v1/open-data", tags=["open data"])

DownloadFormat = Annotated[Literal["csv", "json"], Path(description="csv or json")]


def _download(request: Request, body: bytes | list[dict[str, object]], name: str, fmt: str) -> Response:
    media_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return public_response(
        request,
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.get("/programs.{fmt}")
async def download_programs(request: Request, session: SessionDep, fmt: DownloadFormat) -> Response:
    """Download every approved program, one row each; CSV text never starts a formula."""
    records = await service.program_records(session)
    if fmt == "csv":
        body = write_csv(service.PROGRAM_COLUMNS, service.csv_rows(records, service.PROGRAM_COLUMNS))
        return _download(request, body, "catalog-programs", fmt)
    return _download(request, records, "catalog-programs", fmt)


@router.get("/partnerships.{fmt}")
async def download_partnerships(request: Request, session: SessionDep, fmt: DownloadFormat) -> Response:
    """Download every partnership of an approved program, one row per school and year."""
    records = await service.partnership_records(session)
    if fmt == "csv":
        columns = service.PARTNERSHIP_COLUMNS
        body = write_csv(columns, service.csv_rows(records, columns))
        return _download(request, body, "catalog-partnerships", fmt)
    return _download(request, records, "catalog-partnerships", fmt)
