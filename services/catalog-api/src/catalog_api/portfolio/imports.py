"""The portfolio decisions import: a year's vetting statuses for many programs from one sheet.

All-or-nothing: a row naming no known program, a repeated program, a decision the program
cannot take or a bad date rejects the file with every problem listed, and nothing is stored.
Programs are matched by organization and program name folded as the PartnerBPS import folds
them, so "Readers Unite, Inc" and "readers unite inc" name the same organization. Re-importing
a file changes no membership, and every created or changed membership is audited like a PUT.
Memberships of programs the file does not name stay as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.audit.service import record_change
from catalog_api.imports.service import record_batch, warning_items
from catalog_api.organizations.models import Organization
from catalog_api.portfolio.models import PortfolioCategory, PortfolioMembership
from catalog_api.portfolio.schemas import PortfolioImportResult
from catalog_api.portfolio.service import (
    FINAL_STATUSES,
    get_or_create_category,
    get_or_create_cycle,
)
from catalog_api.programs.models import Program
from catalog_api.programs.service import PUBLIC_STATUS
from catalog_api.text import match_key
from partnerfund_shared.auth import Principal
from partnerfund_shared.db import utc_now
from partnerfund_shared.errors import ErrorItem
from partnerfund_shared.tabular import (
    CellError,
    CellValue,
    ColumnSpec,
    Row,
    Table,
    cell_text,
    import_rejected,
    parse_choice,
    parse_text,
)

# A decision date is a day in Boston, stored as the start of that day there.
DISTRICT_TIME_ZONE = ZoneInfo("America/New_York")
MEMBERSHIP_STATUSES = ("applied", "qualified", "approved", "declined")

_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(value: CellValue) -> date:
    """Parse a day: a date cell of a spreadsheet, `2027-11-20`, or `11/20/2027` (month first)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    us_date = _US_DATE.fullmatch(text)
    try:
        if us_date:
            month, day, year = (int(part) for part in us_date.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError as error:
        raise CellError("must be a date such as 2027-11-20 or 11/20/2027") from error


PORTFOLIO_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(
        "organization_name",
        parse_text,
        synonyms=("Organization", "Organization Name", "Partner", "Partner Name", "Partner Organization"),
    ),
    ColumnSpec("program_name", parse_text, synonyms=("Program", "Program Name")),
    ColumnSpec("category", parse_text, synonyms=("Category", "Portfolio Category")),
    ColumnSpec(
        "status",
        parse_choice({status: status for status in MEMBERSHIP_STATUSES}),
        synonyms=("Status", "Decision", "Portfolio Status"),
    ),
    ColumnSpec(
        "decided_on",
        parse_date,
        synonyms=("Decided On", "Decision Date", "Date Decided"),
        required=False,
        allow_blank=True,
        description="Day the program was approved or declined; the import day when blank.",
    ),
)


@dataclass(frozen=True)
class Decision:
    row: Row
    program: Program
    category: str
    status: str
    decided_on: date | None


def _program_key(organization_name: str, program_name: str) -> tuple[str, str]:
    return match_key(organization_name), match_key(program_name)


async def _load_programs(session: AsyncSession, table: Table) -> dict[tuple[str, str], Program]:
    """Load the programs the rows name, keyed by folded organization and program name."""
    keys = {_program_key(row.values["organization_name"], row.values["program_name"]) for row in table.rows}
    rows = await session.execute(
        select(Organization.name_key, Program)
        .join(Program, Program.organization_id == Organization.id)
        .where(tuple_(Organization.name_key, Program.name_key).in_(list(keys)))
    )
    return {(organization_key, program.name_key): program for organization_key, program in rows.all()}


async def _known_organizations(session: AsyncSession, table: Table) -> set[str]:
    keys = {match_key(row.values["organization_name"]) for row in table.rows}
    found = await session.scalars(select(Organization.name_key).where(Organization.name_key.in_(keys)))
    return set(found.all())


def _check_row(
    table: Table,
    row: Row,
    program: Program,
    today: date,
    problems: list[ErrorItem],
) -> bool:
    """Check one row against the PUT's rules, adding a problem and returning False if it breaks one."""
    status = row.values["status"]
    decided_on = row.values["decided_on"]
    if program.status == "archived":
        problems.append(
            table.problem(row, "program_name", "the program is archived, so it takes no portfolio decisions")
        )
        return False
    if status == "approved" and program.status != PUBLIC_STATUS:
        problems.append(
            table.problem(
                row,
                "status",
                f"the program is {program.status}; approve the program itself "
                "(POST /v1/programs/{id}/status) before approving it for the portfolio",
            )
        )
        return False
    if decided_on is not None and status not in FINAL_STATUSES:
        problems.append(
            table.problem(
                row, "decided_on", f"a {status} program has no decision date; leave decided_on blank"
            )
        )
        return False
    if decided_on is not None and decided_on > today:
        problems.append(table.problem(row, "decided_on", f"{decided_on} is in the future"))
        return False
    return True


