"""Messages as they arrive over SMTP: folded headers and the calendar part's line ends."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.messages.compose import CalendarPart, Mailbox, build_email, email_bytes
from notifier.messages.ics import CalendarSession, build_calendar
from notifier.messages.render import RenderedMessage
from notifier.settings import SmtpSettings
from notifier.worker.loop import serialize
from notifier.worker.smtp import SmtpSender
from tests.notifier.support import running_smtp_server

SENDER = Mailbox(name="BPS Partnerships Office", email="partnerships@example.org")
RECIPIENT = Mailbox(name="José Núñez", email="jose@example.org")
DATE = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
MESSAGE_ID = "<7e271ff63229972cb1f326187fd32a95f100adca@notifier.partnerfund.localhost>"
STARTS_AT = datetime(2026, 12, 15, 19, 0, tzinfo=UTC)

SUBJECTS = [
    # 70 characters: fits on a continuation line but not after "Subject: ", the case the
    # standard folder moved to the next line whole.
    "Invitation: Technical assistance, Partnership Fund technical assistance",
    "FY28 Partnership Fund allocation for Ashmont Ridge Latin Academy: not eligible",
    "FY28 Partnership Fund allocation for Siobhán Ravenscroft Elementary School: not eligible",
    "FY28 Partnership Fund allocation for Orchard Gardens K-8 (Pilot) — Orchard Gardens: $1,000.00",
    "Zoë-Ångström-Nuñez-Hernández-Dual-Language-Academy allocation is available for FY28",
    "Grüße: Budget",
]


def build(subject: str, calendar: CalendarPart | None = None):
    calendars = [calendar] if calendar is not None else []
    rendered = RenderedMessage(subject=subject, text="Hello\n", html="<p>Hello</p>")
    return build_email(
        rendered,
        sender=SENDER,
        recipient=RECIPIENT,
        message_id=MESSAGE_ID,
        date=DATE,
        calendars=calendars,
    )


def header_lines(raw: bytes) -> list[str]:
    return raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")


def subject_lines(raw: bytes) -> list[str]:
    lines = header_lines(raw)
    start = next(index for index, line in enumerate(lines) if line.startswith("Subject:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith(" "):
        end += 1
    return lines[start:end]


def invitation_calendar() -> CalendarPart:
    session = CalendarSession(
        session_id=7,
        sequence=0,
        starts_at=STARTS_AT,
        ends_at=STARTS_AT + timedelta(hours=1),
        summary="Technical assistance: choosing partners",
        location="Bolling Building",
        description="Bring your budget.\nAnd your questions.",
    )
    content = build_calendar(
        session,
        contact_id=42,
        attendee_name=RECIPIENT.name,
        attendee_email=RECIPIENT.email,
        organizer_name=SENDER.name,
        organizer_email=SENDER.email,
        domain="notifier.example.org",
        cancel=False,
        stamp=DATE,
    )
    return CalendarPart(content, "REQUEST")


def send_over_smtp(payload: bytes) -> bytes:
    """Send one message to aiosmtpd on loopback with the worker's sender; return what arrived."""
    with running_smtp_server() as server:
        sender = SmtpSender(SmtpSettings(port=server.port, timeout_seconds=10))

        async def send() -> None:
            try:
                await sender.send(payload, sender=SENDER.email, recipient=RECIPIENT.email)
            finally:
                await sender.close()

        asyncio.run(send())
        return server.wait_for(1, seconds=10)[0].raw


