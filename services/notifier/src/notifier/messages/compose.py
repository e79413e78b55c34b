"""Assemble the MIME message that goes over SMTP.

The Message-ID is a hash of the delivery's idempotency key, so every attempt at the same
delivery, including a resend after a worker crash, carries the same Message-ID. Mail servers
and clients that deduplicate on Message-ID then drop the second copy.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email import contentmanager, policy
from email.generator import Generator
from email.headerregistry import Address, BaseHeader, HeaderRegistry, MessageIDHeader, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.utils import format_datetime
from functools import cache
from typing import ClassVar, Literal

from notifier.messages.render import RenderedMessage

# RFC 2047: an encoded word is at most 75 characters, "=?utf-8?q?" and "?=" included.
_ENCODED_WORD_MAX = 75
_ENCODED_WORD_PREFIX = "=?utf-8?q?"
_ENCODED_WORD_SUFFIX = "?="
# Characters that a Q-encoded word may carry unencoded in RFC 2047 section 5 (3), the strictest
# case, so they are safe in any header.
_Q_LITERAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def _q_encode(character: str) -> str:
    if character == " ":
        return "_"
    if character in _Q_LITERAL:
        return character
    return "".join(f"={byte:02X}" for byte in character.encode())


def _encoded_words(text: str, max_length: int) -> list[str]:
    """Q-encode `text` as UTF-8 encoded words of at most `max_length` characters each.

    Words are split only between characters, never inside a character's UTF-8 bytes.
    """
    room = max_length - len(_ENCODED_WORD_PREFIX) - len(_ENCODED_WORD_SUFFIX)
    chunks = [""]
    for character in text:
        encoded = _q_encode(character)
        if len(chunks[-1]) + len(encoded) > room:
            chunks.append("")
        chunks[-1] += encoded
    return [f"{_ENCODED_WORD_PREFIX}{chunk}{_ENCODED_WORD_SUFFIX}" for chunk in chunks]


def _needs_encoding(word: str) -> bool:
    # A plain word that looks like an encoded word would be decoded by the reader.
    return not word.isascii() or not word.isprintable() or "=?" in word


def _subject_tokens(value: str, max_encoded_length: int) -> list[tuple[str, bool]]:
    """Split a subject into (token, follows_a_space) pairs that may each start a folded line.

    Consecutive words that need encoding go into one run of encoded words with their spaces
    inside, because a decoder drops the whitespace between two adjacent encoded words.
    """
    tokens: list[tuple[str, bool]] = []
    words = value.split()
    index = 0
    while index < len(words):
        if not _needs_encoding(words[index]):
            tokens.append((words[index], bool(tokens)))
            index += 1
            continue
        run_end = index
        while run_end < len(words) and _needs_encoding(words[run_end]):
            run_end += 1
        encoded = _encoded_words(" ".join(words[index:run_end]), max_encoded_length)
        tokens.append((encoded[0], bool(tokens)))
        tokens.extend((word, False) for word in encoded[1:])
        index = run_end
    return tokens


def fold_subject(name: str, value: str, header_policy: Policy) -> str:
    """Fold an unstructured header at spaces, never right after the header name.

    The standard library's folder (Python 3.11) moves a value that fits on a line of its own
    to the next line, which leaves a leading space in the parsed value, and it loses or
    doubles spaces around encoded words. This folder keeps at least the first word after
    `Name: `, and folds only between words or between two encoded words.
    """
    max_length = header_policy.max_line_length or 998
    label = f"{name}:"
    # An encoded word must fit beside the label, because the first one may have to sit there.
    max_encoded_length = max(min(_ENCODED_WORD_MAX, max_length - len(label) - 1), 20)
    lines = [label]
    for token, follows_space in _subject_tokens(value, max_encoded_length):
        if lines[-1] == label:
            lines[-1] += " " + token
            continue
        separator = " " if follows_space else ""
        if len(lines[-1]) + len(separator) + len(token) <= max_length:
            lines[-1] += separator + token
        else:
            # The folding white space stands for the space between the words, and decoders
            # ignore it between two encoded words.
            lines.append(" " + token)
    return header_policy.linesep.join(lines) + header_policy.linesep


# BaseHeader is a base here only for the type checker: the registry adds it at runtime.
class SubjectHeader(UnstructuredHeader, BaseHeader):
    """Subject that folds with `fold_subject` under any policy the message is written with."""

    def fold(self, *, policy: Policy) -> str:
        return fold_subject(self.name, str(self), policy)


class UnfoldedMessageIDHeader(MessageIDHeader, BaseHeader):
    """Message-ID written on one line.

    A Message-ID has no space to fold at, so the standard folder breaks right after the name,
    which leaves a leading space in the parsed value. One line of about 90 characters is well
    within the 998-character limit of RFC 5322.
    """

    max_count: ClassVar[Literal[1]] = 1

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


_HEADER_REGISTRY = HeaderRegistry()
_HEADER_REGISTRY.map_to_type("subject", SubjectHeader)
_HEADER_REGISTRY.map_to_type("message-id", UnfoldedMessageIDHeader)

# Header objects keep their class when another policy writes the message, so the worker's
# `as_bytes(policy=email.policy.SMTP)` still folds Subject and Message-ID as above.
MESSAGE_POLICY = policy.default.clone(header_factory=_HEADER_REGISTRY)


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


def calendar_file_names(calendars: Sequence[CalendarPart]) -> list[str]:
    """Name the attachments: `invite.ics` or `cancel.ics`, numbered when there are several."""
    names = []
    for number, calendar in enumerate(calendars, start=1):
        stem = "cancel" if calendar.method == "CANCEL" else "invite"
        names.append(f"{stem}-{number}.ics" if len(calendars) > 1 else f"{stem}.ics")
    return names


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
    calendars: Sequence[CalendarPart] = (),
    reply_to: Mailbox | None = None,
) -> EmailMessage:
    """Build a multipart/alternative message (plain text and HTML) with optional invitations.

    Each calendar goes in as a `text/calendar; method=...` attachment named by
    `calendar_file_names`, which mail clients offer to add to the calendar.
    """
    message = EmailMessage(policy=MESSAGE_POLICY)
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

    for calendar, file_name in zip(calendars, calendar_file_names(calendars), strict=True):
        # Bytes go in unchanged under base64, so the CRLF line ends that RFC 5545 requires
        # survive. Text content would be split into lines again and joined with LF.
        message.add_attachment(
            calendar.content,
            maintype="text",
            subtype="calendar",
            filename=file_name,
            cte="base64",
            params={"method": calendar.method, "charset": "utf-8"},
        )
    return message


# The wire form below writes the same bytes as `build_email(...).as_bytes(policy=SMTP)`, apart
# from the random MIME boundaries, without building the message's header objects first and
# folding them again. The worker sends this form; tests compare it with build_email's.
_WIRE_POLICY = policy.SMTP
_BODY_POLICY = MESSAGE_POLICY
_CRLF = "\r\n"


# A display name of plain words and an address of plain atoms are written as they are, so the
# common case skips the header parser. Anything else goes through the email package.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9]+(?:[._+-][A-Za-z0-9]+)*@[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*")


def _header_line(name: str, mailbox: Mailbox) -> str:
    if _PLAIN_NAME.fullmatch(mailbox.name) and _PLAIN_ADDRESS.fullmatch(mailbox.email):
        line = f"{name}: {mailbox.name} <{mailbox.email}>"
        if len(line) <= (_WIRE_POLICY.max_line_length or 998):
            return line + _CRLF
    return _HEADER_REGISTRY(name, mailbox.to_address()).fold(policy=_WIRE_POLICY)


@cache
def _constant_header_line(name: str, mailbox: Mailbox) -> str:
    # The sender and Reply-To stay the same for every message of a worker.
    return _header_line(name, mailbox)


def _text_part(text: str, subtype: str, *, mime_version: bool) -> str:
    cte, data = contentmanager._encode_text(text, "utf-8", None, _BODY_POLICY)  # type: ignore[attr-defined]
    lines = [
        f'Content-Type: text/{subtype}; charset="utf-8"',
        f"Content-Transfer-Encoding: {cte}",
    ]
    if mime_version:
        lines.append("MIME-Version: 1.0")
    return _CRLF.join(lines) + _CRLF + _CRLF + _CRLF.join(data.splitlines()) + _CRLF


def _calendar_part(calendar: CalendarPart, file_name: str) -> str:
    data = contentmanager._encode_base64(calendar.content, _BODY_POLICY.max_line_length)  # type: ignore[attr-defined]
    lines = [
        "Content-Transfer-Encoding: base64",
        f'Content-Disposition: attachment; filename="{file_name}"',
        f'Content-Type: text/calendar; method="{calendar.method}"; charset="utf-8"',
        "MIME-Version: 1.0",
    ]
    return _CRLF.join(lines) + _CRLF + _CRLF + _CRLF.join(data.splitlines()) + _CRLF


def _multipart_body(boundary: str, parts: Sequence[str]) -> str:
    delimiter = f"--{boundary}{_CRLF}"
    return delimiter + f"{_CRLF}{delimiter}".join(parts) + f"{_CRLF}--{boundary}--{_CRLF}"


def _content_type(subtype: str, boundary: str) -> str:
    line = f'Content-Type: multipart/{subtype}; boundary="{boundary}"'
    if len(line) <= (_WIRE_POLICY.max_line_length or 998):
        return line + _CRLF
    return f'Content-Type: multipart/{subtype};{_CRLF} boundary="{boundary}"{_CRLF}'


def email_bytes(
    rendered: RenderedMessage,
    *,
    sender: Mailbox,
    recipient: Mailbox,
    message_id: str,
    date: datetime,
    calendars: Sequence[CalendarPart] = (),
    reply_to: Mailbox | None = None,
) -> bytes:
    """Return the message that `build_email` builds, serialised for SMTP with CRLF line ends."""
    header = [
        _constant_header_line("From", sender),
        _header_line("To", recipient),
    ]
    if reply_to is not None:
        header.append(_constant_header_line("Reply-To", reply_to))
    header.append(fold_subject("Subject", rendered.subject, _WIRE_POLICY))
    header.append(f"Date: {format_datetime(date)}{_CRLF}")
    header.append(f"Message-ID: {message_id}{_CRLF}")
    header.append(f"Auto-Submitted: auto-generated{_CRLF}MIME-Version: 1.0{_CRLF}")

    alternative_boundary = Generator._make_boundary()  # type: ignore[attr-defined]
    alternative = _multipart_body(
        alternative_boundary,
        [
            _text_part(rendered.text, "plain", mime_version=False),
            _text_part(rendered.html, "html", mime_version=True),
        ],
    )
    if not calendars:
        header.append(_content_type("alternative", alternative_boundary))
        body = alternative
    else:
        mixed_boundary = Generator._make_boundary()  # type: ignore[attr-defined]
        header.append(_content_type("mixed", mixed_boundary))
        nested = _content_type("alternative", alternative_boundary) + _CRLF + alternative
        attachments = [
            _calendar_part(calendar, file_name)
            for calendar, file_name in zip(calendars, calendar_file_names(calendars), strict=True)
        ]
        body = _multipart_body(mixed_boundary, [nested, *attachments])
    # An 8bit body contains its UTF-8 bytes as surrogate escapes, as BytesGenerator expects.
    return ("".join(header) + _CRLF + body).encode("ascii", "surrogateescape")
