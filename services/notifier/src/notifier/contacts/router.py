"""Contact import, listing and preferences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from notifier.contacts import repository, service
from notifier.contacts.dependencies import ContactsWriter, NotificationsReader
from notifier.contacts.importing import CONTACT_COLUMNS
from notifier.contacts.models import Contact
from notifier.pagination import decode_cursor, encode_cursor
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas.notifier import (
    ContactImportResult,
    ContactOut,
    ContactRole,
    ImportWarningOut,
    PreferencesUpdate,
)
from partnerfund_shared.tabular import parse_columns_mapping
from partnerfund_shared.types import Page, PageLimit, SchoolCode

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])


def contact_out(contact: Contact) -> ContactOut:
    return ContactOut.model_validate(
        {
            "id": contact.id,
            "name": contact.name,
            "email": contact.email,
            "role": contact.role,
            "school_codes": contact.school_codes,
            "language": contact.language,
            "opted_out": contact.opted_out,
            "created_at": contact.created_at,
            "updated_at": contact.updated_at,
        }
    )


@router.post("/import", status_code=201, response_model=ContactImportResult)
async def import_contacts(
    session: SessionDep,
    principal: ContactsWriter,
    file: Annotated[UploadFile, File(description="CSV or XLSX with name, email, role, school_code.")],
    columns: Annotated[str | None, Form(description="JSON object: field name -> file header.")] = None,
) -> ContactImportResult:
    """Create or update contacts from a CSV or XLSX file; one bad row rejects the whole file."""
    mapping = parse_columns_mapping(columns, [spec.name for spec in CONTACT_COLUMNS])
    content = await file.read()
    record, warnings = await service.import_contacts(
        session,
        content=content,
        filename=file.filename,
        mapping=mapping,
        imported_by=principal.name,
    )
    return ContactImportResult(
        id=record.id,
        rows=record.rows,
        created=record.created,
        updated=record.updated,
        unchanged=record.rows - record.created - record.updated,
        warnings=[
            ImportWarningOut(row=item.row, column=item.column, value=item.value, message=item.message)
            for item in warnings
        ],
    )


@router.get("", response_model=Page[ContactOut])
async def list_contacts(
    session: SessionDep,
    _principal: NotificationsReader,
    role: ContactRole | None = None,
    school_code: Annotated[SchoolCode | None, Query()] = None,
    limit: Annotated[PageLimit, Query()] = 50,
    cursor: str | None = None,
) -> Page[ContactOut]:
    """List contacts by id, optionally only one role or the contacts of one school."""
    contacts = await repository.list_contacts(
        session,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
        role=role,
        school_code=school_code,
    )
    page = contacts[:limit]
    next_cursor = encode_cursor(page[-1].id) if len(contacts) > limit else None
    return Page[ContactOut](items=[contact_out(contact) for contact in page], next_cursor=next_cursor)


@router.get("/{contact_id}", response_model=ContactOut)
async def get_contact(session: SessionDep, _principal: NotificationsReader, contact_id: int) -> ContactOut:
    """Return one contact with its schools and opt-outs."""
    return contact_out(await service.get_contact(session, contact_id))


@router.put("/{contact_id}/preferences", response_model=ContactOut)
async def set_preferences(
    session: SessionDep,
    _principal: ContactsWriter,
    contact_id: int,
    preferences: PreferencesUpdate,
) -> ContactOut:
    """Replace the categories of notices the contact opted out of; critical notices still arrive."""
    contact = await service.set_opt_outs(session, contact_id, list(preferences.opted_out))
    return contact_out(contact)
