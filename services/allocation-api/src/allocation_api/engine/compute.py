"""Compute an allocation: eligibility, weights, the split, rounding and the explanation of each line.

Money is split in integer rounding units (see `distribution`), and `Decimal` appears only where
exact fractions are turned into the dollars shown, inside a local context with 60 significant
digits, far more than any pool, weight or share here needs.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

from allocation_api.engine import explanations
from allocation_api.engine.distribution import (
    Quota,
    Split,
    clamp_quota,
    distribute_pool,
    round_half_up,
)
from allocation_api.engine.eligibility import (
    FOUR_PLACES_SCALE,
    ScoreRule,
    find_tier,
    resolve_rule,
    scaled_weight,
)
from allocation_api.engine.errors import (
    AmountNotWholeUnits,
    CapsBelowPool,
    FloorsExceedPool,
    IncompleteSchools,
    InvalidSchoolRecord,
    NoEligibleSchool,
    NoWeightToShare,
    PoolNotPositive,
)
from allocation_api.engine.records import (
    AllocationLine,
    AllocationResult,
    Exclusion,
    SchoolRecord,
)
from partnerfund_shared.errors import ErrorItem
from partnerfund_shared.schemas.allocation import AllocationPolicy, LimitApplied, LineStatus, Tier

DECIMAL_PRECISION = 60
CENT = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")
SHARE_PLACES = Decimal("0.0000000001")
ZERO_AMOUNT = Decimal("0.00")
ZERO_PRECISE = Decimal("0.0000")
ZERO_SHARE = Decimal("0.0000000000")
UNIT_IN_CENTS = {"dollar": 100, "cent": 1}

EXCLUSION_REASONS: dict[LineStatus, str] = {
    "no_score": "No need-index score in the score set.",
    "no_enrollment": "Qualifies by score but has no enrollment in the enrollment set.",
}


# Plain slotted dataclasses: a frozen one sets each field through object.__setattr__, which is
# measurably slower when 100,000 are built.
@dataclass(slots=True)
class _Assessment:
    """A school's eligibility and weight (times 10,000) before any money is assigned."""

    record: SchoolRecord
    status: LineStatus
    weight: int = 0
    tier: Tier | None = None


@dataclass(slots=True)
class _Money:
    """One funded school's share: rounded units, the exact amount and the figures behind it."""

    units: int
    quota: Quota
    limit: LimitApplied | None
    detail: str
    largest_remainder: bool


def compute_allocation(policy: AllocationPolicy, records: Sequence[SchoolRecord]) -> AllocationResult:
    """Compute every school's line for `policy`; the lines come sorted by school code.

    Raises the `AllocationNotPossible` errors for policies that cannot be met and
    `InvalidSchoolRecord` for malformed input.
    """
    with localcontext() as context, _garbage_collection_paused():
        context.prec = DECIMAL_PRECISION
        context.rounding = ROUND_HALF_EVEN

        ordered = sorted(records, key=lambda record: record.code)
        _check_records(ordered)

        rule = resolve_rule(policy.eligibility, ordered)
        assessments = [_assess(record, rule, policy) for record in ordered]
        _check_incomplete(assessments, policy)
        funded = [item for item in assessments if item.status == "funded"]
        _check_funded(assessments, funded)

        shares = _split_pool(policy, funded) if policy.mode == "pool" else _apply_rates(policy, funded)

        money_by_code = {item.record.code: money for item, money in zip(funded, shares, strict=True)}
        total_weight = Decimal(sum(item.weight for item in funded))
        unit = _unit(policy)
        lines = tuple(
            _build_line(item, rule, policy, money_by_code.get(item.record.code), total_weight, unit)
            for item in assessments
        )
        return _summarize(lines)


@contextmanager
def _garbage_collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while lines are built.

    A run creates several objects per school and none of them form reference cycles, yet each
    allocation burst triggers collections that scan them all again: on 100,000 schools these
    scans took about a third of the computation. Reference counting still frees memory.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- Validate -----------------------------------------------------------------------------------


