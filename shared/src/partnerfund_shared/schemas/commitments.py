"""Wire schemas of school commitments: money a school pledges to a partner program.

A commitment counts against the school's published allocation while it is `proposed` or
`approved`; a `cancelled` commitment frees its amount. Amounts are `Decimal` and travel as JSON
strings; requests may send them as strings or integers, never as JSON floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from partnerfund_shared.schemas.allocation import DEFAULT_FUND, ExactMoney, Fund
from partnerfund_shared.types import Money, SchoolCode

CommitmentStatus = Literal["proposed", "approved", "cancelled"]
ACTIVE_STATUSES: tuple[CommitmentStatus, ...] = ("proposed", "approved")

# Reason the catalog check rejected a program, sent as `reason` in the 422 problem.
ProgramRejection = Literal["program_not_found", "program_not_approved", "program_not_in_portfolio"]

MAX_NOTE_LENGTH = 2000
# The largest amount a NUMERIC(14, 2) column stores.
MAX_AMOUNT = Decimal("999999999999.99")


def _positive_amount(value: Decimal) -> Decimal:
    if value <= 0:
        raise ValueError('amount must be greater than 0.00; send a positive amount such as "100.00"')
    if value > MAX_AMOUNT:
        raise ValueError(f"amount must be at most {MAX_AMOUNT}")
    return value


PositiveMoney = Annotated[ExactMoney, AfterValidator(_positive_amount)]

# A balance can go below zero after a newer, smaller allocation supersedes the published one.
SignedMoney = Annotated[
    Decimal,
    PlainSerializer(lambda value: f"{value:.2f}", return_type=str, when_used="json"),
    Field(description='US dollars with two decimals, as a JSON string; may be negative: "-150.00".'),
]


class CommitmentCreate(BaseModel):
    """Body of a new commitment; the school and fiscal year come from the path."""

    model_config = ConfigDict(extra="forbid")

    fund: Fund = DEFAULT_FUND
    program_id: int = Field(ge=1, description="Catalog program id.")
    amount: PositiveMoney
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)
    expected_start_date: date | None = Field(
        default=None, description="When the partner is expected to start working with the school."
    )


class CommitmentCancel(BaseModel):
    """Optional body of a cancellation."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)


class Commitment(BaseModel):
    """A school's commitment, with the program and partner as the catalog named them at creation."""

    id: int
    fiscal_year: int
    fund: Fund
    school_code: SchoolCode
    program_id: int
    program_name: str
    organization_id: int
    organization_name: str
    portfolio_status: str | None = Field(
        default=None, description="The program's portfolio status in that fiscal year at creation."
    )
    portfolio_category: str | None = None
    amount: Money
    note: str | None = None
    expected_start_date: date | None = None
    status: CommitmentStatus
    allocation_run_id: int = Field(description="The published run the amount was checked against.")
    created_by: str
    created_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None
    cancelled_by: str | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    updated_at: datetime


class SchoolBalance(BaseModel):
    """A school's published allocation for one fund and what its active commitments use of it."""

    fiscal_year: int
    fund: Fund
    school_code: SchoolCode
    school_name: str | None = None
    run_id: int = Field(description="The published run the allocation comes from.")
    allocated: Money
    committed: Money = Field(description="Sum of proposed and approved commitments.")
    approved: Money
    proposed: Money
    remaining: SignedMoney = Field(description="Allocated minus committed; negative when over-committed.")
    over_committed: bool
    commitments: list[Commitment] = Field(description="Every commitment, cancelled ones included.")


class SchoolCommitmentTotal(BaseModel):
    """One school's line of the fiscal year's commitment summary."""

    school_code: SchoolCode
    school_name: str | None = None
    allocated: Money
    committed: Money
    approved: Money
    proposed: Money
    remaining: SignedMoney
    over_committed: bool
    commitments: int = Field(description="Number of active commitments.")


class OrganizationCommitmentTotal(BaseModel):
    """The total that all schools have committed to one partner organization."""

    organization_id: int
    organization_name: str
    committed: Money
    approved: Money
    proposed: Money
    schools: int = Field(description="Number of schools with an active commitment to it.")
    programs: int = Field(description="Number of its programs with an active commitment.")
    commitments: int = Field(description="Number of active commitments.")


class CommitmentSummary(BaseModel):
    """The fiscal year's commitments per school and per organization, for one fund."""

    fiscal_year: int
    fund: Fund
    run_id: int
    allocated: Money = Field(description="Total of the published run.")
    committed: Money
    approved: Money
    proposed: Money
    schools: list[SchoolCommitmentTotal]
    organizations: list[OrganizationCommitmentTotal]
    over_committed: list[SchoolCommitmentTotal] = Field(
        description="Schools whose active commitments exceed their current allocation, which "
        "happens when a newer run with a smaller amount supersedes the published one."
    )
