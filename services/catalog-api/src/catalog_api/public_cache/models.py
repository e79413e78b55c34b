"""The catalog's change counter, which the public response cache compares to find stale entries."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Integer
from sqlalchemy.orm import Mapped, mapped_column

from catalog_api.database import Base

# Tables whose rows appear in public responses. Database triggers add one to
# `catalog_changes.generation` whenever a statement writes to one of them.
WATCHED_TABLES = (
    "vocabulary_terms",
    "vocabulary_synonyms",
    "organizations",
    "schools",
    "programs",
    "program_terms",
    "partnerships",
    "portfolio_cycles",
    "portfolio_categories",
    "portfolio_memberships",
)


class CatalogChanges(Base):
    """One row; `generation` grows with every committed write to a watched table."""

    __tablename__ = "catalog_changes"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
