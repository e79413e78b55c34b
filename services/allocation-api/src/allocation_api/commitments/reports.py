"""Read views of commitments: a school's balance, the fiscal year's summary and the exports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.commitments import repository
from allocation_api.commitments.errors import (
    PublishedAllocationNotFound,
    SchoolNotInAllocation,
)
from allocation_api.commitments.models import Commitment
from allocation_api.commitments.repository import ZERO, StatusTotals
from allocation_api.runs.models import Run
from allocation_api.runs.repository import published_run
from partnerfund_shared.schemas.commitments import (
    Commitment as CommitmentOut,
)
from partnerfund_shared.schemas.commitments import (
    CommitmentSummary,
    OrganizationCommitmentTotal,
    SchoolBalance,
    SchoolCommitmentTotal,
)
from partnerfund_shared.tabular.export import write_csv, write_xlsx

ExportFormat = Literal["csv", "xlsx"]
SummaryGrouping = Literal["school", "organization"]

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def get_school_balance(
    session: AsyncSession, fiscal_year: int, fund: str, school_code: str
) -> SchoolBalance:
    """Compare the school's amount in the published run with its active commitments.

    A school that the published run does not list has 0.00 allocated. It is shown only if it has
    commitments made against an earlier run, and raises `SchoolNotInAllocation` otherwise.
    """
    run = await _published_run(session, fiscal_year, fund)
    line = await repository.find_run_line(session, run.id, school_code)
    commitments = await repository.list_school_commitments(session, fiscal_year, fund, school_code)
    if line is None and not commitments:
        raise SchoolNotInAllocation(school_code, run.id)

    allocated = line.amount if line is not None else ZERO
    totals = await repository.sum_school_totals(session, fiscal_year, fund, school_code)
    return SchoolBalance(
        fiscal_year=fiscal_year,
        fund=fund,
        school_code=school_code,
        school_name=line.school_name if line is not None else None,
        run_id=run.id,
        allocated=allocated,
        committed=totals.committed,
        approved=totals.approved,
        proposed=totals.proposed,
        remaining=allocated - totals.committed,
        over_committed=totals.committed > allocated,
        commitments=[to_schema(commitment) for commitment in commitments],
    )


async def summarise(session: AsyncSession, fiscal_year: int, fund: str) -> CommitmentSummary:
    """Total the active commitments per school and per organization against the published run.

    Schools are listed when they have money allocated or commitments; a school whose
    commitments exceed its current allocation is also listed under `over_committed`.
    """
    run = await _published_run(session, fiscal_year, fund)
    lines = {line.school_code: line for line in await repository.list_run_lines(session, run.id)}
    by_school = await repository.sum_totals_by_school(session, fiscal_year, fund)
    by_organization = await repository.sum_totals_by_organization(session, fiscal_year, fund)

    school_codes = sorted({code for code, line in lines.items() if line.amount > 0} | set(by_school))
    schools = []
    for code in school_codes:
        line = lines.get(code)
        allocated = line.amount if line is not None else ZERO
        totals = by_school.get(code, StatusTotals())
        schools.append(
            SchoolCommitmentTotal(
                school_code=code,
                school_name=line.school_name if line is not None else None,
                allocated=allocated,
                committed=totals.committed,
                approved=totals.approved,
                proposed=totals.proposed,
                remaining=allocated - totals.committed,
                over_committed=totals.committed > allocated,
                commitments=totals.count,
            )
        )
    organizations = [
        OrganizationCommitmentTotal(
            organization_id=item.organization_id,
            organization_name=item.organization_name,
            committed=item.totals.committed,
            approved=item.totals.approved,
            proposed=item.totals.proposed,
            schools=item.schools,
            programs=item.programs,
            commitments=item.totals.count,
        )
        for item in sorted(by_organization, key=lambda item: (-item.totals.committed, item.organization_id))
    ]

    return CommitmentSummary(
        fiscal_year=fiscal_year,
        fund=fund,
        run_id=run.id,
        allocated=run.total,
        committed=_sum(school.committed for school in schools),
        approved=_sum(school.approved for school in schools),
        proposed=_sum(school.proposed for school in schools),
        schools=schools,
        organizations=organizations,
        over_committed=[school for school in schools if school.over_committed],
    )


def to_schema(commitment: Commitment) -> CommitmentOut:
    return CommitmentOut.model_validate(commitment, from_attributes=True)


# --- exports ------------------------------------------------------------------------------------

COMMITMENT_COLUMNS = (
    "id",
    "fiscal_year",
    "fund",
    "school_code",
    "school_name",
    "organization_id",
    "organization_name",
    "program_id",
    "program_name",
    "portfolio_category",
    "amount",
    "status",
    "expected_start_date",
    "note",
    "created_by",
    "created_at",
    "approved_by",
    "approved_at",
    "cancelled_by",
    "cancelled_at",
    "cancel_reason",
)

SCHOOL_COLUMNS = (
    "school_code",
    "school_name",
    "allocated",
    "committed",
    "approved",
    "proposed",
    "remaining",
    "over_committed",
    "commitments",
)

ORGANIZATION_COLUMNS = (
    "organization_id",
    "organization_name",
    "committed",
    "approved",
    "proposed",
    "schools",
    "programs",
    "commitments",
)


async def export_commitments(
    session: AsyncSession,
    commitments: Sequence[Commitment],
    fiscal_year: int,
    export_format: ExportFormat,
) -> bytes:
    """Write commitments as a CSV or XLSX table, with school names from the published runs."""
    names = await _school_names(session, fiscal_year, {c.fund for c in commitments})
    rows = [
        [
            commitment.id,
            commitment.fiscal_year,
            commitment.fund,
            commitment.school_code,
            names.get((commitment.fund, commitment.school_code)),
            commitment.organization_id,
            commitment.organization_name,
            commitment.program_id,
            commitment.program_name,
            commitment.portfolio_category,
            commitment.amount,
            commitment.status,
            commitment.expected_start_date,
            commitment.note,
            commitment.created_by,
            commitment.created_at,
            commitment.approved_by,
            commitment.approved_at,
            commitment.cancelled_by,
            commitment.cancelled_at,
            commitment.cancel_reason,
        ]
        for commitment in commitments
    ]
    return _write(COMMITMENT_COLUMNS, rows, export_format, f"FY{fiscal_year} commitments")


def export_summary(
    summary: CommitmentSummary, grouping: SummaryGrouping, export_format: ExportFormat
) -> bytes:
    """Write the summary's school or organization table as CSV or XLSX."""
    if grouping == "school":
        rows = [[getattr(school, column) for column in SCHOOL_COLUMNS] for school in summary.schools]
        return _write(SCHOOL_COLUMNS, rows, export_format, f"FY{summary.fiscal_year} by school")
    rows = [
        [getattr(organization, column) for column in ORGANIZATION_COLUMNS]
        for organization in summary.organizations
    ]
    return _write(ORGANIZATION_COLUMNS, rows, export_format, f"FY{summary.fiscal_year} by partner")


