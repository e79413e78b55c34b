"""Wire schemas of the allocation API: imports, policies, runs, lines and published allocations.

Amounts, scores, weights and shares are `Decimal` and travel as JSON strings. Requests may send
them as strings or integers, never as JSON floats, so no binary float reaches the arithmetic.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from partnerfund_shared.types import Money, SchoolCode, Score

Fund = Literal["partnership", "school_support"]
DEFAULT_FUND: Fund = "partnership"

RunStatus = Literal["draft", "published", "superseded"]

# Reason for a line's amount. Only "funded" lines share the pool, and the others get 0.00.
LineStatus = Literal[
    "funded",  # eligible with a positive weight
    "zero_weight",  # eligible, but zero enrollment or a score below every tier
    "below_threshold",  # score below `min_score`
    "outside_top_n",  # score below the score of the N-th school
    "no_score",  # blank or missing need-index score
    "no_enrollment",  # qualifies by score but has no enrollment, and the policy excludes it
]

Rounding = Literal["dollar", "cent"]
AllocationMode = Literal["pool", "rate"]
WeightingMethod = Literal["flat", "need_weighted", "tiers"]
LimitApplied = Literal["floor", "cap"]

TIER_WEIGHT_PLACES = Decimal("0.0001")


def _reject_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('send decimal numbers as JSON strings ("0.56"), not as floats')
    return value


def _tier_weight(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0:
        raise ValueError("tier weight must be a non-negative number")
    if value != value.quantize(TIER_WEIGHT_PLACES):
        raise ValueError("tier weight has more than four decimal places")
    return value


ExactMoney = Annotated[Money, BeforeValidator(_reject_float)]
ExactScore = Annotated[Score, BeforeValidator(_reject_float)]

# Fixed-point text ("0.0000000000", never "0E-10"), whatever the exponent.
DecimalString = Annotated[
    Decimal,
    BeforeValidator(_reject_float),
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
]

TierWeight = Annotated[
    Decimal,
    BeforeValidator(_reject_float),
    AfterValidator(_tier_weight),
    PlainSerializer(lambda value: str(value), return_type=str, when_used="json"),
    Field(description='Multiplier of enrollment in this band, up to four decimals: "1.5".'),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- Policy -------------------------------------------------------------------------------------


class MinScoreEligibility(_Strict):
    """Eligible when the score is at or above `min_score` (0.56 is eligible at 0.56)."""

    min_score: ExactScore


class TopNEligibility(_Strict):
    """The `top_n` highest scores are eligible; every school tied with the N-th is included too."""

    top_n: int = Field(ge=1)


class Tier(_Strict):
    """A score band starting at `min_score` and ending below the next tier's `min_score`."""

    min_score: ExactScore
    weight: TierWeight = Decimal(1)
    rate: ExactMoney | None = Field(
        default=None, description="Per-pupil rate of this band, in rate mode only."
    )


