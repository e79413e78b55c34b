"""The delivery ledger: one row per (campaign occurrence, recipient)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from notifier.database import Base
from partnerfund_shared.db import UTCDateTime, utc_now


class Delivery(Base):
    """One message to one recipient, and everything the worker learned while sending it.

    `idempotency_key` names the campaign, the occurrence (for example `release:0101` or
    `reminder:s12:P1D:q0`) and the contact; its unique constraint is what makes a second row
    for the same message impossible, and the Message-ID is derived from it.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        # The worker's claim query: due rows by status and time.
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_deliveries_campaign_id_id", "campaign_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("event_sessions.id"))
    # budget_release, budget_release_summary, event_invitation, event_reminder, ...
    template: Mapped[str] = mapped_column(String(40))
    occurrence: Mapped[str] = mapped_column(String(120))
    school_code: Mapped[str | None] = mapped_column(String(4))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))

    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Past this moment the message is marked expired instead of sent: the grace period of a
    # missed first send, or the start of the session for a reminder. None means no limit.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)


class WorkerLock(Base):
    """A named lock with a lease; on SQLite it lets only one worker send at a time."""

    __tablename__ = "worker_locks"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    owner: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
