"""The MIME message: headers with non-ASCII names, Message-ID and the calendar part."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import icalendar

from notifier.messages.compose import CalendarPart, Mailbox, build_email, message_id_for
from notifier.messages.ics import CalendarSession, build_calendar, session_uid
from notifier.messages.render import RenderedMessage

RENDERED = RenderedMessage(subject="Grüße: Budget", text="Hallo Zoë\n", html="<p>Hallo Zoë</p>")
SENDER = Mailbox(name="BPS Partnerships Office", email="partnerships@example.org")
RECIPIENT = Mailbox(name="Zoë Ångström-Nuñez", email="zoe@example.org")
STARTS_AT = datetime(2026, 12, 11, 14, 0, tzinfo=UTC)


def make_session(**overrides):
    values = {
        "session_id": 7,
        "sequence": 0,
        "starts_at": STARTS_AT,
        "ends_at": STARTS_AT + timedelta(hours=1),
        "summary": "Office hours: budget questions",
        "location": "Bolling Building",
    }
    values.update(overrides)
    return CalendarSession(**values)


def make_calendar(*, cancel=False, session=None):
    return build_calendar(
        session or make_session(),
        contact_id=42,
        attendee_name=RECIPIENT.name,
        attendee_email=RECIPIENT.email,
        organizer_name=SENDER.name,
        organizer_email=SENDER.email,
        domain="notifier.example.org",
        cancel=cancel,
        stamp=datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
    )


def round_trip(message):
    return message_from_bytes(bytes(message), policy=policy.default)


class TestHeaders:
    def test_non_ascii_display_name_survives(self):
        message = build_email(
            RENDERED, sender=SENDER, recipient=RECIPIENT, message_id="<a@b>", date=STARTS_AT
        )

        raw = bytes(message)
        parsed = round_trip(message)

        assert "Ångström".encode() not in raw.split(b"\n\n", 1)[0]
        assert parsed["To"].addresses[0].display_name == "Zoë Ångström-Nuñez"
        assert parsed["To"].addresses[0].addr_spec == "zoe@example.org"
        assert parsed["Subject"] == "Grüße: Budget"

    def test_message_id_is_stable_per_key(self):
        first = message_id_for("campaign:1:occurrence:release:contact:9", "example.org")
        second = message_id_for("campaign:1:occurrence:release:contact:9", "example.org")
        other = message_id_for("campaign:1:occurrence:release:contact:10", "example.org")

        assert first == second
        assert first != other
        assert first.startswith("<")
        assert first.endswith("@example.org>")

    def test_bodies_are_alternatives(self):
        message = build_email(
            RENDERED, sender=SENDER, recipient=RECIPIENT, message_id="<a@b>", date=STARTS_AT
        )

        parsed = round_trip(message)

        assert parsed.get_body(("plain",)).get_content() == "Hallo Zoë\n"
        assert "Hallo Zoë" in parsed.get_body(("html",)).get_content()


class TestCalendar:
    def test_attachment_parses_with_utc_times(self):
        message = build_email(
            RENDERED,
            sender=SENDER,
            recipient=RECIPIENT,
            message_id="<a@b>",
            date=STARTS_AT,
            calendars=[CalendarPart(make_calendar(), "REQUEST")],
        )

        parsed = round_trip(message)
        parts = [part for part in parsed.iter_attachments() if part.get_content_type() == "text/calendar"]
        calendar = icalendar.Calendar.from_ical(parts[0].get_content())
        event = calendar.walk("VEVENT")[0]

        assert parts[0].get_param("method") == "REQUEST"
        assert calendar["METHOD"] == "REQUEST"
        assert event.decoded("DTSTART") == STARTS_AT
        assert event.decoded("DTSTART").utcoffset() == timedelta(0)
        assert event["UID"] == "session-7-contact-42@notifier.example.org"
        assert b"DTSTART:20261211T140000Z" in make_calendar()

    def test_uid_depends_on_session_and_recipient_only(self):
        first = icalendar.Calendar.from_ical(make_calendar())
        moved = icalendar.Calendar.from_ical(
            make_calendar(session=make_session(sequence=1, starts_at=STARTS_AT + timedelta(days=1)))
        )

        first_event = first.walk("VEVENT")[0]
        moved_event = moved.walk("VEVENT")[0]

        assert first_event["UID"] == moved_event["UID"]
        assert moved_event["SEQUENCE"] == 1
        assert session_uid(7, 43, "d") != session_uid(7, 42, "d")

    def test_cancel_uses_method_cancel(self):
        calendar = icalendar.Calendar.from_ical(make_calendar(cancel=True))

        assert calendar["METHOD"] == "CANCEL"
        assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"

    def test_one_event_per_calendar(self):
        calendar = icalendar.Calendar.from_ical(make_calendar())

        assert len(calendar.walk("VEVENT")) == 1

    def test_several_calendars_are_numbered(self):
        second = make_calendar(session=make_session(session_id=8, starts_at=STARTS_AT + timedelta(days=1)))
        message = build_email(
            RENDERED,
            sender=SENDER,
            recipient=RECIPIENT,
            message_id="<a@b>",
            date=STARTS_AT,
            calendars=[CalendarPart(make_calendar(), "REQUEST"), CalendarPart(second, "REQUEST")],
        )

        parts = list(round_trip(message).iter_attachments())
        uids = [icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]["UID"] for part in parts]

        assert [part.get_filename() for part in parts] == ["invite-1.ics", "invite-2.ics"]
        assert uids == [
            "session-7-contact-42@notifier.example.org",
            "session-8-contact-42@notifier.example.org",
        ]