class TestSubjectHeader:
    @pytest.mark.parametrize("subject", SUBJECTS)
    def test_parses_back_without_leading_space(self, subject):
        raw = serialize(build(subject))

        parsed = message_from_bytes(raw, policy=policy.default)

        assert parsed["Subject"] == subject

    @pytest.mark.parametrize("subject", SUBJECTS)
    def test_first_word_stays_beside_name(self, subject):
        lines = subject_lines(serialize(build(subject)))

        assert lines[0].startswith("Subject: ")
        assert lines[0] != "Subject: "

    @pytest.mark.parametrize("subject", SUBJECTS)
    def test_folds_at_78_characters(self, subject):
        lines = subject_lines(serialize(build(subject)))

        assert all(len(line) <= 78 for line in lines), lines

    def test_long_subject_folds_at_a_space(self):
        subject = "FY28 Partnership Fund allocation for Copper Beech Elementary School: $136,540.00"

        lines = subject_lines(serialize(build(subject)))

        assert lines == [
            "Subject: FY28 Partnership Fund allocation for Copper Beech Elementary School:",
            " $136,540.00",
        ]

    @given(
        st.lists(
            st.sampled_from(
                [
                    "FY28",
                    "Partnership",
                    "allocation",
                    "Hernández",
                    "Zoë",
                    "K-8",
                    "—",
                    "$123,456.00",
                    "Ångström-Nuñez-Hernández",
                    "(Pilot)",
                    "a",
                    "Elementary",
                    "School:",
                ]
            ),
            min_size=1,
            max_size=25,
        )
    )
    def test_any_subject_round_trips(self, words):
        subject = " ".join(words)

        raw = serialize(build(subject))
        parsed = message_from_bytes(raw, policy=policy.default)

        assert parsed["Subject"] == subject
        assert all(len(line) <= 78 for line in subject_lines(raw))

    def test_message_id_parses_without_leading_space(self):
        raw = serialize(build("Budget"))

        parsed = message_from_bytes(raw, policy=policy.default)

        assert parsed["Message-ID"] == MESSAGE_ID
        assert f"Message-ID: {MESSAGE_ID}" in header_lines(raw)


class TestCalendarLineEnds:
    def test_attached_calendar_keeps_crlf(self):
        message = build("Invitation", invitation_calendar())

        part = next(message.iter_attachments())
        content = part.get_payload(decode=True)

        assert content == invitation_calendar().content
        assert content.count(b"\n") == content.count(b"\r\n")

    @pytest.mark.e2e
    def test_received_calendar_keeps_crlf(self):
        subject = SUBJECTS[0]
        raw = send_over_smtp(serialize(build(subject, invitation_calendar())))

        parsed = message_from_bytes(raw, policy=policy.default)
        parts = [part for part in parsed.iter_attachments() if part.get_content_type() == "text/calendar"]
        content = parts[0].get_payload(decode=True)
        assert isinstance(content, bytes)
        calendar = icalendar.Calendar.from_ical(content)

        assert parsed["Subject"] == subject
        assert parts[0].get_param("method") == "REQUEST"
        assert parts[0].get_content_charset() == "utf-8"
        assert content.count(b"\n") == content.count(b"\r\n")
        assert content.count(b"\r\n") >= 10
        assert b"\r\nBEGIN:VEVENT\r\n" in content
        assert calendar.walk("VEVENT")[0].decoded("DTSTART") == STARTS_AT
        assert str(calendar.walk("VEVENT")[0]["DESCRIPTION"]) == "Bring your budget.\nAnd your questions."


BOUNDARY = re.compile(rb"={15}\d{19}==")
LINE_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=120)


def without_boundaries(raw: bytes) -> bytes:
    return BOUNDARY.sub(b"BOUNDARY", raw)


@given(
    subject=st.sampled_from(SUBJECTS),
    lines=st.lists(LINE_TEXT, min_size=1, max_size=14),
    name=st.one_of(
        LINE_TEXT.filter(lambda value: value.strip() != ""),
        st.from_regex(r"[A-Za-z0-9 ]{1,70}", fullmatch=True).filter(lambda value: value.strip() != ""),
    ),
    email=st.sampled_from(
        ["jose@example.org", "ana.lopes+fy28@bps-example.org", "a@b", "x" * 60 + "@example.org"]
    ),
    calendar_count=st.integers(min_value=0, max_value=2),
    reply_to=st.booleans(),
)
def test_worker_bytes_match_the_built_message(
    subject: str, lines: list[str], name: str, email: str, calendar_count: int, reply_to: bool
):
    text = "\n".join(lines) + "\n"
    rendered = RenderedMessage(subject=subject, text=text, html=f"<p>{text}</p>\n")
    envelope = {
        "sender": SENDER,
        "recipient": Mailbox(name=name, email=email),
        "message_id": MESSAGE_ID,
        "date": DATE,
        "calendars": [invitation_calendar()] * calendar_count,
        "reply_to": Mailbox(name="Ana Lopes", email="ana@example.org") if reply_to else None,
    }
    expected = serialize(build_email(rendered, **envelope))
    assert without_boundaries(email_bytes(rendered, **envelope)) == without_boundaries(expected)
