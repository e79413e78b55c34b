"""A small in-memory vocabulary for tests of pure code, built the way the tables store it."""

from __future__ import annotations

from catalog_api.vocabularies.terms import Synonym, Term, Vocabulary, VocabularyKind

GRADE_LABELS = ["K0", "K1", "K2", *[str(number) for number in range(1, 13)]]


def make_vocabulary() -> Vocabulary:
    terms: list[Term] = []
    synonyms: list[Synonym] = []

    def add(kind: str, value: str, position: int, parent: Term | None = None) -> Term:
        term = Term(
            id=len(terms) + 1,
            kind=kind,
            value=value,
            position=position,
            parent_id=parent.id if parent else None,
        )
        terms.append(term)
        return term

    add(VocabularyKind.PROGRAM_AREA, "Academic Support & Enrichment", 1)
    add(VocabularyKind.PROGRAM_AREA, "Arts Programming", 2)
    health = add(VocabularyKind.PROGRAM_AREA, "Social, Emotional & Behavioral Health", 3)
    synonyms.append(Synonym(VocabularyKind.PROGRAM_AREA, "SEBH", health.id))

    add(VocabularyKind.PROGRAM_SUBAREA, "Literacy", 1)
    multidisciplinary = add(VocabularyKind.PROGRAM_SUBAREA, "Multidisciplinary", 2)
    synonyms.append(Synonym(VocabularyKind.PROGRAM_SUBAREA, "Multi-disciplinary", multidisciplinary.id))

    school_day = add(VocabularyKind.TIME_OF_DAY, "School Day", 2)
    add(VocabularyKind.TIME_OF_DAY, "School Day (Class Time)", 3, parent=school_day)
    afterschool = add(VocabularyKind.TIME_OF_DAY, "Afterschool", 5)
    synonyms.append(Synonym(VocabularyKind.TIME_OF_DAY, "After School", afterschool.id))

    for position, label in enumerate(GRADE_LABELS):
        grade = add(VocabularyKind.GRADE, label, position)
        if label.isdigit() and int(label) < 10:
            synonyms.append(Synonym(VocabularyKind.GRADE, f"0{label}", grade.id))
        if label == "K2":
            synonyms.append(Synonym(VocabularyKind.GRADE, "K", grade.id))
    add(VocabularyKind.GRADE, "Alternative Education", 100)

    for position, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]):
        term = add(VocabularyKind.DAY, day, position)
        synonyms.append(Synonym(VocabularyKind.DAY, day[:3], term.id))

    return Vocabulary(terms, synonyms)
