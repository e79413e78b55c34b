"""Programs, the services partners offer, and their vocabulary terms."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from catalog_api.database import Base
from partnerfund_shared.db import UTCDateTime, utc_now

# PostgreSQL derives the search vector from `search_text`. The 'simple' configuration neither
# stems nor drops stop words, which keeps its tokens equal to SQLite FTS5's unicode61 tokens.
SEARCH_VECTOR_EXPRESSION = "to_tsvector('simple'::regconfig, search_text)"

# The SQLite FTS5 index of programs and the shadow tables FTS5 keeps beside it. A migration
# creates them outside the models, so autogenerate ignores them.
SQLITE_SEARCH_TABLES = frozenset(
    {
        "program_search",
        "program_search_config",
        "program_search_data",
        "program_search_docsize",
        "program_search_idx",
    }
)


class Program(Base):
    """A partner's program; only `approved` programs are public."""

    __tablename__ = "programs"
    __table_args__ = (
        UniqueConstraint("organization_id", "name_key", name="uq_programs_organization_name"),
        Index("ix_programs_status_sort_name_id", "status", "sort_name", "id"),
        # fastupdate off: new entries go straight into the index instead of a pending list that
        # every search scans until the next vacuum. Catalog writes are rare, so slower inserts
        # cost little.
        Index(
            "ix_programs_search_vector",
            "search_vector",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
    )
    # The search vector is computed by PostgreSQL; never fetch it back after a write.
    __mapper_args__ = {"eager_defaults": False}  # noqa: RUF012

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    # Folded name: unique per organization, and imports match programs by it.
    name_key: Mapped[str] = mapped_column(String(300))
    # Folded name that public lists sort by, with `id` as the tie-breaker.
    sort_name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    goals_outcomes: Mapped[str | None] = mapped_column(Text)
    fees: Mapped[str] = mapped_column(String(10), default="unknown")
    fees_explanation: Mapped[str | None] = mapped_column(Text)
    service_capacity: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    last_verified_on: Mapped[date | None] = mapped_column(Date)
    internal_note: Mapped[str | None] = mapped_column(Text)
    # Folded words of the name, organization name, description, areas and subareas.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # NOTE: only PostgreSQL computes this column; on SQLite it exists but stays NULL, and the
    # FTS5 table `program_search` indexes `search_text` instead.
    search_vector: Mapped[str | None] = mapped_column(
        TSVECTOR().with_variant(Text(), "sqlite"),
        Computed(SEARCH_VECTOR_EXPRESSION, persisted=True),
        deferred=True,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)


class ProgramTerm(Base):
    """A vocabulary term of a program; `implied` rows are broader terms of a chosen one.

    Storing the broader terms lets a filter or facet on "School Day" count programs that chose
    "School Day (Class Time)" with a plain equality.
    """

    __tablename__ = "program_terms"
    __table_args__ = (Index("ix_program_terms_term_id_program_id", "term_id", "program_id"),)

    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    term_id: Mapped[int] = mapped_column(
        ForeignKey("vocabulary_terms.id", ondelete="RESTRICT"), primary_key=True
    )
    implied: Mapped[bool] = mapped_column(Boolean, default=False)
