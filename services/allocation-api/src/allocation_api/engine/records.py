"""Inputs and outputs of the allocation engine: plain immutable values, no database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from partnerfund_shared.schemas.allocation import LimitApplied, LineStatus


@dataclass(frozen=True, slots=True)
class SchoolRecord:
    """One school's inputs: `score` is None for a blank score, `enrollment` None when missing."""

    code: str
    name: str
    rc_code: str | None
    score: Decimal | None
    enrollment: int | None


# Not frozen: frozen dataclasses set each field through object.__setattr__, which made building
# 100,000 lines measurably slower. Nothing mutates a line after the engine returns it.
@dataclass(slots=True)
class AllocationLine:
    """One school's result. Amounts are dollars; `amount_before_rounding` has four places."""

    school_code: str
    school_name: str
    rc_code: str | None
    score: Decimal | None
    enrollment: int | None
    eligible: bool
    status: LineStatus
    weight: Decimal
    share: Decimal
    amount_before_rounding: Decimal
    rounding_adjustment: Decimal
    limit_applied: LimitApplied | None
    amount: Decimal
    per_pupil: Decimal | None
    explanation: str


@dataclass(frozen=True, slots=True)
class Exclusion:
    school_code: str
    school_name: str
    reason: str


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """Lines sorted by school code, the data exclusions, and the totals of the eligible schools."""

    lines: tuple[AllocationLine, ...]
    excluded: tuple[Exclusion, ...]
    total: Decimal
    eligible_schools: int
    eligible_enrollment: int
