"""Campaigns and the ledger through the HTTP API: scheduling, preview, changes and retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import true, update

from notifier.deliveries.models import Delivery
from notifier.schedule import DISTRICT_TIME_ZONE
from tests.notifier.support import published_line, running_allocation

CONTACTS = (
    "name,email,role,school_code\n"
    "Zoë Ångström,zoe@example.org,school_leader,0101\n"
    "Kwame Mensah,kwame@example.org,school_leader,0202\n"
    "Ana Ruiz,ana@example.org,instructional_superintendent,0101;0202;0303\n"
    "Central Person,central@example.org,central_office,\n"
)
LINES = [
    published_line("0101", "Hernández K-8", "123456.00", per_pupil="308.64"),
    published_line("0202", "Mather Elementary", "0.00", eligible=False),
]


def next_weekday(hour: int, days_ahead: int = 7) -> datetime:
    """A local wall-clock time on a weekday at least `days_ahead` days from now."""
    day = datetime.now(DISTRICT_TIME_ZONE).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 0)


async def load_contacts(notifier) -> None:
    response = await notifier.client.post(
        "/v1/contacts/import",
        files={"file": ("contacts.csv", CONTACTS.encode())},
        headers=await notifier.headers_with("contacts:write"),
    )
    assert response.status_code == 201, response.text


async def create(notifier, body: dict):
    return await notifier.client.post("/v1/campaigns", json=body, headers=await notifier.admin_headers())


async def deliveries(notifier, **params) -> list[dict]:
    response = await notifier.client.get(
        "/v1/deliveries", params={"limit": 200, **params}, headers=await notifier.admin_headers()
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def release(**overrides) -> dict:
    body = {
        "kind": "budget_release",
        "fiscal_year": 2028,
        "fund": "partnership",
        "send_at": next_weekday(9).isoformat(),
    }
    body.update(overrides)
    return body


def office_hours(**overrides) -> dict:
    starts = next_weekday(10)
    body = {
        "kind": "office_hours",
        "title": "Budget questions",
        "sessions": [
            {
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
                "location": "Bolling Building",
                "capacity": 25,
            }
        ],
        "reminders": ["P1D", "PT1H"],
    }
    body.update(overrides)
    return body


async def contact_id(notifier, email: str) -> int:
    """Find a contact's id by e-mail; ids are not 1, 2, 3 on PostgreSQL, whose sequences survive rollbacks."""
    response = await notifier.client.get(
        "/v1/contacts", params={"limit": 200}, headers=await notifier.admin_headers()
    )
    assert response.status_code == 200, response.text
    return next(item["id"] for item in response.json()["items"] if item["email"] == email)


