"""Matching of header names and choice labels regardless of case, spaces and punctuation."""

from __future__ import annotations

import unicodedata


def normalise_label(text: str) -> str:
    """Reduce a label to lowercase ASCII letters and digits: "Fees (Y/N)" becomes "feesyn".

    Accents are stripped after NFKD decomposition, so "Écoles" and "ecoles" match.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in without_accents.casefold() if char.isascii() and char.isalnum())
