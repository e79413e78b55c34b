"""The published allocation of a fiscal year and fund, as the budget system and exports read it."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.runs import repository as runs_repository
from allocation_api.runs.errors import PublishedAllocationNotFound
from allocation_api.runs.models import Run, RunLine
from allocation_api.runs.service import line_schema
from partnerfund_shared.schemas import allocation as schemas
from partnerfund_shared.tabular import write_csv, write_xlsx

Grouping = Literal["school", "rc_code"]
ExportFormat = Literal["json", "csv", "xlsx"]

SCHOOL_EXPORT_HEADERS = (
    "school_code",
    "school_name",
    "rc_code",
    "score",
    "enrollment",
    "eligible",
    "status",
    "weight",
    "amount",
    "per_pupil",
    "explanation",
)
RC_EXPORT_HEADERS = ("rc_code", "school_codes", "eligible_schools", "enrollment", "amount")


async def published_run(session: AsyncSession, fiscal_year: int, fund: str) -> Run:
    run = await runs_repository.published_run(session, fiscal_year, fund)
    if run is None:
        raise PublishedAllocationNotFound(
            detail=f"FY{fiscal_year} has no published {fund} allocation yet.",
        )
    return run


def entity_tag(run: Run, *parts: str) -> str:
    """Return a strong ETag for one representation of a published run.

    The content hash changes with every amount, and a supersede publishes another run, so the
    tag changes exactly when the budget system should fetch again.
    """
    material = "|".join([run.content_hash, str(run.id), *parts])
    return '"' + hashlib.sha256(material.encode()).hexdigest()[:32] + '"'


def tag_matches(if_none_match: str | None, tag: str) -> bool:
    """Apply If-None-Match with the weak comparison RFC 9110 prescribes for it."""
    if not if_none_match:
        return False
    candidates = [candidate.strip() for candidate in if_none_match.split(",")]
    return any(candidate == "*" or candidate.removeprefix("W/") == tag for candidate in candidates)


async def load_lines(session: AsyncSession, run: Run, school_code: str | None) -> list[RunLine]:
    return list(await runs_repository.list_lines(session, run.id, school_code=school_code))


def school_document(run: Run, lines: list[RunLine]) -> schemas.PublishedAllocation:
    return schemas.PublishedAllocation(
        fiscal_year=run.fiscal_year,
        fund=run.fund,
        run_id=run.id,
        content_hash=run.content_hash,
        published_at=run.published_at,
        total=sum((line.amount for line in lines), Decimal("0.00")),
        items=[line_schema(line) for line in lines],
    )


def budget_code_totals(lines: list[RunLine]) -> list[schemas.BudgetCodeTotal]:
    """Sum the lines of schools that share an RC budget code; schools without one stand alone."""
    groups: dict[str | None, list[RunLine]] = defaultdict(list)
    for line in lines:
        groups[line.rc_code].append(line)
    totals = [
        schemas.BudgetCodeTotal(
            rc_code=rc_code,
            school_codes=[line.school_code for line in group],
            eligible_schools=sum(1 for line in group if line.eligible),
            enrollment=sum(line.enrollment or 0 for line in group if line.eligible),
            amount=sum((line.amount for line in group), Decimal("0.00")),
        )
        for rc_code, group in groups.items()
    ]
    return sorted(totals, key=lambda total: (total.rc_code is None, total.rc_code or ""))


def rc_document(run: Run, lines: list[RunLine]) -> schemas.PublishedAllocationByBudgetCode:
    return schemas.PublishedAllocationByBudgetCode(
        fiscal_year=run.fiscal_year,
        fund=run.fund,
        run_id=run.id,
        content_hash=run.content_hash,
        published_at=run.published_at,
        total=sum((line.amount for line in lines), Decimal("0.00")),
        items=budget_code_totals(lines),
    )


def export_rows(lines: list[RunLine], grouping: Grouping) -> tuple[tuple[str, ...], list[list[Any]]]:
    if grouping == "rc_code":
        return RC_EXPORT_HEADERS, [
            [
                total.rc_code,
                ";".join(total.school_codes),
                total.eligible_schools,
                total.enrollment,
                total.amount,
            ]
            for total in budget_code_totals(lines)
        ]
    return SCHOOL_EXPORT_HEADERS, [
        [
            line.school_code,
            line.school_name,
            line.rc_code,
            line.score,
            line.enrollment,
            "yes" if line.eligible else "no",
            line.status,
            line.weight,
            line.amount,
            line.per_pupil,
            line.explanation,
        ]
        for line in lines
    ]


def export_file(
    run: Run, lines: list[RunLine], grouping: Grouping, export_format: Literal["csv", "xlsx"]
) -> tuple[bytes, str, str]:
    """Return the file bytes, media type and file name of a CSV or XLSX export."""
    headers, rows = export_rows(lines, grouping)
    suffix = "_by_rc_code" if grouping == "rc_code" else ""
    name = f"allocations_fy{run.fiscal_year}_{run.fund}{suffix}"
    if export_format == "csv":
        return write_csv(headers, rows), "text/csv; charset=utf-8", f"{name}.csv"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return write_xlsx(headers, rows, sheet_name=f"FY{run.fiscal_year}"), media_type, f"{name}.xlsx"
