"""Need-index score sets: each import is a new immutable, numbered set of one fiscal year."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.audit import service as audit
from allocation_api.columns import NEED_INDEX_COLUMNS
from allocation_api.imports import reject_unknown_schools, warnings_of
from allocation_api.need_index import repository
from allocation_api.need_index.models import NeedIndexSet as NeedIndexSetRow
from allocation_api.pagination import decode_cursor, next_cursor
from partnerfund_shared.auth import Principal
from partnerfund_shared.errors import ErrorItem, NotFound
from partnerfund_shared.schemas.allocation import ImportResult, NeedIndexScore, NeedIndexSet
from partnerfund_shared.tabular import parse_columns_mapping, read_table
from partnerfund_shared.types import Page

log = logging.getLogger("allocation_api.need_index")

BLANK_SCORE_WARNING = (
    "blank score: stored as no score, so this school is never eligible in runs that use this set"
)


async def import_scores(
    session: AsyncSession,
    principal: Principal,
    fiscal_year: int,
    *,
    content: bytes,
    filename: str | None,
    columns: str | None,
) -> ImportResult:
    """Store the file as the fiscal year's next score set; blank scores become warnings."""
    mapping = parse_columns_mapping(columns, [spec.name for spec in NEED_INDEX_COLUMNS])
    table = read_table(content, filename=filename, columns=NEED_INDEX_COLUMNS, mapping=mapping)
    await reject_unknown_schools(session, table)

    blank_rows = [row for row in table.rows if row.values["score"] is None]
    for row in blank_rows:
        table.warnings.append(
            ErrorItem(
                message=BLANK_SCORE_WARNING,
                row=row.number,
                column=table.columns.get("score", "score"),
                value="",
            )
        )
    table.warnings.sort(key=lambda item: (item.row or 0, item.column or ""))

    score_set = await repository.add_set(
        session,
        NeedIndexSetRow(
            fiscal_year=fiscal_year,
            version=await repository.next_version(session, fiscal_year),
            filename=filename or "upload",
            rows=len(table.rows),
            scored=len(table.rows) - len(blank_rows),
            blank=len(blank_rows),
            created_by=principal.identity,
        ),
    )
    await repository.insert_scores(
        session,
        [
            {
                "set_id": score_set.id,
                "school_code": row.values["school_code"],
                "school_name": row.values["school_name"],
                "score": row.values["score"],
            }
            for row in table.rows
        ],
    )

    await audit.record(
        session,
        principal,
        "need_index_imported",
        subject_type="need_index_set",
        subject_id=score_set.id,
        fiscal_year=fiscal_year,
        details={
            "version": score_set.version,
            "filename": score_set.filename,
            "rows": score_set.rows,
            "blank": score_set.blank,
        },
    )
    log.info(
        "need_index_imported",
        extra={"set_id": score_set.id, "fiscal_year": fiscal_year, "rows": score_set.rows},
    )
    return ImportResult(id=score_set.id, rows=score_set.rows, warnings=warnings_of(table))


async def get_set(session: AsyncSession, set_id: int) -> NeedIndexSetRow:
    score_set = await repository.get_set(session, set_id)
    if score_set is None:
        raise NotFound(detail=f"Need-index set {set_id} does not exist.")
    return score_set


async def get_set_schema(session: AsyncSession, set_id: int) -> NeedIndexSet:
    return NeedIndexSet.model_validate(await get_set(session, set_id), from_attributes=True)


async def list_sets(
    session: AsyncSession, fiscal_year: int, *, limit: int, cursor: str | None
) -> Page[NeedIndexSet]:
    key = decode_cursor(cursor, [int])
    sets = await repository.list_sets(
        session, fiscal_year, limit=limit, before_version=key[0] if key else None
    )
    return Page[NeedIndexSet](
        items=[NeedIndexSet.model_validate(item, from_attributes=True) for item in sets[:limit]],
        next_cursor=next_cursor(sets, limit, lambda item: [item.version]),
    )


async def list_scores(
    session: AsyncSession, set_id: int, *, limit: int, cursor: str | None
) -> Page[NeedIndexScore]:
    await get_set(session, set_id)
    key = decode_cursor(cursor, [str])
    scores = await repository.list_scores(session, set_id, limit=limit, after_code=key[0] if key else None)
    return Page[NeedIndexScore](
        items=[NeedIndexScore.model_validate(item, from_attributes=True) for item in scores[:limit]],
        next_cursor=next_cursor(scores, limit, lambda item: [item.school_code]),
    )