class Weighting(_Strict):
    """Weight rule: `flat` is enrollment, `need_weighted` is enrollment times score, and `tiers`
    is enrollment times the weight of the school's score band."""

    method: WeightingMethod
    tiers: list[Tier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_tiers(self) -> Weighting:
        if self.method != "tiers":
            if self.tiers:
                raise ValueError("tiers are only allowed with method 'tiers'")
            return self
        if not self.tiers:
            raise ValueError("method 'tiers' needs at least one tier")
        starts = [tier.min_score for tier in self.tiers]
        if len(set(starts)) != len(starts):
            raise ValueError("two tiers start at the same min_score")
        self.tiers = sorted(self.tiers, key=lambda tier: tier.min_score)
        return self


class AllocationPolicy(_Strict):
    """A run's policy. Pool mode splits `pool` in proportion to weight.

    Rate mode pays a `rate` per weighted pupil (or each tier's `rate`). When the total would
    exceed `ceiling`, every amount is prorated down so the total equals the ceiling.
    """

    fund: Fund = DEFAULT_FUND
    mode: AllocationMode = "pool"
    pool: ExactMoney | None = Field(default=None, description="Amount to split, in pool mode.")
    rate: ExactMoney | None = Field(
        default=None, description="Per-pupil rate in rate mode, multiplied by the weight."
    )
    ceiling: ExactMoney | None = Field(
        default=None, description="Maximum total in rate mode; larger totals are prorated."
    )
    eligibility: MinScoreEligibility | TopNEligibility
    weighting: Weighting = Field(default_factory=lambda: Weighting(method="flat"))
    rounding: Rounding = "dollar"
    exclude_incomplete: bool = Field(
        default=False,
        description="Drop schools that qualify by score but have no enrollment, instead of "
        "rejecting the run.",
    )
    floor: ExactMoney | None = Field(default=None, description="Minimum per funded school.")
    cap: ExactMoney | None = Field(default=None, description="Maximum per funded school.")
    need_index_set_id: int | None = Field(
        default=None, description="Score set to use; the fiscal year's newest when omitted."
    )
    enrollment_set_id: int | None = Field(
        default=None, description="Enrollment set to use; the fiscal year's newest when omitted."
    )

    @model_validator(mode="after")
    def _check_mode(self) -> AllocationPolicy:
        tier_rates = [tier.rate for tier in self.weighting.tiers if tier.rate is not None]
        if self.mode == "pool":
            if self.pool is None:
                raise ValueError("pool mode needs a pool")
            if self.rate is not None or self.ceiling is not None or tier_rates:
                raise ValueError("rate and ceiling are only allowed in rate mode")
        else:
            if self.pool is not None:
                raise ValueError("rate mode takes a rate and an optional ceiling, not a pool")
            every_tier_has_rate = bool(self.weighting.tiers) and len(tier_rates) == len(self.weighting.tiers)
            if self.rate is None and not every_tier_has_rate:
                raise ValueError("rate mode needs a rate, or a rate on every tier")
            if any(rate <= 0 for rate in tier_rates) or (self.rate is not None and self.rate <= 0):
                raise ValueError("rates must be positive amounts")
            if self.ceiling is not None and self.ceiling <= 0:
                raise ValueError("ceiling must be a positive amount")
        if self.floor is not None and self.floor < 0:
            raise ValueError("floor must not be negative")
        if self.cap is not None and self.cap < 0:
            raise ValueError("cap must not be negative")
        if self.floor is not None and self.cap is not None and self.floor > self.cap:
            raise ValueError("floor must not be greater than cap")
        return self


# --- Imports ------------------------------------------------------------------------------------


class ImportWarning(BaseModel):
    """A row that was stored but deserves a look, such as a blank need-index score."""

    row: int
    column: str | None = None
    value: str | None = None
    message: str


class ImportResult(BaseModel):
    """Response of an import: the new set's id (the audit entry id for the school list), the
    number of rows stored, and the warnings."""

    id: int
    rows: int
    warnings: list[ImportWarning] = Field(default_factory=list)


class School(BaseModel):
    school_code: SchoolCode
    school_name: str
    rc_code: str | None = None
    dese_code: str | None = None
    updated_at: datetime


class NeedIndexSet(BaseModel):
    """An immutable set of need-index scores; `version` counts the fiscal year's sets from 1."""

    id: int
    fiscal_year: int
    version: int
    filename: str
    rows: int
    scored: int
    blank: int
    created_at: datetime
    created_by: str


class NeedIndexScore(BaseModel):
    school_code: SchoolCode
    school_name: str | None = None
    score: Score | None = None


class EnrollmentSet(BaseModel):
    """An immutable set of enrollments; `version` counts the fiscal year's sets from 1."""

    id: int
    fiscal_year: int
    version: int
    filename: str
    rows: int
    total_enrollment: int
    created_at: datetime
    created_by: str


class EnrollmentRecord(BaseModel):
    school_code: SchoolCode
    enrollment: int


# --- Runs ---------------------------------------------------------------------------------------


class Exclusion(BaseModel):
    """A school left out for missing data, not for its score."""

    school_code: SchoolCode
    school_name: str
    reason: str


class Run(BaseModel):
    id: int
    fiscal_year: int
    fund: Fund
    status: RunStatus
    policy: AllocationPolicy
    need_index_set_id: int
    enrollment_set_id: int
    total: Money
    eligible_schools: int
    eligible_enrollment: int
    excluded: list[Exclusion]
    content_hash: str
    created_at: datetime
    created_by: str
    published_at: datetime | None = None
    published_by: str | None = None
    supersedes_run_id: int | None = None
    superseded_by_run_id: int | None = None
    supersede_reason: str | None = None


class RunLine(BaseModel):
    """One school's result with the figures behind it."""

    school_code: SchoolCode
    school_name: str
    rc_code: str | None = None
    score: Score | None = None
    enrollment: int | None = None
    eligible: bool
    status: LineStatus
    weight: DecimalString
    share: DecimalString = Field(description="Weight divided by the funded schools' weight.")
    amount_before_rounding: DecimalString
    rounding_adjustment: DecimalString
    limit_applied: LimitApplied | None = None
    amount: Money
    per_pupil: Money | None = None
    explanation: str


class PublishRequest(_Strict):
    """Body of a publish. A run that replaces the fiscal year's published run names it in
    `supersedes` and gives a `reason`."""

    supersedes: int | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=2000)


class LineDifference(BaseModel):
    school_code: SchoolCode
    field: str
    stored: str | None
    recomputed: str | None


class RunVerification(BaseModel):
    """Result of recomputing a run from its stored policy and input sets."""

    run_id: int
    identical: bool
    stored_hash: str
    recomputed_hash: str
    differences: list[LineDifference]


class ComparisonLine(BaseModel):
    school_code: SchoolCode
    school_name: str
    eligibility_change: Literal["gained", "lost", "unchanged"]
    eligible_in_base: bool
    eligible_in_other: bool
    amount_in_base: Money
    amount_in_other: Money
    difference: Money = Field(description="Amount in the other run minus amount in the base run.")


class ComparisonTotals(BaseModel):
    total_in_base: Money
    total_in_other: Money
    difference: Money
    eligible_in_base: int
    eligible_in_other: int
    gained_eligibility: int
    lost_eligibility: int
    schools_with_more: int
    schools_with_less: int


class RunComparison(BaseModel):
    """Per-school differences between a base run and another run, as budget scenarios."""

    base_run_id: int
    other_run_id: int
    items: list[ComparisonLine]
    totals: ComparisonTotals


# --- Published allocations ----------------------------------------------------------------------


class PublishedAllocation(BaseModel):
    """The fiscal year's published run for one fund, as the budget system reads it."""

    fiscal_year: int
    fund: Fund
    run_id: int
    content_hash: str
    published_at: datetime
    total: Money
    items: list[RunLine]


class BudgetCodeTotal(BaseModel):
    """Sum of the published amounts of the schools that share one RC budget code."""

    rc_code: str | None
    school_codes: list[SchoolCode]
    eligible_schools: int
    enrollment: int
    amount: Money


class PublishedAllocationByBudgetCode(BaseModel):
    fiscal_year: int
    fund: Fund
    run_id: int
    content_hash: str
    published_at: datetime
    total: Money
    items: list[BudgetCodeTotal]


# --- Audit log ----------------------------------------------------------------------------------


class AuditEntry(BaseModel):
    """One recorded import, run, publish or supersede."""

    id: int
    occurred_at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    fiscal_year: int | None = None
    details: dict[str, Any] = Field(default_factory=dict)
