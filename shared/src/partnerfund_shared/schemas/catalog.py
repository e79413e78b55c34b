"""Wire schemas of the catalog API: the public catalog, writes, the portfolio and imports.

Public responses (`Program`, `Organization`, `SchoolPage`, `Portfolio`, ...) carry no private
field. Write responses add the private fields (`staff_email`, `internal_note`) for key holders.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from partnerfund_shared.types import FiscalYear, SchoolCode

ProgramStatus = Literal["draft", "submitted", "approved", "archived"]
MembershipStatus = Literal["applied", "qualified", "approved", "declined"]
Fees = Literal["yes", "no", "unknown"]
NonprofitStatus = Literal["nonprofit", "for_profit", "public_agency", "unknown"]
VocabularyKindName = Literal["program_area", "program_subarea", "time_of_day", "grade", "day", "language"]

SchoolYear = int


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- organizations -----------------------------------------------------------------------


class OrganizationRef(BaseModel):
    id: int
    name: str


class ProgramRef(BaseModel):
    id: int
    name: str


class Organization(BaseModel):
    """The public page of a partner, with its approved programs."""

    id: int
    name: str
    website: str | None
    description: str | None
    nonprofit_status: NonprofitStatus
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    programs: list[ProgramRef]


class OrganizationRecord(Organization):
    """A partner with its private fields, returned to API-key holders after a write."""

    staff_email: str | None
    internal_note: str | None
    created_at: datetime
    updated_at: datetime


class OrganizationFields(_Request):
    website: str | None = Field(default=None, max_length=500)
    description: str | None = None
    nonprofit_status: NonprofitStatus | None = None
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=50)
    staff_email: str | None = Field(
        default=None, max_length=320, description="Private: the partnerships office's contact."
    )
    internal_note: str | None = Field(default=None, description="Private note for staff.")


class OrganizationCreate(OrganizationFields):
    name: str = Field(min_length=1, max_length=300)


class OrganizationUpdate(OrganizationFields):
    """Fields to change; omitted fields keep their value, and null clears an optional one."""

    name: str | None = Field(default=None, min_length=1, max_length=300)


# --- programs ----------------------------------------------------------------------------


class ProgramSummary(BaseModel):
    """A program in search results and lists."""

    id: int
    name: str
    organization: OrganizationRef
    description: str | None
    areas: list[str]
    subareas: list[str]
    grades: list[str]
    days: list[str]
    time_of_day: list[str]
    languages: list[str]
    fees: Fees
    fees_explanation: str | None
    service_capacity: int | None
    status: ProgramStatus
    last_verified_on: date | None


class PortfolioListing(BaseModel):
    fiscal_year: FiscalYear
    category: str
    status: MembershipStatus


class ProgramSchool(BaseModel):
    school_code: SchoolCode
    name: str
    school_year: SchoolYear


class Program(ProgramSummary):
    """A public program page: the summary, its goals, schools and portfolio approvals."""

    goals_outcomes: str | None
    schools: list[ProgramSchool]
    portfolio: list[PortfolioListing]


class ProgramRecord(Program):
    """A program with its private fields, returned to API-key holders."""

    internal_note: str | None
    created_at: datetime
    updated_at: datetime


class ProgramFields(_Request):
    description: str | None = None
    goals_outcomes: str | None = None
    areas: list[str] | None = Field(default=None, description="Program area labels or synonyms.")
    subareas: list[str] | None = None
    grades: list[str] | None = Field(
        default=None, description='Grades or ranges: ["K1-5", "Alternative Education"].'
    )
    days: list[str] | None = None
    time_of_day: list[str] | None = None
    languages: list[str] | None = None
    fees: Fees | None = None
    fees_explanation: str | None = None
    service_capacity: int | None = Field(default=None, ge=0)
    last_verified_on: date | None = None
    internal_note: str | None = Field(default=None, description="Private note for staff.")


class ProgramCreate(ProgramFields):
    organization_id: int
    name: str = Field(min_length=1, max_length=300)


class ProgramUpdate(ProgramFields):
    """Fields to change; omitted fields keep their value."""

    name: str | None = Field(default=None, min_length=1, max_length=300)


class ProgramStatusChange(_Request):
    status: ProgramStatus


class FacetCount(BaseModel):
    value: str
    count: int


class ProgramFacets(BaseModel):
    """Counts of matching programs per value, for the current query and filters."""

    area: list[FacetCount]
    subarea: list[FacetCount]
    grade: list[FacetCount]
    time_of_day: list[FacetCount]
    language: list[FacetCount]
    fees: list[FacetCount]


class ProgramSearchPage(BaseModel):
    items: list[ProgramSummary]
    next_cursor: str | None
    total: int = Field(description="Programs matching the query and filters, on every page.")
    facets: ProgramFacets


# --- schools -----------------------------------------------------------------------------


class SchoolProfile(BaseModel):
    school_code: SchoolCode
    name: str
    rc_code: str | None
    neighborhood: str | None
    grades: list[str]
    grades_label: str | None
    address: str | None
    hours: str | None


class SchoolPartnership(BaseModel):
    id: int
    program: ProgramRef
    organization: OrganizationRef
    school_year: SchoolYear
    grades: list[str]
    days: list[str]
    time_of_day: list[str]
    service_capacity: int | None
    students_enrolled: int | None


class SchoolAreaGroup(BaseModel):
    """The partnerships of one program area; `area` is null for programs without an area."""

    area: str | None
    count: int
    partnerships: list[SchoolPartnership]


class SchoolPage(SchoolProfile):
    school_year: SchoolYear | None = Field(
        description="The school year shown; by default the latest one with partnerships."
    )
    school_years: list[SchoolYear]
    partnership_count: int
    areas: list[SchoolAreaGroup]


class PartnershipUpdate(_Request):
    """Counts to change; omitted fields keep their value, and null clears one."""

    students_enrolled: int | None = Field(default=None, ge=0)
    service_capacity: int | None = Field(default=None, ge=0)


class PartnershipRecord(BaseModel):
    id: int
    school_code: SchoolCode
    program_id: int
    school_year: SchoolYear
    grades: list[str]
    days: list[str]
    students_enrolled: int | None
    service_capacity: int | None


# --- portfolio ---------------------------------------------------------------------------


class PortfolioDecision(_Request):
    category: str = Field(min_length=1, max_length=200)
    status: MembershipStatus
    internal_note: str | None = None


class PortfolioMembership(BaseModel):
    fiscal_year: FiscalYear
    program_id: int
    category: str
    status: MembershipStatus
    decided_at: datetime | None
    updated_at: datetime


class PortfolioCheck(BaseModel):
    """The portfolio check the allocation service makes before a school commits money."""

    program_id: int
    program_status: ProgramStatus
    in_portfolio: bool = Field(
        description="True when the program is approved and approved in this year's portfolio."
    )
    portfolio_status: MembershipStatus | None
    category: str | None


class PortfolioEntry(BaseModel):
    """One approved program of a year's portfolio, under its category."""

    category: str
    status: MembershipStatus
    decided_at: datetime | None
    program: ProgramSummary


