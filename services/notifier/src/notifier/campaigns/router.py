"""Campaigns: create, read, preview, send now, cancel, and change or cancel event sessions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.campaigns import repository, service
from notifier.campaigns.dependencies import (
    CampaignsSender,
    CampaignsWriter,
    IdempotencyKeyDep,
    NotificationsReader,
    SettingsDep,
    UpstreamDep,
)
from notifier.campaigns.models import Campaign
from notifier.pagination import decode_cursor, encode_cursor
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas.notifier import (
    CampaignCreate,
    CampaignOut,
    PreviewMessage,
    SessionOut,
    SessionUpdate,
)
from partnerfund_shared.types import Page, PageLimit

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])


async def campaign_out(
    session: AsyncSession, campaign: Campaign, extra_warnings: list[str] | None = None
) -> CampaignOut:
    counts = await repository.delivery_counts(session, campaign.id)
    return CampaignOut.model_validate(
        {
            "id": campaign.id,
            "kind": campaign.kind,
            "title": campaign.title,
            "status": campaign.status,
            "fiscal_year": campaign.fiscal_year,
            "fund": campaign.fund,
            "send_at": campaign.send_at,
            "send_at_local": service.local_text(campaign.send_at),
            "audience": campaign.audience,
            "critical": campaign.critical,
            "not_eligible": campaign.not_eligible,
            "reminders": campaign.reminders,
            "sessions": [
                SessionOut(
                    id=item.id,
                    starts_at=item.starts_at,
                    ends_at=item.ends_at,
                    starts_at_local=service.local_text(item.starts_at),
                    ends_at_local=service.local_text(item.ends_at),
                    location=item.location,
                    video_link=item.video_link,
                    capacity=item.capacity,
                    sequence=item.sequence,
                    cancelled=item.cancelled_at is not None,
                )
                for item in campaign.sessions
            ],
            "deliveries": counts,
            "warnings": [*campaign.warnings, *(extra_warnings or [])],
            "created_at": campaign.created_at,
            "cancelled_at": campaign.cancelled_at,
        }
    )


@router.post("", status_code=201, response_model=CampaignOut)
async def create_campaign(
    session: SessionDep,
    principal: CampaignsWriter,
    settings: SettingsDep,
    request: CampaignCreate,
    response: Response,
    idempotency_key: IdempotencyKeyDep = None,
) -> CampaignOut:
    """Create a campaign and schedule every message it sends; times without offset are Boston time."""
    created = await service.create_campaign_once(
        session, request, settings=settings, created_by=principal.name, idempotency_key=idempotency_key
    )
    response.headers["Location"] = f"/v1/campaigns/{created.campaign.id}"
    if created.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return await campaign_out(session, created.campaign)


@router.get("", response_model=Page[CampaignOut])
async def list_campaigns(
    session: SessionDep,
    _principal: NotificationsReader,
    limit: Annotated[PageLimit, Query()] = 50,
    cursor: str | None = None,
) -> Page[CampaignOut]:
    """List campaigns by id."""
    campaigns = await repository.list_campaigns(session, after_id=decode_cursor(cursor), limit=limit + 1)
    page = campaigns[:limit]
    items = [await campaign_out(session, campaign) for campaign in page]
    next_cursor = encode_cursor(page[-1].id) if len(campaigns) > limit else None
    return Page[CampaignOut](items=items, next_cursor=next_cursor)


@router.get("/{campaign_id}", response_model=CampaignOut)
async def get_campaign(session: SessionDep, _principal: NotificationsReader, campaign_id: int) -> CampaignOut:
    """Return a campaign with its sessions, warnings and ledger counts by status."""
    return await campaign_out(session, await service.get_campaign(session, campaign_id))


@router.get("/{campaign_id}/preview", response_model=Page[PreviewMessage])
async def preview_campaign(
    session: SessionDep,
    _principal: NotificationsReader,
    settings: SettingsDep,
    upstream: UpstreamDep,
    campaign_id: int,
    limit: Annotated[PageLimit, Query()] = 50,
    cursor: str | None = None,
) -> Page[PreviewMessage]:
    """Render every message the campaign will still send, to whom and when, without sending."""
    previews, next_after = await service.preview_campaign(
        session,
        campaign_id,
        settings=settings,
        upstream=upstream,
        after_id=decode_cursor(cursor),
        limit=limit,
    )
    next_cursor = encode_cursor(next_after) if next_after is not None else None
    return Page[PreviewMessage](items=previews, next_cursor=next_cursor)


@router.post("/{campaign_id}/send-now", response_model=CampaignOut)
async def send_now(
    session: SessionDep, _principal: CampaignsSender, settings: SettingsDep, campaign_id: int
) -> CampaignOut:
    """Send the campaign's first messages now instead of at send_at; reminders keep their times."""
    campaign = await service.send_now(session, campaign_id, settings=settings)
    return await campaign_out(session, campaign)


@router.post("/{campaign_id}/cancel", response_model=CampaignOut)
async def cancel_campaign(
    session: SessionDep, _principal: CampaignsWriter, settings: SettingsDep, campaign_id: int
) -> CampaignOut:
    """Cancel every message not sent yet; event invitees get a calendar cancellation."""
    campaign = await service.cancel_campaign(session, campaign_id, settings=settings)
    return await campaign_out(session, campaign)


@router.patch("/{campaign_id}/sessions/{session_id}", response_model=CampaignOut)
async def update_session(
    session: SessionDep,
    _principal: CampaignsWriter,
    settings: SettingsDep,
    campaign_id: int,
    session_id: int,
    change: SessionUpdate,
) -> CampaignOut:
    """Change a session's time or place; invitees get an updated calendar invitation."""
    campaign, warnings = await service.update_session(
        session, campaign_id, session_id, change, settings=settings
    )
    return await campaign_out(session, campaign, warnings)


@router.post("/{campaign_id}/sessions/{session_id}/cancel", response_model=CampaignOut)
async def cancel_session(
    session: SessionDep,
    _principal: CampaignsWriter,
    settings: SettingsDep,
    campaign_id: int,
    session_id: int,
) -> CampaignOut:
    """Cancel one session; invitees get a METHOD:CANCEL calendar message for it."""
    campaign = await service.cancel_session(session, campaign_id, session_id, settings=settings)
    return await campaign_out(session, campaign)
