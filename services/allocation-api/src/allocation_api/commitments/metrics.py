"""Prometheus metrics of commitment proposals."""

from __future__ import annotations

from prometheus_client import Counter

# Outcomes: created, replayed, exceeds_balance, program_rejected, catalog_unavailable, key_reused.
PROPOSALS = Counter(
    "allocation_commitment_proposals_total",
    "Commitment proposals by outcome; only `created` stores a new commitment.",
    ["outcome"],
)
