"""Builders of engine inputs with keyword overrides."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from allocation_api.engine import SchoolRecord
from partnerfund_shared.schemas.allocation import AllocationPolicy


def make_school(
    code: str = "0101",
    *,
    name: str | None = None,
    rc_code: str | None = "101000",
    score: str | None = "0.60",
    enrollment: int | None = 100,
) -> SchoolRecord:
    return SchoolRecord(
        code=code,
        name=name or f"School {code}",
        rc_code=rc_code,
        score=None if score is None else Decimal(score),
        enrollment=enrollment,
    )


def make_policy(**overrides: Any) -> AllocationPolicy:
    document: dict[str, Any] = {
        "pool": "1000.00",
        "eligibility": {"min_score": "0.56"},
        "weighting": {"method": "flat"},
        "rounding": "dollar",
    }
    document.update(overrides)
    return AllocationPolicy.model_validate(document)
