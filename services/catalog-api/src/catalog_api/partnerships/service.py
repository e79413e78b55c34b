"""Editing a partnership's counts, such as the students enrolled this year."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.audit.service import field_changes, record_change
from catalog_api.partnerships.models import Partnership
from catalog_api.schools.models import School
from partnerfund_shared.auth import Principal
from partnerfund_shared.errors import NotFound
from partnerfund_shared.schemas import catalog as schemas

_EDITABLE_FIELDS = ("students_enrolled", "service_capacity")


class PartnershipNotFound(NotFound):
    slug = "partnership-not-found"
    title = "Partnership not found"


async def update_partnership(
    session: AsyncSession,
    principal: Principal,
    partnership_id: int,
    data: schemas.PartnershipUpdate,
) -> schemas.PartnershipRecord:
    row = (
        await session.execute(
            select(Partnership, School.school_code)
            .join(School, School.id == Partnership.school_id)
            .where(Partnership.id == partnership_id)
        )
    ).first()
    if row is None:
        raise PartnershipNotFound(detail=f"No partnership has id {partnership_id}.")
    partnership, school_code = row[0], row[1]

    before = {name: getattr(partnership, name) for name in _EDITABLE_FIELDS}
    for name in _EDITABLE_FIELDS:
        if name in data.model_fields_set:
            setattr(partnership, name, getattr(data, name))
    changes = field_changes(before, {name: getattr(partnership, name) for name in _EDITABLE_FIELDS})
    if changes:
        record_change(
            session,
            principal,
            action="partnership.updated",
            entity_type="partnership",
            entity_id=partnership.id,
            changes=changes,
        )
    await session.flush()

    return schemas.PartnershipRecord(
        id=partnership.id,
        school_code=school_code,
        program_id=partnership.program_id,
        school_year=partnership.school_year,
        grades=list(partnership.grades or []),
        days=list(partnership.days or []),
        students_enrolled=partnership.students_enrolled,
        service_capacity=partnership.service_capacity,
    )
