"""Open-data downloads of the public catalog, as CSV or JSON."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response

from catalog_api.dependencies import ResponseCacheDep
from catalog_api.opendata import service
from catalog_api.public_cache.service import ResponseCache
from partnerfund_shared.db import SessionDep
from partnerfund_shared.tabular import write_csv

router = APIRouter(prefix="/v1/open-data", tags=["open data"])

DownloadFormat = Annotated[Literal["csv", "json"], Path(description="csv or json")]


async def _download(
    request: Request,
    cache: ResponseCache,
    load: Callable[[], Awaitable[list[dict[str, Any]]]],
    columns: list[str],
    name: str,
    fmt: str,
) -> Response:
    async def build() -> bytes | list[dict[str, Any]]:
        records = await load()
        return write_csv(columns, service.csv_rows(records, columns)) if fmt == "csv" else records

    return await cache.respond(
        request,
        build,
        media_type="text/csv; charset=utf-8" if fmt == "csv" else "application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@router.get("/programs.{fmt}")
async def download_programs(
    request: Request, session: SessionDep, cache: ResponseCacheDep, fmt: DownloadFormat
) -> Response:
    """Download every approved program, one row each; CSV text never starts a formula."""
    return await _download(
        request,
        cache,
        lambda: service.program_records(session),
        service.PROGRAM_COLUMNS,
        "catalog-programs",
        fmt,
    )


@router.get("/partnerships.{fmt}")
async def download_partnerships(
    request: Request, session: SessionDep, cache: ResponseCacheDep, fmt: DownloadFormat
) -> Response:
    """Download every partnership of an approved program, one row per school and year."""
    return await _download(
        request,
        cache,
        lambda: service.partnership_records(session),
        service.PARTNERSHIP_COLUMNS,
        "catalog-partnerships",
        fmt,
    )