def media_type(export_format: ExportFormat) -> str:
    return CSV_MEDIA_TYPE if export_format == "csv" else XLSX_MEDIA_TYPE


def _write(
    headers: Sequence[str], rows: list[list[Any]], export_format: ExportFormat, sheet_name: str
) -> bytes:
    if export_format == "csv":
        return write_csv(headers, rows)
    # XLSX cells carry no time zone (openpyxl rejects aware datetimes), so times are written
    # as UTC wall-clock times, the same instants the CSV writes with their +00:00 offset.
    xlsx_rows = [[_naive_utc(value) for value in row] for row in rows]
    return write_xlsx(headers, xlsx_rows, sheet_name=sheet_name)


def _naive_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


async def _school_names(
    session: AsyncSession, fiscal_year: int, funds: set[str]
) -> dict[tuple[str, str], str]:
    names: dict[tuple[str, str], str] = {}
    for fund in sorted(funds):
        run = await published_run(session, fiscal_year, fund)
        if run is None:
            continue
        for line in await repository.list_run_lines(session, run.id):
            names[(fund, line.school_code)] = line.school_name
    return names


async def _published_run(session: AsyncSession, fiscal_year: int, fund: str) -> Run:
    run = await published_run(session, fiscal_year, fund)
    if run is None:
        raise PublishedAllocationNotFound(fiscal_year, fund)
    return run


def _sum(values: Any) -> Decimal:
    return sum(values, ZERO)
