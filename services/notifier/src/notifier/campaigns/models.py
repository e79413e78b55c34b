"""Campaigns and the sessions of event campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notifier.database import Base
from partnerfund_shared.db import UTCDateTime, utc_now


class Campaign(Base):
    __tablename__ = "campaigns"
    # A unique index rather than a constraint: SQLite adds an index without rebuilding the table.
    __table_args__ = (
        Index("uq_campaigns_created_by_idempotency_key", "created_by", "idempotency_key", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    fund: Mapped[str | None] = mapped_column(String(40))
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    not_eligible: Mapped[str] = mapped_column(String(10), default="notify")
    # {"roles": [...], "school_codes": [...], "contact_ids": [...]} as requested.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    # ISO 8601 durations before each session, as requested ("P1D").
    reminders: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The client's Idempotency-Key, unique per API key name, and the SHA-256 of the request it
    # came with, so that a retry returns this campaign instead of scheduling every message again.
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_sha256: Mapped[str | None] = mapped_column(String(64))

    sessions: Mapped[list[EventSession]] = relationship(
        lazy="raise", order_by="EventSession.position", back_populates="campaign"
    )


class EventSession(Base):
    """One session of an office-hours or technical-assistance campaign.

    `sequence` is the iCalendar SEQUENCE: 0 when created, raised by one on every change, so
    calendar clients apply the newest invitation or cancellation.
    """

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(300))
    video_link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    campaign: Mapped[Campaign] = relationship(lazy="raise", back_populates="sessions")
