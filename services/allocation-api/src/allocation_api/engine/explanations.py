"""Plain-language explanation of each line, written for a school leader reading the budget."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from allocation_api.engine.eligibility import ScoreRule
from partnerfund_shared.schemas.allocation import AllocationPolicy, LimitApplied, Tier


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


# Scores have at most four decimals, so a run repeats few distinct texts: caching them keeps
# 100,000-line runs fast.
@lru_cache(maxsize=20_000)
def score_text(score: Decimal | None) -> str:
    """Write a score as the district does, with two to four decimals: 0.5600 is "0.56"."""
    if score is None:
        return "none"
    places = max(2, -score.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"{score:.{min(places, 4)}f}"


def dollars(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def precise_dollars(amount: Decimal) -> str:
    return f"${amount:,.4f}"


def signed_dollars(amount: Decimal) -> str:
    sign = "-" if amount < 0 else "+"
    return f"{sign}${abs(amount):,.4f}"


@lru_cache(maxsize=20_000)
def describe_eligibility(rule: ScoreRule, score: Decimal) -> str:
    if rule.top_n is None:
        return (
            f"Eligible: need-index score {score_text(score)} is at or above the minimum of "
            f"{score_text(rule.cutoff)}."
        )
    return (
        f"Eligible: need-index score {score_text(score)} is among the {rule.top_n} highest "
        f"(the {ordinal(rule.rank or rule.top_n)}-highest score is {score_text(rule.cutoff)}, "
        "and ties with it are included)."
    )


@lru_cache(maxsize=20_000)
def describe_not_qualifying(rule: ScoreRule, score: Decimal) -> str:
    if rule.top_n is None:
        return (
            f"Not eligible: need-index score {score_text(score)} is below the minimum of "
            f"{score_text(rule.cutoff)}."
        )
    return (
        f"Not eligible: only the {rule.top_n} highest-scoring schools are eligible, and score "
        f"{score_text(score)} is below the {ordinal(rule.rank or rule.top_n)}-highest score, "
        f"{score_text(rule.cutoff)}."
    )


def describe_no_score() -> str:
    return (
        "Not eligible: the score set has no need-index score for this school "
        "(new, merging and closing schools have none)."
    )


def describe_no_enrollment(score: Decimal) -> str:
    return (
        f"Excluded: need-index score {score_text(score)} qualifies, but the enrollment set has no "
        "enrollment for this school, and the policy excludes such schools."
    )


def describe_weight(
    policy: AllocationPolicy, weight: Decimal, score: Decimal, enrollment: int, tier: Tier | None
) -> str:
    students = f"{enrollment:,} enrolled students"
    method = policy.weighting.method
    if method == "flat":
        return f"Weight {enrollment:,} = {students}."
    if method == "need_weighted":
        return f"Weight {weight.normalize():,f} = {students} × score {score_text(score)}."
    assert tier is not None
    return (
        f"Weight {weight.normalize():,f} = {students} × {tier.weight}, the weight of the tier "
        f"starting at score {score_text(tier.min_score)}."
    )


def describe_zero_weight(policy: AllocationPolicy, enrollment: int, tier: Tier | None) -> str:
    if enrollment == 0:
        reason = "the school has 0 enrolled students"
    elif policy.weighting.method == "need_weighted":
        reason = "its score is 0, and need weighting multiplies enrollment by the score"
    elif tier is None:
        lowest = policy.weighting.tiers[0].min_score
        reason = f"its score is below the lowest tier, which starts at {score_text(lowest)}"
    else:
        reason = f"the tier starting at score {score_text(tier.min_score)} has weight 0"
    return f"But {reason}, so its weight is 0 and it receives $0.00."


def describe_pool_share(share_percent: Decimal, total_weight_text: str, proportional: Decimal | None) -> str:
    """Describe the school's share; `proportional` is its pool share before floors and caps,
    given only when the policy has a floor or a cap."""
    text = f"That is {share_percent:.4f}% of the funded schools' total weight of {total_weight_text}"
    if proportional is None:
        return text + "."
    return text + f", or {precise_dollars(proportional)} of the pool before floors and caps."


def describe_shared_remainder(remaining: Decimal, free_schools: int) -> str:
    return (
        f"Floors and caps on other schools leave {dollars(remaining)} for the "
        f"{free_schools:,} school(s) within the limits, shared in proportion to weight."
    )


def describe_rate(rate: Decimal, weight: Decimal, raw: Decimal, tier: Tier | None) -> str:
    rate_source = "the policy's rate"
    if tier is not None and tier.rate is not None:
        rate_source = f"the rate of the tier starting at score {score_text(tier.min_score)}"
    return f"At {dollars(rate)} per weighted pupil ({rate_source}), that is {precise_dollars(raw)}."


def describe_limit(limit: LimitApplied | None, policy: AllocationPolicy) -> str:
    if limit == "floor":
        assert policy.floor is not None
        return (
            f"That is below the floor of {dollars(policy.floor)}, so the school receives the "
            "floor, and the schools above it share the rest."
        )
    if limit == "cap":
        assert policy.cap is not None
        return (
            f"That is above the cap of {dollars(policy.cap)}, so the school receives the cap, "
            "and the other schools share the difference."
        )
    return ""


def describe_proration(raw_total: Decimal, ceiling: Decimal) -> str:
    return (
        f"The total at these rates, {dollars(raw_total)}, is above the ceiling of "
        f"{dollars(ceiling)}, so every amount is prorated to fit the ceiling."
    )


@lru_cache(maxsize=8)
def _rounding_method(rounding: str, largest_remainder: bool) -> str:
    unit = "whole dollars" if rounding == "dollar" else "cents"
    if largest_remainder:
        return f"{unit} by the largest-remainder method, which keeps the total exact"
    return f"{unit} half up"


def describe_rounding(
    policy: AllocationPolicy,
    before: Decimal,
    adjustment: Decimal,
    amount: Decimal,
    per_pupil: Decimal | None,
    largest_remainder: bool,
) -> str:
    if adjustment == 0:
        text = f"Amount before rounding {precise_dollars(before)} needs no rounding: {dollars(amount)}"
    else:
        text = (
            f"Amount before rounding {precise_dollars(before)}, rounded to "
            f"{_rounding_method(policy.rounding, largest_remainder)} "
            f"({signed_dollars(adjustment)}): {dollars(amount)}"
        )
    if per_pupil is not None:
        text += f", or {dollars(per_pupil)} per pupil"
    return text + "."