class TestCreate:
    async def test_budget_release_rows_per_school(self, notifier):
        await load_contacts(notifier)

        roles = ["school_leader", "instructional_superintendent", "central_office"]
        response = await create(notifier, release(audience={"roles": roles}))

        assert response.status_code == 201, response.text
        campaign = response.json()
        assert campaign["deliveries"] == {"scheduled": 3}
        assert campaign["critical"] is True
        assert any("central_office" in warning for warning in campaign["warnings"])
        occurrences = sorted(
            row["occurrence"] for row in await deliveries(notifier, campaign_id=campaign["id"])
        )
        assert occurrences == ["release:0101", "release:0202", "summary"]

    async def test_local_time_is_stored_in_utc(self, notifier):
        await load_contacts(notifier)
        local = next_weekday(9)

        campaign = (await create(notifier, release(send_at=local.isoformat()))).json()

        expected = local.replace(tzinfo=DISTRICT_TIME_ZONE).astimezone(UTC)
        assert datetime.fromisoformat(campaign["send_at"]) == expected
        assert campaign["send_at_local"].startswith(local.strftime("%Y-%m-%dT09:00"))

    async def test_spring_forward_gap_is_moved_with_warning(self, notifier):
        await load_contacts(notifier)
        response = await create(notifier, release(send_at="2099-03-08T02:30"))

        campaign = response.json()
        assert datetime.fromisoformat(campaign["send_at"]) == datetime(2099, 3, 8, 7, 0, tzinfo=UTC)
        assert any("does not exist" in warning for warning in campaign["warnings"])

    async def test_weekend_evening_session_warns(self, notifier):
        await load_contacts(notifier)
        saturday = next_weekday(10)
        while saturday.weekday() != 5:
            saturday += timedelta(days=1)
        session = {
            "starts_at": saturday.replace(hour=19).isoformat(),
            "ends_at": saturday.replace(hour=20).isoformat(),
            "location": "Online",
        }

        response = await create(notifier, office_hours(sessions=[session]))

        assert response.status_code == 201, response.text
        warnings = response.json()["warnings"]
        assert any("weekend" in warning for warning in warnings)
        assert any("outside working hours" in warning for warning in warnings)

    async def test_event_plans_invitations_and_reminders(self, notifier):
        await load_contacts(notifier)

        campaign = (await create(notifier, office_hours())).json()

        rows = await deliveries(notifier, campaign_id=campaign["id"])
        kinds = sorted(row["occurrence"].split(":")[0] for row in rows)
        assert kinds == ["invitation", "invitation", "reminder", "reminder", "reminder", "reminder"]
        assert campaign["reminders"] == ["P1D", "PT1H"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"kind": "budget_release"}, "fiscal_year"),
            ({"kind": "office_hours", "title": "x", "sessions": []}, "sessions"),
            ({"kind": "custom", "subject": "s", "body": "b"}, "audience"),
        ],
    )
    async def test_missing_fields_are_422(self, notifier, body, field):
        response = await create(notifier, body)

        assert response.status_code == 422
        assert field in str(response.json()["errors"][0]["loc"])

    async def test_invalid_reminder_offset_is_422(self, notifier):
        response = await create(notifier, office_hours(reminders=["1 day"]))

        assert response.status_code == 422
        assert "invalid reminder offset" in response.text

    async def test_send_after_session_start_is_422(self, notifier):
        starts = next_weekday(10)
        response = await create(notifier, office_hours(send_at=(starts + timedelta(days=2)).isoformat()))

        assert response.status_code == 422

    async def test_opt_out_applies_except_critical(self, notifier):
        await load_contacts(notifier)
        await notifier.client.put(
            f"/v1/contacts/{await contact_id(notifier, 'zoe@example.org')}/preferences",
            json={"opted_out": ["office_hours"]},
            headers=await notifier.admin_headers(),
        )

        event = (await create(notifier, office_hours(reminders=[]))).json()
        budget = (await create(notifier, release())).json()

        assert [row["recipient"] for row in await deliveries(notifier, campaign_id=event["id"])] == [
            "kwame@example.org"
        ]
        assert "zoe@example.org" in [
            row["recipient"] for row in await deliveries(notifier, campaign_id=budget["id"])
        ]

    async def test_write_needs_key(self, notifier):
        response = await notifier.client.post("/v1/campaigns", json=release())

        assert response.status_code == 401


class TestIdempotencyKey:
    async def post_with_key(self, notifier, body: dict, key: str):
        headers = {**await notifier.admin_headers(), "Idempotency-Key": key}
        return await notifier.client.post("/v1/campaigns", json=body, headers=headers)

    async def test_retry_returns_first_campaign(self, notifier):
        await load_contacts(notifier)
        body = office_hours()

        first = await self.post_with_key(notifier, body, "office-hours-fall")
        retry = await self.post_with_key(notifier, body, "office-hours-fall")

        assert first.status_code == 201, first.text
        assert retry.status_code == 201, retry.text
        assert retry.json()["id"] == first.json()["id"]
        assert retry.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert retry.headers["location"] == f"/v1/campaigns/{first.json()['id']}"
        rows = await deliveries(notifier, campaign_id=first.json()["id"])
        assert len(rows) == first.json()["deliveries"]["scheduled"]
        listing = await notifier.client.get("/v1/campaigns", headers=await notifier.admin_headers())
        assert [item["id"] for item in listing.json()["items"]] == [first.json()["id"]]

    async def test_same_key_with_other_body_is_409(self, notifier):
        await load_contacts(notifier)
        first = await self.post_with_key(notifier, office_hours(), "office-hours-fall")

        other = await self.post_with_key(notifier, office_hours(title="Another title"), "office-hours-fall")

        assert other.status_code == 409
        assert other.json()["campaign_id"] == first.json()["id"]
        assert other.json()["type"].endswith("/idempotency-key-reused")

    async def test_without_key_each_post_creates(self, notifier):
        await load_contacts(notifier)

        first = await create(notifier, office_hours())
        second = await create(notifier, office_hours())

        assert first.json()["id"] != second.json()["id"]


