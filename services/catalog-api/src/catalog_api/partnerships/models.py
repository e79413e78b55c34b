"""Partnerships: a program offered at a school in a school year."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from catalog_api.database import Base
from partnerfund_shared.db import UTCDateTime, utc_now


class Partnership(Base):
    """One school × program × school year; the school year is named by its ending year."""

    __tablename__ = "partnerships"
    __table_args__ = (
        UniqueConstraint(
            "school_id", "program_id", "school_year", name="uq_partnerships_school_program_year"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    # 2026 is the school year 2025-26.
    school_year: Mapped[int] = mapped_column(Integer)
    students_enrolled: Mapped[int | None] = mapped_column(Integer)
    service_capacity: Mapped[int | None] = mapped_column(Integer)
    # Canonical labels, in vocabulary order, of what this school's offering covers.
    grades: Mapped[list[str]] = mapped_column(JSON, default=list)
    days: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