def _check_records(records: Sequence[SchoolRecord]) -> None:
    problems: list[ErrorItem] = []
    previous_code = None
    for record in records:
        if record.code == previous_code:
            problems.append(_record_problem(record, "school code appears twice"))
        previous_code = record.code
        score = record.score
        if score is not None and (not score.is_finite() or not 0 <= score <= 1):
            problems.append(_record_problem(record, f"score {score} is not between 0 and 1"))
        elif score is not None and score != score.quantize(FOUR_PLACES):
            problems.append(_record_problem(record, f"score {score} has more than four decimals"))
        if record.enrollment is not None and record.enrollment < 0:
            problems.append(_record_problem(record, f"enrollment {record.enrollment} is negative"))
    if problems:
        raise InvalidSchoolRecord(detail=f"{len(problems)} school record(s) are invalid.", errors=problems)


def _record_problem(record: SchoolRecord, message: str) -> ErrorItem:
    return ErrorItem(message=f"School {record.code}: {message}.", loc=("schools", record.code))


def _to_units(amount: Decimal, policy: AllocationPolicy, field: str) -> int:
    units = amount * 100 / UNIT_IN_CENTS[policy.rounding]
    if units != units.to_integral_value():
        raise AmountNotWholeUnits(
            detail=f"The {field} {explanations.dollars(amount)} has cents, but the policy rounds "
            "to whole dollars. Use a whole-dollar amount or set rounding to 'cent'.",
            errors=[ErrorItem(message="has cents", loc=(field,))],
        )
    return int(units)


def _check_incomplete(assessments: Sequence[_Assessment], policy: AllocationPolicy) -> None:
    incomplete = [item.record for item in assessments if item.status == "no_enrollment"]
    if not incomplete or policy.exclude_incomplete:
        return
    codes = [record.code for record in incomplete]
    raise IncompleteSchools(
        detail=f"{len(codes)} school(s) qualify by score but have no enrollment: "
        f"{', '.join(codes)}. Import their enrollment, or set exclude_incomplete to true to "
        "leave them out.",
        errors=[
            ErrorItem(
                message=f"{record.name} ({record.code}) qualifies with score {record.score} "
                "but has no enrollment.",
                loc=("schools", record.code),
            )
            for record in incomplete
        ],
        extra={"school_codes": codes},
    )


def _check_funded(assessments: Sequence[_Assessment], funded: Sequence[_Assessment]) -> None:
    eligible = [item for item in assessments if item.status in ("funded", "zero_weight")]
    if not eligible:
        excluded = sum(1 for item in assessments if item.status == "no_enrollment")
        detail = "No school is eligible under this policy."
        if excluded:
            detail += f" {excluded} school(s) qualify by score but were excluded for missing enrollment."
        raise NoEligibleSchool(detail=detail)
    if not funded:
        raise NoWeightToShare(
            detail=f"All {len(eligible)} eligible school(s) have weight 0 (no enrolled students, "
            "or scores below every tier), so there is nothing to split the money by."
        )


# --- Assess -------------------------------------------------------------------------------------


def _assess(record: SchoolRecord, rule: ScoreRule, policy: AllocationPolicy) -> _Assessment:
    if record.score is None:
        return _Assessment(record, "no_score")
    if not rule.qualifies(record.score):
        status: LineStatus = "below_threshold" if rule.top_n is None else "outside_top_n"
        return _Assessment(record, status)
    if record.enrollment is None:
        return _Assessment(record, "no_enrollment")

    tier = None
    if policy.weighting.method == "tiers":
        tier = find_tier(policy.weighting.tiers, record.score)
    weight = scaled_weight(policy.weighting, record.score, record.enrollment)
    return _Assessment(record, "funded" if weight else "zero_weight", weight, tier)


# --- Split --------------------------------------------------------------------------------------


def _tie_scores(funded: Sequence[_Assessment]) -> list[int]:
    """Return the scores times 10,000, which break ties between equal remainders."""
    return [int((item.record.score or 0) * FOUR_PLACES_SCALE) for item in funded]


