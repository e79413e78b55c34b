"""Turn a campaign into ledger rows: who gets which message, when, and until when.

Rows are written when the campaign is created, so the ledger is the schedule: the worker
needs nothing but the rows to know what is due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notifier.campaigns.models import Campaign, EventSession
from notifier.contacts.models import Contact
from notifier.deliveries.models import Delivery
from notifier.messages.compose import message_id_for
from notifier.messages.render import MessageTemplate
from notifier.schedule import DISTRICT_TIME_ZONE, parse_offset, reminder_time
from notifier.settings import Settings

DEFAULT_ROLES = {
    "budget_release": ["school_leader", "instructional_superintendent"],
    "portfolio_release": ["school_leader"],
    "office_hours": ["school_leader"],
    "technical_assistance": ["school_leader"],
}


@dataclass
class Plan:
    deliveries: list[Delivery] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def idempotency_key(campaign_id: int, occurrence: str, contact_id: int) -> str:
    """Name one message: the campaign, the occurrence within it, and the recipient."""
    return f"campaign:{campaign_id}:{occurrence}:contact:{contact_id}"


def grace_for(template: str, settings: Settings) -> timedelta:
    """Return how late a missed first send may still go out, tolerance included."""
    hours = {
        MessageTemplate.BUDGET_RELEASE: settings.grace.budget_release_hours,
        MessageTemplate.BUDGET_RELEASE_NOT_ELIGIBLE: settings.grace.budget_release_hours,
        MessageTemplate.BUDGET_RELEASE_SUMMARY: settings.grace.budget_release_hours,
        MessageTemplate.PORTFOLIO_RELEASE: settings.grace.portfolio_release_hours,
        MessageTemplate.EVENT_INVITATION: settings.grace.invitation_hours,
        MessageTemplate.EVENT_REMINDER: settings.grace.reminder_hours,
        MessageTemplate.CUSTOM: settings.grace.custom_hours,
    }.get(MessageTemplate(template), settings.grace.custom_hours)
    return timedelta(hours=hours, seconds=settings.worker.on_time_tolerance_seconds)


def new_delivery(
    campaign: Campaign,
    contact: Contact,
    *,
    template: MessageTemplate,
    occurrence: str,
    scheduled_for: datetime,
    settings: Settings,
    session: EventSession | None = None,
    school_code: str | None = None,
    deadline: datetime | None = None,
) -> Delivery:
    """Build a scheduled ledger row; the deadline defaults to the template's grace period."""
    key = idempotency_key(campaign.id, occurrence, contact.id)
    if deadline is None and template != MessageTemplate.EVENT_CANCELLATION:
        deadline = scheduled_for + grace_for(template, settings)
    return Delivery(
        campaign_id=campaign.id,
        contact_id=contact.id,
        session_id=session.id if session is not None else None,
        template=template.value,
        occurrence=occurrence,
        school_code=school_code,
        idempotency_key=key,
        recipient=contact.email,
        recipient_name=contact.name,
        status="scheduled",
        attempts=0,
        scheduled_for=scheduled_for,
        next_attempt_at=scheduled_for,
        deadline=deadline,
        message_id=message_id_for(key, settings.sender.domain),
    )


def reminder_occurrence(session: EventSession, offset_text: str) -> str:
    return f"reminder:s{session.id}:{offset_text}:q{session.sequence}"


def plan_reminders(
    campaign: Campaign,
    session: EventSession,
    contacts: Sequence[Contact],
    settings: Settings,
    now: datetime,
    plan: Plan,
) -> None:
    """Add one reminder row per offset and contact; skip offsets already past, with a warning."""
    for offset_text in campaign.reminders:
        offset = parse_offset(offset_text)
        at = reminder_time(session.starts_at, offset)
        local_start = session.starts_at.astimezone(DISTRICT_TIME_ZONE)
        if at <= now or at < campaign.send_at:
            plan.warnings.append(
                f"reminder {offset_text} before the session of {local_start:%Y-%m-%d %H:%M} "
                "would be due before the invitation or in the past, so it is not scheduled"
            )
            continue
        # A reminder is pointless once its session started, whatever the grace period says.
        deadline = min(at + grace_for(MessageTemplate.EVENT_REMINDER, settings), session.starts_at)
        for contact in contacts:
            plan.deliveries.append(
                new_delivery(
                    campaign,
                    contact,
                    template=MessageTemplate.EVENT_REMINDER,
                    occurrence=reminder_occurrence(session, offset_text),
                    scheduled_for=at,
                    settings=settings,
                    session=session,
                    deadline=deadline,
                )
            )


