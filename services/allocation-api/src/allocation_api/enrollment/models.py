from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from allocation_api.database import Base
from partnerfund_shared.db import UTCDateTime, utc_now


class EnrollmentSet(Base):
    """An immutable set of enrollments: one import of one fiscal year."""

    __tablename__ = "enrollment_sets"
    __table_args__ = (UniqueConstraint("fiscal_year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    rows: Mapped[int] = mapped_column(Integer)
    total_enrollment: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by: Mapped[str] = mapped_column(String(200))


class EnrollmentCount(Base):
    __tablename__ = "enrollment_counts"

    set_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment_sets.id", ondelete="CASCADE"), primary_key=True
    )
    school_code: Mapped[str] = mapped_column(ForeignKey("schools.code"), primary_key=True)
    enrollment: Mapped[int] = mapped_column(Integer)
