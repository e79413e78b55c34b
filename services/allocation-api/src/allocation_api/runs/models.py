from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from allocation_api.database import Base
from allocation_api.schools.models import SCHOOL_CODE_LENGTH
from partnerfund_shared.db import DecimalType, UTCDateTime, utc_now


class Run(Base):
    """An allocation run: draft until published, then immutable; superseded by a later publish."""

    __tablename__ = "runs"
    __table_args__ = (
        # At most one published run per fiscal year and fund, enforced by the database too.
        Index(
            "uq_runs_published_fiscal_year_fund",
            "fiscal_year",
            "fund",
            unique=True,
            postgresql_where=text("status = 'published'"),
            sqlite_where=text("status = 'published'"),
        ),
        Index("ix_runs_fiscal_year_id", "fiscal_year", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    fund: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    need_index_set_id: Mapped[int] = mapped_column(ForeignKey("need_index_sets.id"))
    enrollment_set_id: Mapped[int] = mapped_column(ForeignKey("enrollment_sets.id"))
    total: Mapped[Decimal] = mapped_column(DecimalType(14, 2))
    eligible_schools: Mapped[int] = mapped_column(Integer)
    eligible_enrollment: Mapped[int] = mapped_column(Integer)
    excluded: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(200))
    supersedes_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    supersede_reason: Mapped[str | None] = mapped_column(Text)
    superseded_by_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RunLine(Base):
    """One school's result in a run, with the figures its explanation cites."""

    __tablename__ = "run_lines"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    school_code: Mapped[str] = mapped_column(String(SCHOOL_CODE_LENGTH), primary_key=True)
    school_name: Mapped[str] = mapped_column(String(200))
    rc_code: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[Decimal | None] = mapped_column(DecimalType(6, 4))
    enrollment: Mapped[int | None] = mapped_column(Integer)
    eligible: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(20))
    weight: Mapped[Decimal] = mapped_column(DecimalType(18, 4))
    share: Mapped[Decimal] = mapped_column(DecimalType(14, 10))
    amount_before_rounding: Mapped[Decimal] = mapped_column(DecimalType(18, 4))
    rounding_adjustment: Mapped[Decimal] = mapped_column(DecimalType(8, 4))
    limit_applied: Mapped[str | None] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(DecimalType(14, 2))
    per_pupil: Mapped[Decimal | None] = mapped_column(DecimalType(14, 2))
    explanation: Mapped[str] = mapped_column(Text)
