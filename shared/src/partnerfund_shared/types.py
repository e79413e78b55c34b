"""Wire-schema building blocks shared by every service.

Money and need-index scores are `Decimal` end to end and travel in JSON as strings, so no binary
float ever touches them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, Field, PlainSerializer, StringConstraints

SCHOOL_CODE_PATTERN = r"^[0-9]{4}$"

SchoolCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=SCHOOL_CODE_PATTERN),
    Field(description='BPS four-digit school code, always text ("0101" stays "0101").'),
]

FiscalYear = Annotated[
    int,
    Field(ge=2000, le=2100, description="Fiscal year ending in June of that year: 2028 is FY28."),
]

CENT = Decimal("0.01")
SCORE_PLACES = Decimal("0.0001")


def _two_places(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("amount must be a finite number")
    if value != value.quantize(CENT):
        raise ValueError("amount has more than two decimal places")
    return value.quantize(CENT)


def _score_range(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("score must be a finite number")
    if value < 0 or value > 1:
        raise ValueError("score must be between 0 and 1")
    if value != value.quantize(SCORE_PLACES):
        raise ValueError("score has more than four decimal places")
    return value


# Lax-mode Decimal accepts "123.45" and 123. The string serializer keeps the wire format exact.
Money = Annotated[
    Decimal,
    AfterValidator(_two_places),
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
    Field(description='US dollars with two decimals, as a JSON string: "123456.00".'),
]

Score = Annotated[
    Decimal,
    AfterValidator(_score_range),
    PlainSerializer(lambda value: str(value), return_type=str, when_used="json"),
    Field(description="Need-index score from 0 to 1 with up to four decimals, as a JSON string."),
]

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """Keyset page envelope: pass `next_cursor` back as `cursor` for the next page."""

    items: list[ItemT]
    next_cursor: str | None = None


MAX_PAGE_LIMIT = 200
PageLimit = Annotated[int, Field(ge=1, le=MAX_PAGE_LIMIT)]