class TestPreview:
    async def test_preview_renders_amount_without_sending(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, release())).json()

        with running_allocation(LINES) as allocation:
            notifier.app.state.settings.allocation.url = allocation.url
            response = await notifier.client.get(
                f"/v1/campaigns/{campaign['id']}/preview", headers=await notifier.admin_headers()
            )

        assert response.status_code == 200, response.text
        by_occurrence = {item["occurrence"]: item for item in response.json()["items"]}
        assert "$123,456.00" in by_occurrence["release:0101"]["text"]
        assert "not eligible" in by_occurrence["release:0202"]["text"]
        assert "0303" in by_occurrence["summary"]["text"]
        assert {row["status"] for row in await deliveries(notifier, campaign_id=campaign["id"])} == {
            "scheduled"
        }

    async def test_skip_setting_shows_unsent_message(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, release(not_eligible="skip"))).json()

        with running_allocation(LINES) as allocation:
            notifier.app.state.settings.allocation.url = allocation.url
            response = await notifier.client.get(
                f"/v1/campaigns/{campaign['id']}/preview", headers=await notifier.admin_headers()
            )

        item = next(item for item in response.json()["items"] if item["occurrence"] == "release:0202")
        assert item["will_send"] is False
        assert "not eligible" in item["note"]

    async def test_allocation_down_is_503(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, release())).json()
        notifier.app.state.settings.allocation.url = "http://127.0.0.1:9"
        notifier.app.state.settings.http.retries = 0

        response = await notifier.client.get(
            f"/v1/campaigns/{campaign['id']}/preview", headers=await notifier.admin_headers()
        )

        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"

    async def test_event_preview_lists_invite(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, office_hours())).json()

        response = await notifier.client.get(
            f"/v1/campaigns/{campaign['id']}/preview",
            params={"limit": 200},
            headers=await notifier.admin_headers(),
        )

        invitations = [
            item for item in response.json()["items"] if item["occurrence"].startswith("invitation:")
        ]
        assert invitations[0]["attachments"] == ["invite.ics"]
        assert "Budget questions" in invitations[0]["subject"]


