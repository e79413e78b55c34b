"""Errors of the commitment endpoints, each named for what went wrong."""

from __future__ import annotations

from decimal import Decimal

from partnerfund_shared.errors import (
    Conflict,
    ErrorItem,
    InvalidInput,
    NotFound,
    UpstreamUnavailable,
)
from partnerfund_shared.schemas.commitments import ProgramRejection


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


class CommitmentNotFound(NotFound):
    slug = "commitment-not-found"
    title = "Commitment not found"

    def __init__(self, commitment_id: int) -> None:
        super().__init__(detail=f"No commitment has id {commitment_id}.")


class AllocationNotPublished(Conflict):
    """A commitment needs a published allocation to draw on."""

    slug = "allocation-not-published"
    title = "Allocation not published"

    def __init__(self, fiscal_year: int, fund: str) -> None:
        super().__init__(
            detail=f"No {fund} allocation is published for fiscal year {fiscal_year}; "
            "publish a run before schools commit money.",
            extra={"fiscal_year": fiscal_year, "fund": fund},
        )


class PublishedAllocationNotFound(NotFound):
    slug = "published-allocation-not-found"
    title = "Published allocation not found"

    def __init__(self, fiscal_year: int, fund: str) -> None:
        super().__init__(
            detail=f"No {fund} allocation is published for fiscal year {fiscal_year}.",
            extra={"fiscal_year": fiscal_year, "fund": fund},
        )


class SchoolNotInAllocation(NotFound):
    slug = "school-not-in-allocation"
    title = "School not in the allocation"

    def __init__(self, school_code: str, run_id: int) -> None:
        super().__init__(
            detail=f"School {school_code} has no line in the published run {run_id}; check the school code.",
            extra={"school_code": school_code, "run_id": run_id},
        )


class CommitmentExceedsBalance(Conflict):
    """The amount is more than what the school has left of its published allocation."""

    slug = "commitment-exceeds-balance"
    title = "Commitment exceeds the remaining balance"

    def __init__(
        self,
        school_code: str,
        *,
        requested: Decimal,
        allocated: Decimal,
        committed: Decimal,
    ) -> None:
        remaining = allocated - committed
        super().__init__(
            detail=f"School {school_code} has {_money(remaining)} left of its allocation of "
            f"{_money(allocated)}, less than the {_money(requested)} requested.",
            extra={
                "school_code": school_code,
                "requested": _money(requested),
                "allocated": _money(allocated),
                "committed": _money(committed),
                "remaining": _money(remaining),
            },
        )


class SchoolOverCommitted(Conflict):
    """Approving would confirm spending beyond a school's current allocation."""

    slug = "school-over-committed"
    title = "School over-committed"

    def __init__(self, school_code: str, *, allocated: Decimal, committed: Decimal) -> None:
        super().__init__(
            detail=f"School {school_code} has {_money(committed)} committed against a current "
            f"allocation of {_money(allocated)}; cancel commitments until they fit before "
            "approving more.",
            extra={
                "school_code": school_code,
                "allocated": _money(allocated),
                "committed": _money(committed),
                "remaining": _money(allocated - committed),
            },
        )


class CommitmentCancelled(Conflict):
    slug = "commitment-cancelled"
    title = "Commitment cancelled"

    def __init__(self, commitment_id: int) -> None:
        super().__init__(
            detail=f"Commitment {commitment_id} is cancelled and cannot be approved; "
            "create a new commitment instead.",
            extra={"commitment_id": commitment_id},
        )


class IdempotencyKeyReused(Conflict):
    slug = "idempotency-key-reused"
    title = "Idempotency key reused"

    def __init__(self, key: str, commitment_id: int | None) -> None:
        super().__init__(
            detail="This Idempotency-Key was already used with a different request; "
            "send a new key for a new commitment.",
            extra={"idempotency_key": key, "commitment_id": commitment_id},
        )


class ProgramRejected(InvalidInput):
    """The catalog does not allow commitments to this program."""

    slug = "program-rejected"
    title = "Program cannot receive commitments"

    def __init__(self, program_id: int, reason: ProgramRejection, detail: str) -> None:
        super().__init__(
            detail=detail,
            errors=[ErrorItem(message=detail, loc=("body", "program_id"))],
            extra={"program_id": program_id, "reason": reason},
        )


class CatalogUnavailable(UpstreamUnavailable):
    """The catalog service failed to respond, so the program could not be checked."""

    def __init__(self, cause: str, retry_after: int) -> None:
        super().__init__(
            detail=f"The catalog service could not check the program ({cause}); nothing was "
            f"stored. Retry after {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )
