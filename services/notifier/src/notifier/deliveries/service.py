"""Manual actions on ledger rows. Functions flush; callers commit."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from notifier.deliveries import repository
from notifier.deliveries.models import Delivery
from notifier.messages.render import MessageTemplate
from partnerfund_shared.db import utc_now
from partnerfund_shared.errors import Conflict, NotFound

log = logging.getLogger("notifier.deliveries")

RETRYABLE_STATUSES = ("failed", "expired")


class DeliveryNotFound(NotFound):
    slug = "delivery-not-found"
    title = "Delivery not found"


class DeliveryNotRetryable(Conflict):
    slug = "delivery-not-retryable"
    title = "Delivery cannot be retried"


async def get_delivery(session: AsyncSession, delivery_id: int) -> Delivery:
    delivery = await repository.get_delivery(session, delivery_id)
    if delivery is None:
        raise DeliveryNotFound(detail=f"Delivery {delivery_id} does not exist.")
    return delivery


async def retry_delivery(session: AsyncSession, delivery_id: int) -> Delivery:
    """Schedule a failed or expired delivery again, now, with a fresh attempt count.

    The grace period no longer applies: someone decided it should still go out. A reminder
    still expires when its session has started.
    """
    delivery = await get_delivery(session, delivery_id)
    if delivery.status not in RETRYABLE_STATUSES:
        raise DeliveryNotRetryable(
            detail=(
                f"Delivery {delivery_id} is {delivery.status}; only failed or expired "
                "deliveries can be retried."
            ),
            extra={"status": delivery.status},
        )

    now = utc_now()
    delivery.status = "scheduled"
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.lease_owner = None
    delivery.lease_expires_at = None
    if delivery.template != MessageTemplate.EVENT_REMINDER:
        delivery.deadline = None
    delivery.updated_at = now
    await session.flush()
    log.info("delivery_retry_requested", extra={"delivery_id": delivery_id})
    return delivery
