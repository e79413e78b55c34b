"""Enrollment sets: each import is a new immutable, numbered set of one fiscal year."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.audit import service as audit
from allocation_api.columns import ENROLLMENT_COLUMNS
from allocation_api.enrollment import repository
from allocation_api.enrollment.models import EnrollmentSet as EnrollmentSetRow
from allocation_api.imports import reject_unknown_schools, warnings_of
from allocation_api.pagination import decode_cursor, next_cursor
from allocation_api.schools.service import name_schools_in_items
from partnerfund_shared.auth import Principal
from partnerfund_shared.errors import NotFound
from partnerfund_shared.schemas.allocation import EnrollmentRecord, EnrollmentSet, ImportResult
from partnerfund_shared.tabular import parse_columns_mapping, read_table
from partnerfund_shared.types import Page

log = logging.getLogger("allocation_api.enrollment")


async def import_enrollment(
    session: AsyncSession,
    principal: Principal,
    fiscal_year: int,
    *,
    content: bytes,
    filename: str | None,
    columns: str | None,
    skip_rows_without: str | None = None,
) -> ImportResult:
    """Store the file as the fiscal year's next enrollment set."""
    mapping = parse_columns_mapping(columns, [spec.name for spec in ENROLLMENT_COLUMNS])
    table = read_table(
        content,
        filename=filename,
        columns=ENROLLMENT_COLUMNS,
        mapping=mapping,
        skip_rows_without=skip_rows_without,
    )
    table.warnings = name_schools_in_items(table.warnings, content, filename, mapping)
    await reject_unknown_schools(session, table)

    enrollment_set = await repository.add_set(
        session,
        EnrollmentSetRow(
            fiscal_year=fiscal_year,
            version=await repository.next_version(session, fiscal_year),
            filename=filename or "upload",
            rows=len(table.rows),
            total_enrollment=sum(row.values["enrollment"] for row in table.rows),
            created_by=principal.identity,
        ),
    )
    await repository.insert_counts(
        session,
        [
            {
                "set_id": enrollment_set.id,
                "school_code": row.values["school_code"],
                "enrollment": row.values["enrollment"],
            }
            for row in table.rows
        ],
    )

    await audit.record(
        session,
        principal,
        "enrollment_imported",
        subject_type="enrollment_set",
        subject_id=enrollment_set.id,
        fiscal_year=fiscal_year,
        details={
            "version": enrollment_set.version,
            "filename": enrollment_set.filename,
            "rows": enrollment_set.rows,
            "total_enrollment": enrollment_set.total_enrollment,
        },
    )
    log.info(
        "enrollment_imported",
        extra={"set_id": enrollment_set.id, "fiscal_year": fiscal_year, "rows": enrollment_set.rows},
    )
    return ImportResult(id=enrollment_set.id, rows=enrollment_set.rows, warnings=warnings_of(table))


async def get_set(session: AsyncSession, set_id: int) -> EnrollmentSetRow:
    enrollment_set = await repository.get_set(session, set_id)
    if enrollment_set is None:
        raise NotFound(detail=f"Enrollment set {set_id} does not exist.")
    return enrollment_set


async def get_set_schema(session: AsyncSession, set_id: int) -> EnrollmentSet:
    return EnrollmentSet.model_validate(await get_set(session, set_id), from_attributes=True)


async def list_sets(
    session: AsyncSession, fiscal_year: int, *, limit: int, cursor: str | None
) -> Page[EnrollmentSet]:
    key = decode_cursor(cursor, [int])
    sets = await repository.list_sets(
        session, fiscal_year, limit=limit, before_version=key[0] if key else None
    )
    return Page[EnrollmentSet](
        items=[EnrollmentSet.model_validate(item, from_attributes=True) for item in sets[:limit]],
        next_cursor=next_cursor(sets, limit, lambda item: [item.version]),
    )


async def list_counts(
    session: AsyncSession, set_id: int, *, limit: int, cursor: str | None
) -> Page[EnrollmentRecord]:
    await get_set(session, set_id)
    key = decode_cursor(cursor, [str])
    counts = await repository.list_counts(session, set_id, limit=limit, after_code=key[0] if key else None)
    return Page[EnrollmentRecord](
        items=[EnrollmentRecord.model_validate(item, from_attributes=True) for item in counts[:limit]],
        next_cursor=next_cursor(counts, limit, lambda item: [item.school_code]),
    )
