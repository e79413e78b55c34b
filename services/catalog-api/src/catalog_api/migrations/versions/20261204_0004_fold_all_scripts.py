"""Fold names and search text again, keeping letters and digits of every script.

Folding used to drop every character outside a-z and 0-9 after stripping accents, so a name in
Cyrillic or Chinese folded to an empty key and text in those scripts could not be searched. This
recomputes the stored folded forms (organization and program name keys, program sort names and
search text, vocabulary and portfolio category keys) with the new rule. A new key only ever
splits an old one, so the unique keys stay unique.

Revision ID: catalog_0004
Revises: catalog_0003
Create Date: 2026-12-04
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0004"
down_revision: str | Sequence[str] | None = "catalog_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy of `catalog_api.text` as it stands at this revision, so that later edits to the code
# cannot change what this migration writes.
_APOSTROPHES = re.compile(r"['’‘`´]")
_ASCII_NON_WORD = re.compile(r"[^0-9a-z]+")
_KEY_STOPWORDS = frozenset({"and"})


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    lowered = _APOSTROPHES.sub("", without_marks.casefold())
    if lowered.isascii():
        return _ASCII_NON_WORD.sub(" ", lowered).strip()
    kept = [char if char.isalnum() or unicodedata.category(char)[0] == "M" else " " for char in lowered]
    return " ".join("".join(kept).split())


def match_key(text: str) -> str:
    return " ".join(word for word in fold(text).split() if word not in _KEY_STOPWORDS)


def fold_ascii_only(text: str) -> str:
    """Fold by the rule before this revision, which kept only a-z and 0-9."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    lowered = _APOSTROPHES.sub("", without_marks.casefold())
    return _ASCII_NON_WORD.sub(" ", lowered).strip()


def match_key_ascii_only(text: str) -> str:
    return " ".join(word for word in fold_ascii_only(text).split() if word not in _KEY_STOPWORDS)


def _refold(table: str, source: str, target: str, function: Callable[[str], str]) -> None:
    """Set `target` to `function(source)` on every row where the stored value differs."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(f"SELECT id, {source}, {target} FROM {table}"))  # noqa: S608
    changed = [
        {"row_id": row_id, "value": new} for row_id, text, old in rows if (new := function(text or "")) != old
    ]
    if changed:
        # Table and column names come from the fixed calls in `upgrade`.
        statement = f"UPDATE {table} SET {target} = :value WHERE id = :row_id"  # noqa: S608
        connection.execute(sa.text(statement), changed)


def _refold_search_text(fold_text: Callable[[str], str]) -> None:
    """Rebuild each program's search text: names, description, chosen areas and subareas."""
    connection = op.get_bind()
    labels: dict[int, list[str]] = defaultdict(list)
    label_rows = connection.execute(
        sa.text(
            "SELECT program_terms.program_id, vocabulary_terms.value FROM program_terms "
            "JOIN vocabulary_terms ON vocabulary_terms.id = program_terms.term_id "
            "WHERE program_terms.implied = :implied "
            "AND vocabulary_terms.kind IN ('program_area', 'program_subarea') "
            "ORDER BY vocabulary_terms.kind, vocabulary_terms.position, vocabulary_terms.value"
        ),
        {"implied": False},
    )
    for program_id, value in label_rows:
        labels[program_id].append(value)

    programs = connection.execute(
        sa.text(
            "SELECT programs.id, programs.name, organizations.name, programs.description, "
            "programs.search_text FROM programs "
            "JOIN organizations ON organizations.id = programs.organization_id"
        )
    )
    changed = []
    for program_id, name, organization_name, description, old in programs:
        new = fold_text(" ".join([name, organization_name, description or "", *labels[program_id]]))
        if new != old:
            changed.append({"row_id": program_id, "value": new})
    if changed:
        connection.execute(sa.text("UPDATE programs SET search_text = :value WHERE id = :row_id"), changed)


def _refold_all(fold_text: Callable[[str], str], key_of: Callable[[str], str]) -> None:
    _refold("organizations", "name", "name_key", key_of)
    _refold("programs", "name", "name_key", key_of)
    _refold("programs", "name", "sort_name", fold_text)
    _refold("vocabulary_terms", "value", "key", key_of)
    _refold("vocabulary_synonyms", "text", "key", key_of)
    _refold("portfolio_categories", "name", "key", key_of)
    _refold_search_text(fold_text)


def upgrade() -> None:
    _refold_all(fold, match_key)


def downgrade() -> None:
    # NOTE: two names that differ only in letters outside a-z (Cyrillic names, for example) fold
    # to one old key, so a downgrade fails on the unique keys while both exist.
    _refold_all(fold_ascii_only, match_key_ascii_only)
