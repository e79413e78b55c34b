"""Render campaign messages from the Jinja2 templates beside this module.

Each message has three templates: `<name>.subject.txt`, `<name>.txt` (plain text) and
`<name>.html`. HTML templates are autoescaped, so a school or contact name containing `<` or
`&` cannot change the markup; plain-text templates are not escaped.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifier.schedule import DISTRICT_TIME_ZONE


class MessageTemplate(enum.StrEnum):
    """One message layout; the value is the template file stem."""

    BUDGET_RELEASE = "budget_release"
    BUDGET_RELEASE_NOT_ELIGIBLE = "budget_release_not_eligible"
    BUDGET_RELEASE_SUMMARY = "budget_release_summary"
    EVENT_INVITATION = "event_invitation"
    EVENT_REMINDER = "event_reminder"
    EVENT_CANCELLATION = "event_cancellation"
    PORTFOLIO_RELEASE = "portfolio_release"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    email: str


@dataclass(frozen=True, slots=True)
class AllocationLine:
    """One school's line of a published allocation, as the allocation service returns it.

    `status` is the allocation service's reason for the amount: funded, zero_weight,
    below_threshold, outside_top_n, no_score or no_enrollment (None from an older service).
    """

    school_code: str
    school_name: str
    eligible: bool
    amount: Decimal
    per_pupil: Decimal | None = None
    explanation: str | None = None
    status: str | None = None
    score: Decimal | None = None
    enrollment: int | None = None
    limit_applied: str | None = None

    @property
    def missing_enrollment(self) -> bool:
        """Whether the school qualifies by score but was left out for lack of an enrollment."""
        return self.status == "no_enrollment"


@dataclass(frozen=True, slots=True)
class AllocationRules:
    """The published run's policy, as far as a release message explains it.

    Exactly one of `min_score` and `top_n` is set. With `top_n`, `lowest_qualifying_score`
    is the lowest score among the schools that qualified, ties with the N-th included.
    """

    mode: str = "pool"
    weighting: str = "flat"
    rounding: str = "dollar"
    min_score: Decimal | None = None
    top_n: int | None = None
    lowest_qualifying_score: Decimal | None = None
    pool: Decimal | None = None
    rate: Decimal | None = None
    floor: Decimal | None = None
    cap: Decimal | None = None


@dataclass(frozen=True, slots=True)
class MessageContact:
    """The person a message names for questions and corrections."""

    name: str
    email: str
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class SessionView:
    """One event session; times are aware and shown in district local time."""

    starts_at: datetime
    ends_at: datetime
    location: str | None = None
    video_link: str | None = None
    capacity: int | None = None


@dataclass(frozen=True, slots=True)
class PortfolioProgram:
    name: str
    organization: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


FUND_LABELS = {"partnership": "Partnership Fund"}

EVENT_LABELS = {
    "office_hours": "Office hours",
    "technical_assistance": "Technical assistance",
}


def format_money(value: Decimal | None) -> str:
    """Format dollars with a thousands separator and cents: Decimal("1234.5") -> "$1,234.50"."""
    if value is None:
        return "n/a"
    return f"${Decimal(value):,.2f}"


def format_score(value: Decimal | None) -> str:
    """Write a need-index score with two to four decimals, as the district does: "0.5600" -> "0.56"."""
    if value is None:
        return "n/a"
    places = max(2, -min(Decimal(value).normalize().as_tuple().exponent, 0))  # type: ignore[operator]
    return f"{Decimal(value):.{min(places, 4)}f}"


def format_count(value: int) -> str:
    return f"{value:,}"


def _format_local_date(moment: datetime) -> str:
    local = moment.astimezone(DISTRICT_TIME_ZONE)
    return f"{local:%A, %B} {local.day}, {local.year}"


def _format_local_time(moment: datetime) -> str:
    local = moment.astimezone(DISTRICT_TIME_ZONE)
    hour = local.hour % 12 or 12
    suffix = "a.m." if local.hour < 12 else "p.m."
    return f"{hour}:{local.minute:02d} {suffix}"


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("notifier.messages", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        # Templates ship with the package, so compiled ones never need checking against the files.
        auto_reload=False,
    )
    environment.filters["money"] = format_money
    environment.filters["score"] = format_score
    environment.filters["count"] = format_count

    # Imported here because the release module builds on this module's types and formats.
    from notifier.messages import release

    environment.filters["eligibility_text"] = release.eligibility_text
    environment.filters["share_text"] = release.share_text
    environment.filters["plain_explanation"] = release.plain_explanation
    environment.filters["local_date"] = _format_local_date
    environment.filters["local_time"] = _format_local_time
    return environment


def fund_label(fund: str) -> str:
    return FUND_LABELS.get(fund, fund.replace("_", " ").title())


def render_message(
    template: MessageTemplate,
    *,
    recipient: Recipient,
    reason: str,
    sender_name: str,
    values: Mapping[str, Any],
    contact: MessageContact | None = None,
    portfolio_url: str | None = None,
) -> RenderedMessage:
    """Render the subject, plain-text and HTML bodies of one message.

    `values` holds the template's own fields (`line`, `sessions`, `programs` …); a missing
    field raises jinja2.UndefinedError instead of rendering an empty string. Every message
    names `contact` for questions when one is given.
    """
    environment = _environment()
    context = {
        "recipient": recipient,
        "reason": reason,
        "sender_name": sender_name,
        "contact": contact,
        "portfolio_url": portfolio_url,
        **values,
    }
    if "fiscal_year" in context:
        context.setdefault("fiscal_year_short", f"{int(context['fiscal_year']) % 100:02d}")
    if "fund" in context:
        context.setdefault("fund_label", fund_label(str(context["fund"])))
    else:
        context.setdefault("fund_label", fund_label("partnership"))

    subject_source = environment.get_template(f"{template.value}.subject.txt").render(context)
    # A header must be one line; collapse what the template or a value brought in.
    subject = " ".join(subject_source.split())
    context["subject"] = subject
    text = environment.get_template(f"{template.value}.txt").render(context)
    html = environment.get_template(f"{template.value}.html").render(context)
    # Optional blocks leave runs of empty lines behind; one empty line separates paragraphs.
    text = re.sub(r"\n{3,}", "\n\n", text.strip()) + "\n"
    return RenderedMessage(subject=subject, text=text, html=html)


ROLE_LABELS = {
    "school_leader": "school leader",
    "instructional_superintendent": "Instructional Superintendent",
    "central_office": "central office staff member",
    "partner": "partner contact",
}

CAMPAIGN_PURPOSES = {
    "budget_release": "the Partnership Fund budget release",
    "office_hours": "office hours for school leaders",
    "technical_assistance": "technical-assistance sessions",
    "portfolio_release": "the Opportunity Portfolio release",
    "custom": "a message from the partnerships office",
}


def explain_reason(
    *,
    kind: str,
    role: str,
    school_names: Sequence[str],
    critical: bool,
) -> str:
    """Write the sentence that tells a recipient why this message reached them."""
    role_label = ROLE_LABELS.get(role, role.replace("_", " "))
    if school_names and len(school_names) <= 3:
        where = f" for {', '.join(school_names)}"
    elif school_names:
        where = f" for {len(school_names)} schools"
    else:
        where = ""
    purpose = CAMPAIGN_PURPOSES.get(kind, kind.replace("_", " "))

    reason = (
        f"You receive this message because the Partnership Fund contact list names you as "
        f"{_article(role_label)} {role_label}{where}, and it is about {purpose}."
    )
    if critical:
        return reason + " It is a critical notice, so it is sent even if you opted out of notices."
    return reason + (
        f" To stop receiving {purpose_category(kind)} notices, ask the partnerships office "
        "to record your opt-out."
    )


def purpose_category(kind: str) -> str:
    return kind.replace("_", " ")


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"
