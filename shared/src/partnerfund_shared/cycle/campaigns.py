"""Notifier campaigns for the calendar of a cycle file, written as create requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from partnerfund_shared.cycle.config import BudgetRelease, CycleFile, EventSeries, Release


@dataclass(frozen=True)
class CampaignPlan:
    """A campaign that the cycle file's calendar requests, as the notifier's create request."""

    kind: str
    title: str
    payload: dict[str, Any]
    send_now: bool


def campaign_plans(cycle: CycleFile) -> list[CampaignPlan]:
    """Build the notifier requests for the campaigns the cycle file's calendar names."""
    calendar = cycle.calendar
    fiscal_label = f"FY{cycle.fiscal_year % 100:02d}"
    plans = [
        release_plan(
            cycle,
            "budget_release",
            f"{fiscal_label} {fund_label(cycle.fund)} budget release",
            calendar.budget_release,
        )
    ]
    if calendar.office_hours is not None:
        plans.append(event_plan(cycle, "office_hours", calendar.office_hours))
    if calendar.technical_assistance is not None:
        assistance = calendar.technical_assistance
        window = (
            f"Technical assistance runs {assistance.starts_on:%B %-d, %Y} to {assistance.ends_on:%B %-d, %Y}."
        )
        plans.append(event_plan(cycle, "technical_assistance", assistance, description=window))
    if calendar.portfolio_release is not None:
        plans.append(
            release_plan(
                cycle,
                "portfolio_release",
                f"{fiscal_label} Opportunity Portfolio",
                calendar.portfolio_release,
            )
        )
    return plans


def release_plan(cycle: CycleFile, kind: str, title: str, release: Release) -> CampaignPlan:
    payload = {
        "kind": kind,
        "title": title,
        "fiscal_year": cycle.fiscal_year,
        "fund": cycle.fund,
        "send_at": format_time(release.send_at),
        "audience": release.audience.model_dump(mode="json", exclude_defaults=True),
    }
    if isinstance(release, BudgetRelease):
        payload["not_eligible"] = release.not_eligible
    return CampaignPlan(kind=kind, title=title, payload=payload, send_now=release.send_now)


def event_plan(
    cycle: CycleFile, kind: str, series: EventSeries, *, description: str | None = None
) -> CampaignPlan:
    sessions = []
    for session in series.sessions:
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
    payload: dict[str, Any] = {
        "kind": kind,
        "title": series.title,
        "fiscal_year": cycle.fiscal_year,
        "fund": cycle.fund,
        "sessions": sessions,
        "reminders": list(series.reminders),
        "audience": series.audience.model_dump(mode="json", exclude_defaults=True),
    }
    if description:
        payload["description"] = description
    return CampaignPlan(kind=kind, title=series.title, payload=payload, send_now=False)


def fund_label(fund: str) -> str:
    return {"partnership": "Partnership Fund", "school_support": "School Support Fund"}.get(
        fund, fund.replace("_", " ").title()
    )


def format_time(moment: datetime) -> str:
    """Write a time for the notifier: wall-clock local time without an offset stays without one."""
    if moment.tzinfo is None and moment.second == 0 and moment.microsecond == 0:
        return moment.strftime("%Y-%m-%dT%H:%M")
    return moment.isoformat()
