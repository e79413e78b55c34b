"""Campaign creation, changes, cancellation and preview. Functions flush; callers commit."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.campaigns import repository
from notifier.campaigns.models import Campaign, EventSession
from notifier.campaigns.planning import (
    DEFAULT_ROLES,
    Plan,
    grace_for,
    new_delivery,
    plan_campaign,
    plan_reminders,
)
from notifier.contacts import repository as contacts_repository
from notifier.contacts.models import Contact
from notifier.deliveries.composer import DeliveryImpossible, DeliverySkipped, compose_delivery
from notifier.deliveries.models import Delivery
from notifier.messages.render import MessageTemplate
from notifier.schedule import DISTRICT_TIME_ZONE, local_to_utc, parse_offset, working_hours_warnings
from notifier.settings import Settings
from notifier.upstream import UpstreamData, UpstreamProblem
from partnerfund_shared.db import utc_now
from partnerfund_shared.errors import Conflict, ErrorItem, InvalidInput, NotFound, UpstreamUnavailable
from partnerfund_shared.schemas.notifier import (
    EVENT_KINDS,
    CampaignCreate,
    PreviewMessage,
    SessionIn,
    SessionUpdate,
)

log = logging.getLogger("notifier.campaigns")

# Rows the worker may still send, and so the rows a cancellation or change must deal with.
WAITING_STATUSES = ("scheduled", "retry_wait")
PREVIEW_STATUSES = ("scheduled", "retry_wait", "sending")
# Invitations that reached, or may have reached, the recipient's mailbox.
DELIVERED_STATUSES = ("sent", "sending")


class CampaignNotFound(NotFound):
    slug = "campaign-not-found"
    title = "Campaign not found"


class CampaignCancelled(Conflict):
    slug = "campaign-cancelled"
    title = "Campaign cancelled"


class SessionNotFound(NotFound):
    slug = "session-not-found"
    title = "Session not found"


class IdempotencyKeyReused(Conflict):
    slug = "idempotency-key-reused"
    title = "Idempotency key reused"

    def __init__(self, key: str, campaign_id: int | None) -> None:
        detail = (
            "This Idempotency-Key was already used with a different request; send a new key for a "
            "new campaign."
            if campaign_id is not None
            else "Another request with this Idempotency-Key is being stored; retry it to get its campaign."
        )
        super().__init__(detail=detail, extra={"idempotency_key": key, "campaign_id": campaign_id})


@dataclass(frozen=True)
class CreatedCampaign:
    campaign: Campaign
    # True when an earlier request with the same Idempotency-Key and body created the campaign.
    replayed: bool = False


def hash_campaign_request(request: CampaignCreate) -> str:
    """Hash the request as parsed, so that equal values written differently count as the same."""
    return hashlib.sha256(request.model_dump_json().encode()).hexdigest()


def local_text(moment: datetime) -> str:
    return moment.astimezone(DISTRICT_TIME_ZONE).isoformat(timespec="minutes")


def _invalid(message: str, *loc: str | int) -> InvalidInput:
    return InvalidInput(detail=message, errors=[ErrorItem(message=message, loc=("body", *loc))])


def _check_kind_fields(request: CampaignCreate) -> None:
    kind = request.kind
    if kind in ("budget_release", "portfolio_release") and request.fiscal_year is None:
        raise _invalid(f"a {kind} campaign needs fiscal_year", "fiscal_year")
    if kind in EVENT_KINDS:
        if not request.sessions:
            raise _invalid(f"an {kind} campaign needs at least one session", "sessions")
        if not request.title:
            raise _invalid(f"an {kind} campaign needs a title", "title")
    elif request.sessions or request.reminders:
        raise _invalid(f"a {kind} campaign has no sessions or reminders", "sessions")
    if kind == "custom":
        if not request.subject or not request.body:
            raise _invalid("a custom campaign needs subject and body", "subject")
        if not (request.audience.roles or request.audience.school_codes or request.audience.contact_ids):
            raise _invalid("a custom campaign needs an audience", "audience")
    for index, text in enumerate(request.reminders):
        try:
            offset = parse_offset(text)
        except ValueError as error:
            raise _invalid(str(error), "reminders", index) from error
        if offset.is_zero:
            raise _invalid(f"reminder offset {text!r} is zero", "reminders", index)


def _default_title(request: CampaignCreate) -> str:
    if request.title:
        return request.title
    if request.kind == "budget_release":
        return f"FY{request.fiscal_year} {request.fund} budget release"
    if request.kind == "portfolio_release":
        return f"FY{request.fiscal_year} Opportunity Portfolio"
    return request.subject or request.kind


def _resolve_sessions(sessions: Sequence[SessionIn], warnings: list[str]) -> list[EventSession]:
    resolved: list[EventSession] = []
    for position, item in enumerate(sessions, start=1):
        label = f"session {position}"
        starts = local_to_utc(item.starts_at)
        ends = local_to_utc(item.ends_at)
        warnings.extend(f"{label} start: {text}" for text in starts.warnings)
        warnings.extend(f"{label} end: {text}" for text in ends.warnings)
        if ends.utc <= starts.utc:
            raise _invalid(f"{label} ends before it starts", "sessions", position - 1)
        warnings.extend(working_hours_warnings(label, starts.utc, ends.utc))
        resolved.append(
            EventSession(
                position=position,
                starts_at=starts.utc,
                ends_at=ends.utc,
                location=item.location,
                video_link=str(item.video_link) if item.video_link else None,
                capacity=item.capacity,
                sequence=0,
            )
        )
    return resolved


async def create_campaign_once(
    session: AsyncSession,
    request: CampaignCreate,
    *,
    settings: Settings,
    created_by: str,
    idempotency_key: str | None,
) -> CreatedCampaign:
    """Create a campaign, or return the one an earlier request with the same key and body created.

    Raises IdempotencyKeyReused when the key came with a different request before.
    """
    if idempotency_key is not None:
        earlier = await repository.find_by_idempotency_key(session, created_by, idempotency_key)
        if earlier is not None:
            if earlier.request_sha256 != hash_campaign_request(request):
                raise IdempotencyKeyReused(idempotency_key, earlier.id)
            log.info(
                "campaign_replayed", extra={"campaign_id": earlier.id, "idempotency_key": idempotency_key}
            )
            return CreatedCampaign(earlier, replayed=True)

    campaign = await create_campaign(
        session, request, settings=settings, created_by=created_by, idempotency_key=idempotency_key
    )
    return CreatedCampaign(campaign)


async def create_campaign(
    session: AsyncSession,
    request: CampaignCreate,
    *,
    settings: Settings,
    created_by: str,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Campaign:
    """Store a campaign and every ledger row it will send, with warnings about its times."""
    now = now or utc_now()
    _check_kind_fields(request)

    warnings: list[str] = []
    if request.send_at is None:
        send_at = now
    else:
        resolved = local_to_utc(request.send_at)
        warnings.extend(f"send_at: {text}" for text in resolved.warnings)
        send_at = resolved.utc
        if send_at < now:
            warnings.append(f"send_at {local_text(send_at)} is in the past, so it is sent now")
            send_at = now
    sessions = _resolve_sessions(request.sessions, warnings)
    if sessions and send_at >= min(item.starts_at for item in sessions):
        raise _invalid("send_at must be before the first session starts", "send_at")

    critical = request.kind == "budget_release" or bool(request.critical)
    if request.kind == "budget_release" and request.critical is False:
        warnings.append("a budget release is always critical, so opt-outs do not apply")

    audience = request.audience.model_dump()
    roles = request.audience.roles or DEFAULT_ROLES.get(request.kind, [])
    if not (request.audience.roles or request.audience.school_codes or request.audience.contact_ids):
        audience["roles"] = list(roles)

    campaign = Campaign(
        kind=request.kind,
        title=_default_title(request),
        status="scheduled",
        fiscal_year=request.fiscal_year,
        fund=request.fund if request.kind == "budget_release" else None,
        send_at=send_at,
        critical=critical,
        not_eligible=request.not_eligible,
        audience=audience,
        reminders=[parse_offset(text).text for text in request.reminders],
        description=request.description,
        subject=request.subject,
        body=request.body,
        warnings=[],
        created_by=created_by,
        sessions=sessions,
        idempotency_key=idempotency_key,
        request_sha256=hash_campaign_request(request) if idempotency_key is not None else None,
    )
    session.add(campaign)
    try:
        await session.flush()
    except IntegrityError as error:
        # The key's unique index is the only one on the table, so a duplicate sent at the same
        # time was stored first. A retry of this request then gets that campaign.
        if idempotency_key is None:
            raise
        log.info("campaign_key_in_use", extra={"idempotency_key": idempotency_key})
        raise IdempotencyKeyReused(idempotency_key, None) from error

    contacts = await contacts_repository.audience_contacts(
        session,
        roles=audience["roles"],
        school_codes=audience["school_codes"],
        contact_ids=audience["contact_ids"],
    )
    plan = plan_campaign(campaign, contacts, settings, now)
    campaign.warnings = warnings + plan.warnings
    session.add_all(plan.deliveries)
    await session.flush()

    log.info(
        "campaign_created",
        extra={
            "campaign_id": campaign.id,
            "kind": campaign.kind,
            "send_at": send_at.isoformat(),
            "deliveries": len(plan.deliveries),
            "warnings": len(campaign.warnings),
        },
    )
    return campaign


async def get_campaign(session: AsyncSession, campaign_id: int) -> Campaign:
    campaign = await repository.get_campaign(session, campaign_id)
    if campaign is None:
        raise CampaignNotFound(detail=f"Campaign {campaign_id} does not exist.")
    return campaign


async def send_now(session: AsyncSession, campaign_id: int, *, settings: Settings) -> Campaign:
    """Move the campaign's first messages (not its reminders) to now."""
    campaign = await get_campaign(session, campaign_id)
    if campaign.status == "cancelled":
        raise CampaignCancelled(detail=f"Campaign {campaign_id} is cancelled; it cannot be sent.")

    now = utc_now()
    rows = await repository.deliveries_of(session, campaign_id, statuses=("scheduled",))
    moved = 0
    for row in rows:
        if row.template == MessageTemplate.EVENT_REMINDER or row.scheduled_for <= now:
            continue
        row.scheduled_for = now
        row.next_attempt_at = now
        row.deadline = now + grace_for(row.template, settings)
        moved += 1
    if campaign.send_at > now:
        campaign.send_at = now
    await session.flush()
    log.info("campaign_sent_now", extra={"campaign_id": campaign_id, "deliveries": moved})
    return campaign


