"""The delivery worker: claim due ledger rows, compose, send over SMTP, record each outcome.

Exactly-once, and its one exception
-----------------------------------
Each row is claimed under a lease (status `sending`, `lease_owner`, `lease_expires_at`) and
its outcome is committed right after the SMTP server replies, before the next message of
the batch is sent. A row is therefore sent twice only in this window: the server accepted
the message (it answered 250 to DATA) and the worker stopped before it committed `sent`:
a crash, SIGKILL, a lost database connection, or a stall longer than the lease. When the
lease runs out another worker claims the row and sends the message again. The second copy
carries the same Message-ID, derived from the row's idempotency key, so mail clients that
deduplicate by Message-ID show it once. At most one message per worker is in that window at
any moment. Every other stop (SIGTERM, SMTP errors, upstream outages) loses nothing and sends
nothing twice: rows not yet sent are released or retried.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from notifier.campaigns.models import Campaign
from notifier.campaigns.repository import campaigns_by_id
from notifier.contacts.models import Contact
from notifier.contacts.repository import audience_contacts
from notifier.deliveries.composer import DeliveryImpossible, DeliverySkipped, compose_delivery
from notifier.deliveries.models import Delivery
from notifier.messages.render import MessageTemplate
from notifier.metrics import DELIVERIES, QUEUE_DEPTH, SEND_SECONDS
from notifier.settings import Settings
from notifier.upstream import UpstreamClients, UpstreamData, UpstreamProblem
from notifier.worker import claims
from notifier.worker.smtp import SendFailure, SmtpSender
from partnerfund_shared.db import create_sessionmaker, utc_now

log = logging.getLogger("notifier.worker")


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def retry_delay(attempts: int, base_seconds: float, max_seconds: float) -> float:
    """Return the seconds to wait before the next attempt, exponential in `attempts` with jitter.

    The delay doubles per attempt up to `max_seconds`. The wait is drawn between half and all
    of it, so rows that failed together do not retry together.
    """
    delay = min(max_seconds, base_seconds * 2 ** max(attempts - 1, 0))
    return delay / 2 + random.uniform(0, delay / 2)


@dataclass
class Outcome:
    status: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Prepared:
    """A message ready for the wire: RFC 5322 bytes with CRLF line ends."""

    payload: bytes


def serialize(message: EmailMessage) -> bytes:
    # Headers are ASCII (non-ASCII names become RFC 2047 words), so SMTPUTF8 is never needed.
    # NOTE: a text body with non-ASCII characters and short lines goes out as 8bit, which is the
    # standard library's choice. A server without 8BITMIME could reject or mangle it.
    return message.as_bytes(policy=SMTP_POLICY)


@dataclass
class BatchData:
    campaigns: dict[int, Campaign]
    contacts: dict[int, Contact]


class DeliveryWorker:
    """One worker process's loop over the ledger."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine,
        clients: UpstreamClients,
        *,
        sqlite: bool,
        worker_id: str | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.sessionmaker = create_sessionmaker(engine)
        self.clients = clients
        self.sqlite = sqlite
        self.worker_id = worker_id or settings.worker.worker_id or default_worker_id()
        self.lease = timedelta(seconds=settings.worker.lease_seconds)
        self.stopping = asyncio.Event()
        self.sent_count = 0

    def stop(self) -> None:
        """Ask the loop to finish the message in flight, release the rest of the batch and exit."""
        if not self.stopping.is_set():
            log.info("worker_stopping", extra={"worker_id": self.worker_id})
        self.stopping.set()

    async def run(self, *, exit_when_idle: bool = False) -> None:
        """Send due deliveries until stopped (or, with `exit_when_idle`, until none is pending)."""
        log.info(
            "worker_started",
            extra={"worker_id": self.worker_id, "batch_size": self.settings.worker.batch_size},
        )
        try:
            while not self.stopping.is_set():
                if self.sqlite and not await self._hold_sqlite_lock():
                    await self._sleep(self.settings.worker_poll_seconds)
                    continue
                processed = await self.run_once()
                if processed:
                    continue
                if exit_when_idle and await self._nothing_pending():
                    break
                await self._sleep(self.settings.worker_poll_seconds)
        finally:
            if self.sqlite:
                async with self.sessionmaker() as session:
                    await claims.drop_sqlite_lock(session, self.worker_id)
                    await session.commit()
            log.info("worker_stopped", extra={"worker_id": self.worker_id, "sent": self.sent_count})

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self.stopping.wait(), timeout=seconds)
        except TimeoutError:
            return

    async def _hold_sqlite_lock(self) -> bool:
        async with self.sessionmaker() as session:
            held = await claims.hold_sqlite_lock(session, self.worker_id, utc_now(), self.lease)
            await session.commit()
        if not held:
            log.info("worker_waiting_for_sqlite_lock", extra={"worker_id": self.worker_id})
        return held

    async def _nothing_pending(self) -> bool:
        async with self.sessionmaker() as session:
            return await claims.pending_count(session) == 0

    async def run_once(self) -> int:
        """Claim and process one batch; return how many rows it claimed."""
        now = utc_now()
        async with self.sessionmaker() as session:
            batch = await claims.claim_batch(
                session,
                worker_id=self.worker_id,
                now=now,
                lease=self.lease,
                limit=self.settings.worker.batch_size,
            )
            depth = await claims.queue_depth(session, now)
            await session.commit()
        QUEUE_DEPTH.set(depth)
        if not batch:
            return 0

        log.info("batch_claimed", extra={"worker_id": self.worker_id, "deliveries": len(batch)})
        await self._process(batch)
        return len(batch)

    async def _load(self, batch: list[Delivery]) -> BatchData:
        async with self.sessionmaker() as session:
            campaigns = await campaigns_by_id(session, [row.campaign_id for row in batch])
            contacts = await audience_contacts(
                session,
                roles=(),
                school_codes=(),
                contact_ids=sorted({row.contact_id for row in batch}),
            )
            await session.commit()
        return BatchData(campaigns, {contact.id: contact for contact in contacts})

    async def _process(self, batch: list[Delivery]) -> None:
        data = await self._load(batch)
        upstream = UpstreamData(self.clients)
        sender = SmtpSender(self.settings.smtp)
        lease_renewed_at = time.monotonic()
        upcoming: asyncio.Task[Prepared | Outcome] | None = None
        try:
            async with claims.LedgerWriter(self.engine, self.sessionmaker, sqlite=self.sqlite) as ledger:
                for index, delivery in enumerate(batch):
                    remaining = [row.id for row in batch[index:]]
                    if self.stopping.is_set():
                        released = await ledger.release(remaining, self.worker_id, utc_now())
                        log.info(
                            "batch_released",
                            extra={"worker_id": self.worker_id, "deliveries": released},
                        )
                        return
                    # Renew well before expiry, so a slow batch is never taken over mid-way.
                    if time.monotonic() - lease_renewed_at > self.lease.total_seconds() / 3:
                        await ledger.renew(remaining, self.worker_id, utc_now() + self.lease)
                        lease_renewed_at = time.monotonic()

                    if upcoming is None:
                        prepared = await self._prepare(delivery, data, upstream)
                    else:
                        prepared = await upcoming
                    # Compose the next message while this one is on the wire; only composing
                    # overlaps, sends stay strictly one after the other.
                    upcoming = None
                    if index + 1 < len(batch):
                        upcoming = asyncio.create_task(self._prepare(batch[index + 1], data, upstream))

                    if isinstance(prepared, Prepared):
                        outcome = await self._send(delivery, prepared, sender, data)
                    else:
                        outcome = prepared
                    # The outcome is committed before the next send: this keeps the double-send
                    # window described in the module docstring to one message.
                    recorded = await ledger.record(delivery.id, self.worker_id, utc_now(), outcome.values)
                    self._observe(delivery, data, outcome, recorded)
        finally:
            if upcoming is not None:
                upcoming.cancel()
            await sender.close()

    def _observe(self, delivery: Delivery, data: BatchData, outcome: Outcome, recorded: bool) -> None:
        campaign = data.campaigns.get(delivery.campaign_id)
        kind = campaign.kind if campaign is not None else "unknown"
        if not recorded:
            log.warning(
                "delivery_lease_lost",
                extra={
                    "worker_id": self.worker_id,
                    "delivery_id": delivery.id,
                    "outcome": outcome.status,
                },
            )
            return
        DELIVERIES.labels(status=outcome.status, kind=kind).inc()
        if outcome.status == "sent":
            self.sent_count += 1

    async def _prepare(
        self, delivery: Delivery, data: BatchData, upstream: UpstreamData
    ) -> Prepared | Outcome:
        """Compose and serialise one message, or return the outcome that replaces sending it."""
        now = utc_now()
        campaign = data.campaigns[delivery.campaign_id]
        contact = data.contacts[delivery.contact_id]
        max_attempts = self.settings.worker.max_attempts
        if delivery.attempts > max_attempts:
            # Only reachable through takeovers: workers kept dying while holding this row.
            return self._failed(delivery, f"gave up after {max_attempts} attempts")

        try:
            composed = await compose_delivery(delivery, campaign, contact, upstream, self.settings, now)
        except DeliverySkipped as skipped:
            log.info(
                "delivery_skipped",
                extra={"delivery_id": delivery.id, "status": skipped.status, "reason": skipped.reason},
            )
            values = {"status": skipped.status, "last_error": skipped.reason, "next_attempt_at": None}
            return Outcome(skipped.status, values)
        except DeliveryImpossible as impossible:
            return self._failed(delivery, impossible.reason)
        except UpstreamProblem as problem:
            return self._retry_or_fail(delivery, problem.message, campaign)
        return Prepared(payload=composed.wire_bytes())

    async def _send(
        self, delivery: Delivery, prepared: Prepared, sender: SmtpSender, data: BatchData
    ) -> Outcome:
        campaign = data.campaigns[delivery.campaign_id]
        started = time.perf_counter()
        try:
            await sender.send(
                prepared.payload, sender=self.settings.sender.email, recipient=delivery.recipient
            )
        except SendFailure as failure:
            if failure.temporary:
                return self._retry_or_fail(delivery, failure.detail, campaign)
            return self._failed(delivery, failure.detail)
        SEND_SECONDS.labels(kind=campaign.kind).observe(time.perf_counter() - started)

        return Outcome(
            "sent",
            {"status": "sent", "sent_at": utc_now(), "last_error": None, "next_attempt_at": None},
        )

    def _failed(self, delivery: Delivery, reason: str) -> Outcome:
        log.warning(
            "delivery_failed",
            extra={"delivery_id": delivery.id, "attempts": delivery.attempts, "error": reason},
        )
        return Outcome("failed", {"status": "failed", "last_error": reason, "next_attempt_at": None})

    def _retry_or_fail(self, delivery: Delivery, reason: str, campaign: Campaign) -> Outcome:
        settings = self.settings.worker
        if delivery.attempts >= settings.max_attempts:
            return self._failed(delivery, f"gave up after {delivery.attempts} attempts: {reason}")

        delay = retry_delay(delivery.attempts, settings.backoff_seconds, settings.max_backoff_seconds)
        next_attempt_at = utc_now() + timedelta(seconds=delay)
        values: dict[str, Any] = {
            "status": "retry_wait",
            "last_error": reason,
            "next_attempt_at": next_attempt_at,
        }
        # The grace period covers a missed first send only, so a retried message keeps trying.
        # A reminder is the exception: it still expires when its session starts.
        if delivery.template != MessageTemplate.EVENT_REMINDER:
            values["deadline"] = None
        log.warning(
            "delivery_retry_scheduled",
            extra={
                "delivery_id": delivery.id,
                "campaign_id": campaign.id,
                "attempts": delivery.attempts,
                "retry_in_seconds": round(delay, 3),
                "error": reason,
            },
        )
        return Outcome("retry_wait", values)
