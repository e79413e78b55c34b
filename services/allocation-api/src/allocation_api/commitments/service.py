"""Commitment rules: the catalog check, the balance check under the school's lock, idempotency.

Services only flush; the request's session dependency commits or rolls back.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.commitments import repository
from allocation_api.commitments.catalog_client import CatalogClient, ProgramOwner
from allocation_api.commitments.errors import (
    AllocationNotPublished,
    CatalogUnavailable,
    CommitmentCancelled,
    CommitmentExceedsBalance,
    CommitmentNotFound,
    IdempotencyKeyReused,
    ProgramRejected,
    SchoolNotInAllocation,
    SchoolOverCommitted,
)
from allocation_api.commitments.metrics import PROPOSALS
from allocation_api.commitments.models import Commitment
from allocation_api.runs.models import Run
from allocation_api.runs.repository import published_run
from partnerfund_shared.auth import Principal
from partnerfund_shared.db import utc_now
from partnerfund_shared.errors import Forbidden
from partnerfund_shared.schemas.commitments import CommitmentCreate

log = logging.getLogger("allocation_api.commitments")

APPROVE_SCOPE = "commitments:approve"


@dataclass(frozen=True, slots=True)
class CreatedCommitment:
    commitment: Commitment
    replayed: bool


@dataclass(frozen=True, slots=True)
class ApprovedProgram:
    """A program that passed the catalog check, with what the commitment keeps of it."""

    owner: ProgramOwner
    portfolio_status: str | None
    category: str | None


def hash_request(fiscal_year: int, school_code: str, request: CommitmentCreate) -> str:
    """Hash the request as parsed, so "100" and "100.00" count as the same amount."""
    canonical = {
        "fiscal_year": fiscal_year,
        "school_code": school_code,
        "fund": request.fund,
        "program_id": request.program_id,
        "amount": f"{request.amount:.2f}",
        "note": request.note,
        "expected_start_date": (
            request.expected_start_date.isoformat() if request.expected_start_date else None
        ),
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


async def create_commitment(
    session: AsyncSession,
    catalog: CatalogClient,
    *,
    fiscal_year: int,
    school_code: str,
    request: CommitmentCreate,
    principal: Principal,
    idempotency_key: str | None,
    requires_portfolio: bool,
) -> CreatedCommitment:
    """Store a proposed commitment if the catalog allows the program and the balance covers it.

    The catalog is called before the school's lock is taken, so on PostgreSQL a slow catalog does
    not delay the school's other writers. The balance is summed only while the lock is held.
    NOTE: on SQLite the transaction holds the database's write lock from its first statement (the
    API key lookup), so there a slow catalog delays every writer until its timeout.
    """
    request_hash = hash_request(fiscal_year, school_code, request)
    if idempotency_key is not None:
        earlier = await repository.find_by_idempotency_key(session, principal.identity, idempotency_key)
        if earlier is not None:
            return _replay(earlier, idempotency_key, request_hash)

    # Checked before calling the catalog, and again under the lock below.
    await _current_allocation(session, fiscal_year, request.fund, school_code)
    try:
        program = await check_program(
            catalog, fiscal_year, request.program_id, requires_portfolio=requires_portfolio
        )
    except ProgramRejected as rejection:
        log.info(
            "commitment_rejected_program",
            extra={
                "fiscal_year": fiscal_year,
                "school_code": school_code,
                "program_id": request.program_id,
                "reason": rejection.extra["reason"],
            },
        )
        PROPOSALS.labels(outcome="program_rejected").inc()
        raise
    except CatalogUnavailable:
        PROPOSALS.labels(outcome="catalog_unavailable").inc()
        raise

    await repository.lock_school(session, fiscal_year, request.fund, school_code)
    if idempotency_key is not None:
        # A duplicate sent at the same time may have committed while this request waited.
        earlier = await repository.find_by_idempotency_key(session, principal.identity, idempotency_key)
        if earlier is not None:
            return _replay(earlier, idempotency_key, request_hash)
    run, allocated = await _current_allocation(session, fiscal_year, request.fund, school_code)
    totals = await repository.sum_school_totals(session, fiscal_year, request.fund, school_code)
    if totals.committed + request.amount > allocated:
        log.info(
            "commitment_rejected_balance",
            extra={
                "fiscal_year": fiscal_year,
                "fund": request.fund,
                "school_code": school_code,
                "requested": str(request.amount),
                "remaining": str(allocated - totals.committed),
            },
        )
        PROPOSALS.labels(outcome="exceeds_balance").inc()
        raise CommitmentExceedsBalance(
            school_code, requested=request.amount, allocated=allocated, committed=totals.committed
        )

    commitment = Commitment(
        fiscal_year=fiscal_year,
        fund=request.fund,
        school_code=school_code,
        program_id=request.program_id,
        program_name=program.owner.program_name,
        organization_id=program.owner.organization_id,
        organization_name=program.owner.organization_name,
        portfolio_status=program.portfolio_status,
        portfolio_category=program.category,
        amount=request.amount,
        note=request.note,
        expected_start_date=request.expected_start_date,
        status="proposed",
        allocation_run_id=run.id,
        idempotency_key=idempotency_key,
        request_hash=request_hash if idempotency_key is not None else None,
        created_by=principal.identity,
    )
    try:
        await repository.add_commitment(session, commitment)
    except IntegrityError as error:
        # The idempotency key is the only unique column. The lock serialises duplicates for the
        # same school, so this is the same key sent at the same time for another school or fund.
        if idempotency_key is None:
            raise
        PROPOSALS.labels(outcome="key_reused").inc()
        raise IdempotencyKeyReused(idempotency_key, None) from error

    PROPOSALS.labels(outcome="created").inc()
    log.info(
        "commitment_created",
        extra={
            "commitment_id": commitment.id,
            "fiscal_year": fiscal_year,
            "fund": request.fund,
            "school_code": school_code,
            "program_id": request.program_id,
            "amount": str(request.amount),
        },
    )
    return CreatedCommitment(commitment, replayed=False)


async def check_program(
    catalog: CatalogClient, fiscal_year: int, program_id: int, *, requires_portfolio: bool
) -> ApprovedProgram:
    """Ask the catalog whether the program may receive commitments; raise `ProgramRejected` if not."""
    check = await catalog.check_program(fiscal_year, program_id)
    if check is None:
        raise ProgramRejected(program_id, "program_not_found", f"Program {program_id} is not in the catalog.")
    if check.program_status != "approved":
        raise ProgramRejected(
            program_id,
            "program_not_approved",
            f"Program {program_id} is not approved in the catalog (its status is {check.program_status}).",
        )
    if requires_portfolio and not check.in_portfolio:
        status = check.portfolio_status or "not listed"
        raise ProgramRejected(
            program_id,
            "program_not_in_portfolio",
            f"Program {program_id} is not approved in the fiscal year {fiscal_year} Opportunity "
            f"Portfolio (its portfolio status is {status}), which this fund requires.",
        )

    owner = await catalog.find_program_owner(program_id)
    if owner is None:
        raise ProgramRejected(program_id, "program_not_found", f"Program {program_id} is not in the catalog.")
    return ApprovedProgram(owner=owner, portfolio_status=check.portfolio_status, category=check.category)


async def approve_commitment(
    session: AsyncSession,
    catalog: CatalogClient,
    commitment_id: int,
    principal: Principal,
    *,
    requires_portfolio: Callable[[str], bool],
) -> Commitment:
    """Approve a proposed commitment; approving an approved one changes nothing.

    The catalog is asked again, because the program may have left the catalog or the portfolio
    since the proposal. Approval is also refused while the school is over-committed, which
    happens after a newer, smaller allocation supersedes the one its commitments were made against.
    """
    commitment = await get_commitment(session, commitment_id)
    if commitment.status == "approved":
        return commitment
    if commitment.status == "cancelled":
        raise CommitmentCancelled(commitment_id)
    # Outside the lock, like a proposal's check, so on PostgreSQL a slow catalog delays no writer.
    await check_program(
        catalog,
        commitment.fiscal_year,
        commitment.program_id,
        requires_portfolio=requires_portfolio(commitment.fund),
    )

    commitment = await _load_locked(session, commitment_id)
    if commitment.status == "approved":
        return commitment
    if commitment.status == "cancelled":
        raise CommitmentCancelled(commitment_id)

    _run, allocated = await _current_allocation(
        session, commitment.fiscal_year, commitment.fund, commitment.school_code, strict=False
    )
    totals = await repository.sum_school_totals(
        session, commitment.fiscal_year, commitment.fund, commitment.school_code
    )
    if totals.committed > allocated:
        raise SchoolOverCommitted(commitment.school_code, allocated=allocated, committed=totals.committed)

    commitment.status = "approved"
    commitment.approved_by = principal.identity
    commitment.approved_at = utc_now()
    await session.flush()
    log.info(
        "commitment_approved",
        extra={"commitment_id": commitment.id, "approved_by": principal.identity},
    )
    return commitment


async def cancel_commitment(
    session: AsyncSession, commitment_id: int, principal: Principal, reason: str | None
) -> Commitment:
    """Cancel a commitment and free its amount; cancelling a cancelled one changes nothing.

    Cancelling an approved commitment undoes an approval, so it needs the approve scope too.
    """
    commitment = await _load_locked(session, commitment_id)
    if commitment.status == "cancelled":
        return commitment
    if commitment.status == "approved" and APPROVE_SCOPE not in principal.scopes:
        raise Forbidden(
            detail=f"Commitment {commitment_id} is approved; cancelling it needs the scope {APPROVE_SCOPE}.",
            extra={"missing_scopes": [APPROVE_SCOPE]},
        )

    commitment.status = "cancelled"
    commitment.cancelled_by = principal.identity
    commitment.cancelled_at = utc_now()
    commitment.cancel_reason = reason
    await session.flush()
    log.info(
        "commitment_cancelled",
        extra={"commitment_id": commitment.id, "cancelled_by": principal.identity},
    )
    return commitment


async def get_commitment(session: AsyncSession, commitment_id: int) -> Commitment:
    commitment = await repository.get_commitment(session, commitment_id)
    if commitment is None:
        raise CommitmentNotFound(commitment_id)
    return commitment


async def _load_locked(session: AsyncSession, commitment_id: int) -> Commitment:
    """Load a commitment holding its school's lock, then reload it in case it changed meanwhile."""
    commitment = await get_commitment(session, commitment_id)
    await repository.lock_school(session, commitment.fiscal_year, commitment.fund, commitment.school_code)
    return await get_commitment(session, commitment_id)


async def _current_allocation(
    session: AsyncSession, fiscal_year: int, fund: str, school_code: str, *, strict: bool = True
) -> tuple[Run, Decimal]:
    """Find the published run and the school's amount in it.

    With `strict`, a school without a line in the run raises `SchoolNotInAllocation`. Without it,
    the amount is 0.00, as for a school that a newer run no longer lists.
    """
    run = await published_run(session, fiscal_year, fund)
    if run is None:
        raise AllocationNotPublished(fiscal_year, fund)
    line = await repository.find_run_line(session, run.id, school_code)
    if line is None:
        if strict:
            raise SchoolNotInAllocation(school_code, run.id)
        return run, repository.ZERO
    return run, line.amount


def _replay(earlier: Commitment, idempotency_key: str, request_hash: str) -> CreatedCommitment:
    if earlier.request_hash != request_hash:
        PROPOSALS.labels(outcome="key_reused").inc()
        raise IdempotencyKeyReused(idempotency_key, earlier.id)
    PROPOSALS.labels(outcome="replayed").inc()
    log.info(
        "commitment_replayed",
        extra={"commitment_id": earlier.id, "idempotency_key": idempotency_key},
    )
    return CreatedCommitment(earlier, replayed=True)
