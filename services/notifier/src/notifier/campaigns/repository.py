"""Queries on campaigns and their ledger rows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from notifier.campaigns.models import Campaign
from notifier.deliveries.models import Delivery


async def get_campaign(session: AsyncSession, campaign_id: int) -> Campaign | None:
    statement = select(Campaign).where(Campaign.id == campaign_id).options(selectinload(Campaign.sessions))
    return await session.scalar(statement)


async def find_by_idempotency_key(session: AsyncSession, created_by: str, key: str) -> Campaign | None:
    statement = (
        select(Campaign)
        .where(Campaign.created_by == created_by, Campaign.idempotency_key == key)
        .options(selectinload(Campaign.sessions))
    )
    return await session.scalar(statement)


async def campaigns_by_id(session: AsyncSession, campaign_ids: Sequence[int]) -> dict[int, Campaign]:
    statement = (
        select(Campaign).where(Campaign.id.in_(set(campaign_ids))).options(selectinload(Campaign.sessions))
    )
    return {campaign.id: campaign for campaign in await session.scalars(statement)}


async def list_campaigns(session: AsyncSession, *, after_id: int | None, limit: int) -> list[Campaign]:
    statement = select(Campaign).options(selectinload(Campaign.sessions)).order_by(Campaign.id).limit(limit)
    if after_id is not None:
        statement = statement.where(Campaign.id > after_id)
    return list(await session.scalars(statement))


async def delivery_counts(session: AsyncSession, campaign_id: int) -> dict[str, int]:
    statement = (
        select(Delivery.status, func.count())
        .where(Delivery.campaign_id == campaign_id)
        .group_by(Delivery.status)
    )
    return {status: count for status, count in (await session.execute(statement)).all()}


async def deliveries_of(
    session: AsyncSession,
    campaign_id: int,
    *,
    statuses: Sequence[str],
    templates: Sequence[str] | None = None,
    session_id: int | None = None,
    after_id: int | None = None,
    limit: int | None = None,
) -> list[Delivery]:
    statement = (
        select(Delivery)
        .where(Delivery.campaign_id == campaign_id, Delivery.status.in_(statuses))
        .order_by(Delivery.id)
    )
    if templates is not None:
        statement = statement.where(Delivery.template.in_(templates))
    if session_id is not None:
        statement = statement.where(Delivery.session_id == session_id)
    if after_id is not None:
        statement = statement.where(Delivery.id > after_id)
    if limit is not None:
        statement = statement.limit(limit)
    return list(await session.scalars(statement))
