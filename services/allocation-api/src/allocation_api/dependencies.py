"""Dependencies every router of the service shares: the caller's API key with its scopes."""

from typing import Annotated

from fastapi import Depends

from partnerfund_shared.auth import Principal, require_scopes

ReaderDep = Annotated[Principal, Depends(require_scopes("allocations:read"))]
WriterDep = Annotated[Principal, Depends(require_scopes("allocations:write"))]
PublisherDep = Annotated[Principal, Depends(require_scopes("allocations:publish"))]
