"""The delivery ledger: list, read, and retry a failed delivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from notifier.campaigns.dependencies import CampaignsSender, NotificationsReader
from notifier.deliveries import repository, service
from notifier.deliveries.models import Delivery
from notifier.pagination import decode_cursor, encode_cursor
from partnerfund_shared.db import SessionDep
from partnerfund_shared.schemas.notifier import DeliveryOut, DeliveryStatus
from partnerfund_shared.types import Page, PageLimit

router = APIRouter(prefix="/v1/deliveries", tags=["deliveries"])


def delivery_out(delivery: Delivery) -> DeliveryOut:
    return DeliveryOut.model_validate(
        {
            "id": delivery.id,
            "campaign_id": delivery.campaign_id,
            "recipient": delivery.recipient,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "scheduled_for": delivery.scheduled_for,
            "next_attempt_at": delivery.next_attempt_at,
            "sent_at": delivery.sent_at,
            "last_error": delivery.last_error,
            "message_id": delivery.message_id,
            "occurrence": delivery.occurrence,
        }
    )


@router.get("", response_model=Page[DeliveryOut])
async def list_deliveries(
    session: SessionDep,
    _principal: NotificationsReader,
    campaign_id: int | None = None,
    status: DeliveryStatus | None = None,
    recipient: Annotated[str | None, Query(description="E-mail address, case-insensitive.")] = None,
    limit: Annotated[PageLimit, Query()] = 50,
    cursor: str | None = None,
) -> Page[DeliveryOut]:
    """List ledger rows by id, filtered by campaign, status or recipient."""
    rows = await repository.list_deliveries(
        session,
        campaign_id=campaign_id,
        status=status,
        recipient=recipient,
        after_id=decode_cursor(cursor),
        limit=limit + 1,
    )
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].id) if len(rows) > limit else None
    return Page[DeliveryOut](items=[delivery_out(row) for row in page], next_cursor=next_cursor)


@router.get("/{delivery_id}", response_model=DeliveryOut)
async def get_delivery(session: SessionDep, _principal: NotificationsReader, delivery_id: int) -> DeliveryOut:
    """Return one ledger row."""
    return delivery_out(await service.get_delivery(session, delivery_id))


@router.post("/{delivery_id}/retry", response_model=DeliveryOut)
async def retry_delivery(session: SessionDep, _principal: CampaignsSender, delivery_id: int) -> DeliveryOut:
    """Send a failed or expired delivery again now; 409 for any other status."""
    return delivery_out(await service.retry_delivery(session, delivery_id))
