"""Queries on the delivery ledger for the API."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifier.deliveries.models import Delivery


async def get_delivery(session: AsyncSession, delivery_id: int) -> Delivery | None:
    return await session.get(Delivery, delivery_id)


async def list_deliveries(
    session: AsyncSession,
    *,
    campaign_id: int | None,
    status: str | None,
    recipient: str | None,
    after_id: int | None,
    limit: int,
) -> list[Delivery]:
    statement = select(Delivery).order_by(Delivery.id).limit(limit)
    if campaign_id is not None:
        statement = statement.where(Delivery.campaign_id == campaign_id)
    if status is not None:
        statement = statement.where(Delivery.status == status)
    if recipient is not None:
        statement = statement.where(func.lower(Delivery.recipient) == recipient.strip().lower())
    if after_id is not None:
        statement = statement.where(Delivery.id > after_id)
    return list(await session.scalars(statement))
