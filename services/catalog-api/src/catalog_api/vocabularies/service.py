"""Listing vocabularies and adding terms and synonyms to them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.audit.service import record_change
from catalog_api.text import match_key
from catalog_api.vocabularies.models import VocabularySynonym, VocabularyTerm
from catalog_api.vocabularies.repository import list_synonyms, load_vocabulary
from partnerfund_shared.auth import Principal
from partnerfund_shared.errors import Conflict, ErrorItem, InvalidInput, NotFound
from partnerfund_shared.schemas import catalog as schemas


class LabelAlreadyUsed(Conflict):
    slug = "vocabulary-label-used"
    title = "Label already used"


class TermNotFound(NotFound):
    slug = "vocabulary-term-not-found"
    title = "Vocabulary term not found"


async def list_terms(session: AsyncSession, kind: str) -> list[schemas.VocabularyTerm]:
    terms = (
        await session.scalars(
            select(VocabularyTerm)
            .where(VocabularyTerm.kind == kind)
            .order_by(VocabularyTerm.position, VocabularyTerm.value)
        )
    ).all()
    synonyms = await list_synonyms(session, kind)
    values = {term.id: term.value for term in terms}
    return [
        schemas.VocabularyTerm(
            id=term.id,
            kind=kind,
            value=term.value,
            parent=values.get(term.parent_id) if term.parent_id else None,
            position=term.position,
            synonyms=synonyms.get(term.id, []),
        )
        for term in terms
    ]


async def _require_unused(session: AsyncSession, kind: str, label: str) -> None:
    """Raise LabelAlreadyUsed when `label` already resolves to a term of `kind`."""
    vocabulary = await load_vocabulary(session)
    existing = vocabulary.resolve(kind, label)
    if existing is not None:
        raise LabelAlreadyUsed(
            detail=f"'{label}' already names the {kind} term '{existing.value}'.",
            extra={"term_id": existing.id},
        )


async def add_term(
    session: AsyncSession, principal: Principal, kind: str, data: schemas.VocabularyTermCreate
) -> VocabularyTerm:
    """Add a term with its synonyms; no label may collide with a label already in use."""
    labels = [data.value, *data.synonyms]
    keys = [match_key(label) for label in labels]
    if not all(keys) or len(set(keys)) != len(keys):
        raise InvalidInput(
            detail="Labels must contain letters or digits, and no two may fold to the same key.",
            errors=[ErrorItem(message="blank or repeated label", loc=("body", "synonyms"))],
        )
    for label in labels:
        await _require_unused(session, kind, label)

    parent_id = None
    if data.parent is not None:
        parent = (await load_vocabulary(session)).resolve(kind, data.parent)
        if parent is None:
            raise InvalidInput(
                detail=f"No {kind} term is named '{data.parent}'.",
                errors=[ErrorItem(message="unknown parent", loc=("body", "parent"))],
            )
        parent_id = parent.id
    position = data.position
    if position is None:
        highest = await session.scalar(
            select(func.max(VocabularyTerm.position)).where(VocabularyTerm.kind == kind)
        )
        position = (highest or 0) + 1

    term = VocabularyTerm(kind=kind, value=data.value, key=keys[0], position=position, parent_id=parent_id)
    session.add(term)
    await session.flush()
    session.add_all(
        VocabularySynonym(kind=kind, text=text, key=match_key(text), term_id=term.id)
        for text in data.synonyms
    )
    record_change(
        session,
        principal,
        action="vocabulary.term_added",
        entity_type="vocabulary_term",
        entity_id=term.id,
        changes={"kind": kind, "value": data.value, "parent": data.parent, "synonyms": data.synonyms},
    )
    await session.flush()
    return term


async def add_synonym(
    session: AsyncSession, principal: Principal, kind: str, term_id: int, text: str
) -> None:
    term = await session.get(VocabularyTerm, term_id)
    if term is None or term.kind != kind:
        raise TermNotFound(detail=f"No {kind} term has id {term_id}.")
    if not match_key(text):
        raise InvalidInput(
            detail="A synonym must contain letters or digits.",
            errors=[ErrorItem(message="blank synonym", loc=("body", "text"))],
        )
    await _require_unused(session, kind, text)
    session.add(VocabularySynonym(kind=kind, text=text, key=match_key(text), term_id=term.id))
    record_change(
        session,
        principal,
        action="vocabulary.synonym_added",
        entity_type="vocabulary_term",
        entity_id=term.id,
        changes={"kind": kind, "synonym": text},
    )
    await session.flush()
