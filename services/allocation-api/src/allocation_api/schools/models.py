from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from allocation_api.database import Base
from partnerfund_shared.db import UTCDateTime, utc_now

# Imports accept only four-digit BPS codes. The columns allow ten characters so that load tests
# can store more than the 10,000 schools four digits can number.
SCHOOL_CODE_LENGTH = 10


class School(Base):
    """A school as a budget unit; the school list import inserts new schools and updates others."""

    __tablename__ = "schools"

    code: Mapped[str] = mapped_column(String(SCHOOL_CODE_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    rc_code: Mapped[str | None] = mapped_column(String(20))
    dese_code: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
