"""Notifier campaigns for the calendar of a cycle file, written as create requests.

Invitations to office hours and technical assistance follow the budget release: they go out at
the series' `invite_at`, or 30 minutes after the release goes out. A release marked `send_now`
goes out when the cycle runs, so its invitations are scheduled 30 minutes after the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from partnerfund_shared.cycle.config import (
    DISTRICT_TIME_ZONE,
    BudgetRelease,
    CycleFile,
    EventSeries,
    Release,
    district_time,
)

INVITATION_DELAY = timedelta(minutes=30)


@dataclass(frozen=True)
class CampaignPlan:
    """A campaign that the cycle file's calendar requests, as the notifier's create request."""

    kind: str
    title: str
    payload: dict[str, Any]
    send_now: bool
    # The cycle file's table that sets this campaign, such as "calendar.office_hours".
    section: str
    # Sessions left out because they are in the past, as `sessions[i]` keys with their start.
    dropped_sessions: list[str] = field(default_factory=list)

    @property
    def first_message_at(self) -> str:
        """Return the time of the first message as the request gives it, or "now" without one."""
        return str(self.payload.get("send_at", "now"))


def campaign_plans(
    cycle: CycleFile, *, now: datetime | None = None, allow_past_dates: bool = False
) -> list[CampaignPlan]:
    """Build the notifier requests for the campaigns the cycle file's calendar names.

    `now` (default: the current time; without an offset it is district time) places the
    invitations of a release sent at once. With `allow_past_dates`, a past release goes out
    now, as the notifier sends it, and sessions that have started are left out of their series.
    A series without any session left is then left out of the list.
    """
    now = district_time(now) if now is not None else datetime.now(DISTRICT_TIME_ZONE)
    calendar = cycle.calendar
    fiscal_label = f"FY{cycle.fiscal_year % 100:02d}"
    release_at = release_moment(calendar.budget_release, now, past_goes_now=allow_past_dates)
    invitations_at = release_at + INVITATION_DELAY

    plans = [
        release_plan(
            cycle,
            "budget_release",
            f"{fiscal_label} {fund_label(cycle.fund)} budget release",
            calendar.budget_release,
            now=now,
        )
    ]
    events: list[tuple[str, EventSeries, str | None]] = []
    if calendar.office_hours is not None:
        events.append(("office_hours", calendar.office_hours, None))
    if calendar.technical_assistance is not None:
        assistance = calendar.technical_assistance
        window = (
            f"Technical assistance runs {assistance.starts_on:%B %-d, %Y} to {assistance.ends_on:%B %-d, %Y}."
        )
        events.append(("technical_assistance", assistance, window))
    for kind, series, description in events:
        plan = event_plan(
            cycle,
            kind,
            series,
            invite_at=series.invite_at or invitations_at,
            description=description,
            drop_before=now if allow_past_dates else None,
        )
        if plan is not None:
            plans.append(plan)
    if calendar.portfolio_release is not None:
        plans.append(
            release_plan(
                cycle,
                "portfolio_release",
                f"{fiscal_label} Opportunity Portfolio",
                calendar.portfolio_release,
                now=now,
            )
        )
    return plans


def release_moment(release: Release, now: datetime, *, past_goes_now: bool) -> datetime:
    """Return when a release goes out, as district wall-clock time without an offset.

    A release sent at once goes out now, and so does a past release when `past_goes_now`
    (the notifier sends a campaign created after its send_at at once). Any other goes out at
    its send_at.
    """
    send_at = district_time(release.send_at)
    if release.send_now or (past_goes_now and send_at <= now):
        return next_minute(now)
    return send_at.astimezone(DISTRICT_TIME_ZONE).replace(tzinfo=None)


def release_plan(cycle: CycleFile, kind: str, title: str, release: Release, *, now: datetime) -> CampaignPlan:
    """Build a release campaign; one sent at once after its send_at has passed names no send_at.

    Without a send_at the notifier schedules the release for now, instead of warning that the
    send_at is in the past.
    """
    payload: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "fiscal_year": cycle.fiscal_year,
        "fund": cycle.fund,
        "audience": release.audience.model_dump(mode="json", exclude_defaults=True),
    }
    if not (release.send_now and district_time(release.send_at) <= now):
        payload["send_at"] = format_time(release.send_at)
    if isinstance(release, BudgetRelease):
        payload["not_eligible"] = release.not_eligible
    return CampaignPlan(
        kind=kind, title=title, payload=payload, send_now=release.send_now, section=f"calendar.{kind}"
    )


def event_plan(
    cycle: CycleFile,
    kind: str,
    series: EventSeries,
    *,
    invite_at: datetime,
    description: str | None = None,
    drop_before: datetime | None = None,
) -> CampaignPlan | None:
    """Build an event campaign whose invitations go out at `invite_at`.

    Sessions starting before `drop_before` are left out; None is returned when none is left.
    """
    sessions = []
    dropped = []
    for index, session in enumerate(series.sessions):
        if drop_before is not None and district_time(session.starts_at) < drop_before:
            dropped.append(f"sessions[{index}] at {format_time(session.starts_at)}")
            continue
        item: dict[str, Any] = {
            "starts_at": format_time(session.starts_at),
            "ends_at": format_time(session.ends_at),
        }
        if session.location is not None:
            item["location"] = session.location
        if session.video_link is not None:
            item["video_link"] = str(session.video_link)
        if session.capacity is not None:
            item["capacity"] = session.capacity
        sessions.append(item)
    if not sessions:
        return None

    payload: dict[str, Any] = {
        "kind": kind,
        "title": series.title,
        "fiscal_year": cycle.fiscal_year,
        "fund": cycle.fund,
        "send_at": format_time(invite_at),
        "sessions": sessions,
        "reminders": list(series.reminders),
        "audience": series.audience.model_dump(mode="json", exclude_defaults=True),
    }
    if description:
        payload["description"] = description
    return CampaignPlan(
        kind=kind,
        title=series.title,
        payload=payload,
        send_now=False,
        section=f"calendar.{kind}",
        dropped_sessions=dropped,
    )


def fund_label(fund: str) -> str:
    return {"partnership": "Partnership Fund", "school_support": "School Support Fund"}.get(
        fund, fund.replace("_", " ").title()
    )


def next_minute(moment: datetime) -> datetime:
    """Round up to a whole minute in district wall-clock time, without an offset."""
    local = moment.astimezone(DISTRICT_TIME_ZONE).replace(tzinfo=None)
    whole = local.replace(second=0, microsecond=0)
    return whole if whole == local else whole + timedelta(minutes=1)


def format_time(moment: datetime) -> str:
    """Write a time for the notifier: wall-clock local time without an offset stays without one."""
    if moment.tzinfo is None and moment.second == 0 and moment.microsecond == 0:
        return moment.strftime("%Y-%m-%dT%H:%M")
    return moment.isoformat()
