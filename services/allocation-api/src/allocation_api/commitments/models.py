"""Schools' commitments to partner programs, and the per-school rows that serialise their writes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from allocation_api.database import Base
from partnerfund_shared.db import DecimalType, UTCDateTime, utc_now


class Commitment(Base):
    """Money a school pledges from one fund's allocation to one catalog program.

    The program, organization and portfolio fields are copied from the catalog at creation, so the
    summaries need no call to the catalog and keep the names the school chose from.
    """

    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'approved', 'cancelled')", name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        # An idempotency key belongs to the API key identity that sent it.
        UniqueConstraint("created_by", "idempotency_key", name="uq_commitments_created_by_idempotency_key"),
        Index("ix_commitments_school", "fiscal_year", "fund", "school_code", "status"),
        Index("ix_commitments_organization", "fiscal_year", "fund", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    fund: Mapped[str] = mapped_column(String(30))
    school_code: Mapped[str] = mapped_column(String(4))
    program_id: Mapped[int] = mapped_column(Integer)
    program_name: Mapped[str] = mapped_column(String(300))
    organization_id: Mapped[int] = mapped_column(Integer)
    organization_name: Mapped[str] = mapped_column(String(300))
    portfolio_status: Mapped[str | None] = mapped_column(String(20))
    portfolio_category: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(DecimalType(14, 2))
    note: Mapped[str | None] = mapped_column(Text)
    expected_start_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    # The published run the amount was checked against; a plain id because runs are never deleted.
    allocation_run_id: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    # SHA-256 of the canonical request (path and body), to tell a replay from a reused key.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(200))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)


class CommitmentLock(Base):
    """One row per fiscal year, fund and school that every commitment write locks first.

    On PostgreSQL writers take it with `SELECT ... FOR UPDATE`, so two requests for the same
    school check and change its balance one after the other. The row carries no balance itself:
    the balance is always summed from `commitments` while the lock is held.
    """

    __tablename__ = "commitment_locks"

    fiscal_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund: Mapped[str] = mapped_column(String(30), primary_key=True)
    school_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