class Portfolio(BaseModel):
    """The approved menu of one fiscal year, sorted by category, then program name.

    The whole menu is one page, so `next_cursor` is always null; it is there because every
    list of the platform has it.
    """

    fiscal_year: FiscalYear
    categories: list[str]
    items: list[PortfolioEntry]
    next_cursor: str | None = None


# --- vocabularies ------------------------------------------------------------------------


class VocabularyTerm(BaseModel):
    id: int
    kind: VocabularyKindName
    value: str
    parent: str | None
    position: int
    synonyms: list[str]


class VocabularyTermCreate(_Request):
    value: str = Field(min_length=1, max_length=200)
    parent: str | None = Field(default=None, description="Label of the broader term.")
    position: int | None = Field(default=None, description="Display order; default: last.")
    synonyms: list[str] = Field(default_factory=list)


class VocabularySynonymCreate(_Request):
    text: str = Field(min_length=1, max_length=200)


# --- audit and imports -------------------------------------------------------------------


class AuditEntry(BaseModel):
    id: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    changes: dict[str, Any]


class ImportWarning(BaseModel):
    row: int | None = None
    column: str | None = None
    value: str | None = None
    message: str


class RecordCounts(BaseModel):
    schools: int = 0
    organizations: int = 0
    programs: int = 0
    partnerships: int = 0


class SkippedRow(BaseModel):
    """An export row that matched no school and was skipped on request."""

    row: int
    rc_code: str | None
    school_name: str
    reason: str


class RepeatedRow(BaseModel):
    """An export row for a school and program that an earlier row of the file already named.

    Repeats merge into the first row's partnership: grades and days are combined, and service
    capacity is the sum over the distinct rows, so an exact duplicate row adds nothing.
    """

    row: int
    first_row: int
    school_code: SchoolCode
    program: str
    organization: str


class ImportResult(BaseModel):
    id: int
    rows: int
    warnings: list[ImportWarning]
    created: RecordCounts
    updated: RecordCounts
    unchanged: RecordCounts
    skipped: list[SkippedRow] = Field(default_factory=list)
    repeats: list[RepeatedRow] = Field(default_factory=list)
    school_year: SchoolYear | None = None