async def _cancel_waiting(
    session: AsyncSession,
    campaign_id: int,
    reason: str,
    *,
    session_id: int | None = None,
    templates: Sequence[str] | None = None,
) -> int:
    statement = (
        update(Delivery)
        .where(Delivery.campaign_id == campaign_id, Delivery.status.in_(WAITING_STATUSES))
        .values(status="cancelled", last_error=reason, next_attempt_at=None, updated_at=utc_now())
    )
    if session_id is not None:
        statement = statement.where(Delivery.session_id == session_id)
    if templates is not None:
        statement = statement.where(Delivery.template.in_(templates))
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _invitees(
    session: AsyncSession, campaign: Campaign, event_session: EventSession, statuses: Sequence[str]
) -> list[Contact]:
    """Contacts with an invitation to `event_session` in one of `statuses`.

    An invitation row without a session covers every session: campaigns planned before
    invitations went out one per session have such rows.
    """
    rows = await repository.deliveries_of(
        session,
        campaign.id,
        statuses=statuses,
        templates=(MessageTemplate.EVENT_INVITATION,),
    )
    contact_ids = sorted({row.contact_id for row in rows if row.session_id in (None, event_session.id)})
    if not contact_ids:
        return []
    return await contacts_repository.audience_contacts(
        session, roles=(), school_codes=(), contact_ids=contact_ids
    )


