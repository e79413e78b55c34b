from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from allocation_api.database import Base
from partnerfund_shared.db import DecimalType, UTCDateTime, utc_now


class NeedIndexSet(Base):
    """An immutable set of need-index scores: one import of one fiscal year."""

    __tablename__ = "need_index_sets"
    __table_args__ = (UniqueConstraint("fiscal_year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    rows: Mapped[int] = mapped_column(Integer)
    scored: Mapped[int] = mapped_column(Integer)
    blank: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by: Mapped[str] = mapped_column(String(200))


class NeedIndexScore(Base):
    """One school's score in a set; None is a blank score, which is never eligible."""

    __tablename__ = "need_index_scores"

    set_id: Mapped[int] = mapped_column(
        ForeignKey("need_index_sets.id", ondelete="CASCADE"), primary_key=True
    )
    school_code: Mapped[str] = mapped_column(ForeignKey("schools.code"), primary_key=True)
    school_name: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[Decimal | None] = mapped_column(DecimalType(6, 4))
