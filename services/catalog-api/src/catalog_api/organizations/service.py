"""Creating and editing partner organizations, and their public page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.audit.service import field_changes, record_change
from catalog_api.organizations.models import Organization
from catalog_api.programs import repository as programs_repository
from catalog_api.programs.models import Program
from catalog_api.programs.service import PUBLIC_STATUS, build_search_text
from catalog_api.text import match_key
from partnerfund_shared.auth import Principal
from partnerfund_shared.errors import Conflict, NotFound
from partnerfund_shared.schemas import catalog as schemas

_EDITABLE_FIELDS = (
    "website",
    "description",
    "nonprofit_status",
    "contact_name",
    "contact_email",
    "contact_phone",
    "staff_email",
    "internal_note",
)


class OrganizationNotFound(NotFound):
    slug = "organization-not-found"
    title = "Organization not found"


class OrganizationAlreadyExists(Conflict):
    slug = "organization-already-exists"
    title = "Organization already exists"


def _snapshot(organization: Organization) -> dict[str, Any]:
    return {
        "name": organization.name,
        **{name: getattr(organization, name) for name in _EDITABLE_FIELDS},
    }


async def _require_unique_name(session: AsyncSession, name: str, organization_id: int | None = None) -> None:
    existing = await session.scalar(select(Organization.id).where(Organization.name_key == match_key(name)))
    if existing is not None and existing != organization_id:
        raise OrganizationAlreadyExists(
            detail=f"An organization named '{name}' already exists (id {existing}).",
            extra={"organization_id": existing},
        )


async def create_organization(
    session: AsyncSession, principal: Principal, data: schemas.OrganizationCreate
) -> Organization:
    await _require_unique_name(session, data.name)
    organization = Organization(name=data.name, name_key=match_key(data.name))
    for name in _EDITABLE_FIELDS:
        value = getattr(data, name)
        if value is not None:
            setattr(organization, name, value)
    session.add(organization)
    await session.flush()
    record_change(
        session,
        principal,
        action="organization.created",
        entity_type="organization",
        entity_id=organization.id,
        changes=field_changes({}, _snapshot(organization)),
    )
    return organization


async def update_organization(
    session: AsyncSession,
    principal: Principal,
    organization_id: int,
    data: schemas.OrganizationUpdate,
) -> Organization:
    """Apply the fields present in `data`; a new name also refreshes its programs' search text."""
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise OrganizationNotFound(detail=f"No organization has id {organization_id}.")
    before = _snapshot(organization)
    present = data.model_fields_set

    renamed = "name" in present and data.name is not None and data.name != organization.name
    if renamed and data.name is not None:
        await _require_unique_name(session, data.name, organization.id)
        organization.name = data.name
        organization.name_key = match_key(data.name)
    for name in _EDITABLE_FIELDS:
        if name in present:
            value = getattr(data, name)
            if name == "nonprofit_status" and value is None:
                value = "unknown"
            setattr(organization, name, value)
    if renamed:
        await _refresh_program_search_text(session, organization)

    changes = field_changes(before, _snapshot(organization))
    if changes:
        record_change(
            session,
            principal,
            action="organization.updated",
            entity_type="organization",
            entity_id=organization.id,
            changes=changes,
        )
    await session.flush()
    return organization


async def _refresh_program_search_text(session: AsyncSession, organization: Organization) -> None:
    programs = (
        await session.scalars(select(Program).where(Program.organization_id == organization.id))
    ).all()
    labels = await programs_repository.load_program_labels(session, [program.id for program in programs])
    for program in programs:
        program.search_text = build_search_text(
            program.name, organization.name, program.description, labels[program.id]
        )


async def _approved_programs(session: AsyncSession, organization_id: int) -> list[schemas.ProgramRef]:
    rows = await session.execute(
        select(Program.id, Program.name)
        .where(Program.organization_id == organization_id, Program.status == PUBLIC_STATUS)
        .order_by(Program.sort_name, Program.id)
    )
    return [schemas.ProgramRef(id=program_id, name=name) for program_id, name in rows]


def _public_fields(organization: Organization) -> dict[str, Any]:
    return {
        "id": organization.id,
        "name": organization.name,
        "website": organization.website,
        "description": organization.description,
        "nonprofit_status": organization.nonprofit_status,
        "contact_name": organization.contact_name,
        "contact_email": organization.contact_email,
        "contact_phone": organization.contact_phone,
    }


async def public_organization(session: AsyncSession, organization_id: int) -> schemas.Organization:
    """Build the public page of an organization with at least one approved program."""
    organization = await session.get(Organization, organization_id)
    programs = await _approved_programs(session, organization_id) if organization else []
    if organization is None or not programs:
        raise OrganizationNotFound(detail=f"No public organization has id {organization_id}.")
    return schemas.Organization(**_public_fields(organization), programs=programs)


async def organization_record(session: AsyncSession, organization_id: int) -> schemas.OrganizationRecord:
    organization = await session.get(Organization, organization_id)
    if organization is None:
        raise OrganizationNotFound(detail=f"No organization has id {organization_id}.")
    return schemas.OrganizationRecord(
        **_public_fields(organization),
        programs=await _approved_programs(session, organization_id),
        staff_email=organization.staff_email,
        internal_note=organization.internal_note,
        created_at=organization.created_at,
        updated_at=organization.updated_at,
    )
