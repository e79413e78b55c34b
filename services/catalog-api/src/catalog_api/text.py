"""Text folding shared by vocabulary matching, school-name matching and full-text search.

Both databases index and query the folded form, so PostgreSQL and SQLite see the same tokens:
case and accents never matter, and punctuation (including `%`, `_` and quotes) only separates
words.
"""

from __future__ import annotations

import re
import unicodedata

# Apostrophes join the parts of a word ("O'Bryant", "Catie’s") instead of splitting it.
_APOSTROPHES = re.compile(r"['’‘`´]")
# NOTE: only Latin letters and digits survive folding, so text in other scripts is not searchable.
# Keeping to ASCII is what makes PostgreSQL's parser and SQLite's unicode61 tokenizer agree.
_NON_WORD = re.compile(r"[^0-9a-z]+")

# Words that carry no meaning in a vocabulary label: "&" and "and" are spelled both ways.
_KEY_STOPWORDS = frozenset({"and"})


def fold(text: str) -> str:
    """Lower-case, strip accents, and turn every run of non-alphanumerics into one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    lowered = _APOSTROPHES.sub("", without_marks.casefold())
    return _NON_WORD.sub(" ", lowered).strip()


def words(text: str) -> list[str]:
    """Split folded text into its words."""
    folded = fold(text)
    return folded.split() if folded else []


def match_key(text: str) -> str:
    """Build the comparison key of a label: folded words without "and"."""
    return " ".join(word for word in words(text) if word not in _KEY_STOPWORDS)
