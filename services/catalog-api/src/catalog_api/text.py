"""Text folding shared by vocabulary matching, school-name matching and full-text search.

Both databases index and query the folded form, so PostgreSQL and SQLite see the same tokens:
case and accents never matter, and punctuation (including `%`, `_` and quotes) only separates
words. Letters and digits of every script are kept, so "Шахматы" or "书法班" can be searched.
Scripts written without spaces (Chinese, Japanese, Thai) form one word per unbroken run, so a
search finds the whole run and not a part of it.
"""

from __future__ import annotations

import re
import unicodedata

# Apostrophes join the parts of a word ("O'Bryant", "Catie’s") instead of splitting it.
_APOSTROPHES = re.compile(r"['’‘`´]")
# Everything but letters, digits and marks (of any script) separates words. The databases then
# split only at spaces: SQLite's unicode61 tokenizer keeps letters, digits and marks in its tokens,
# and so does PostgreSQL's parser under the C.UTF-8 locale, which the tests run on.
# NOTE: a PostgreSQL database with another LC_CTYPE may split rare characters that Python
# counts as letters, such as letter-like numerals. The tests do not cover such a locale.
_ASCII_NON_WORD = re.compile(r"[^0-9a-z]+")

# Words that carry no meaning in a vocabulary label: "&" and "and" are spelled both ways.
_KEY_STOPWORDS = frozenset({"and"})


def fold(text: str) -> str:
    """Lower-case, strip accents, and turn every run of characters other than letters, digits and
    marks into one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    lowered = _APOSTROPHES.sub("", without_marks.casefold())
    if lowered.isascii():
        return _ASCII_NON_WORD.sub(" ", lowered).strip()
    # Spacing marks (Devanagari vowel signs, for example) stay inside their word.
    characters = [char if char.isalnum() or unicodedata.category(char)[0] == "M" else " " for char in lowered]
    return " ".join("".join(characters).split())


def words(text: str) -> list[str]:
    """Split folded text into its words."""
    folded = fold(text)
    return folded.split() if folded else []


def match_key(text: str) -> str:
    """Build the comparison key of a label: folded words without "and"."""
    return " ".join(word for word in words(text) if word not in _KEY_STOPWORDS)
