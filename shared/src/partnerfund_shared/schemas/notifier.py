"""Wire schemas of the notifier API: contacts, campaigns, previews and the delivery ledger.

Times in requests may omit the offset; the notifier then reads them as `America/New_York`
wall-clock time. Times in responses are aware UTC, with a `_local` twin where people read them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from partnerfund_shared.types import FiscalYear, SchoolCode

ContactRole = Literal["school_leader", "instructional_superintendent", "central_office", "partner"]

CampaignKind = Literal[
    "budget_release", "office_hours", "technical_assistance", "portfolio_release", "custom"
]
EVENT_KINDS: frozenset[str] = frozenset({"office_hours", "technical_assistance"})

# A contact may opt out of any category but budget_release, which is always critical.
NoticeCategory = Literal["office_hours", "technical_assistance", "portfolio_release", "custom"]

CampaignStatus = Literal["scheduled", "cancelled"]

DeliveryStatus = Literal["scheduled", "sending", "sent", "retry_wait", "failed", "expired", "cancelled"]
PENDING_STATUSES: frozenset[str] = frozenset({"scheduled", "sending", "retry_wait"})


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ImportWarningOut(BaseModel):
    row: int | None = None
    column: str | None = None
    value: str | None = None
    message: str


class ContactImportResult(BaseModel):
    id: int
    rows: int
    created: int
    updated: int
    unchanged: int
    warnings: list[ImportWarningOut]


class ContactOut(BaseModel):
    id: int
    name: str
    email: str
    role: ContactRole
    school_codes: list[str]
    language: str
    opted_out: list[NoticeCategory]
    created_at: datetime
    updated_at: datetime


class PreferencesUpdate(_Request):
    """The full set of categories the contact opts out of; an empty list opts back in to all."""

    opted_out: list[NoticeCategory] = Field(default_factory=list)


class Audience(_Request):
    """Who receives a campaign: contacts matching every given filter, plus `contact_ids`.

    An empty audience means the default roles of the campaign kind.
    """

    roles: list[ContactRole] = Field(default_factory=list)
    school_codes: list[SchoolCode] = Field(default_factory=list)
    contact_ids: list[int] = Field(default_factory=list)


class SessionIn(_Request):
    starts_at: datetime
    ends_at: datetime
    location: str | None = Field(default=None, max_length=300)
    video_link: HttpUrl | None = None
    capacity: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ends_after_start(self) -> SessionIn:
        if (self.starts_at.tzinfo is None) != (self.ends_at.tzinfo is None):
            raise ValueError("starts_at and ends_at must both have an offset or both omit it")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.location is None and self.video_link is None:
            raise ValueError("give a location, a video_link or both")
        return self


class SessionUpdate(_Request):
    """New values for a session; fields left out keep their value."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str | None = Field(default=None, max_length=300)
    video_link: HttpUrl | None = None
    capacity: int | None = Field(default=None, ge=1)


class CampaignCreate(_Request):
    kind: CampaignKind
    title: str | None = Field(default=None, min_length=1, max_length=200)
    fiscal_year: FiscalYear | None = None
    fund: str = Field(default="partnership", min_length=1, max_length=40)
    send_at: datetime | None = Field(
        default=None,
        description="When the first message goes out; local time without an offset; now if absent.",
    )
    audience: Audience = Field(default_factory=Audience)
    not_eligible: Literal["notify", "skip"] = Field(
        default="notify",
        description="budget_release: send schools that are not eligible a message saying so, or none.",
    )
    sessions: list[SessionIn] = Field(default_factory=list)
    reminders: list[str] = Field(
        default_factory=list, description='ISO 8601 offsets before each session: ["P1D", "PT1H"].'
    )
    description: str | None = Field(default=None, max_length=5000)
    subject: str | None = Field(default=None, max_length=200)
    body: str | None = Field(default=None, max_length=20000)
    critical: bool | None = Field(
        default=None,
        description="Critical notices ignore opt-outs; budget_release is always critical.",
    )


class SessionOut(BaseModel):
    id: int
    starts_at: datetime
    ends_at: datetime
    starts_at_local: str
    ends_at_local: str
    location: str | None
    video_link: str | None
    capacity: int | None
    sequence: int
    cancelled: bool


class CampaignOut(BaseModel):
    id: int
    kind: CampaignKind
    title: str
    status: CampaignStatus
    fiscal_year: int | None
    fund: str | None
    send_at: datetime
    send_at_local: str
    audience: Audience
    critical: bool
    not_eligible: Literal["notify", "skip"]
    reminders: list[str]
    sessions: list[SessionOut]
    deliveries: dict[str, int] = Field(description="Number of ledger rows by status.")
    warnings: list[str]
    created_at: datetime
    cancelled_at: datetime | None


class PreviewMessage(BaseModel):
    delivery_id: int
    recipient: str
    recipient_name: str
    occurrence: str
    scheduled_for: datetime
    scheduled_for_local: str
    will_send: bool
    note: str | None = Field(
        default=None, description="Why the message will not go out, when `will_send` is false."
    )
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    attachments: list[str] = Field(default_factory=list)


class DeliveryOut(BaseModel):
    id: int
    campaign_id: int
    recipient: str
    status: DeliveryStatus
    attempts: int
    scheduled_for: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    message_id: str
    occurrence: str
