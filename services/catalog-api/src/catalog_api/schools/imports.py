"""The school list import: the district's schools, the same layout the allocation API reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.imports.service import record_batch, warning_items
from catalog_api.schools.models import School
from catalog_api.vocabularies.repository import load_vocabulary
from catalog_api.vocabularies.terms import GradeRangeInvalid, Vocabulary
from partnerfund_shared.auth import Principal
from partnerfund_shared.errors import ErrorItem
from partnerfund_shared.schemas import catalog as schemas
from partnerfund_shared.tabular import (
    ColumnSpec,
    Table,
    import_rejected,
    parse_digit_code,
    parse_school_code,
    parse_text,
)

# The first four columns accept the allocation API's school-list layout and header synonyms.
SCHOOL_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "school_code",
        parse_school_code,
        synonyms=("School Code", "BPS Code", "BPS School Code", "School ID", "Code"),
        unique=True,
    ),
    ColumnSpec("school_name", parse_text, synonyms=("School Name", "Name", "School")),
    ColumnSpec(
        "rc_code",
        parse_text,
        synonyms=("RC Code", "RC", "Responsibility Center", "Budget Code"),
        allow_blank=True,
    ),
    ColumnSpec(
        "dese_code",
        parse_digit_code(8, "DESE code"),
        synonyms=("DESE Code", "DESE School ID", "DESE ID", "Org Code", "dese_school_id"),
        required=False,
        allow_blank=True,
    ),
    ColumnSpec(
        "neighborhood",
        parse_text,
        synonyms=("neighborhood_partnerbps", "school_neighborhood"),
        required=False,
        allow_blank=True,
    ),
    ColumnSpec("grades", parse_text, synonyms=("school_grades",), required=False, allow_blank=True),
    ColumnSpec("address", parse_text, required=False, allow_blank=True),
    ColumnSpec("hours", parse_text, synonyms=("school_hours",), required=False, allow_blank=True),
)

_PROFILE_FIELDS = ("dese_code", "neighborhood", "address", "hours")


def _school_values(table: Table, vocabulary: Vocabulary, problems: list[ErrorItem]) -> list[dict[str, Any]]:
    """Turn rows into school field values; profile fields only when the file has the column."""
    schools: list[dict[str, Any]] = []
    for row in table.rows:
        values: dict[str, Any] = {
            "school_code": row.values["school_code"],
            "name": row.values["school_name"],
            "rc_code": row.values["rc_code"],
        }
        for name in _PROFILE_FIELDS:
            if name in table.columns:
                values[name] = row.values[name]
        if "grades" in table.columns:
            label = row.values["grades"]
            try:
                grades = vocabulary.expand_grades(label)
            except GradeRangeInvalid as error:
                problems.append(table.problem(row, "grades", str(error)))
                continue
            values["grades"] = [grade.value for grade in grades]
            values["grades_label"] = label
        schools.append(values)
    return schools


async def import_schools(
    session: AsyncSession, principal: Principal, content: bytes, table: Table
) -> schemas.ImportResult:
    """Create or update each school of the file by school code; schools not in it stay."""
    vocabulary = await load_vocabulary(session)
    problems: list[ErrorItem] = []
    incoming = _school_values(table, vocabulary, problems)
    if problems:
        raise import_rejected(table.filename, problems)

    existing = {school.school_code: school for school in (await session.scalars(select(School))).all()}
    created = updated = unchanged = 0
    for values in incoming:
        school = existing.get(values["school_code"])
        if school is None:
            session.add(School(**values))
            created += 1
            continue
        differing = {name: value for name, value in values.items() if getattr(school, name) != value}
        for name, value in differing.items():
            setattr(school, name, value)
        if differing:
            updated += 1
        else:
            unchanged += 1
    await session.flush()

    summary = {"created": created, "updated": updated, "unchanged": unchanged}
    batch = await record_batch(
        session,
        principal,
        kind="schools",
        filename=table.filename,
        content=content,
        rows=len(table.rows),
        summary=summary,
    )
    return schemas.ImportResult(
        id=batch.id,
        rows=len(table.rows),
        warnings=warning_items(table.warnings),
        created=schemas.RecordCounts(schools=created),
        updated=schemas.RecordCounts(schools=updated),
        unchanged=schemas.RecordCounts(schools=unchanged),
    )