async def _invited_contacts(
    session: AsyncSession, campaign: Campaign, event_session: EventSession
) -> list[Contact]:
    """Contacts whose invitation to the session went out, or may have (it is being sent)."""
    return await _invitees(session, campaign, event_session, DELIVERED_STATUSES)


async def _recipients(
    session: AsyncSession, campaign: Campaign, event_session: EventSession
) -> list[Contact]:
    """Contacts with an invitation to the session that is sent or still to be sent."""
    return await _invitees(session, campaign, event_session, (*DELIVERED_STATUSES, *WAITING_STATUSES))


async def cancel_campaign(session: AsyncSession, campaign_id: int, *, settings: Settings) -> Campaign:
    """Cancel every message not sent yet; invitees of an event get a calendar cancellation.

    Cancelling twice changes nothing. A message the worker is sending at this moment still
    goes out, and its recipient then gets the cancellation too.
    """
    campaign = await get_campaign(session, campaign_id)
    if campaign.status == "cancelled":
        return campaign

    now = utc_now()
    campaign.status = "cancelled"
    campaign.cancelled_at = now
    cancelled = await _cancel_waiting(session, campaign_id, "the campaign was cancelled")

    notices = 0
    if campaign.kind in EVENT_KINDS:
        # One cancellation per session, like the invitations: sessions cancelled before
        # already had theirs.
        for event_session in campaign.sessions:
            if event_session.cancelled_at is not None:
                continue
            event_session.cancelled_at = now
            event_session.sequence += 1
            for contact in await _invited_contacts(session, campaign, event_session):
                session.add(
                    new_delivery(
                        campaign,
                        contact,
                        template=MessageTemplate.EVENT_CANCELLATION,
                        occurrence=f"cancel:s{event_session.id}:q{event_session.sequence}",
                        scheduled_for=now,
                        settings=settings,
                        session=event_session,
                        deadline=event_session.ends_at,
                    )
                )
                notices += 1
    await session.flush()
    log.info(
        "campaign_cancelled",
        extra={"campaign_id": campaign_id, "cancelled": cancelled, "cancellation_notices": notices},
    )
    return campaign


