"""The district's school list: import (insert new schools, update known ones) and reads."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.audit import service as audit
from allocation_api.columns import SCHOOL_COLUMNS, SCHOOL_NAME
from allocation_api.imports import warnings_of
from allocation_api.pagination import decode_cursor, next_cursor
from allocation_api.schools import repository
from allocation_api.schools.models import School as SchoolRow
from partnerfund_shared.auth import Principal
from partnerfund_shared.db import utc_now
from partnerfund_shared.errors import ErrorItem, ImportRejected, NotFound
from partnerfund_shared.schemas.allocation import ImportResult, School
from partnerfund_shared.tabular import ColumnSpec, parse_columns_mapping, read_table
from partnerfund_shared.types import Page

log = logging.getLogger("allocation_api.schools")


async def import_schools(
    session: AsyncSession,
    principal: Principal,
    *,
    content: bytes,
    filename: str | None,
    columns: str | None,
    skip_rows_without: str | None = None,
) -> ImportResult:
    """Insert the file's new schools and update the others; schools absent from it are kept.

    Keeping absent schools is deliberate: score and enrollment sets and runs refer to them.
    """
    mapping = parse_columns_mapping(columns, [spec.name for spec in SCHOOL_COLUMNS])
    try:
        table = read_table(
            content,
            filename=filename,
            columns=SCHOOL_COLUMNS,
            mapping=mapping,
            skip_rows_without=skip_rows_without,
        )
    except ImportRejected as error:
        raise _name_schools_in_problems(error, content, filename, mapping) from None
    table.warnings = name_schools_in_items(table.warnings, content, filename, mapping)

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


def _name_schools_in_problems(
    error: ImportRejected, content: bytes, filename: str | None, mapping: dict[str, str] | None
) -> ImportRejected:
    """Add each bad row's school name to its problem, so a row without a code is recognisable."""
    problems = name_schools_in_items(list(error.errors), content, filename, mapping)
    return ImportRejected(detail=error.detail, errors=problems, extra=error.extra, headers=error.headers)


def name_schools_in_items(
    items: list[ErrorItem], content: bytes, filename: str | None, mapping: dict[str, str] | None
) -> list[ErrorItem]:
    """Add the school name of each item's row to its message, when the file has a name column.

    The file is read again for the name column alone. If even that fails, the items are
    returned as they were.
    """
    if not any(item.row is not None for item in items):
        return items
    name_column = ColumnSpec(
        name=SCHOOL_NAME.name,
        parse=SCHOOL_NAME.parse,
        synonyms=SCHOOL_NAME.synonyms,
        required=False,
        allow_blank=True,
    )
    name_mapping = {"school_name": mapping["school_name"]} if mapping and "school_name" in mapping else None
    try:
        names = read_table(content, filename=filename, columns=[name_column], mapping=name_mapping)
    except ImportRejected:
        return items
    name_by_row = {row.number: row.values["school_name"] for row in names.rows}

    named = []
    for item in items:
        name = name_by_row.get(item.row) if item.row is not None else None
        message = f"{item.message} (school name: {name})" if name else item.message
        named.append(
            ErrorItem(message=message, loc=item.loc, row=item.row, column=item.column, value=item.value)
        )
    return named


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
