"""Request dependencies of the commitment routes: the catalog client, settings, keys, scopes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Request

from allocation_api.commitments.catalog_client import CATALOG_CLIENT_STATE, CatalogClient
from allocation_api.settings import CommitmentSettings
from partnerfund_shared.auth import principal_dependency
from partnerfund_shared.types import SCHOOL_CODE_PATTERN

MAX_IDEMPOTENCY_KEY_LENGTH = 200


async def get_commitment_settings(request: Request) -> CommitmentSettings:
    settings: CommitmentSettings = request.app.state.settings.commitments
    return settings


CommitmentSettingsDep = Annotated[CommitmentSettings, Depends(get_commitment_settings)]


async def get_catalog_client(request: Request, settings: CommitmentSettingsDep) -> CatalogClient:
    http = getattr(request.app.state, CATALOG_CLIENT_STATE, None)
    if http is None:
        raise RuntimeError("the catalog client is opened in lifespan; the app was not started")
    return CatalogClient(http, retry_after=settings.catalog_retry_after)


CatalogDep = Annotated[CatalogClient, Depends(get_catalog_client)]

IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
        description="Client-chosen key. A retry with the same key and body returns the "
        "commitment the first request created, in its current status, instead of creating a "
        "second one; the same key with another body is a 409. Only created commitments are "
        "remembered, so a retry of a rejected request is checked again.",
    ),
]

SchoolCodePath = Annotated[str, Path(pattern=SCHOOL_CODE_PATTERN, description="BPS four-digit school code.")]
FiscalYearPath = Annotated[
    int, Path(ge=2000, le=2100, description="Fiscal year ending in June of that year.")
]
CommitmentIdPath = Annotated[int, Path(ge=1)]

WriterDep = principal_dependency("commitments:write")
ApproverDep = principal_dependency("commitments:approve")
ReaderDep = principal_dependency("allocations:read")
