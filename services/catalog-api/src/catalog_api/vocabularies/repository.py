"""Queries of the vocabulary tables."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.vocabularies.models import VocabularySynonym, VocabularyTerm
from catalog_api.vocabularies.terms import Synonym, Term, Vocabulary


async def load_vocabulary(session: AsyncSession) -> Vocabulary:
    """Load every term and synonym into an in-memory `Vocabulary`."""
    term_rows = (await session.scalars(select(VocabularyTerm))).all()
    synonym_rows = (await session.scalars(select(VocabularySynonym))).all()
    terms = [
        Term(
            id=row.id,
            kind=row.kind,
            value=row.value,
            position=row.position,
            parent_id=row.parent_id,
        )
        for row in term_rows
    ]
    synonyms = [Synonym(kind=row.kind, text=row.text, term_id=row.term_id) for row in synonym_rows]
    return Vocabulary(terms, synonyms)


async def list_synonyms(session: AsyncSession, kind: str) -> dict[int, list[str]]:
    """Map term id -> synonym texts for one kind."""
    rows = await session.execute(
        select(VocabularySynonym.term_id, VocabularySynonym.text)
        .where(VocabularySynonym.kind == kind)
        .order_by(VocabularySynonym.id)
    )
    synonyms: dict[int, list[str]] = {}
    for term_id, text in rows:
        synonyms.setdefault(term_id, []).append(text)
    return synonyms
