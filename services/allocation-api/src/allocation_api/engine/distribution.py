"""Exact arithmetic of the split, in integers counted in rounding units (dollars or cents).

Each school's exact amount before rounding is the fraction `numerator / denominator` of units, so
no step rounds until the final largest-remainder pass, and the result cannot depend on the order
of the input.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

from partnerfund_shared.schemas.allocation import LimitApplied


class Quota(NamedTuple):
    """An exact amount in rounding units: `numerator / denominator`."""

    numerator: int
    denominator: int


@dataclass(frozen=True, slots=True)
class Split:
    """Rounded amounts in units, the exact amounts before rounding and the limit each one hit,
    all in the order of the weights that were split."""

    units: list[int]
    quotas: list[Quota]
    limits: list[LimitApplied | None]


@dataclass(frozen=True, slots=True)
class _Bounds:
    """Schools held at the cap or floor, and the units and weight of the free schools."""

    capped: frozenset[int]
    floored: frozenset[int]
    remaining: int
    free_weight: int


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def _solve_bounds(weights: Sequence[int], pool: int, floor: int, cap: int | None) -> _Bounds:
    """Find the schools held at the floor or cap when each gets `clamp(k * weight, floor, cap)`.

    The sum over schools of `clamp(k * weight, floor, cap)` grows with k and is linear between
    the breakpoints `floor / weight` and `cap / weight`. Binary search finds the largest breakpoint
    whose sum is still at most the pool; past it the sets of floored and capped schools no longer
    change, so the free schools share what the limits leave, in proportion to weight. This is
    the stable state that repeated "fix the violators, redistribute" passes converge to.
    Requires `0 <= floor < cap`, `len(weights) * floor <= pool <= len(weights) * cap` and
    positive weights.
    """
    count = len(weights)
    order = sorted(range(count), key=weights.__getitem__)
    ascending = [weights[index] for index in order]
    prefix = [0, *accumulate(ascending)]

    def sum_at_most_pool(numerator: int, denominator: int) -> bool:
        # Evaluate the sum at k = numerator / denominator, scaled by the denominator.
        floored = bisect_right(ascending, floor * denominator // numerator) if floor else 0
        capped = 0
        if cap is not None:
            capped = count - bisect_left(ascending, _ceil_div(cap * denominator, numerator))
        free_weight = prefix[count - capped] - prefix[floored]
        scaled_sum = (capped * (cap or 0) + floored * floor) * denominator
        return scaled_sum + numerator * free_weight <= pool * denominator

    def largest_breakpoint(limit: int) -> tuple[int, int] | None:
        # Breakpoints limit / weight shrink as the weight grows, so the predicate is monotone.
        low, high = 0, count
        while low < high:
            middle = (low + high) // 2
            if sum_at_most_pool(limit, ascending[middle]):
                high = middle
            else:
                low = middle + 1
        return (limit, ascending[low]) if low < count else None

    candidates = []
    if floor:
        candidates.append(largest_breakpoint(floor))
    if cap is not None:
        candidates.append(largest_breakpoint(cap))
    numerator, denominator = 0, 1
    for candidate in candidates:
        if candidate is not None and candidate[0] * denominator > numerator * candidate[1]:
            numerator, denominator = candidate

    # Just above that breakpoint: capped where k * weight >= cap, floored where k * weight < floor.
    if numerator == 0:
        floored_count = count if floor else 0
        capped_count = 0
    else:
        floored_count = bisect_left(ascending, _ceil_div(floor * denominator, numerator))
        capped_count = 0
        if cap is not None:
            threshold = _ceil_div(cap * denominator, numerator)
            capped_count = count - bisect_left(ascending, threshold)
    capped = frozenset(order[count - capped_count :])
    floored = frozenset(order[:floored_count])
    remaining = pool - capped_count * (cap or 0) - floored_count * floor
    free_weight = prefix[count - capped_count] - prefix[floored_count]
    return _Bounds(capped, floored, remaining, free_weight)


def distribute_pool(
    weights: Sequence[int],
    pool: int,
    *,
    floor: int | None,
    cap: int | None,
    tie_scores: Sequence[int],
) -> Split:
    """Split `pool` units in proportion to `weights`, within floor and cap, summing to `pool`.

    Whole units go first by the integer part of each exact share, then one each to the largest
    remainders. Equal remainders go to the higher `tie_scores` value, then to the lower position
    (the caller passes scores times 10,000, in school code order). Requires positive weights
    and feasible limits, because the caller raises the errors for floors above the pool or caps
    below it.
    """
    count = len(weights)
    floor_units = floor or 0
    if cap is not None and cap == floor_units:
        # Floor equals cap: every school gets exactly that, and the caller checked the sum.
        quota = Quota(floor_units, 1)
        return Split([floor_units] * count, [quota] * count, ["floor"] * count)

    if floor_units or cap is not None:
        bounds = _solve_bounds(weights, pool, floor_units, cap)
    else:
        bounds = _Bounds(frozenset(), frozenset(), pool, sum(weights))

    units = [0] * count
    quotas: list[Quota] = [Quota(0, 1)] * count
    limits: list[LimitApplied | None] = [None] * count
    remainders: list[tuple[int, int, int]] = []
    for index, weight in enumerate(weights):
        if index in bounds.capped:
            units[index] = cap or 0
            quotas[index] = Quota(cap or 0, 1)
            limits[index] = "cap"
        elif index in bounds.floored:
            units[index] = floor_units
            quotas[index] = Quota(floor_units, 1)
            limits[index] = "floor"
        else:
            share = bounds.remaining * weight
            whole, remainder = divmod(share, bounds.free_weight)
            units[index] = whole
            quotas[index] = Quota(share, bounds.free_weight)
            if remainder:
                remainders.append((-remainder, -tie_scores[index], index))

    leftover = pool - sum(units)
    remainders.sort()
    for _, _, index in remainders[:leftover]:
        units[index] += 1
    return Split(units, quotas, limits)


def round_half_up(quota: Quota) -> int:
    """Round a non-negative exact amount to whole units, halves up."""
    return (2 * quota.numerator + quota.denominator) // (2 * quota.denominator)


def clamp_quota(quota: Quota, floor: int | None, cap: int | None) -> tuple[Quota, LimitApplied | None]:
    """Hold an exact amount within floor and cap, naming the limit that applied."""
    if floor and quota.numerator < floor * quota.denominator:
        return Quota(floor, 1), "floor"
    if cap is not None and quota.numerator > cap * quota.denominator:
        return Quota(cap, 1), "cap"
    return quota, None