class TestActions:
    async def test_send_now_moves_first_messages_only(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, office_hours())).json()

        response = await notifier.client.post(
            f"/v1/campaigns/{campaign['id']}/send-now", headers=await notifier.admin_headers()
        )

        assert response.status_code == 200
        now = datetime.now(UTC)
        for row in await deliveries(notifier, campaign_id=campaign["id"]):
            scheduled = datetime.fromisoformat(row["scheduled_for"])
            if row["occurrence"].startswith("invitation:"):
                assert scheduled <= now
            else:
                assert scheduled > now

    async def test_cancel_before_sending(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, release())).json()

        first = await notifier.client.post(
            f"/v1/campaigns/{campaign['id']}/cancel", headers=await notifier.admin_headers()
        )
        second = await notifier.client.post(
            f"/v1/campaigns/{campaign['id']}/cancel", headers=await notifier.admin_headers()
        )

        assert first.json()["status"] == "cancelled"
        assert first.json()["deliveries"] == {"cancelled": 3}
        assert second.json()["deliveries"] == {"cancelled": 3}
        send_now = await notifier.client.post(
            f"/v1/campaigns/{campaign['id']}/send-now", headers=await notifier.admin_headers()
        )
        assert send_now.status_code == 409

    async def test_cancel_after_invitation_sends_calendar_cancel(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, office_hours())).json()
        await mark_invitations_sent(notifier, campaign["id"])

        response = await notifier.client.post(
            f"/v1/campaigns/{campaign['id']}/cancel", headers=await notifier.admin_headers()
        )

        counts = response.json()["deliveries"]
        assert counts == {"sent": 2, "cancelled": 4, "scheduled": 2}
        assert response.json()["sessions"][0]["sequence"] == 1
        preview = await notifier.client.get(
            f"/v1/campaigns/{campaign['id']}/preview", headers=await notifier.admin_headers()
        )
        items = preview.json()["items"]
        session_id = response.json()["sessions"][0]["id"]
        assert {item["occurrence"] for item in items} == {f"cancel:s{session_id}:q1"}
        assert items[0]["attachments"] == ["cancel.ics"]

    async def test_session_change_raises_sequence(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, office_hours())).json()
        await mark_invitations_sent(notifier, campaign["id"])
        session = campaign["sessions"][0]
        new_start = next_weekday(14, days_ahead=9)

        response = await notifier.client.patch(
            f"/v1/campaigns/{campaign['id']}/sessions/{session['id']}",
            json={
                "starts_at": new_start.isoformat(),
                "ends_at": (new_start + timedelta(hours=1)).isoformat(),
            },
            headers=await notifier.admin_headers(),
        )

        assert response.status_code == 200, response.text
        assert response.json()["sessions"][0]["sequence"] == 1
        rows = await deliveries(notifier, campaign_id=campaign["id"], status="scheduled")
        assert sorted(row["occurrence"].split(":")[0] for row in rows) == ["reminder"] * 4 + ["update"] * 2
        assert all(row["occurrence"].endswith(":q1") for row in rows)
        preview = await notifier.client.get(
            f"/v1/campaigns/{campaign['id']}/preview",
            params={"limit": 1},
            headers=await notifier.admin_headers(),
        )
        assert preview.json()["items"][0]["subject"].startswith("Updated:")

    async def test_session_cancel_sends_cancel_for_that_session(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, office_hours())).json()
        await mark_invitations_sent(notifier, campaign["id"])
        session_id = campaign["sessions"][0]["id"]

        response = await notifier.client.post(
            f"/v1/campaigns/{campaign['id']}/sessions/{session_id}/cancel",
            headers=await notifier.admin_headers(),
        )

        assert response.json()["sessions"][0]["cancelled"] is True
        rows = await deliveries(notifier, campaign_id=campaign["id"], status="scheduled")
        assert sorted(row["occurrence"] for row in rows) == [f"cancel:s{session_id}:q1"] * 2


def two_session_office_hours() -> dict:
    first = next_weekday(10)
    second = next_weekday(15, days_ahead=14)
    return office_hours(
        sessions=[
            {
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                "location": "Bolling Building",
            }
            for start in (first, second)
        ],
        reminders=[],
    )


class TestSeries:
    async def test_one_invitation_per_session(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, two_session_office_hours())).json()
        session_ids = [item["id"] for item in campaign["sessions"]]

        rows = await deliveries(notifier, campaign_id=campaign["id"])

        occurrences = sorted(row["occurrence"] for row in rows)
        assert occurrences == sorted([f"invitation:s{session_id}" for session_id in session_ids] * 2)

    async def test_each_invitation_attaches_one_calendar(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, two_session_office_hours())).json()

        response = await notifier.client.get(
            f"/v1/campaigns/{campaign['id']}/preview", headers=await notifier.admin_headers()
        )

        items = response.json()["items"]
        assert len(items) == 4
        assert all(item["attachments"] == ["invite.ics"] for item in items)
        assert len({item["subject"] for item in items}) == 2
        assert all("This invitation is for one of 2 sessions." in item["text"] for item in items)

    async def test_cancel_sends_one_cancel_per_session(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, two_session_office_hours())).json()
        await mark_invitations_sent(notifier, campaign["id"])
        session_ids = [item["id"] for item in campaign["sessions"]]

        await notifier.client.post(
            f"/v1/campaigns/{campaign['id']}/cancel", headers=await notifier.admin_headers()
        )
        preview = await notifier.client.get(
            f"/v1/campaigns/{campaign['id']}/preview", headers=await notifier.admin_headers()
        )

        items = preview.json()["items"]
        assert sorted(item["occurrence"] for item in items) == sorted(
            [f"cancel:s{session_id}:q1" for session_id in session_ids] * 2
        )
        assert all(item["attachments"] == ["cancel.ics"] for item in items)

    async def test_session_cancel_reaches_its_invitees_only(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, two_session_office_hours())).json()
        first, second = [item["id"] for item in campaign["sessions"]]
        await mark_invitations_sent(notifier, campaign["id"], session_id=first)

        await notifier.client.post(
            f"/v1/campaigns/{campaign['id']}/sessions/{second}/cancel", headers=await notifier.admin_headers()
        )

        scheduled = await deliveries(notifier, campaign_id=campaign["id"], status="scheduled")
        cancelled = await deliveries(notifier, campaign_id=campaign["id"], status="cancelled")
        assert scheduled == []
        assert sorted(row["occurrence"] for row in cancelled) == [f"invitation:s{second}"] * 2


