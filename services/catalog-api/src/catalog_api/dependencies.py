"""Dependency aliases shared by the catalog's routers: who may write, and who may read records."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from partnerfund_shared.auth import Principal, principal_dependency, require_scopes
from partnerfund_shared.errors import Forbidden

CatalogWriterDep = principal_dependency("catalog:write")
PortfolioDeciderDep = principal_dependency("portfolio:decide")

# Any of these scopes may read private records and the audit log.
RECORD_READER_SCOPES = ("catalog:read", "catalog:write", "portfolio:decide")


async def require_record_reader(
    principal: Annotated[Principal, Depends(require_scopes())],
) -> Principal:
    """Accept a valid key with any catalog scope; raise Forbidden for a key with none of them."""
    if not principal.scopes & set(RECORD_READER_SCOPES):
        raise Forbidden(
            detail=f"The API key needs one of the scopes {', '.join(RECORD_READER_SCOPES)}.",
            extra={"missing_scopes": list(RECORD_READER_SCOPES)},
        )
    return principal


RecordReaderDep = Annotated[Principal, Depends(require_record_reader)]
