"""Queries of the vocabulary tables."""

from __future__ import annotations

from sqlalchemy import select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.text import match_key
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


async def resolve_term_ids(
    session: AsyncSession, labels: list[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Resolve (kind, label) pairs to term ids with one query; unknown labels are left out.

    This is the cheap path for search filters, which need a few ids rather than the whole
    vocabulary. A label matches by its folded key, like `Vocabulary.resolve`.
    """
    requested = {(kind, match_key(label)): (kind, label) for kind, label in labels}
    requested = {key: request for key, request in requested.items() if key[1]}
    if not requested:
        return {}
    pairs = list(requested)
    term_rows = select(VocabularyTerm.kind, VocabularyTerm.key, VocabularyTerm.id).where(
        tuple_(VocabularyTerm.kind, VocabularyTerm.key).in_(pairs)
    )
    synonym_rows = select(VocabularySynonym.kind, VocabularySynonym.key, VocabularySynonym.term_id).where(
        tuple_(VocabularySynonym.kind, VocabularySynonym.key).in_(pairs)
    )
    resolved: dict[tuple[str, str], int] = {}
    for kind, key, term_id in await session.execute(union_all(term_rows, synonym_rows)):
        resolved.setdefault(requested[(kind, key)], term_id)
    return resolved
