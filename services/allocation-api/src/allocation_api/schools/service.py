"""The district's school list: import (insert new schools, update known ones) and reads."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.audit import service as audit
from allocation_api.columns import SCHOOL_COLUMNS
from allocation_api.imports import warnings_of
from allocation_api.pagination import decode_cursor, next_cursor
from allocation_api.schools import repository
from allocation_api.schools.models import School as SchoolRow
from partnerfund_shared.auth import Principal
from partnerfund_shared.db import utc_now
from partnerfund_shared.errors import NotFound
from partnerfund_shared.schemas.allocation import ImportResult, School
from partnerfund_shared.tabular import parse_columns_mapping, read_table
from partnerfund_shared.types import Page

log = logging.getLogger("allocation_api.schools")


async def import_schools(
    session: AsyncSession,
    principal: Principal,
    *,
    content: bytes,
    filename: str | None,
    columns: str | None,
) -> ImportResult:
    """Insert the file's new schools and update the others; schools absent from it are kept.

    Keeping absent schools is deliberate: score and enrollment sets and runs refer to them.
    """
    mapping = parse_columns_mapping(columns, [spec.name for spec in SCHOOL_COLUMNS])
    table = read_table(content, filename=filename, columns=SCHOOL_COLUMNS, mapping=mapping)

    now = utc_now()
    existing = await repository.find_existing_codes(
        session, [row.values["school_code"] for row in table.rows]
    )
    inserts = []
    updates = []
    for row in table.rows:
        values = row.values
        if values["school_code"] in existing:
            updates.append(
                {
                    "b_code": values["school_code"],
                    "b_name": values["school_name"],
                    "b_rc_code": values["rc_code"],
                    "b_dese_code": values["dese_code"],
                    "b_updated_at": now,
                }
            )
        else:
            inserts.append(
                {
                    "code": values["school_code"],
                    "name": values["school_name"],
                    "rc_code": values["rc_code"],
                    "dese_code": values["dese_code"],
                    "created_at": now,
                    "updated_at": now,
                }
            )
    await repository.insert_schools(session, inserts)
    await repository.update_schools(session, updates)

    entry = await audit.record(
        session,
        principal,
        "schools_imported",
        subject_type="school_list",
        subject_id=filename or "upload",
        details={
            "filename": filename,
            "rows": len(table.rows),
            "inserted": len(inserts),
            "updated": len(updates),
        },
    )
    log.info(
        "schools_imported",
        extra={"rows": len(table.rows), "inserted": len(inserts), "updated": len(updates)},
    )
    return ImportResult(id=entry.id, rows=len(table.rows), warnings=warnings_of(table))


async def get_school(session: AsyncSession, code: str) -> School:
    school = await repository.get_school(session, code)
    if school is None:
        raise NotFound(detail=f"School {code} is not in the school list.")
    return _to_schema(school)


async def list_schools(session: AsyncSession, *, limit: int, cursor: str | None) -> Page[School]:
    key = decode_cursor(cursor, [str])
    schools = await repository.list_schools(session, limit=limit, after_code=key[0] if key else None)
    return Page[School](
        items=[_to_schema(school) for school in schools[:limit]],
        next_cursor=next_cursor(schools, limit, lambda school: [school.code]),
    )


def _to_schema(school: SchoolRow) -> School:
    return School(
        school_code=school.code,
        school_name=school.name,
        rc_code=school.rc_code,
        dese_code=school.dese_code,
        updated_at=school.updated_at,
    )
