"""Header year parsing of the checks made before a cycle runs."""

from __future__ import annotations

import pytest

from partnerfund_shared.cycle.checks import fiscal_years_named, looks_like_score


@pytest.mark.parametrize(
    ("header", "years"),
    [
        ("FY28 OI Score", [2028]),
        ("OI Score FY2027", [2027]),
        ("fy-19 Opportunity Index", [2019]),
        ("OI_Score_FY28", [2028]),
        ("FY 30 score", [2030]),
        ("Score", []),
        ("FY280 Score", []),
        ("SFY28 code", []),
    ],
)
def test_fiscal_years_named(header: str, years: list[int]) -> None:
    assert fiscal_years_named(header) == years


@pytest.mark.parametrize(
    ("header", "expected"),
    [("FY28 OI Score", True), ("FY28 Opportunity Index", True), ("FY28 Enrollment", False)],
)
def test_score_headers_recognised(header: str, expected: bool) -> None:
    assert looks_like_score(header) is expected
