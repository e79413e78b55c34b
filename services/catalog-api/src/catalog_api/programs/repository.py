"""Queries of programs and their vocabulary terms."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.organizations.models import Organization
from catalog_api.programs.models import Program, ProgramTerm
from catalog_api.vocabularies.models import VocabularyTerm
from catalog_api.vocabularies.terms import Term, Vocabulary

# Program fields stored as vocabulary terms, by the kind of term.
TERM_FIELDS = {
    "areas": "program_area",
    "subareas": "program_subarea",
    "grades": "grade",
    "days": "day",
    "time_of_day": "time_of_day",
    "languages": "language",
}

ProgramLabels = dict[str, list[str]]


def empty_labels() -> ProgramLabels:
    return {"areas": [], "subareas": [], "grades": [], "days": [], "time_of_day": [], "languages": []}


async def get_program(session: AsyncSession, program_id: int) -> Program | None:
    return await session.get(Program, program_id)


async def get_program_and_organization(
    session: AsyncSession, program_id: int
) -> tuple[Program, Organization] | None:
    row = (
        await session.execute(
            select(Program, Organization)
            .join(Organization, Organization.id == Program.organization_id)
            .where(Program.id == program_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def load_program_labels(session: AsyncSession, program_ids: Sequence[int]) -> dict[int, ProgramLabels]:
    """Map program id -> field name -> the labels the program chose, in vocabulary order."""
    labels = {program_id: empty_labels() for program_id in program_ids}
    if not program_ids:
        return labels
    field_by_kind = {kind: field for field, kind in TERM_FIELDS.items()}
    rows = await session.execute(
        select(ProgramTerm.program_id, VocabularyTerm.kind, VocabularyTerm.value)
        .join(VocabularyTerm, VocabularyTerm.id == ProgramTerm.term_id)
        .where(ProgramTerm.program_id.in_(program_ids), ProgramTerm.implied.is_(False))
        .order_by(VocabularyTerm.position, VocabularyTerm.value)
    )
    for program_id, kind, value in rows:
        labels[program_id][field_by_kind[kind]].append(value)
    return labels


async def load_term_ids(session: AsyncSession, program_ids: Sequence[int]) -> dict[int, set[int]]:
    """Map program id -> ids of its chosen (not implied) terms."""
    chosen: dict[int, set[int]] = defaultdict(set)
    if not program_ids:
        return chosen
    rows = await session.execute(
        select(ProgramTerm.program_id, ProgramTerm.term_id).where(
            ProgramTerm.program_id.in_(program_ids), ProgramTerm.implied.is_(False)
        )
    )
    for program_id, term_id in rows:
        chosen[program_id].add(term_id)
    return chosen


async def replace_program_terms(
    session: AsyncSession,
    program_id: int,
    terms: Iterable[Term],
    vocabulary: Vocabulary,
    *,
    kinds: Iterable[str],
) -> None:
    """Replace the program's terms of `kinds` with `terms` and their broader terms."""
    kinds = list(kinds)
    chosen = {term.id: term for term in terms}
    implied = {
        ancestor.id
        for term in chosen.values()
        for ancestor in vocabulary.ancestors(term)
        if ancestor.id not in chosen
    }
    kind_term_ids = select(VocabularyTerm.id).where(VocabularyTerm.kind.in_(kinds))
    await session.execute(
        delete(ProgramTerm).where(
            ProgramTerm.program_id == program_id, ProgramTerm.term_id.in_(kind_term_ids)
        )
    )
    session.add_all(ProgramTerm(program_id=program_id, term_id=term_id, implied=False) for term_id in chosen)
    session.add_all(ProgramTerm(program_id=program_id, term_id=term_id, implied=True) for term_id in implied)
    await session.flush()
