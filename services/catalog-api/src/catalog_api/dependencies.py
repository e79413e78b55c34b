"""Dependency aliases shared by the catalog's routers: who may write, and who may read records."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from catalog_api.public_cache.service import ResponseCache, get_response_cache
from partnerfund_shared.auth import Principal, principal_dependency, require_scopes
from partnerfund_shared.db import is_sqlite
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


async def read_only(session: AsyncSession) -> AsyncSession:
    """Run the session's statements in autocommit mode, which skips BEGIN and COMMIT round trips.

    For read-only requests only. Each statement at READ COMMITTED already reads its own snapshot,
    so autocommit changes no result. A session bound to one connection, as in tests, is kept.
    """
    if isinstance(session.bind, AsyncEngine) and not is_sqlite(session):
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session


ResponseCacheDep = Annotated[ResponseCache, Depends(get_response_cache)]