def plan_campaign(
    campaign: Campaign,
    contacts: Sequence[Contact],
    settings: Settings,
    now: datetime,
) -> Plan:
    """Build every ledger row of a new campaign for the given audience."""
    plan = Plan()
    recipients: list[Contact] = []
    opted_out = 0
    for contact in contacts:
        if not campaign.critical and campaign.kind in contact.opted_out:
            opted_out += 1
            continue
        recipients.append(contact)
    if opted_out:
        plan.warnings.append(
            f"{opted_out} contact(s) opted out of {campaign.kind} notices and get no message"
        )
    if not recipients:
        plan.warnings.append("no contact matches the audience, so nothing will be sent")

    if campaign.kind == "budget_release":
        _plan_budget_release(campaign, recipients, settings, plan)
    elif campaign.kind == "portfolio_release":
        for contact in recipients:
            plan.deliveries.append(
                new_delivery(
                    campaign,
                    contact,
                    template=MessageTemplate.PORTFOLIO_RELEASE,
                    occurrence="portfolio",
                    scheduled_for=campaign.send_at,
                    settings=settings,
                )
            )
    elif campaign.kind == "custom":
        for contact in recipients:
            plan.deliveries.append(
                new_delivery(
                    campaign,
                    contact,
                    template=MessageTemplate.CUSTOM,
                    occurrence="custom",
                    scheduled_for=campaign.send_at,
                    settings=settings,
                )
            )
    else:
        for session in campaign.sessions:
            plan_invitations(campaign, session, recipients, settings, plan)
            plan_reminders(campaign, session, recipients, settings, now, plan)
    return plan


def invitation_occurrence(session: EventSession) -> str:
    return f"invitation:s{session.id}"


def plan_invitations(
    campaign: Campaign,
    session: EventSession,
    contacts: Sequence[Contact],
    settings: Settings,
    plan: Plan,
) -> None:
    """Add one invitation row per contact for one session.

    Each session gets its own message because RFC 5546 allows one UID per iTIP REQUEST, and
    calendar apps that import only the first event of an attachment would miss the others.
    """
    for contact in contacts:
        plan.deliveries.append(
            new_delivery(
                campaign,
                contact,
                template=MessageTemplate.EVENT_INVITATION,
                occurrence=invitation_occurrence(session),
                scheduled_for=campaign.send_at,
                settings=settings,
                session=session,
            )
        )


def _plan_budget_release(
    campaign: Campaign, recipients: Sequence[Contact], settings: Settings, plan: Plan
) -> None:
    skipped_roles: dict[str, int] = {}
    for contact in recipients:
        if contact.role == "school_leader":
            # One message per school, so a leader of two schools learns both amounts.
            for code in contact.school_codes:
                plan.deliveries.append(
                    new_delivery(
                        campaign,
                        contact,
                        template=MessageTemplate.BUDGET_RELEASE,
                        occurrence=f"release:{code}",
                        scheduled_for=campaign.send_at,
                        settings=settings,
                        school_code=code,
                    )
                )
            if not contact.school_codes:
                plan.warnings.append(f"school leader {contact.email} has no school code")
        elif contact.role == "instructional_superintendent":
            plan.deliveries.append(
                new_delivery(
                    campaign,
                    contact,
                    template=MessageTemplate.BUDGET_RELEASE_SUMMARY,
                    occurrence="summary",
                    scheduled_for=campaign.send_at,
                    settings=settings,
                )
            )
        else:
            skipped_roles[contact.role] = skipped_roles.get(contact.role, 0) + 1
    for role, count in sorted(skipped_roles.items()):
        plan.warnings.append(
            f"{count} {role} contact(s) skipped: a budget release goes to school leaders and "
            "Instructional Superintendents"
        )
