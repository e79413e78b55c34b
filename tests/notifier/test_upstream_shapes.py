"""The notifier reads the other services' responses in the shapes their wire schemas define."""

from __future__ import annotations

from decimal import Decimal

import pytest

from notifier.upstream import (
    UpstreamProblem,
    parse_allocation_lines,
    parse_allocation_rules,
    parse_portfolio,
)
from partnerfund_shared.schemas.allocation import AllocationPolicy, RunLine
from tests.notifier.support import published_line


def test_allocation_lines_by_school_code():
    body = {"items": [published_line("0101", "Hernández K-8", "123456.00", per_pupil="308.64")]}

    lines = parse_allocation_lines(body)

    assert lines["0101"].amount == Decimal("123456.00")
    assert lines["0101"].per_pupil == Decimal("308.64")
    assert lines["0101"].eligible is True


def test_allocation_line_status_and_inputs():
    item = {**published_line("0202", "Mather", "0.00", eligible=False), "status": "no_enrollment"}
    item["enrollment"] = None
    RunLine.model_validate(item)

    line = parse_allocation_lines({"items": [item]})["0202"]

    assert line.status == "no_enrollment"
    assert line.missing_enrollment is True
    assert line.score == Decimal("0.4100")
    assert line.enrollment is None


def test_allocation_rules_from_run_policy():
    policy = AllocationPolicy.model_validate(
        {"pool": "6000000.00", "eligibility": {"min_score": "0.56"}, "floor": "1000.00"}
    )
    body = {"id": 1, "status": "published", "policy": policy.model_dump(mode="json")}

    rules = parse_allocation_rules(body, {})

    assert rules.min_score == Decimal("0.56")
    assert rules.top_n is None
    assert rules.pool == Decimal("6000000.00")
    assert rules.floor == Decimal("1000.00")
    assert rules.mode == "pool"
    assert rules.weighting == "flat"
    assert rules.rounding == "dollar"


def test_top_n_rules_take_lowest_qualifying_score():
    policy = AllocationPolicy.model_validate({"pool": "100.00", "eligibility": {"top_n": 2}})
    lines = parse_allocation_lines(
        {
            "items": [
                {**published_line("0101", "A", "60.00"), "score": "0.7000"},
                {
                    **published_line("0202", "B", "0.00", eligible=False),
                    "status": "no_enrollment",
                    "score": "0.6500",
                },
                {
                    **published_line("0303", "C", "0.00", eligible=False),
                    "status": "outside_top_n",
                    "score": "0.5000",
                },
            ]
        }
    )
    rules = parse_allocation_rules({"policy": policy.model_dump(mode="json")}, lines)

    assert rules.top_n == 2
    assert rules.lowest_qualifying_score == Decimal("0.6500")


def test_run_without_policy_is_rejected():
    with pytest.raises(UpstreamProblem, match="without a policy"):
        parse_allocation_rules({"id": 1}, {})


def test_allocation_float_amount_is_rejected():
    body = {"items": [{**published_line("0101", "A", "1.00"), "amount": 1.5}]}

    with pytest.raises(UpstreamProblem, match="binary float"):
        parse_allocation_lines(body)


def test_portfolio_from_catalog_schema():
    from partnerfund_shared.schemas import catalog as portfolio_schema

    program = {
        "id": 7,
        "name": "Robotics Club",
        "organization": {"id": 3, "name": "Tech Goes Home"},
        "description": None,
        "areas": ["STEM"],
        "subareas": [],
        "grades": ["06"],
        "days": [],
        "time_of_day": [],
        "languages": [],
        "fees": "no",
        "fees_explanation": None,
        "service_capacity": None,
        "status": "approved",
        "last_verified_on": None,
    }
    body = {
        "fiscal_year": 2028,
        "categories": ["STEM"],
        "items": [{"category": "STEM", "status": "approved", "decided_at": None, "program": program}],
        "next_cursor": None,
    }
    # The sample must stay a valid catalog response, so a change of the catalog schema shows here.
    portfolio_schema.Portfolio.model_validate(body)

    programs = parse_portfolio(body)

    assert [(item.name, item.organization, item.category) for item in programs] == [
        ("Robotics Club", "Tech Goes Home", "STEM")
    ]


def test_portfolio_skips_unapproved():
    body = {"items": [{"category": "STEM", "status": "declined", "program": {"name": "X"}}]}

    assert parse_portfolio(body) == []