async def _decisions(session: AsyncSession, table: Table) -> list[Decision]:
    """Match every row to its program and check it, or raise ImportRejected listing every problem."""
    programs = await _load_programs(session, table)
    organizations = await _known_organizations(session, table)
    today = datetime.now(DISTRICT_TIME_ZONE).date()

    problems: list[ErrorItem] = []
    first_rows: dict[int, int] = {}
    decisions: list[Decision] = []
    for row in table.rows:
        organization_name = row.values["organization_name"]
        key = _program_key(organization_name, row.values["program_name"])
        if key[0] not in organizations:
            problems.append(
                table.problem(
                    row,
                    "organization_name",
                    "no organization has this name; import the PartnerBPS export or create it first",
                )
            )
            continue
        program = programs.get(key)
        if program is None:
            problems.append(
                table.problem(row, "program_name", f"{organization_name} has no program with this name")
            )
            continue
        if program.id in first_rows:
            problems.append(
                table.problem(
                    row, "program_name", f"the program is already decided in row {first_rows[program.id]}"
                )
            )
            continue
        first_rows[program.id] = row.number
        if _check_row(table, row, program, today, problems):
            decisions.append(
                Decision(
                    row=row,
                    program=program,
                    category=row.values["category"],
                    status=row.values["status"],
                    decided_on=row.values["decided_on"],
                )
            )

    if problems:
        raise import_rejected(table.filename, problems)
    return decisions


def _start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=DISTRICT_TIME_ZONE)


def _decided_day(moment: datetime | None) -> date | None:
    return moment.astimezone(DISTRICT_TIME_ZONE).date() if moment is not None else None


def _decided_at(membership: PortfolioMembership, decision: Decision, previous_status: str) -> datetime | None:
    """Return when the decision was made: the file's day, else now for a newly final status."""
    if decision.status not in FINAL_STATUSES:
        return None
    if decision.decided_on is not None:
        if _decided_day(membership.decided_at) == decision.decided_on:
            return membership.decided_at
        return _start_of_day(decision.decided_on)
    if previous_status == decision.status:
        return membership.decided_at
    return utc_now()


async def import_decisions(
    session: AsyncSession,
    principal: Principal,
    fiscal_year: int,
    content: bytes,
    table: Table,
) -> PortfolioImportResult:
    """Validate every row, then create or update the year's memberships and audit each change."""
    decisions = await _decisions(session, table)

    cycle = await get_or_create_cycle(session, fiscal_year)
    categories: dict[str, PortfolioCategory] = {}
    for decision in decisions:
        key = match_key(decision.category)
        if key not in categories:
            categories[key] = await get_or_create_category(session, cycle, decision.category)
    existing = {
        membership.program_id: membership
        for membership in (
            await session.scalars(
                select(PortfolioMembership).where(
                    PortfolioMembership.cycle_id == cycle.id,
                    PortfolioMembership.program_id.in_([decision.program.id for decision in decisions]),
                )
            )
        ).all()
    }

    created = updated = unchanged = 0
    changes: list[tuple[int, dict[str, object]]] = []
    for decision in decisions:
        category = categories[match_key(decision.category)]
        membership = existing.get(decision.program.id)
        is_new = membership is None
        if membership is None:
            membership = PortfolioMembership(cycle_id=cycle.id, program_id=decision.program.id, status="")
            session.add(membership)
        previous_status = membership.status or None
        decided_at = _decided_at(membership, decision, membership.status)
        before = (membership.category_id, membership.status, membership.decided_at)
        if before == (category.id, decision.status, decided_at):
            unchanged += 1
            continue

        membership.category_id = category.id
        membership.status = decision.status
        membership.decided_at = decided_at
        if is_new:
            created += 1
        else:
            updated += 1
        changes.append(
            (
                decision.program.id,
                {
                    "fiscal_year": fiscal_year,
                    "category": category.name,
                    "status": [previous_status, decision.status],
                    "row": decision.row.number,
                },
            )
        )
    await session.flush()

    summary = {"fiscal_year": fiscal_year, "created": created, "updated": updated, "unchanged": unchanged}
    batch = await record_batch(
        session,
        principal,
        kind="portfolio",
        filename=table.filename,
        content=content,
        rows=len(table.rows),
        summary=summary,
    )
    for program_id, change in changes:
        record_change(
            session,
            principal,
            action="portfolio.decided",
            entity_type="program",
            entity_id=program_id,
            changes={**change, "import_id": batch.id},
        )
    return PortfolioImportResult(
        id=batch.id,
        rows=len(table.rows),
        warnings=warning_items(table.warnings),
        created=created,
        updated=updated,
        unchanged=unchanged,
    )
