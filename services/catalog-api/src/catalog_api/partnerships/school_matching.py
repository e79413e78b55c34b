"""Matching the schools of a PartnerBPS export, named by RC code and name, to school codes.

An RC (responsibility center) code is a budget code, and two schools can share one (Sumner and
Roberts do). The rules, in order:

1. One school has the row's RC code: that school, whatever the row calls it.
2. Several schools share the RC code: the one whose name shares the most distinctive words with
   the row's name. A tie, or no shared word, matches nothing.
3. No school has the RC code, or the cell is blank: a school whose folded name equals the row's
   name exactly, if exactly one does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from catalog_api.text import match_key, words

# Words in almost every school name; they cannot tell two schools apart.
_GENERIC_NAME_WORDS = frozenset(
    {
        "the", "of", "and", "for", "school", "schools", "elementary", "academy", "k", "8", "k8",
        "12", "k12", "high", "middle", "upper", "lower", "early", "education", "center", "pilot",
        "inclusion", "innovation", "grades", "grade", "gr",
    }
)  # fmt: skip


class MatchMethod(StrEnum):
    RC_CODE = "rc_code"
    RC_CODE_AND_NAME = "rc_code_and_name"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class SchoolRef:
    """The fields of a stored school that matching uses."""

    id: int
    school_code: str
    name: str
    rc_code: str | None


@dataclass(frozen=True, slots=True)
class SchoolMatch:
    """The matched school and how it was found, or the reason nothing matched."""

    school: SchoolRef | None
    method: MatchMethod | None = None
    reason: str | None = None


def _distinctive_words(name: str) -> set[str]:
    return {word for word in words(name) if word not in _GENERIC_NAME_WORDS}


class SchoolMatcher:
    """Indexes the stored schools by RC code and by folded name."""

    def __init__(self, schools: Iterable[SchoolRef]) -> None:
        self._by_rc_code: dict[str, list[SchoolRef]] = defaultdict(list)
        self._by_name: dict[str, list[SchoolRef]] = defaultdict(list)
        for school in schools:
            if school.rc_code:
                self._by_rc_code[school.rc_code].append(school)
            self._by_name[match_key(school.name)].append(school)

    def match(self, rc_code: str | None, name: str) -> SchoolMatch:
        """Find the school a row names; see the module notes for the rules."""
        sharing = self._by_rc_code.get(rc_code, []) if rc_code else []
        if len(sharing) == 1:
            return SchoolMatch(sharing[0], MatchMethod.RC_CODE)
        if len(sharing) > 1:
            return self._match_shared_rc_code(rc_code or "", name, sharing)

        same_name = self._by_name.get(match_key(name), [])
        if len(same_name) == 1:
            return SchoolMatch(same_name[0], MatchMethod.NAME)
        if rc_code:
            reason = f"no school has RC code {rc_code} or the name '{name}'"
        else:
            reason = f"the RC code is blank and no school has the name '{name}'"
        return SchoolMatch(None, reason=reason)

    def _match_shared_rc_code(self, rc_code: str, name: str, sharing: list[SchoolRef]) -> SchoolMatch:
        row_words = _distinctive_words(name)
        scored = sorted(
            ((len(row_words & _distinctive_words(school.name)), school) for school in sharing),
            key=lambda pair: pair[0],
            reverse=True,
        )
        best_score, best = scored[0]
        runner_up_score = scored[1][0]
        if best_score > 0 and best_score > runner_up_score:
            return SchoolMatch(best, MatchMethod.RC_CODE_AND_NAME)

        candidates = ", ".join(f"{school.name} ({school.school_code})" for school in sharing)
        return SchoolMatch(
            None,
            reason=(
                f"RC code {rc_code} is shared by {candidates}, and the name '{name}' does not tell them apart"
            ),
        )
