"""iCalendar (RFC 5545) invitations and cancellations for event sessions.

Calendar clients match an update to the event they already hold by UID, and apply it only
when SEQUENCE is higher than the one they have. So the UID depends only on the session and
the recipient, never on the send, and SEQUENCE is the session's revision number, raised each
time its time or place changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//Boston Public Schools//Partnership Fund notifier//EN"


@dataclass(frozen=True, slots=True)
class CalendarSession:
    """One session as it goes into a VEVENT; times are aware."""

    session_id: int
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str | None = None
    video_link: str | None = None
    description: str | None = None


def session_uid(session_id: int, contact_id: int, domain: str) -> str:
    """Return the stable UID of one session in one recipient's calendar."""
    return f"session-{session_id}-contact-{contact_id}@{domain}"


def build_calendar(
    session: CalendarSession,
    *,
    contact_id: int,
    attendee_name: str,
    attendee_email: str,
    organizer_name: str,
    organizer_email: str,
    domain: str,
    cancel: bool,
    stamp: datetime,
) -> bytes:
    """Build a VCALENDAR with METHOD:REQUEST (or METHOD:CANCEL) and the session's VEVENT.

    An iTIP object describes one calendar component by its UID (RFC 5546), so each session
    gets a calendar of its own. All times are written in UTC (the `Z` form), so no VTIMEZONE block is needed.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")

    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["cn"] = vText(organizer_name)

    event = Event()
    event.add("uid", session_uid(session.session_id, contact_id, domain))
    event.add("sequence", session.sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", session.summary)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if session.location:
        event.add("location", session.location)
    if session.video_link:
        event.add("url", session.video_link)
    if session.description:
        event.add("description", session.description)

    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["cn"] = vText(attendee_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee, encode=False)
    calendar.add_component(event)

    return calendar.to_ical()
