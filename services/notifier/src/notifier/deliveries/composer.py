"""Turn one ledger row into its e-mail message, or raise the reason it must not be sent.

The worker and the campaign preview both call `compose_delivery`, so the preview shows
exactly what the worker will send, rendered from the same data at the moment it is called.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from notifier.campaigns.models import Campaign, EventSession
from notifier.contacts.models import Contact
from notifier.deliveries.models import Delivery
from notifier.messages.compose import (
    CalendarPart,
    Mailbox,
    build_email,
    calendar_file_names,
    email_bytes,
)
from notifier.messages.ics import CalendarSession, build_calendar
from notifier.messages.render import (
    EVENT_LABELS,
    MessageContact,
    MessageTemplate,
    Recipient,
    RenderedMessage,
    SessionView,
    explain_reason,
    render_message,
)
from notifier.settings import Settings
from notifier.upstream import UpstreamData


class DeliverySkipped(Exception):
    """The message must not go out; `status` is the final ledger status (cancelled or expired)."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class DeliveryImpossible(Exception):
    """The message can never be composed (data it needs does not exist); it fails at once."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ComposedMessage:
    """A rendered message and what its envelope needs; built into MIME only when asked."""

    rendered: RenderedMessage
    attachments: list[str]
    sender: Mailbox
    recipient: Mailbox
    message_id: str
    date: datetime
    calendars: list[CalendarPart]
    reply_to: Mailbox

    @property
    def message(self) -> EmailMessage:
        return build_email(self.rendered, **self._envelope())

    def wire_bytes(self) -> bytes:
        """Return the bytes the worker sends: `message` serialised for SMTP, built directly."""
        return email_bytes(self.rendered, **self._envelope())

    def _envelope(self) -> dict[str, Any]:
        return {
            "sender": self.sender,
            "recipient": self.recipient,
            "message_id": self.message_id,
            "date": self.date,
            "calendars": self.calendars,
            "reply_to": self.reply_to,
        }


def check_still_wanted(delivery: Delivery, campaign: Campaign, contact: Contact, now: datetime) -> None:
    """Raise DeliverySkipped when the campaign, session, deadline or an opt-out rules it out."""
    session = _session_of(delivery, campaign)

    if campaign.status == "cancelled" and delivery.template != MessageTemplate.EVENT_CANCELLATION:
        raise DeliverySkipped("cancelled", "the campaign was cancelled")
    session_cancelled = session is not None and session.cancelled_at is not None
    if session_cancelled and delivery.template != MessageTemplate.EVENT_CANCELLATION:
        raise DeliverySkipped("cancelled", f"session {delivery.session_id} was cancelled")
    is_reminder = delivery.template == MessageTemplate.EVENT_REMINDER
    if is_reminder and session is not None and now >= session.starts_at:
        raise DeliverySkipped("expired", f"session {session.id} started at {session.starts_at.isoformat()}")
    if delivery.deadline is not None and now > delivery.deadline:
        raise DeliverySkipped(
            "expired",
            f"missed its send time {delivery.scheduled_for.isoformat()} by more than the grace "
            f"period (deadline {delivery.deadline.isoformat()})",
        )
    if not campaign.critical and campaign.kind in contact.opted_out:
        raise DeliverySkipped("cancelled", f"the recipient opted out of {campaign.kind} notices")


def _session_of(delivery: Delivery, campaign: Campaign) -> EventSession | None:
    if delivery.session_id is None:
        return None
    for session in campaign.sessions:
        if session.id == delivery.session_id:
            return session
    return None


def _session_view(session: EventSession) -> SessionView:
    return SessionView(
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=session.location,
        video_link=session.video_link,
        capacity=session.capacity,
    )


def _calendar_session(session: EventSession, campaign: Campaign) -> CalendarSession:
    label = EVENT_LABELS.get(campaign.kind, campaign.kind)
    return CalendarSession(
        session_id=session.id,
        sequence=session.sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=f"{label}: {campaign.title}",
        location=session.location,
        video_link=session.video_link,
        description=campaign.description,
    )


async def _school_names(contact: Contact, upstream: UpstreamData) -> list[str]:
    names = []
    for code in contact.school_codes:
        name = await upstream.school_name(code)
        names.append(f"{name} ({code})" if name else f"school {code}")
    return names


async def _budget_release_values(
    delivery: Delivery, campaign: Campaign, upstream: UpstreamData
) -> tuple[MessageTemplate, dict[str, Any], list[str]]:
    assert campaign.fiscal_year is not None and campaign.fund is not None
    lines = await upstream.allocation_lines(campaign.fiscal_year, campaign.fund)
    code = delivery.school_code or ""
    line = lines.get(code)
    if line is None:
        raise DeliveryImpossible(
            f"the published FY{campaign.fiscal_year} {campaign.fund} allocation has no line for school {code}"
        )
    values = {
        "fiscal_year": campaign.fiscal_year,
        "fund": campaign.fund,
        "line": line,
        "rules": await upstream.allocation_rules(campaign.fiscal_year, campaign.fund),
    }
    school = [f"{line.school_name} ({line.school_code})"]
    if line.eligible:
        return MessageTemplate.BUDGET_RELEASE, values, school
    if campaign.not_eligible == "skip":
        raise DeliverySkipped(
            "cancelled",
            f"school {code} is not eligible and the campaign sends no message to such schools",
        )
    return MessageTemplate.BUDGET_RELEASE_NOT_ELIGIBLE, values, school


async def _summary_values(
    contact: Contact, campaign: Campaign, upstream: UpstreamData
) -> tuple[dict[str, Any], list[str]]:
    assert campaign.fiscal_year is not None and campaign.fund is not None
    lines = await upstream.allocation_lines(campaign.fiscal_year, campaign.fund)
    found = [lines[code] for code in contact.school_codes if code in lines]
    missing = [code for code in contact.school_codes if code not in lines]
    eligible = [line for line in found if line.eligible]
    values = {
        "fiscal_year": campaign.fiscal_year,
        "fund": campaign.fund,
        "lines": found,
        "total": sum((line.amount for line in eligible), Decimal("0.00")),
        "eligible_count": len(eligible),
        "missing_codes": missing,
    }
    return values, [f"{line.school_name} ({line.school_code})" for line in found]


def _event_sessions(delivery: Delivery, campaign: Campaign) -> list[EventSession]:
    session = _session_of(delivery, campaign)
    if delivery.template == MessageTemplate.EVENT_CANCELLATION:
        if session is not None:
            return [session]
        return list(campaign.sessions)
    if session is not None:
        return [session]
    return [item for item in campaign.sessions if item.cancelled_at is None]


def reply_to_mailbox(settings: Settings) -> Mailbox:
    """Return where replies go: `sender.reply_to` when set, else the contact that messages name."""
    if settings.sender.reply_to:
        return Mailbox(settings.sender.name, settings.sender.reply_to)
    return Mailbox(settings.contact.name, settings.contact.email)


async def compose_delivery(
    delivery: Delivery,
    campaign: Campaign,
    contact: Contact,
    upstream: UpstreamData,
    settings: Settings,
    now: datetime,
) -> ComposedMessage:
    """Render and assemble the message of one ledger row.

    Raises DeliverySkipped when it must not go out, DeliveryImpossible when it can never be
    composed, and notifier.upstream.UpstreamProblem when another service is unavailable.
    """
    check_still_wanted(delivery, campaign, contact, now)

    template = MessageTemplate(delivery.template)
    values: dict[str, Any]
    calendars: list[CalendarPart] = []
    school_names: list[str]

    if template == MessageTemplate.BUDGET_RELEASE:
        template, values, school_names = await _budget_release_values(delivery, campaign, upstream)
    elif template == MessageTemplate.BUDGET_RELEASE_SUMMARY:
        values, school_names = await _summary_values(contact, campaign, upstream)
    elif template == MessageTemplate.PORTFOLIO_RELEASE:
        assert campaign.fiscal_year is not None
        programs = await upstream.portfolio(campaign.fiscal_year)
        values = {"fiscal_year": campaign.fiscal_year, "programs": programs}
        school_names = await _school_names(contact, upstream)
    elif template == MessageTemplate.CUSTOM:
        values = {"subject": campaign.subject or campaign.title, "body": campaign.body or ""}
        school_names = await _school_names(contact, upstream)
    else:
        sessions = _event_sessions(delivery, campaign)
        if not sessions:
            raise DeliverySkipped("cancelled", "every session of the event was cancelled")
        cancel = template == MessageTemplate.EVENT_CANCELLATION
        values = {
            "event_label": EVENT_LABELS.get(campaign.kind, campaign.kind),
            "title": campaign.title,
            "sessions": [_session_view(session) for session in sessions],
            "session_count": sum(1 for item in campaign.sessions if item.cancelled_at is None),
            "description": campaign.description,
            "updated": delivery.occurrence.startswith("update:"),
        }
        # One calendar per session. A row planned before invitations went out per session
        # covers several sessions and so carries several attachments.
        calendars = [
            CalendarPart(
                content=build_calendar(
                    _calendar_session(session, campaign),
                    contact_id=contact.id,
                    attendee_name=delivery.recipient_name,
                    attendee_email=delivery.recipient,
                    organizer_name=settings.sender.name,
                    organizer_email=settings.sender.email,
                    domain=settings.sender.domain,
                    cancel=cancel,
                    stamp=now,
                ),
                method="CANCEL" if cancel else "REQUEST",
            )
            for session in sessions
        ]
        school_names = await _school_names(contact, upstream)

    reason = explain_reason(
        kind=campaign.kind,
        role=contact.role,
        school_names=school_names,
        critical=campaign.critical,
    )
    rendered = render_message(
        template,
        recipient=Recipient(name=delivery.recipient_name, email=delivery.recipient),
        reason=reason,
        sender_name=settings.sender.name,
        values=values,
        contact=MessageContact(settings.contact.name, settings.contact.email, settings.contact.phone),
        portfolio_url=settings.contact.portfolio_url,
    )
    return ComposedMessage(
        rendered=rendered,
        attachments=calendar_file_names(calendars),
        sender=Mailbox(settings.sender.name, settings.sender.email),
        recipient=Mailbox(delivery.recipient_name, delivery.recipient),
        message_id=delivery.message_id,
        date=now,
        calendars=calendars,
        reply_to=reply_to_mailbox(settings),
    )