async def mark_invitations_sent(notifier, campaign_id: int, session_id: int | None = None) -> None:
    async with notifier.sessionmaker() as session:
        await session.execute(
            update(Delivery)
            .where(
                Delivery.campaign_id == campaign_id,
                Delivery.template == "event_invitation",
                Delivery.session_id == session_id if session_id is not None else true(),
            )
            .values(status="sent", sent_at=datetime.now(UTC), attempts=1)
        )
        await session.commit()


class TestLedger:
    async def test_filters_and_pages(self, notifier):
        await load_contacts(notifier)
        first = (await create(notifier, release())).json()
        await create(notifier, office_hours(reminders=[]))

        by_campaign = await deliveries(notifier, campaign_id=first["id"])
        by_recipient = await deliveries(notifier, recipient="ZOE@example.org")
        pages = []
        cursor = None
        while True:
            params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (
                await notifier.client.get(
                    "/v1/deliveries", params=params, headers=await notifier.admin_headers()
                )
            ).json()
            pages.append(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break

        assert len(by_campaign) == 3
        assert {row["recipient"] for row in by_recipient} == {"zoe@example.org"}
        assert len(by_recipient) == 2
        ids = [row["id"] for page in pages for row in page]
        assert ids == sorted(set(ids))
        assert len(ids) == 5

    async def test_retry_only_failed(self, notifier):
        await load_contacts(notifier)
        campaign = (await create(notifier, release())).json()
        row = (await deliveries(notifier, campaign_id=campaign["id"]))[0]

        conflict = await notifier.client.post(
            f"/v1/deliveries/{row['id']}/retry", headers=await notifier.admin_headers()
        )
        async with notifier.sessionmaker() as session:
            await session.execute(
                update(Delivery)
                .where(Delivery.id == row["id"])
                .values(status="failed", attempts=8, last_error="SMTP 550: no such user")
            )
            await session.commit()
        retried = await notifier.client.post(
            f"/v1/deliveries/{row['id']}/retry", headers=await notifier.admin_headers()
        )

        assert conflict.status_code == 409
        assert retried.status_code == 200
        assert retried.json()["status"] == "scheduled"
        assert retried.json()["attempts"] == 0
        assert retried.json()["message_id"] == row["message_id"]


def test_invitation_calendar_parses():
    from notifier.messages.ics import CalendarSession, build_calendar

    starts = datetime(2026, 12, 11, 14, 0, tzinfo=UTC)
    calendar = icalendar.Calendar.from_ical(
        build_calendar(
            CalendarSession(1, 0, starts, starts + timedelta(hours=1), "Office hours"),
            contact_id=1,
            attendee_name="Zoë",
            attendee_email="zoe@example.org",
            organizer_name="Office",
            organizer_email="office@example.org",
            domain="example.org",
            cancel=False,
            stamp=starts,
        )
    )
    assert calendar.walk("VEVENT")[0].decoded("DTSTART") == starts
