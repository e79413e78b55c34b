"""In-memory view of the controlled vocabularies, loaded from the vocabulary tables.

Every label in an import or a request is matched through `Vocabulary.resolve`: first by its
folded key, then by the synonyms stored for its kind. Nothing here hard-codes a label; the
labels and their synonyms are rows seeded by a migration and edited through the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from catalog_api.text import match_key


class VocabularyKind(StrEnum):
    PROGRAM_AREA = "program_area"
    PROGRAM_SUBAREA = "program_subarea"
    TIME_OF_DAY = "time_of_day"
    GRADE = "grade"
    DAY = "day"
    LANGUAGE = "language"


@dataclass(frozen=True, slots=True)
class Term:
    """One canonical label; `parent_id` names the broader term of the same kind, if any."""

    id: int
    kind: str
    value: str
    position: int
    parent_id: int | None = None


@dataclass(frozen=True, slots=True)
class Synonym:
    """Another spelling of a term, matched by its folded key."""

    kind: str
    text: str
    term_id: int


class GradeRangeInvalid(ValueError):
    """A grade list names an unknown grade or a range that runs backwards."""


@dataclass(frozen=True, slots=True)
class ResolvedList:
    """Terms of a multi-valued cell in vocabulary order, and the parts that matched nothing."""

    terms: tuple[Term, ...]
    unknown: tuple[str, ...]


# A range is two grades joined by a hyphen or a dash ("K1-8", "K0–12").
_RANGE_DASHES = re.compile(r"[-–—]")
_LIST_SEPARATORS = re.compile(r"[;,]")


class Vocabulary:
    """Terms and synonyms of every kind, with lookups by key, id and hierarchy."""

    def __init__(self, terms: Iterable[Term], synonyms: Iterable[Synonym] = ()) -> None:
        self._terms_by_id: dict[int, Term] = {}
        self._terms_by_key: dict[tuple[str, str], Term] = {}
        for term in terms:
            self._terms_by_id[term.id] = term
            self._terms_by_key[(term.kind, match_key(term.value))] = term
        for synonym in synonyms:
            term = self._terms_by_id[synonym.term_id]
            self._terms_by_key.setdefault((synonym.kind, match_key(synonym.text)), term)

    def resolve(self, kind: str, text: str) -> Term | None:
        """Return the term that `text` names, or None when no label or synonym matches."""
        key = match_key(text)
        if not key:
            return None
        return self._terms_by_key.get((kind, key))

    def term(self, term_id: int) -> Term:
        return self._terms_by_id[term_id]

    def terms(self, kind: str) -> list[Term]:
        """List the terms of one kind in display order."""
        return self.ordered(term for term in self._terms_by_id.values() if term.kind == kind)

    def ancestors(self, term: Term) -> list[Term]:
        """List the broader terms of `term`, nearest first."""
        found: list[Term] = []
        parent_id = term.parent_id
        while parent_id is not None and parent_id in self._terms_by_id:
            parent = self._terms_by_id[parent_id]
            if parent in found:
                break
            found.append(parent)
            parent_id = parent.parent_id
        return found

    def descendants(self, term: Term) -> list[Term]:
        """List `term` and every narrower term under it."""
        found = [term]
        for candidate in self._terms_by_id.values():
            if candidate is not term and term in self.ancestors(candidate):
                found.append(candidate)
        return self.ordered(found)

    @staticmethod
    def ordered(terms: Iterable[Term]) -> list[Term]:
        """Sort terms by their position, then label, and drop repeats."""
        unique = {term.id: term for term in terms}
        return sorted(unique.values(), key=lambda term: (term.position, term.value))

    def resolve_list(self, kind: str, cell: str | None, separator: str = ";") -> ResolvedList:
        """Resolve each part of a `separator`-separated cell; blank parts are ignored."""
        matched: list[Term] = []
        unknown: list[str] = []
        for part in split_cell(cell, separator):
            term = self.resolve(kind, part)
            if term is None:
                unknown.append(part)
            else:
                matched.append(term)
        return ResolvedList(tuple(self.ordered(matched)), tuple(unknown))

    def expand_grades(self, text: str | None) -> list[Term]:
        """Expand a grade list such as "K1-8", "K0-6,8" or "9;10;11" into ordered grade terms.

        A part that is itself a grade label wins over reading it as a range, so a label with a
        hyphen stays one grade. Raises GradeRangeInvalid naming the first part that fails.
        """
        grades: list[Term] = []
        for part in _LIST_SEPARATORS.split(text or ""):
            part = part.strip()
            if not part:
                continue
            single = self.resolve(VocabularyKind.GRADE, part)
            if single is not None:
                grades.append(single)
                continue
            grades.extend(self._expand_grade_range(part))
        return self.ordered(grades)

    def _expand_grade_range(self, part: str) -> list[Term]:
        for match in _RANGE_DASHES.finditer(part):
            first = self.resolve(VocabularyKind.GRADE, part[: match.start()])
            last = self.resolve(VocabularyKind.GRADE, part[match.end() :])
            if first is None or last is None:
                continue
            if first.position > last.position:
                raise GradeRangeInvalid(f"grade range '{part}' runs backwards")
            return [
                grade
                for grade in self.terms(VocabularyKind.GRADE)
                if first.position <= grade.position <= last.position
            ]
        raise GradeRangeInvalid(f"'{part}' is neither a known grade nor a range of two grades")


def split_cell(cell: str | None, separator: str = ";") -> list[str]:
    """Split a multi-valued cell, trimming parts and dropping blank ones and exact repeats."""
    parts: list[str] = []
    for part in (cell or "").split(separator):
        part = part.strip()
        if part and part not in parts:
            parts.append(part)
    return parts


def labels(terms: Sequence[Term]) -> list[str]:
    return [term.value for term in terms]
