"""The sample district's cycle file, with a calendar that starts on the day it is written.

A cycle file with fixed dates stops working once they pass, because the cycle command rejects
campaigns in the past. So the generator writes `cycle.toml` next to the district's files:
- the budget release is sent at once (`send_now`), at 9:00 on the day of writing;
- the invitations to office hours and technical assistance follow it by 30 minutes;
- office hours are held on the next three weekdays at 15:30;
- technical assistance runs for four weeks from the weekday after the last office hours,
  with sessions on its second weekday and a week later at 14:00;
- the portfolio release goes out at 9:00 on the first weekday after the day of writing.
One day always gives the same calendar, so one seed and one day write the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

CYCLE_FILE = "cycle.toml"

OFFICE_HOURS_SESSIONS = 3
OFFICE_HOURS_START = time(15, 30)
OFFICE_HOURS_END = time(17, 0)
ASSISTANCE_START = time(14, 0)
ASSISTANCE_END = time(15, 0)
ASSISTANCE_WEEKS = 4
RELEASE_TIME = time(9, 0)

CENTRAL_OFFICE = "Central office, Room 2A, 2300 Example Street"
OFFICE_HOURS_VIDEO = "https://meet.example.org/partnership-fund"
ASSISTANCE_VIDEO = "https://meet.example.org/partnership-fund-ta"


@dataclass(frozen=True)
class SampleFileNames:
    """Names of the district's input files, all in the cycle file's folder."""

    school_list: str
    scores: str
    enrollment: str
    partnerships: str
    portfolio: str
    contacts: str


@dataclass(frozen=True)
class SampleCalendar:
    release_at: datetime
    office_hours: list[date]
    assistance_starts_on: date
    assistance_ends_on: date
    assistance_sessions: list[date]
    portfolio_at: datetime


def weekdays_after(day: date, count: int) -> list[date]:
    """Return the `count` weekdays (Monday to Friday) after `day`."""
    found: list[date] = []
    current = day
    while len(found) < count:
        current += timedelta(days=1)
        if current.weekday() < 5:
            found.append(current)
    return found


def sample_calendar(today: date) -> SampleCalendar:
    office_hours = weekdays_after(today, OFFICE_HOURS_SESSIONS)
    assistance_days = weekdays_after(office_hours[-1], 6)
    starts_on = assistance_days[0]
    return SampleCalendar(
        release_at=datetime.combine(today, RELEASE_TIME),
        office_hours=office_hours,
        assistance_starts_on=starts_on,
        assistance_ends_on=starts_on + timedelta(weeks=ASSISTANCE_WEEKS, days=-1),
        assistance_sessions=[assistance_days[1], assistance_days[1] + timedelta(weeks=1)],
        portfolio_at=datetime.combine(weekdays_after(today, 1)[0], RELEASE_TIME),
    )


def write_sample_cycle(
    path: Path, names: SampleFileNames, *, fiscal_year: int, seed: int, today: date
) -> None:
    path.write_text(
        sample_cycle_text(names, fiscal_year=fiscal_year, seed=seed, today=today), encoding="utf-8"
    )


def sample_cycle_text(names: SampleFileNames, *, fiscal_year: int, seed: int, today: date) -> str:
    calendar = sample_calendar(today)
    label = f"FY{fiscal_year % 100:02d}"
    office_hours = "".join(
        session_table("office_hours", day, OFFICE_HOURS_START, OFFICE_HOURS_END, place)
        for day, place in zip(
            calendar.office_hours,
            (
                f'location = "{CENTRAL_OFFICE}"',
                f'video_link = "{OFFICE_HOURS_VIDEO}"',
                f'location = "{CENTRAL_OFFICE}"',
            ),
            strict=True,
        )
    )
    assistance = "".join(
        session_table(
            "technical_assistance",
            day,
            ASSISTANCE_START,
            ASSISTANCE_END,
            f'video_link = "{ASSISTANCE_VIDEO}"',
        )
        for day in calendar.assistance_sessions
    )
    return f"""\
# Cycle file of the sample district, written by `uv run partnerfund sample-district` on
# {today.isoformat()} (seed {seed}). Its calendar starts on that day: the budget release is sent at
# once, the invitations follow it by 30 minutes, office hours are the next three weekdays and
# technical assistance the four weeks after. Generate the district again to move the dates.
#
# Run it from the repository:  uv run partnerfund cycle run var/sample/{CYCLE_FILE} --publish
#
# Relative paths start at this file's folder. deploy/cycles/fy19-example.toml explains every key.

[cycle]
fiscal_year = {fiscal_year}
fund = "partnership"
name = "{label} Partnership Fund (sample district)"

[policy]
pool = 5700000.00
eligibility = {{ min_score = 0.56 }}
weighting = {{ method = "flat" }}
rounding = "dollar"
# The sample has one high-need school without an enrollment row; leave it out and name it.
exclude_incomplete = true

[inputs.school_list]
path = "{names.school_list}"

[inputs.scores]
# The need-index sheet's "{label} OI Score" header is recognised without a mapping.
path = "{names.scores}"

[inputs.enrollment]
path = "{names.enrollment}"
columns = {{ school_code = "bps_school_code", enrollment = "total_enrollment" }}

[inputs.partnerships]
path = "{names.partnerships}"
on_unmatched_school = "skip"

[inputs.portfolio]
path = "{names.portfolio}"

[inputs.contacts]
path = "{names.contacts}"

[calendar.budget_release]
send_at = {calendar.release_at.isoformat()}
# The demo sends the release at once instead of waiting for its send_at.
send_now = true
audience = {{ roles = ["school_leader", "instructional_superintendent"] }}

[calendar.office_hours]
title = "Partnership Fund office hours"
# No invite_at: the invitations go out 30 minutes after the budget release.
reminders = ["P1D", "PT1H"]
audience = {{ roles = ["school_leader"] }}
{office_hours}
[calendar.technical_assistance]
title = "Partnership Fund technical assistance"
starts_on = {calendar.assistance_starts_on.isoformat()}
ends_on = {calendar.assistance_ends_on.isoformat()}
reminders = ["P1D"]
audience = {{ roles = ["school_leader", "instructional_superintendent"] }}
{assistance}
[calendar.portfolio_release]
send_at = {calendar.portfolio_at.isoformat()}
audience = {{ roles = ["school_leader"] }}
"""


def session_table(kind: str, day: date, start: time, end: time, place: str) -> str:
    return f"""
[[calendar.{kind}.sessions]]
starts_at = {datetime.combine(day, start).isoformat()}
ends_at = {datetime.combine(day, end).isoformat()}
{place}
"""
