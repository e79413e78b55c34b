"""Checks of a cycle file against the clock and its input files, made before any request.

`cycle check` lists what these find, and `cycle run` rejects the file before it imports or
publishes anything, unless the command line allows the case (`--allow-past-dates`,
`--allow-other-year-scores`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from partnerfund_shared.cycle.campaigns import INVITATION_DELAY, release_moment
from partnerfund_shared.cycle.config import CycleFile, EventSeries, Release, district_time
from partnerfund_shared.tabular import cell_text, normalise_label
from partnerfund_shared.tabular.sources import UnreadableFile, detect_format, read_rows

# "FY28", "FY 28", "FY2028" and "fy-28" in a header name a fiscal year.
FISCAL_YEAR_IN_HEADER = re.compile(r"(?<![a-z])FY[\s_-]?(\d{4}|\d{2})(?!\d)", re.IGNORECASE)
# Headers of a need-index sheet that name a fiscal year and hold the score itself.
SCORE_HEADER_WORDS = ("score", "index", "oi")


@dataclass(frozen=True)
class CalendarProblem:
    """A time of a campaign that cannot be scheduled, named by its key in the cycle file."""

    kind: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.key} {self.message}"


def past_dates(cycle: CycleFile, now: datetime) -> list[CalendarProblem]:
    """List the calendar times before `now` that the notifier would not schedule as written.

    A release's send_at in the past is allowed when the release sets `send_now = true`.
    """
    now = district_time(now)
    calendar = cycle.calendar
    times: list[tuple[str, str, datetime]] = []
    for kind, item in (
        ("budget_release", calendar.budget_release),
        ("office_hours", calendar.office_hours),
        ("technical_assistance", calendar.technical_assistance),
        ("portfolio_release", calendar.portfolio_release),
    ):
        if isinstance(item, Release) and not item.send_now:
            times.append((kind, "send_at", item.send_at))
        if isinstance(item, EventSeries):
            if item.invite_at is not None:
                times.append((kind, "invite_at", item.invite_at))
            for index, session in enumerate(item.sessions):
                times.append((kind, f"sessions[{index}].starts_at", session.starts_at))

    return [
        CalendarProblem(kind, f"calendar.{kind}.{key}", f"= {format_local(moment)} is in the past")
        for kind, key, moment in times
        if district_time(moment) < now
    ]


def late_invitations(cycle: CycleFile, now: datetime) -> list[CalendarProblem]:
    """List event series whose default invitation time is not before their first future session.

    Invitations without `invite_at` go out 30 minutes after the budget release, so a release
    on the day of the first session can leave no time for them. The notifier rejects such a
    campaign, because invitations must reach people before the first session.
    """
    now = district_time(now)
    invitations_at = release_moment(cycle.calendar.budget_release, now, past_goes_now=True) + INVITATION_DELAY
    problems = []
    for kind, series in event_series(cycle):
        if series.invite_at is not None:
            continue
        upcoming = sorted(
            (session.starts_at for session in series.sessions if district_time(session.starts_at) >= now),
            key=district_time,
        )
        if upcoming and district_time(invitations_at) >= district_time(upcoming[0]):
            problems.append(
                CalendarProblem(
                    kind,
                    f"calendar.{kind}.invite_at",
                    f"is not set, so the invitations would go out at {format_local(invitations_at)}, "
                    f"30 minutes after the budget release and not before the first session at "
                    f"{format_local(upcoming[0])}; set it to an earlier time",
                )
            )
    return problems


def event_series(cycle: CycleFile) -> list[tuple[str, EventSeries]]:
    calendar = cycle.calendar
    found: list[tuple[str, EventSeries | None]] = [
        ("office_hours", calendar.office_hours),
        ("technical_assistance", calendar.technical_assistance),
    ]
    return [(kind, series) for kind, series in found if series is not None]


def other_year_score_headers(cycle: CycleFile) -> list[str]:
    """List score headers of the need-index file that name a fiscal year other than the cycle's.

    With a `columns` mapping, the header mapped to `score` is checked. Without one, every header
    that names a fiscal year and looks like a score ("FY28 OI Score") is checked. A missing or
    unreadable file is left to the other checks and to the import.
    """
    scores = cycle.inputs.scores
    path = cycle.resolve(scores.path)
    try:
        content = path.read_bytes()
        rows = read_rows(content, detect_format(content, path.name, None))
    except (OSError, UnreadableFile):
        return []
    header = next((row for row in rows if any(cell_text(cell) for cell in row.cells)), None)
    if header is None:
        return []

    headers = [cell_text(cell) for cell in header.cells]
    mapped = scores.columns.get("score")
    if mapped is not None:
        candidates = [text for text in headers if normalise_label(text) == normalise_label(mapped)]
    else:
        candidates = [text for text in headers if looks_like_score(text)]

    problems = []
    for text in candidates:
        for year in fiscal_years_named(text):
            if year != cycle.fiscal_year:
                problems.append(
                    f"inputs.scores: the column {text!r} of {path.name} names FY{year % 100:02d}, "
                    f"but [cycle] fiscal_year is {cycle.fiscal_year} (FY{cycle.fiscal_year % 100:02d})"
                )
    return problems


def looks_like_score(header: str) -> bool:
    words = re.findall(r"[a-z]+", header.casefold())
    return any(word in SCORE_HEADER_WORDS for word in words)


def fiscal_years_named(text: str) -> list[int]:
    """Return the fiscal years a header names: "FY28 OI Score" names 2028."""
    years = []
    for match in FISCAL_YEAR_IN_HEADER.finditer(text):
        digits = match.group(1)
        years.append(int(digits) if len(digits) == 4 else 2000 + int(digits))
    return years


def format_local(moment: datetime) -> str:
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.isoformat(sep=" ", timespec="minutes")
