"""Assemble the MIME message that goes over SMTP.

The Message-ID is a hash of the delivery's idempotency key, so every attempt at the same
delivery, including a resend after a worker crash, carries the same Message-ID. Mail servers
and clients that deduplicate on Message-ID then drop the second copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from notifier.messages.render import RenderedMessage


@dataclass(frozen=True, slots=True)
class Mailbox:
    """A display name and an address; the name may contain any Unicode character."""

    name: str
    email: str

    def to_address(self) -> Address:
        # Address encodes a non-ASCII display name as an RFC 2047 word when serialised, and
        # rejects an address that contains line breaks.
        local_part, _, domain = self.email.rpartition("@")
        return Address(display_name=self.name, username=local_part, domain=domain)


@dataclass(frozen=True, slots=True)
class CalendarPart:
    content: bytes
    method: str


def message_id_for(idempotency_key: str, domain: str) -> str:
    """Return the Message-ID that every attempt of one delivery carries."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def build_email(
    rendered: RenderedMessage,
    *,
    sender: Mailbox,
    recipient: Mailbox,
    message_id: str,
    date: datetime,
    calendar: CalendarPart | None = None,
    reply_to: Mailbox | None = None,
) -> EmailMessage:
    """Build a multipart/alternative message (plain text and HTML) with an optional invitation.

    An invitation goes in as a `text/calendar; method=...` attachment named `invite.ics`
    (or `cancel.ics`), which mail clients offer to add to the calendar.
    """
    message = EmailMessage()
    message["From"] = sender.to_address()
    message["To"] = recipient.to_address()
    if reply_to is not None:
        message["Reply-To"] = reply_to.to_address()
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    # RFC 3834: tells auto-responders not to answer a machine-sent message.
    message["Auto-Submitted"] = "auto-generated"

    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")

    if calendar is not None:
        file_name = "cancel.ics" if calendar.method == "CANCEL" else "invite.ics"
        message.add_attachment(
            calendar.content.decode(),
            subtype="calendar",
            filename=file_name,
            cte="base64",
            params={"method": calendar.method},
        )
    return message
