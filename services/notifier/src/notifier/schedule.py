"""District local time, reminder offsets and the working-hours check.

Schedules are written in `America/New_York` wall-clock time and stored as aware UTC. Two
wall-clock readings need a rule because daylight saving time makes them odd:

- a time inside the spring-forward gap (02:00–02:59 on the second Sunday of March) does not
  exist, so it moves to the first valid minute after the gap (03:00 EDT);
- a time inside the fall-back overlap (01:00–01:59 on the first Sunday of November) happens
  twice, so it means the first occurrence (EDT, UTC-4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DISTRICT_TIME_ZONE = ZoneInfo("America/New_York")

# Office hours of the district: an event outside them is accepted, with a warning.
WORKDAY_START = time(7, 0)
WORKDAY_END = time(19, 0)

# A DST gap is one hour in America/New_York; two hours bounds the search for any zone.
_MAX_GAP_MINUTES = 120

_OFFSET_PATTERN = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


@dataclass(frozen=True, slots=True)
class ResolvedTime:
    """A moment in UTC, with the warnings found while reading its local wall-clock time."""

    utc: datetime
    warnings: list[str] = field(default_factory=list)

    @property
    def local(self) -> datetime:
        return self.utc.astimezone(DISTRICT_TIME_ZONE)


@dataclass(frozen=True, slots=True)
class ReminderOffset:
    """An ISO 8601 duration before an event: whole days count on the wall clock, the rest elapsed.

    "P1D" before a 09:00 session is 09:00 on the previous day even when a DST change lies
    between them, while "PT1H" is always sixty minutes before the start.
    """

    text: str
    days: int
    elapsed: timedelta

    @property
    def is_zero(self) -> bool:
        return self.days == 0 and not self.elapsed


def _exists_locally(wall_time: datetime) -> bool:
    aware = wall_time.replace(tzinfo=DISTRICT_TIME_ZONE, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(DISTRICT_TIME_ZONE)
    return round_trip.replace(tzinfo=None) == wall_time


def local_to_utc(wall_time: datetime) -> ResolvedTime:
    """Convert a district wall-clock time to UTC, applying the DST rules of this module.

    An aware datetime is taken as it is: its offset already says which moment it means.
    """
    if wall_time.tzinfo is not None:
        return ResolvedTime(wall_time.astimezone(UTC))

    warnings: list[str] = []
    resolved = wall_time
    if not _exists_locally(wall_time):
        resolved = wall_time.replace(second=0, microsecond=0)
        for _ in range(_MAX_GAP_MINUTES):
            resolved += timedelta(minutes=1)
            if _exists_locally(resolved):
                break
        warnings.append(
            f"{wall_time:%Y-%m-%d %H:%M} does not exist in America/New_York "
            f"(clocks spring forward); moved to {resolved:%H:%M}"
        )
    elif _is_ambiguous(wall_time):
        warnings.append(
            f"{wall_time:%Y-%m-%d %H:%M} happens twice in America/New_York "
            "(clocks fall back); the first occurrence (EDT) is used"
        )

    # fold=0 selects the earlier of two readings, which is the first occurrence.
    aware = resolved.replace(tzinfo=DISTRICT_TIME_ZONE, fold=0)
    return ResolvedTime(aware.astimezone(UTC), warnings)


def _is_ambiguous(wall_time: datetime) -> bool:
    first = wall_time.replace(tzinfo=DISTRICT_TIME_ZONE, fold=0).utcoffset()
    second = wall_time.replace(tzinfo=DISTRICT_TIME_ZONE, fold=1).utcoffset()
    return first != second


def working_hours_warnings(label: str, starts_at: datetime, ends_at: datetime | None = None) -> list[str]:
    """List why an event falls outside district working hours (weekdays 07:00–19:00 local).

    `label` names the event in the message, for example "session 2".
    """
    local_start = starts_at.astimezone(DISTRICT_TIME_ZONE)
    local_end = ends_at.astimezone(DISTRICT_TIME_ZONE) if ends_at is not None else local_start
    warnings: list[str] = []

    if local_start.weekday() >= 5 or local_end.weekday() >= 5:
        warnings.append(f"{label} is on a weekend ({local_start:%A %Y-%m-%d})")

    ends_after_workday = local_end.time() > WORKDAY_END or local_end.date() > local_start.date()
    if local_start.time() < WORKDAY_START or ends_after_workday:
        warnings.append(
            f"{label} runs {local_start:%H:%M}–{local_end:%H:%M}, outside working hours "
            f"{WORKDAY_START:%H:%M}–{WORKDAY_END:%H:%M} America/New_York"
        )
    return warnings


def parse_offset(text: str) -> ReminderOffset:
    """Parse an ISO 8601 duration such as "P1D", "PT1H" or "P1DT30M" into a reminder offset.

    Years and months are rejected because their length depends on the calendar.
    Raises ValueError naming the text.
    """
    match = _OFFSET_PATTERN.match(text.strip().upper())
    if match is None or text.strip().upper() in {"P", "PT"} or text.strip().upper().endswith("T"):
        raise ValueError(
            f"invalid reminder offset {text!r}: expected an ISO 8601 duration in weeks, days, "
            'hours, minutes or seconds, such as "P1D" or "PT1H"'
        )

    parts = {name: int(value) if value else 0 for name, value in match.groupdict().items()}
    days = parts["weeks"] * 7 + parts["days"]
    elapsed = timedelta(hours=parts["hours"], minutes=parts["minutes"], seconds=parts["seconds"])
    return ReminderOffset(text=text.strip().upper(), days=days, elapsed=elapsed)


def reminder_time(event_start: datetime, offset: ReminderOffset) -> datetime:
    """Return the UTC moment `offset` before the aware `event_start`.

    Days step back on the district wall clock (resolved with `local_to_utc`), then hours,
    minutes and seconds step back in elapsed time.
    """
    moment = event_start.astimezone(UTC)
    if offset.days:
        local_start = event_start.astimezone(DISTRICT_TIME_ZONE).replace(tzinfo=None)
        moment = local_to_utc(local_start - timedelta(days=offset.days)).utc
    return moment - offset.elapsed


def local_day(moment: datetime) -> date:
    """Return the district calendar date of an aware moment."""
    return moment.astimezone(DISTRICT_TIME_ZONE).date()
