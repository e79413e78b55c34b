"""The Opportunity Portfolio: a cycle per fiscal year, its categories and program memberships."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from catalog_api.database import Base
from partnerfund_shared.db import UTCDateTime, utc_now


class PortfolioCycle(Base):
    __tablename__ = "portfolio_cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(Integer, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class PortfolioCategory(Base):
    """A heading of a cycle's menu, such as "Literacy" or "English learners"."""

    __tablename__ = "portfolio_categories"
    __table_args__ = (UniqueConstraint("cycle_id", "key", name="uq_portfolio_categories_cycle_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("portfolio_cycles.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # Folded name; a decision names its category in any spelling of the name.
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class PortfolioMembership(Base):
    """A program's vetting status in one cycle: applied, qualified, approved or declined."""

    __tablename__ = "portfolio_memberships"
    __table_args__ = (
        UniqueConstraint("cycle_id", "program_id", name="uq_portfolio_memberships_cycle_program"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("portfolio_cycles.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_categories.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    # When the status last became approved or declined; None while applied or qualified.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    internal_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
