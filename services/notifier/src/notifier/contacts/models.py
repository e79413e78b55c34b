"""Staff contacts, the schools each one is responsible for, and their opt-outs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from notifier.database import Base
from partnerfund_shared.db import UTCDateTime, utc_now


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Normalised by email-validator (lower-case domain), unique, so a re-import updates the row.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(40), index=True)
    language: Mapped[str] = mapped_column(String(20), default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)

    schools: Mapped[list[ContactSchool]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ContactSchool.school_code"
    )
    opt_outs: Mapped[list[ContactOptOut]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ContactOptOut.category"
    )

    @property
    def school_codes(self) -> list[str]:
        return [school.school_code for school in self.schools]

    @property
    def opted_out(self) -> list[str]:
        return [opt_out.category for opt_out in self.opt_outs]


class ContactSchool(Base):
    """A school the contact leads or supervises; a superintendent has several."""

    __tablename__ = "contact_schools"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    school_code: Mapped[str] = mapped_column(String(4), primary_key=True, index=True)


class ContactOptOut(Base):
    """A category of notices the contact does not want; critical notices ignore it."""

    __tablename__ = "contact_opt_outs"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)


class ContactImport(Base):
    """One accepted contacts file."""

    __tablename__ = "contact_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str | None] = mapped_column(String(255))
    rows: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
