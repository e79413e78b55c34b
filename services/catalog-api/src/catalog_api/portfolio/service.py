"""Portfolio decisions, the public menu of a fiscal year, and the check the allocation API makes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.audit.service import record_change
from catalog_api.organizations.models import Organization
from catalog_api.portfolio.models import PortfolioCategory, PortfolioCycle, PortfolioMembership
from catalog_api.programs import repository as programs_repository
from catalog_api.programs.models import Program
from catalog_api.programs.service import PUBLIC_STATUS, ProgramNotFound, summaries_of
from catalog_api.text import match_key
from partnerfund_shared.auth import Principal
from partnerfund_shared.db import utc_now
from partnerfund_shared.errors import Conflict
from partnerfund_shared.schemas import catalog as schemas

# Statuses that end vetting; `decided_at` records when one was reached.
FINAL_STATUSES = {"approved", "declined"}


class PortfolioDecisionConflict(Conflict):
    slug = "portfolio-decision-conflict"
    title = "Portfolio decision not allowed"


async def get_or_create_cycle(session: AsyncSession, fiscal_year: int) -> PortfolioCycle:
    cycle = await session.scalar(select(PortfolioCycle).where(PortfolioCycle.fiscal_year == fiscal_year))
    if cycle is None:
        cycle = PortfolioCycle(fiscal_year=fiscal_year)
        session.add(cycle)
        await session.flush()
    return cycle


async def get_or_create_category(
    session: AsyncSession, cycle: PortfolioCycle, name: str
) -> PortfolioCategory:
    key = match_key(name)
    category = await session.scalar(
        select(PortfolioCategory).where(PortfolioCategory.cycle_id == cycle.id, PortfolioCategory.key == key)
    )
    if category is None:
        category = PortfolioCategory(cycle_id=cycle.id, name=name, key=key)
        session.add(category)
        await session.flush()
    return category


def _membership_out(
    fiscal_year: int, category: PortfolioCategory, membership: PortfolioMembership
) -> schemas.PortfolioMembership:
    return schemas.PortfolioMembership(
        fiscal_year=fiscal_year,
        program_id=membership.program_id,
        category=category.name,
        status=membership.status,
        decided_at=membership.decided_at,
        updated_at=membership.updated_at,
    )


async def decide(
    session: AsyncSession,
    principal: Principal,
    fiscal_year: int,
    program_id: int,
    decision: schemas.PortfolioDecision,
) -> tuple[schemas.PortfolioMembership, bool]:
    """Record a program's vetting status in a year's portfolio; return it and whether it is new.

    The cycle and the category are created on first use; a category is matched by its folded
    name. Approving needs an approved program, and archived programs take no decisions.
    """
    program = await programs_repository.get_program(session, program_id)
    if program is None:
        raise ProgramNotFound(detail=f"No program has id {program_id}.")
    if program.status == "archived":
        raise PortfolioDecisionConflict(
            detail=f"Program {program_id} is archived, so it takes no portfolio decisions.",
            extra={"program_status": program.status},
        )
    if decision.status == "approved" and program.status != PUBLIC_STATUS:
        raise PortfolioDecisionConflict(
            detail=(
                f"Program {program_id} is {program.status}; approve the program itself "
                "(POST /v1/programs/{id}/status) before approving it for the portfolio."
            ),
            extra={"program_status": program.status},
        )

    cycle = await get_or_create_cycle(session, fiscal_year)
    category = await get_or_create_category(session, cycle, decision.category)
    membership = await session.scalar(
        select(PortfolioMembership).where(
            PortfolioMembership.cycle_id == cycle.id, PortfolioMembership.program_id == program_id
        )
    )
    created = membership is None
    if membership is None:
        membership = PortfolioMembership(cycle_id=cycle.id, program_id=program_id, status="")
        session.add(membership)
    before = {"category_id": membership.category_id, "status": membership.status or None}

    if membership.status != decision.status:
        membership.decided_at = utc_now() if decision.status in FINAL_STATUSES else None
    membership.status = decision.status
    membership.category_id = category.id
    if "internal_note" in decision.model_fields_set:
        membership.internal_note = decision.internal_note
    await session.flush()

    if created or before != {"category_id": category.id, "status": decision.status}:
        record_change(
            session,
            principal,
            action="portfolio.decided",
            entity_type="program",
            entity_id=program_id,
            changes={
                "fiscal_year": fiscal_year,
                "category": category.name,
                "status": [before["status"], decision.status],
            },
        )
    return _membership_out(fiscal_year, category, membership), created


async def check_program(session: AsyncSession, fiscal_year: int, program_id: int) -> schemas.PortfolioCheck:
    """Tell whether a program exists, is approved, and is approved in the year's portfolio."""
    program = await programs_repository.get_program(session, program_id)
    if program is None:
        raise ProgramNotFound(detail=f"No program has id {program_id}.")
    row = (
        await session.execute(
            select(PortfolioMembership.status, PortfolioCategory.name)
            .join(PortfolioCycle, PortfolioCycle.id == PortfolioMembership.cycle_id)
            .join(PortfolioCategory, PortfolioCategory.id == PortfolioMembership.category_id)
            .where(
                PortfolioCycle.fiscal_year == fiscal_year,
                PortfolioMembership.program_id == program_id,
            )
        )
    ).first()
    status, category = (row[0], row[1]) if row else (None, None)
    return schemas.PortfolioCheck(
        program_id=program.id,
        program_status=program.status,
        in_portfolio=program.status == PUBLIC_STATUS and status == "approved",
        portfolio_status=status,
        category=category,
    )


async def public_portfolio(session: AsyncSession, fiscal_year: int) -> schemas.Portfolio:
    """List the approved programs of a year's portfolio by category, then name.

    A year without a cycle returns an empty menu rather than a 404.
    """
    rows = (
        await session.execute(
            select(PortfolioCategory.name, PortfolioMembership, Program, Organization)
            .select_from(PortfolioMembership)
            .join(PortfolioCycle, PortfolioCycle.id == PortfolioMembership.cycle_id)
            .join(PortfolioCategory, PortfolioCategory.id == PortfolioMembership.category_id)
            .join(Program, Program.id == PortfolioMembership.program_id)
            .join(Organization, Organization.id == Program.organization_id)
            .where(
                PortfolioCycle.fiscal_year == fiscal_year,
                PortfolioMembership.status == "approved",
                Program.status == PUBLIC_STATUS,
            )
            .order_by(PortfolioCategory.name, Program.sort_name, Program.id)
        )
    ).all()
    summaries = await summaries_of(session, [(row[2], row[3]) for row in rows])

    items = [
        schemas.PortfolioEntry(
            category=category,
            status=membership.status,
            decided_at=membership.decided_at,
            program=summary,
        )
        for (category, membership, _, _), summary in zip(rows, summaries, strict=True)
    ]
    categories = list(dict.fromkeys(item.category for item in items))
    return schemas.Portfolio(fiscal_year=fiscal_year, categories=categories, items=items)
