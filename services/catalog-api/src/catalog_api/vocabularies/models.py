"""Tables of the controlled vocabularies: canonical terms and their other spellings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from catalog_api.database import Base
from partnerfund_shared.db import UTCDateTime, utc_now

LABEL_LENGTH = 200


class VocabularyTerm(Base):
    """One canonical label of a vocabulary kind, such as the program area "Arts Programming"."""

    __tablename__ = "vocabulary_terms"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_vocabulary_terms_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(LABEL_LENGTH))
    # Folded form of `value` (see `catalog_api.text.match_key`), unique per kind.
    key: Mapped[str] = mapped_column(String(LABEL_LENGTH))
    # Display order; for grades also the order that grade ranges expand over.
    position: Mapped[int] = mapped_column(Integer, default=0)
    # The broader term of the same kind: "School Day (Class Time)" is a kind of "School Day".
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("vocabulary_terms.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class VocabularySynonym(Base):
    """Another spelling of a term; imports and filters resolve it to the term."""

    __tablename__ = "vocabulary_synonyms"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_vocabulary_synonyms_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(LABEL_LENGTH))
    key: Mapped[str] = mapped_column(String(LABEL_LENGTH))
    term_id: Mapped[int] = mapped_column(ForeignKey("vocabulary_terms.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
