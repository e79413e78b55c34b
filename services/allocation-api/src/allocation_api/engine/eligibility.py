"""Eligibility by score and the weight of each eligible school."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from allocation_api.engine.records import SchoolRecord
from partnerfund_shared.schemas.allocation import (
    MinScoreEligibility,
    Tier,
    TopNEligibility,
    Weighting,
)

# Scores and tier weights have at most four decimal places, so times 10,000 they are integers.
FOUR_PLACES_SCALE = 10_000


# A NamedTuple, not a dataclass: explanation texts are cached per (rule, score), and hashing a
# tuple is much cheaper than a dataclass's generated __hash__ on 100,000 lines.
class ScoreRule(NamedTuple):
    """The eligibility rule resolved against the scores: a school qualifies at `cutoff` or above.

    For `top_n`, `cutoff` is the score at `rank` (N, or fewer when fewer schools have a score),
    so schools tied with it also qualify. `cutoff` is None when no school has a score.
    """

    cutoff: Decimal | None
    top_n: int | None
    rank: int | None = None

    def qualifies(self, score: Decimal | None) -> bool:
        return score is not None and self.cutoff is not None and score >= self.cutoff


def resolve_rule(rule: MinScoreEligibility | TopNEligibility, records: Sequence[SchoolRecord]) -> ScoreRule:
    """Turn the policy's rule into a score cutoff; for top N, rank every school that has a score.

    A school without enrollment still takes its place in the ranking: eligibility follows the
    need index alone, and excluding an incomplete school does not promote the next one.
    """
    if isinstance(rule, MinScoreEligibility):
        return ScoreRule(cutoff=rule.min_score, top_n=None)

    scores = sorted((record.score for record in records if record.score is not None), reverse=True)
    if not scores:
        return ScoreRule(cutoff=None, top_n=rule.top_n)
    rank = min(rule.top_n, len(scores))
    return ScoreRule(cutoff=scores[rank - 1], top_n=rule.top_n, rank=rank)


def find_tier(tiers: Sequence[Tier], score: Decimal) -> Tier | None:
    """Return the band holding `score`: the tier with the highest `min_score` at or below it."""
    found = None
    for tier in tiers:  # sorted by min_score when the policy was validated
        if tier.min_score <= score:
            found = tier
    return found


def scaled_weight(weighting: Weighting, score: Decimal, enrollment: int) -> int:
    """Return the weight times 10,000 as an exact integer, for any method."""
    if weighting.method == "flat":
        return enrollment * FOUR_PLACES_SCALE
    if weighting.method == "need_weighted":
        return enrollment * int(score * FOUR_PLACES_SCALE)
    tier = find_tier(weighting.tiers, score)
    if tier is None:
        return 0
    return enrollment * int(tier.weight * FOUR_PLACES_SCALE)