def _find_session(campaign: Campaign, session_id: int) -> EventSession:
    for item in campaign.sessions:
        if item.id == session_id:
            return item
    raise SessionNotFound(detail=f"Campaign {campaign.id} has no session {session_id}.")


async def update_session(
    session: AsyncSession,
    campaign_id: int,
    session_id: int,
    change: SessionUpdate,
    *,
    settings: Settings,
) -> tuple[Campaign, list[str]]:
    """Change a session: raise its SEQUENCE, send invitees an update, and re-plan its reminders."""
    campaign = await get_campaign(session, campaign_id)
    if campaign.status == "cancelled":
        raise CampaignCancelled(detail=f"Campaign {campaign_id} is cancelled; it cannot change.")
    event_session = _find_session(campaign, session_id)
    if event_session.cancelled_at is not None:
        raise Conflict(detail=f"Session {session_id} is cancelled; it cannot change.")

    warnings: list[str] = []
    starts_at = event_session.starts_at
    ends_at = event_session.ends_at
    if change.starts_at is not None:
        resolved = local_to_utc(change.starts_at)
        warnings.extend(resolved.warnings)
        starts_at = resolved.utc
    if change.ends_at is not None:
        resolved = local_to_utc(change.ends_at)
        warnings.extend(resolved.warnings)
        ends_at = resolved.utc
    if ends_at <= starts_at:
        raise _invalid("the session would end before it starts", "ends_at")
    now = utc_now()
    if starts_at <= now:
        raise _invalid("the session would start in the past", "starts_at")
    warnings.extend(working_hours_warnings(f"session {event_session.position}", starts_at, ends_at))

    fields = change.model_dump(exclude_unset=True)
    event_session.starts_at = starts_at
    event_session.ends_at = ends_at
    if "location" in fields:
        event_session.location = change.location
    if "video_link" in fields:
        event_session.video_link = str(change.video_link) if change.video_link else None
    if "capacity" in fields:
        event_session.capacity = change.capacity
    event_session.sequence += 1

    await _cancel_waiting(
        session,
        campaign_id,
        f"session {session_id} changed; replaced by reminders for its new time",
        session_id=session_id,
        templates=(MessageTemplate.EVENT_REMINDER,),
    )
    for contact in await _invited_contacts(session, campaign, event_session):
        session.add(
            new_delivery(
                campaign,
                contact,
                template=MessageTemplate.EVENT_INVITATION,
                occurrence=f"update:s{session_id}:q{event_session.sequence}",
                scheduled_for=now,
                settings=settings,
                session=event_session,
                deadline=event_session.starts_at,
            )
        )
    plan = Plan()
    plan_reminders(
        campaign, event_session, await _recipients(session, campaign, event_session), settings, now, plan
    )
    session.add_all(plan.deliveries)
    warnings.extend(plan.warnings)
    await session.flush()
    log.info(
        "session_changed",
        extra={"campaign_id": campaign_id, "session_id": session_id, "sequence": event_session.sequence},
    )
    return campaign, warnings


