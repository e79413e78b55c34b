"""The notifier reads the other services' responses in the shapes their wire schemas define."""

from __future__ import annotations

from decimal import Decimal

import pytest

from notifier.upstream import UpstreamProblem, parse_allocation_lines, parse_portfolio
from tests.notifier.support import published_line


def test_allocation_lines_by_school_code():
    body = {"items": [published_line("0101", "Hernández K-8", "123456.00", per_pupil="308.64")]}

    lines = parse_allocation_lines(body)

    assert lines["0101"].amount == Decimal("123456.00")
    assert lines["0101"].per_pupil == Decimal("308.64")
    assert lines["0101"].eligible is True


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
