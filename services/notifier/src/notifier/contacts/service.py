"""Contact import and preferences. Functions flush; the caller's unit of work commits."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from notifier.contacts import repository
from notifier.contacts.importing import (
    CONTACT_COLUMNS,
    ROLES_WITH_SCHOOLS,
    lenient_columns,
    role_of,
)
from notifier.contacts.models import Contact, ContactImport, ContactOptOut, ContactSchool
from partnerfund_shared.db import utc_now
from partnerfund_shared.errors import ErrorItem, ImportRejected, NotFound
from partnerfund_shared.tabular import import_rejected, read_table

log = logging.getLogger("notifier.contacts")


class ContactNotFound(NotFound):
    slug = "contact-not-found"
    title = "Contact not found"


async def import_contacts(
    session: AsyncSession,
    *,
    content: bytes,
    filename: str | None,
    mapping: Mapping[str, str] | None,
    imported_by: str,
) -> tuple[ContactImport, list[ErrorItem]]:
    """Create or update one contact per row, matched by e-mail address; all rows or none.

    A contact that is already known keeps its id and opt-outs; its name, role, schools and
    language are replaced by the file's values. A contact whose values are all the same is left
    untouched and counted as unchanged, so importing a file twice changes nothing.
    """
    try:
        table = read_table(content, filename=filename, columns=CONTACT_COLUMNS, mapping=mapping)
    except ImportRejected as rejected:
        problems = [*rejected.errors, *_row_problems(content, filename, mapping)]
        problems.sort(key=lambda item: (item.row or 0, item.column or ""))
        raise import_rejected(filename, problems) from rejected
    problems = _row_problems(content, filename, mapping)
    if problems:
        raise import_rejected(filename, problems)

    emails = [row.values["email"] for row in table.rows]
    existing = await repository.contacts_by_email(session, emails)
    created = 0
    updated = 0
    for row in table.rows:
        values = row.values
        language = values.get("language") or "en"
        codes = sorted(values.get("school_code") or [])
        contact = existing.get(values["email"])
        if contact is None:
            contact = Contact(email=values["email"], schools=[], opt_outs=[])
            session.add(contact)
            created += 1
        elif (contact.name, contact.role, contact.language, contact.school_codes) == (
            values["name"],
            values["role"],
            language,
            codes,
        ):
            continue
        else:
            contact.updated_at = utc_now()
            updated += 1
        contact.name = values["name"]
        contact.role = values["role"]
        contact.language = language
        if contact.school_codes != codes:
            contact.schools = [ContactSchool(school_code=code) for code in codes]

    record = ContactImport(
        filename=filename,
        rows=len(table.rows),
        created=created,
        updated=updated,
        imported_by=imported_by,
    )
    session.add(record)
    await session.flush()
    log.info(
        "contacts_imported",
        extra={
            "import_id": record.id,
            "rows": record.rows,
            "contacts_created": created,
            "contacts_updated": updated,
        },
    )
    return record, list(table.warnings)


def _row_problems(content: bytes, filename: str | None, mapping: Mapping[str, str] | None) -> list[ErrorItem]:
    """List rows whose role needs a school code but that give none."""
    try:
        table = read_table(content, filename=filename, columns=lenient_columns(), mapping=mapping)
    except ImportRejected:
        # The file itself is unreadable or lacks a column; the strict pass reported that.
        return []
    problems = []
    for row in table.rows:
        role = role_of(row.values.get("role") or "")
        if role in ROLES_WITH_SCHOOLS and not row.values.get("school_code"):
            problems.append(table.problem(row, "school_code", f"a {role} needs at least one school code"))
    return problems


async def get_contact(session: AsyncSession, contact_id: int) -> Contact:
    contact = await repository.get_contact(session, contact_id)
    if contact is None:
        raise ContactNotFound(detail=f"Contact {contact_id} does not exist.")
    return contact


async def set_opt_outs(session: AsyncSession, contact_id: int, categories: list[str]) -> Contact:
    """Replace the contact's opt-outs with `categories`."""
    contact = await get_contact(session, contact_id)
    wanted = sorted(set(categories))
    if contact.opted_out != wanted:
        contact.opt_outs = [ContactOptOut(category=category) for category in wanted]
        contact.updated_at = utc_now()
        await session.flush()
        log.info("contact_preferences_changed", extra={"contact_id": contact_id, "opted_out": wanted})
    return contact
