"""Organization endpoints: the public page and writes for API-key holders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from catalog_api.dependencies import CatalogWriterDep, RecordReaderDep, ResponseCacheDep
from catalog_api.organizations import service
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas import catalog as schemas

router = APIRouter(prefix="/v1/organizations", tags=["organizations"])

OrganizationId = Annotated[int, Path(ge=1)]


@router.get("/{organization_id}", response_model=schemas.Organization)
async def get_organization(
    request: Request, session: SessionDep, cache: ResponseCacheDep, organization_id: OrganizationId
) -> Response:
    """Show a partner organization and its approved programs."""
    return await cache.respond(request, lambda: service.public_organization(session, organization_id))


@router.get("/{organization_id}/record", response_model=schemas.OrganizationRecord)
async def get_organization_record(
    session: SessionDep, principal: RecordReaderDep, organization_id: OrganizationId
) -> schemas.OrganizationRecord:
    """Show an organization with its private fields."""
    return await service.organization_record(session, organization_id)


@router.post("", status_code=201, response_model=schemas.OrganizationRecord)
async def create_organization(
    session: SessionDep, principal: CatalogWriterDep, body: schemas.OrganizationCreate
) -> schemas.OrganizationRecord:
    """Create a partner organization."""
    organization = await service.create_organization(session, principal, body)
    return await service.organization_record(session, organization.id)


@router.patch("/{organization_id}", response_model=schemas.OrganizationRecord)
async def update_organization(
    session: SessionDep,
    principal: CatalogWriterDep,
    organization_id: OrganizationId,
    body: schemas.OrganizationUpdate,
) -> schemas.OrganizationRecord:
    """Change an organization's fields; omitted fields keep their value."""
    await service.update_organization(session, principal, organization_id, body)
    return await service.organization_record(session, organization_id)
