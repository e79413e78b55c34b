"""Schools as public profiles, keyed by the BPS school code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from catalog_api.database import Base
from partnerfund_shared.db import UTCDateTime, utc_now


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_code: Mapped[str] = mapped_column(String(4), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    rc_code: Mapped[str | None] = mapped_column(String(6), index=True)
    dese_code: Mapped[str | None] = mapped_column(String(8))
    neighborhood: Mapped[str | None] = mapped_column(String(100), index=True)
    # Canonical grade labels in grade order, expanded from `grades_label` ("K1-8").
    grades: Mapped[list[str]] = mapped_column(JSON, default=list)
    grades_label: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