async def cancel_session(
    session: AsyncSession, campaign_id: int, session_id: int, *, settings: Settings
) -> Campaign:
    """Cancel one session: drop its reminders and send invitees METHOD:CANCEL for it."""
    campaign = await get_campaign(session, campaign_id)
    event_session = _find_session(campaign, session_id)
    if event_session.cancelled_at is not None:
        return campaign

    now = utc_now()
    event_session.cancelled_at = now
    event_session.sequence += 1
    await _cancel_waiting(
        session,
        campaign_id,
        f"session {session_id} was cancelled",
        session_id=session_id,
    )
    for contact in await _invited_contacts(session, campaign, event_session):
        session.add(
            new_delivery(
                campaign,
                contact,
                template=MessageTemplate.EVENT_CANCELLATION,
                occurrence=f"cancel:s{session_id}:q{event_session.sequence}",
                scheduled_for=now,
                settings=settings,
                session=event_session,
                deadline=event_session.ends_at,
            )
        )
    await session.flush()
    log.info("session_cancelled", extra={"campaign_id": campaign_id, "session_id": session_id})
    return campaign


async def preview_campaign(
    session: AsyncSession,
    campaign_id: int,
    *,
    settings: Settings,
    upstream: UpstreamData,
    after_id: int | None,
    limit: int,
) -> tuple[list[PreviewMessage], int | None]:
    """Render the messages the campaign still has to send, as the worker would now.

    Returns one page of previews and the id to continue after, or None on the last page.
    Raises UpstreamUnavailable when the allocation or catalog service cannot be read.
    """
    campaign = await get_campaign(session, campaign_id)
    rows = await repository.deliveries_of(
        session, campaign_id, statuses=PREVIEW_STATUSES, after_id=after_id, limit=limit + 1
    )
    page = rows[:limit]
    contacts = await contacts_repository.audience_contacts(
        session, roles=(), school_codes=(), contact_ids=sorted({row.contact_id for row in page})
    )
    contacts_by_id = {contact.id: contact for contact in contacts}

    previews: list[PreviewMessage] = []
    for row in page:
        # Preview as of the row's own send time, so deadlines and session starts apply as then.
        at = max(row.next_attempt_at or row.scheduled_for, utc_now())
        preview = PreviewMessage(
            delivery_id=row.id,
            recipient=row.recipient,
            recipient_name=row.recipient_name,
            occurrence=row.occurrence,
            scheduled_for=row.scheduled_for,
            scheduled_for_local=local_text(row.scheduled_for),
            will_send=True,
        )
        try:
            composed = await compose_delivery(
                row, campaign, contacts_by_id[row.contact_id], upstream, settings, at
            )
        except DeliverySkipped as skipped:
            preview.will_send = False
            preview.note = f"{skipped.status}: {skipped.reason}"
        except DeliveryImpossible as impossible:
            preview.will_send = False
            preview.note = f"failed: {impossible.reason}"
        except UpstreamProblem as problem:
            raise UpstreamUnavailable(
                detail=f"The preview needs data from another service: {problem.message}",
                headers={"Retry-After": "30"},
            ) from problem
        else:
            preview.subject = composed.rendered.subject
            preview.text = composed.rendered.text
            preview.html = composed.rendered.html
            preview.attachments = composed.attachments
        previews.append(preview)

    next_after = page[-1].id if len(rows) > limit else None
    return previews, next_after
