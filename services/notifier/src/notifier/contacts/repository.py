"""Queries on contacts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from notifier.contacts.models import Contact, ContactSchool


def _with_children(statement: Select[Contact]) -> Select[Contact]:
    return statement.options(selectinload(Contact.schools), selectinload(Contact.opt_outs))


async def get_contact(session: AsyncSession, contact_id: int) -> Contact | None:
    return await session.scalar(_with_children(select(Contact).where(Contact.id == contact_id)))


async def contacts_by_email(session: AsyncSession, emails: Sequence[str]) -> dict[str, Contact]:
    found: dict[str, Contact] = {}
    # Chunks keep the IN list under SQLite's bound-parameter limit.
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        rows = await session.scalars(_with_children(select(Contact).where(Contact.email.in_(chunk))))
        found.update({contact.email: contact for contact in rows})
    return found


async def list_contacts(
    session: AsyncSession,
    *,
    after_id: int | None,
    limit: int,
    role: str | None = None,
    school_code: str | None = None,
) -> list[Contact]:
    statement = _with_children(select(Contact)).order_by(Contact.id).limit(limit)
    if after_id is not None:
        statement = statement.where(Contact.id > after_id)
    if role is not None:
        statement = statement.where(Contact.role == role)
    if school_code is not None:
        statement = statement.where(
            Contact.id.in_(select(ContactSchool.contact_id).where(ContactSchool.school_code == school_code))
        )
    return list(await session.scalars(statement))


async def audience_contacts(
    session: AsyncSession,
    *,
    roles: Sequence[str],
    school_codes: Sequence[str],
    contact_ids: Sequence[int],
) -> list[Contact]:
    """Load the contacts matching every given filter, plus the listed ids, ordered by id."""
    statement = _with_children(select(Contact)).order_by(Contact.id)
    matched: dict[int, Contact] = {}
    if roles or school_codes or not contact_ids:
        filtered = statement
        if roles:
            filtered = filtered.where(Contact.role.in_(roles))
        if school_codes:
            filtered = filtered.where(
                Contact.id.in_(
                    select(ContactSchool.contact_id).where(ContactSchool.school_code.in_(school_codes))
                )
            )
        matched.update({contact.id: contact for contact in await session.scalars(filtered)})
    if contact_ids:
        listed = statement.where(Contact.id.in_(contact_ids))
        matched.update({contact.id: contact for contact in await session.scalars(listed)})
    return [matched[contact_id] for contact_id in sorted(matched)]