def _split_pool(policy: AllocationPolicy, funded: Sequence[_Assessment]) -> list[_Money]:
    assert policy.pool is not None
    if policy.pool <= 0:
        raise PoolNotPositive(
            detail=f"The pool must be a positive amount; got {explanations.dollars(policy.pool)}.",
            errors=[ErrorItem(message="must be positive", loc=("pool",))],
        )
    pool = _to_units(policy.pool, policy, "pool")
    floor = _to_units(policy.floor, policy, "floor") if policy.floor is not None else None
    cap = _to_units(policy.cap, policy, "cap") if policy.cap is not None else None
    _check_limits_fit(policy, len(funded), pool, floor, cap, "pool")

    weights = [item.weight for item in funded]
    split = distribute_pool(weights, pool, floor=floor, cap=cap, tie_scores=_tie_scores(funded))

    total_weight = sum(weights)
    unit = _unit(policy)
    limits_in_policy = floor is not None or cap is not None
    limited = [units for units, limit in zip(split.units, split.limits, strict=True) if limit]
    remainder_note = ""
    if limited:
        free_schools = len(funded) - len(limited)
        remaining = Decimal(pool - sum(limited)) * unit
        remainder_note = explanations.describe_shared_remainder(remaining, free_schools)

    total_weight_text = f"{(Decimal(total_weight) / FOUR_PLACES_SCALE).normalize():,f}"
    percent_per_weight = Decimal(100) / Decimal(total_weight)
    pool_per_weight = Decimal(pool) * unit / Decimal(total_weight)
    shares = []
    for item, units, quota, limit in zip(funded, split.units, split.quotas, split.limits, strict=True):
        proportional = pool_per_weight * item.weight if limits_in_policy else None
        detail = explanations.describe_pool_share(
            percent_per_weight * item.weight, total_weight_text, proportional
        )
        if limit is None and remainder_note:
            detail = f"{detail} {remainder_note}"
        shares.append(_Money(units, quota, limit, detail, largest_remainder=True))
    return shares


def _check_limits_fit(
    policy: AllocationPolicy,
    funded_count: int,
    pool: int,
    floor: int | None,
    cap: int | None,
    pool_name: str,
) -> None:
    unit = _unit(policy)
    if floor is not None and floor * funded_count > pool:
        raise FloorsExceedPool(
            detail=f"Floors of {explanations.dollars(floor * unit)} for {funded_count} funded "
            f"schools add up to {explanations.dollars(floor * funded_count * unit)}, more than the "
            f"{pool_name} of {explanations.dollars(pool * unit)}. Lower the floor or raise the "
            f"{pool_name}.",
            errors=[ErrorItem(message="floors exceed the " + pool_name, loc=("floor",))],
        )
    if cap is not None and cap * funded_count < pool:
        raise CapsBelowPool(
            detail=f"Caps of {explanations.dollars(cap * unit)} for {funded_count} funded schools "
            f"add up to {explanations.dollars(cap * funded_count * unit)}, less than the "
            f"{pool_name} of {explanations.dollars(pool * unit)}, so the total could not equal "
            f"the {pool_name}. Raise the cap or lower the {pool_name}.",
            errors=[ErrorItem(message="caps are below the " + pool_name, loc=("cap",))],
        )


def _apply_rates(policy: AllocationPolicy, funded: Sequence[_Assessment]) -> list[_Money]:
    """Pay each school rate times weight, within floor and cap, prorated down to the ceiling."""
    unit = _unit(policy)
    floor = _to_units(policy.floor, policy, "floor") if policy.floor is not None else None
    cap = _to_units(policy.cap, policy, "cap") if policy.cap is not None else None
    # rate (in cents) times weight (times 10,000) gives the amount in units over this denominator.
    denominator = FOUR_PLACES_SCALE * UNIT_IN_CENTS[policy.rounding]

    raw_quotas = []
    rate_details = []
    for item in funded:
        rate = _rate_for(policy, item.tier)
        raw = Quota(int(rate * 100) * item.weight, denominator)
        raw_quotas.append(raw)
        weight = Decimal(item.weight) / FOUR_PLACES_SCALE
        rate_details.append(explanations.describe_rate(rate, weight, _quota_dollars(raw, unit), item.tier))

    clamped = [clamp_quota(raw, floor, cap) for raw in raw_quotas]
    rounded = [round_half_up(quota) for quota, _ in clamped]
    ceiling = _to_units(policy.ceiling, policy, "ceiling") if policy.ceiling is not None else None
    if ceiling is None or sum(rounded) <= ceiling:
        return [
            _Money(units, quota, limit, detail, largest_remainder=False)
            for units, (quota, limit), detail in zip(rounded, clamped, rate_details, strict=True)
        ]

    _check_limits_fit(policy, len(funded), ceiling, floor, cap, "ceiling")
    raw_total = sum((_quota_dollars(quota, unit) for quota, _ in clamped), ZERO_PRECISE)
    assert policy.ceiling is not None
    proration = explanations.describe_proration(raw_total, policy.ceiling)
    split: Split = distribute_pool(
        [raw.numerator for raw in raw_quotas],
        ceiling,
        floor=floor,
        cap=cap,
        tie_scores=_tie_scores(funded),
    )
    return [
        _Money(units, quota, limit, f"{detail} {proration}", largest_remainder=True)
        for units, quota, limit, detail in zip(
            split.units, split.quotas, split.limits, rate_details, strict=True
        )
    ]


