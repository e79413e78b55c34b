"""Declaration of the columns an import expects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from partnerfund_shared.tabular.cells import CellValue


@dataclass(frozen=True)
class ColumnSpec:
    """One expected column: its field name, the headers that name it and its cell parser.

    `parse` receives each non-blank cell and raises `CellError` for a bad value; it may return
    `ValueWithWarning` to accept a value with a warning. `header_patterns` are regular
    expressions matched in full against the normalised header (see `normalise_label`), so
    `r"fy\\d{2,4}oiscore"` matches "FY27 OI Score".
    """

    name: str
    parse: Callable[[CellValue], Any]
    synonyms: tuple[str, ...] = ()
    header_patterns: tuple[str, ...] = ()
    required: bool = True
    allow_blank: bool = False
    description: str = ""
    # A value that repeats an earlier row's value is a problem, for keys such as school_code.
    unique: bool = False

    def accepted_headers(self) -> tuple[str, ...]:
        """Return the header spellings that name this column, its field name first."""
        return (self.name, *self.synonyms)
