"""Allocation runs: create from a policy, read, verify, compare, publish and supersede."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from anyio import to_thread
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.audit import service as audit
from allocation_api.engine import AllocationLine, SchoolRecord, compute_allocation, content_hash
from allocation_api.enrollment import repository as enrollment_repository
from allocation_api.enrollment.models import EnrollmentSet
from allocation_api.need_index import repository as need_index_repository
from allocation_api.need_index.models import NeedIndexSet
from allocation_api.pagination import decode_cursor, next_cursor
from allocation_api.runs import repository
from allocation_api.runs.errors import (
    InputSetMissing,
    NothingToSupersede,
    PublishedRunExists,
    RunNotDraft,
    RunNotFound,
    RunSuperseded,
    SupersedeReasonMissing,
)
from allocation_api.runs.models import Run, RunLine
from partnerfund_shared.auth import Principal
from partnerfund_shared.db import utc_now
from partnerfund_shared.errors import ErrorItem
from partnerfund_shared.schemas import allocation as schemas
from partnerfund_shared.types import Page

log = logging.getLogger("allocation_api.runs")

# Fields compared line by line when a run is verified, beside the content hash.
VERIFIED_FIELDS = ("eligible", "status", "weight", "amount", "limit_applied", "score", "enrollment")


# --- Create -------------------------------------------------------------------------------------


async def create_run(
    session: AsyncSession,
    principal: Principal,
    fiscal_year: int,
    policy: schemas.AllocationPolicy,
) -> schemas.Run:
    """Compute a draft run from the policy and the named (or newest) input sets, and store it."""
    score_set = await _resolve_score_set(session, fiscal_year, policy.need_index_set_id)
    enrollment_set = await _resolve_enrollment_set(session, fiscal_year, policy.enrollment_set_id)
    resolved = policy.model_copy(
        update={"need_index_set_id": score_set.id, "enrollment_set_id": enrollment_set.id}
    )

    records = await load_records(session, score_set.id, enrollment_set.id)
    # Computing 100,000 schools takes most of a second, so it runs in a worker thread, and the
    # event loop keeps serving other requests whenever the thread yields the GIL.
    result = await to_thread.run_sync(compute_allocation, resolved, records)
    digest = content_hash(resolved, result.lines)

    run = await repository.add_run(
        session,
        Run(
            fiscal_year=fiscal_year,
            fund=resolved.fund,
            status="draft",
            policy=resolved.model_dump(mode="json"),
            need_index_set_id=score_set.id,
            enrollment_set_id=enrollment_set.id,
            total=result.total,
            eligible_schools=result.eligible_schools,
            eligible_enrollment=result.eligible_enrollment,
            excluded=[
                {"school_code": item.school_code, "school_name": item.school_name, "reason": item.reason}
                for item in result.excluded
            ],
            content_hash=digest,
            created_by=principal.identity,
        ),
    )
    await repository.insert_lines(session, [line_values(run.id, line) for line in result.lines])

    await audit.record(
        session,
        principal,
        "run_created",
        subject_type="run",
        subject_id=run.id,
        fiscal_year=fiscal_year,
        details={
            "fund": run.fund,
            "total": str(run.total),
            "eligible_schools": run.eligible_schools,
            "need_index_set_id": score_set.id,
            "enrollment_set_id": enrollment_set.id,
            "content_hash": digest,
        },
    )
    log.info(
        "run_created",
        extra={
            "run_id": run.id,
            "fiscal_year": fiscal_year,
            "fund": run.fund,
            "total": str(run.total),
            "lines": len(result.lines),
        },
    )
    return to_schema(run)


async def _resolve_score_set(session: AsyncSession, fiscal_year: int, set_id: int | None) -> NeedIndexSet:
    if set_id is None:
        newest = await need_index_repository.newest_set(session, fiscal_year)
        if newest is None:
            raise InputSetMissing(
                detail=f"FY{fiscal_year} has no need-index scores. Import them with "
                f"POST /v1/fiscal-years/{fiscal_year}/need-index/import first.",
                errors=[ErrorItem(message="no score set", loc=("body", "need_index_set_id"))],
            )
        return newest
    score_set = await need_index_repository.get_set(session, set_id)
    if score_set is None or score_set.fiscal_year != fiscal_year:
        raise InputSetMissing(
            detail=f"Need-index set {set_id} does not exist for FY{fiscal_year}.",
            errors=[ErrorItem(message="not a score set of this year", loc=("body", "need_index_set_id"))],
        )
    return score_set


async def _resolve_enrollment_set(
    session: AsyncSession, fiscal_year: int, set_id: int | None
) -> EnrollmentSet:
    if set_id is None:
        newest = await enrollment_repository.newest_set(session, fiscal_year)
        if newest is None:
            raise InputSetMissing(
                detail=f"FY{fiscal_year} has no enrollment. Import it with "
                f"POST /v1/fiscal-years/{fiscal_year}/enrollment/import first.",
                errors=[ErrorItem(message="no enrollment set", loc=("body", "enrollment_set_id"))],
            )
        return newest
    enrollment_set = await enrollment_repository.get_set(session, set_id)
    if enrollment_set is None or enrollment_set.fiscal_year != fiscal_year:
        raise InputSetMissing(
            detail=f"Enrollment set {set_id} does not exist for FY{fiscal_year}.",
            errors=[
                ErrorItem(message="not an enrollment set of this year", loc=("body", "enrollment_set_id"))
            ],
        )
    return enrollment_set


async def load_records(
    session: AsyncSession, score_set_id: int, enrollment_set_id: int
) -> list[SchoolRecord]:
    """Build one record per school in either set: a school missing from the score set has no
    score, and one missing from the enrollment set has no enrollment."""
    rows = await repository.load_inputs(session, score_set_id, enrollment_set_id)
    return [
        SchoolRecord(code=code, name=name, rc_code=rc_code, score=score, enrollment=enrollment)
        for code, name, rc_code, score, enrollment in rows
    ]


def line_values(run_id: int, line: AllocationLine) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "school_code": line.school_code,
        "school_name": line.school_name,
        "rc_code": line.rc_code,
        "score": line.score,
        "enrollment": line.enrollment,
        "eligible": line.eligible,
        "status": line.status,
        "weight": line.weight,
        "share": line.share,
        "amount_before_rounding": line.amount_before_rounding,
        "rounding_adjustment": line.rounding_adjustment,
        "limit_applied": line.limit_applied,
        "amount": line.amount,
        "per_pupil": line.per_pupil,
        "explanation": line.explanation,
    }


# --- Read ---------------------------------------------------------------------------------------


async def get_run(session: AsyncSession, run_id: int, *, for_update: bool = False) -> Run:
    run = await repository.get_run(session, run_id, for_update=for_update)
    if run is None:
        raise RunNotFound(detail=f"Run {run_id} does not exist.")
    return run


async def list_runs(
    session: AsyncSession,
    fiscal_year: int,
    *,
    fund: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> Page[schemas.Run]:
    key = decode_cursor(cursor, [int])
    runs = await repository.list_runs(
        session,
        fiscal_year,
        fund=fund,
        status=status,
        limit=limit,
        before_id=key[0] if key else None,
    )
    return Page[schemas.Run](
        items=[to_schema(run) for run in runs[:limit]],
        next_cursor=next_cursor(runs, limit, lambda run: [run.id]),
    )


async def list_lines(
    session: AsyncSession,
    run_id: int,
    *,
    limit: int,
    cursor: str | None,
    eligible: bool | None,
) -> Page[schemas.RunLine]:
    await get_run(session, run_id)
    key = decode_cursor(cursor, [str])
    lines = await repository.list_lines(
        session, run_id, limit=limit, after_code=key[0] if key else None, eligible=eligible
    )
    return Page[schemas.RunLine](
        items=[line_schema(line) for line in lines[:limit]],
        next_cursor=next_cursor(lines, limit, lambda line: [line.school_code]),
    )


def to_schema(run: Run) -> schemas.Run:
    return schemas.Run(
        id=run.id,
        fiscal_year=run.fiscal_year,
        fund=run.fund,
        status=run.status,
        policy=schemas.AllocationPolicy.model_validate(run.policy),
        need_index_set_id=run.need_index_set_id,
        enrollment_set_id=run.enrollment_set_id,
        total=run.total,
        eligible_schools=run.eligible_schools,
        eligible_enrollment=run.eligible_enrollment,
        excluded=[schemas.Exclusion.model_validate(item) for item in run.excluded],
        content_hash=run.content_hash,
        created_at=run.created_at,
        created_by=run.created_by,
        published_at=run.published_at,
        published_by=run.published_by,
        supersedes_run_id=run.supersedes_run_id,
        superseded_by_run_id=run.superseded_by_run_id,
        supersede_reason=run.supersede_reason,
    )


def line_schema(line: RunLine) -> schemas.RunLine:
    return schemas.RunLine.model_validate(line, from_attributes=True)


# --- Verify and compare -------------------------------------------------------------------------


async def verify_run(session: AsyncSession, run_id: int) -> schemas.RunVerification:
    """Recompute a run from its stored policy and input sets and compare it with what is stored."""
    run = await get_run(session, run_id)
    policy = schemas.AllocationPolicy.model_validate(run.policy)
    records = await load_records(session, run.need_index_set_id, run.enrollment_set_id)

    result = await to_thread.run_sync(compute_allocation, policy, records)
    recomputed_hash = content_hash(policy, result.lines)

    stored = {line.school_code: line for line in await repository.list_lines(session, run_id)}
    recomputed = {line.school_code: line for line in result.lines}
    differences = _line_differences(stored, recomputed)
    identical = recomputed_hash == run.content_hash and not differences
    log.info("run_verified", extra={"run_id": run_id, "identical": identical})
    return schemas.RunVerification(
        run_id=run.id,
        identical=identical,
        stored_hash=run.content_hash,
        recomputed_hash=recomputed_hash,
        differences=differences,
    )


def _line_differences(
    stored: dict[str, RunLine], recomputed: dict[str, AllocationLine]
) -> list[schemas.LineDifference]:
    differences = []
    for code in sorted(stored.keys() | recomputed.keys()):
        before = stored.get(code)
        after = recomputed.get(code)
        if before is None or after is None:
            differences.append(
                schemas.LineDifference(
                    school_code=code,
                    field="line",
                    stored=None if before is None else "present",
                    recomputed=None if after is None else "present",
                )
            )
            continue
        for field in VERIFIED_FIELDS:
            stored_value = getattr(before, field)
            recomputed_value = getattr(after, field)
            if stored_value != recomputed_value:
                differences.append(
                    schemas.LineDifference(
                        school_code=code,
                        field=field,
                        stored=_text(stored_value),
                        recomputed=_text(recomputed_value),
                    )
                )
    return differences


def _text(value: object) -> str | None:
    return None if value is None else str(value)


async def compare_runs(session: AsyncSession, base_run_id: int, other_run_id: int) -> schemas.RunComparison:
    """Compare two runs school by school: eligibility gained or lost and the dollar change."""
    await get_run(session, base_run_id)
    await get_run(session, other_run_id)
    base = {line.school_code: line for line in await repository.list_lines(session, base_run_id)}
    other = {line.school_code: line for line in await repository.list_lines(session, other_run_id)}

    zero = Decimal("0.00")
    items = []
    for code in sorted(base.keys() | other.keys()):
        before = base.get(code)
        after = other.get(code)
        eligible_before = before is not None and before.eligible
        eligible_after = after is not None and after.eligible
        amount_before = before.amount if before is not None else zero
        amount_after = after.amount if after is not None else zero
        change = "unchanged"
        if eligible_after and not eligible_before:
            change = "gained"
        elif eligible_before and not eligible_after:
            change = "lost"
        present = after if after is not None else before
        assert present is not None  # the code came from one of the two runs
        name = present.school_name
        items.append(
            schemas.ComparisonLine(
                school_code=code,
                school_name=name,
                eligibility_change=change,
                eligible_in_base=eligible_before,
                eligible_in_other=eligible_after,
                amount_in_base=amount_before,
                amount_in_other=amount_after,
                difference=amount_after - amount_before,
            )
        )

    total_base = sum((item.amount_in_base for item in items), zero)
    total_other = sum((item.amount_in_other for item in items), zero)
    totals = schemas.ComparisonTotals(
        total_in_base=total_base,
        total_in_other=total_other,
        difference=total_other - total_base,
        eligible_in_base=sum(1 for item in items if item.eligible_in_base),
        eligible_in_other=sum(1 for item in items if item.eligible_in_other),
        gained_eligibility=sum(1 for item in items if item.eligibility_change == "gained"),
        lost_eligibility=sum(1 for item in items if item.eligibility_change == "lost"),
        schools_with_more=sum(1 for item in items if item.difference > 0),
        schools_with_less=sum(1 for item in items if item.difference < 0),
    )
    return schemas.RunComparison(
        base_run_id=base_run_id, other_run_id=other_run_id, items=items, totals=totals
    )


# --- Change: delete, publish, supersede ---------------------------------------------------------


async def delete_run(session: AsyncSession, principal: Principal, run_id: int) -> None:
    """Delete a draft run; published and superseded runs are immutable."""
    run = await get_run(session, run_id, for_update=True)
    _require_draft(run, "delete")
    await repository.delete_run(session, run)
    await audit.record(
        session,
        principal,
        "run_deleted",
        subject_type="run",
        subject_id=run_id,
        fiscal_year=run.fiscal_year,
        details={"content_hash": run.content_hash},
    )


def _require_draft(run: Run, action: str) -> None:
    if run.status != "draft":
        raise RunNotDraft(
            detail=f"Run {run.id} is {run.status}, so it cannot {action}: published and "
            "superseded runs never change. Create a new run instead.",
        )


async def publish_run(
    session: AsyncSession, principal: Principal, run_id: int, request: schemas.PublishRequest
) -> schemas.Run:
    """Publish a draft run. Publishing a published run again changes nothing.

    When the fiscal year and fund already have a published run, the request must name it in
    `supersedes` and give a `reason`. That run then becomes superseded.
    """
    run = await get_run(session, run_id, for_update=True)
    if run.status == "published":
        return to_schema(run)
    if run.status == "superseded":
        raise RunSuperseded(
            detail=f"Run {run.id} was superseded by run {run.superseded_by_run_id} and cannot be "
            "published again. Create a new run from its policy instead.",
        )

    current = await repository.published_run(session, run.fiscal_year, run.fund, for_update=True)
    now = utc_now()
    if current is None and request.supersedes is not None:
        raise NothingToSupersede(
            detail=f"FY{run.fiscal_year} {run.fund} has no published run, so run "
            f"{request.supersedes} cannot be superseded. Publish without supersedes.",
        )
    if current is not None:
        _check_supersede(run, current, request)
        current.status = "superseded"
        current.superseded_by_run_id = run.id
        current.superseded_at = now
        # The old run leaves "published" before the new one enters it, so the unique index on
        # published runs per fiscal year and fund never contains two at once.
        await session.flush()

    run.status = "published"
    run.published_at = now
    run.published_by = principal.identity
    if current is not None:
        run.supersedes_run_id = current.id
        run.supersede_reason = request.reason
    # A failed flush expires the run, so the labels of the error message are read first.
    fiscal_year, fund = run.fiscal_year, run.fund
    try:
        await session.flush()
    except IntegrityError as error:
        # Another request published a run of this year and fund between our read and write.
        log.info("run_publish_conflict", extra={"run_id": run_id, "fiscal_year": fiscal_year})
        raise PublishedRunExists(
            detail=f"Another run of FY{fiscal_year} {fund} was published at the same time. "
            "Read it and publish again with supersedes if this run should replace it.",
        ) from error

    if current is not None:
        await audit.record(
            session,
            principal,
            "run_superseded",
            subject_type="run",
            subject_id=current.id,
            fiscal_year=run.fiscal_year,
            details={"superseded_by_run_id": run.id, "reason": request.reason},
        )
    await audit.record(
        session,
        principal,
        "run_published",
        subject_type="run",
        subject_id=run.id,
        fiscal_year=run.fiscal_year,
        details={
            "fund": run.fund,
            "total": str(run.total),
            "content_hash": run.content_hash,
            "supersedes_run_id": run.supersedes_run_id,
        },
    )
    log.info(
        "run_published",
        extra={
            "run_id": run.id,
            "fiscal_year": run.fiscal_year,
            "fund": run.fund,
            "total": str(run.total),
            "supersedes_run_id": run.supersedes_run_id,
        },
    )
    return to_schema(run)


def _check_supersede(run: Run, current: Run, request: schemas.PublishRequest) -> None:
    if request.supersedes != current.id:
        raise PublishedRunExists(
            detail=f"Run {current.id} is the published FY{run.fiscal_year} {run.fund} run. To "
            f"replace it, publish with supersedes {current.id} and a reason.",
            extra={"published_run_id": current.id},
        )
    if not request.reason or not request.reason.strip():
        raise SupersedeReasonMissing(
            detail=f"Superseding run {current.id} needs a reason, which the audit log keeps.",
            errors=[ErrorItem(message="required when superseding", loc=("body", "reason"))],
        )