def _rate_for(policy: AllocationPolicy, tier: Tier | None) -> Decimal:
    if tier is not None and tier.rate is not None:
        return tier.rate
    assert policy.rate is not None  # the policy schema requires a rate when a tier has none
    return policy.rate


def _unit(policy: AllocationPolicy) -> Decimal:
    return Decimal(UNIT_IN_CENTS[policy.rounding]) / 100


def _quota_dollars(quota: Quota, unit: Decimal) -> Decimal:
    return (Decimal(quota.numerator) * unit / Decimal(quota.denominator)).quantize(FOUR_PLACES)


# --- Build lines --------------------------------------------------------------------------------


def _build_line(
    item: _Assessment,
    rule: ScoreRule,
    policy: AllocationPolicy,
    money: _Money | None,
    total_weight: Decimal,
    unit: Decimal,
) -> AllocationLine:
    record = item.record
    if money is None:
        return _unfunded_line(item, rule, policy)

    enrollment = record.enrollment or 0
    assert record.score is not None
    weight = Decimal(item.weight).scaleb(-4)  # exactly four places, like the stored column
    share = (item.weight / total_weight).quantize(SHARE_PLACES)
    before = _quota_dollars(money.quota, unit)
    amount = Decimal(money.units * UNIT_IN_CENTS[policy.rounding]).scaleb(-2)
    per_pupil = (amount / enrollment).quantize(CENT, rounding=ROUND_HALF_UP) if enrollment else None

    explanation = (
        f"{explanations.describe_eligibility(rule, record.score)} "
        f"{explanations.describe_weight(policy, weight, record.score, enrollment, item.tier)} "
        f"{money.detail} "
    )
    if money.limit is not None:
        explanation += explanations.describe_limit(money.limit, policy) + " "
    explanation += explanations.describe_rounding(
        policy, before, amount - before, amount, per_pupil, money.largest_remainder
    )
    return AllocationLine(
        school_code=record.code,
        school_name=record.name,
        rc_code=record.rc_code,
        score=record.score,
        enrollment=record.enrollment,
        eligible=True,
        status="funded",
        weight=weight,
        share=share,
        amount_before_rounding=before,
        rounding_adjustment=amount - before,
        limit_applied=money.limit,
        amount=amount,
        per_pupil=per_pupil,
        explanation=explanation,
    )


def _unfunded_line(item: _Assessment, rule: ScoreRule, policy: AllocationPolicy) -> AllocationLine:
    record = item.record
    eligible = item.status == "zero_weight"
    if item.status == "no_score":
        explanation = explanations.describe_no_score()
    elif item.status == "no_enrollment":
        assert record.score is not None
        explanation = explanations.describe_no_enrollment(record.score)
    elif item.status == "zero_weight":
        assert record.score is not None
        explanation = " ".join(
            [
                explanations.describe_eligibility(rule, record.score),
                explanations.describe_zero_weight(policy, record.enrollment or 0, item.tier),
            ]
        )
    else:
        assert record.score is not None
        explanation = explanations.describe_not_qualifying(rule, record.score)
    return AllocationLine(
        school_code=record.code,
        school_name=record.name,
        rc_code=record.rc_code,
        score=record.score,
        enrollment=record.enrollment,
        eligible=eligible,
        status=item.status,
        weight=ZERO_PRECISE,
        share=ZERO_SHARE,
        amount_before_rounding=ZERO_PRECISE,
        rounding_adjustment=ZERO_PRECISE,
        limit_applied=None,
        amount=ZERO_AMOUNT,
        per_pupil=ZERO_AMOUNT if eligible and record.enrollment else None,
        explanation=explanation,
    )


def _summarize(lines: tuple[AllocationLine, ...]) -> AllocationResult:
    eligible = [line for line in lines if line.eligible]
    excluded = tuple(
        Exclusion(line.school_code, line.school_name, EXCLUSION_REASONS[line.status])
        for line in lines
        if line.status in EXCLUSION_REASONS
    )
    return AllocationResult(
        lines=lines,
        excluded=excluded,
        total=sum((line.amount for line in lines), ZERO_AMOUNT),
        eligible_schools=len(eligible),
        eligible_enrollment=sum(line.enrollment or 0 for line in eligible),
    )
