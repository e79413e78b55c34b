"""Contacts: import rules, preferences and listing, through the HTTP API."""

from __future__ import annotations

import io

import openpyxl
import pytest

CSV = (
    "Name,E-mail,Role,School codes,Preferred language\n"
    "Zoë Ångström,zoe@Example.org,School Leader,0101,es\n"
    "Ana Ruiz,ana@example.org,instructional_superintendent,0101; 0202;0303,\n"
    "Central Person,central@example.org,central office,,\n"
)


async def upload(notifier, content: bytes, filename: str = "contacts.csv", columns: str | None = None):
    data = {"columns": columns} if columns else None
    return await notifier.client.post(
        "/v1/contacts/import",
        files={"file": (filename, content)},
        data=data,
        headers=await notifier.headers_with("contacts:write"),
    )


async def contact_id(notifier, email: str) -> int:
    """Find a contact's id by e-mail; ids are not 1, 2, 3 on PostgreSQL, whose sequences survive rollbacks."""
    response = await notifier.client.get(
        "/v1/contacts", params={"limit": 200}, headers=await notifier.admin_headers()
    )
    assert response.status_code == 200, response.text
    return next(item["id"] for item in response.json()["items"] if item["email"] == email)


class TestImport:
    async def test_valid_file_creates_contacts(self, notifier):
        response = await upload(notifier, CSV.encode())

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["rows"] == 3
        assert body["created"] == 3
        listing = await notifier.client.get(
            "/v1/contacts", headers=await notifier.headers_with("notifications:read")
        )
        contacts = {item["email"]: item for item in listing.json()["items"]}
        assert contacts["zoe@example.org"]["name"] == "Zoë Ångström"
        assert contacts["zoe@example.org"]["role"] == "school_leader"
        assert contacts["zoe@example.org"]["language"] == "es"
        assert contacts["ana@example.org"]["school_codes"] == ["0101", "0202", "0303"]
        assert contacts["central@example.org"]["school_codes"] == []
        assert contacts["central@example.org"]["language"] == "en"

    async def test_reimport_updates_by_email(self, notifier):
        await upload(notifier, CSV.encode())

        response = await upload(
            notifier, b"name,email,role,school_code\nZoe Angstrom,zoe@example.org,school_leader,0404\n"
        )

        assert response.json()["updated"] == 1
        assert response.json()["created"] == 0
        assert response.json()["unchanged"] == 0
        listing = await notifier.client.get(
            "/v1/contacts",
            params={"school_code": "0404"},
            headers=await notifier.headers_with("notifications:read"),
        )
        assert [item["name"] for item in listing.json()["items"]] == ["Zoe Angstrom"]

    async def test_identical_reimport_changes_nothing(self, notifier):
        await upload(notifier, CSV.encode())
        before = await notifier.client.get("/v1/contacts", headers=await notifier.admin_headers())

        response = await upload(notifier, CSV.encode())

        after = await notifier.client.get("/v1/contacts", headers=await notifier.admin_headers())
        assert response.status_code == 201, response.text
        assert response.json()["created"] == 0
        assert response.json()["updated"] == 0
        assert response.json()["unchanged"] == 3
        assert after.json()["items"] == before.json()["items"]

    async def test_bad_rows_reject_whole_file(self, notifier):
        content = (
            b"name,email,role,school_code\n"
            b"Good Person,good@example.org,school_leader,0101\n"
            b"Bad Mail,not-an-address,school_leader,0102\n"
            b"Bad Role,role@example.org,janitor,0103\n"
            b"No School,noschool@example.org,school_leader,\n"
            b"Dup,good@example.org,partner,\n"
        )

        response = await upload(notifier, content)

        assert response.status_code == 422
        problems = response.json()["errors"]
        assert {(problem["row"], problem["column"]) for problem in problems} >= {
            (3, "email"),
            (4, "role"),
            (5, "school_code"),
            (6, "email"),
        }
        listing = await notifier.client.get(
            "/v1/contacts", headers=await notifier.headers_with("notifications:read")
        )
        assert listing.json()["items"] == []

    async def test_xlsx_with_column_mapping(self, notifier):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(["Staff", "Work mail", "Job", "BPS"])
        sheet.append(["Kwame Mensah", "kwame@example.org", "school_leader", 202])
        buffer = io.BytesIO()
        workbook.save(buffer)

        response = await upload(
            notifier,
            buffer.getvalue(),
            filename="contacts.xlsx",
            columns='{"name": "Staff", "email": "Work mail", "role": "Job", "school_code": "BPS"}',
        )

        assert response.status_code == 201, response.text
        assert response.json()["warnings"][0]["column"] == "BPS"

    async def test_import_needs_scope(self, notifier):
        response = await notifier.client.post(
            "/v1/contacts/import",
            files={"file": ("c.csv", CSV.encode())},
            headers=await notifier.headers_with("notifications:read"),
        )

        assert response.status_code == 403


class TestPreferences:
    async def test_opt_out_round_trip(self, notifier):
        await upload(notifier, CSV.encode())
        listing = await notifier.client.get(
            "/v1/contacts", headers=await notifier.headers_with("notifications:read")
        )
        contact_id = listing.json()["items"][0]["id"]

        response = await notifier.client.put(
            f"/v1/contacts/{contact_id}/preferences",
            json={"opted_out": ["office_hours", "portfolio_release"]},
            headers=await notifier.headers_with("contacts:write"),
        )

        assert response.status_code == 200
        assert response.json()["opted_out"] == ["office_hours", "portfolio_release"]

    async def test_budget_release_cannot_be_opted_out(self, notifier):
        await upload(notifier, CSV.encode())

        response = await notifier.client.put(
            f"/v1/contacts/{await contact_id(notifier, 'ana@example.org')}/preferences",
            json={"opted_out": ["budget_release"]},
            headers=await notifier.headers_with("contacts:write"),
        )

        assert response.status_code == 422

    async def test_unknown_contact_is_404(self, notifier):
        response = await notifier.client.get(
            "/v1/contacts/999999", headers=await notifier.headers_with("notifications:read")
        )

        assert response.status_code == 404


class TestListing:
    @pytest.mark.parametrize("limit", [1, 2])
    async def test_pages_cover_every_contact_once(self, notifier, limit):
        await upload(notifier, CSV.encode())
        headers = await notifier.headers_with("notifications:read")

        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
            page = (await notifier.client.get("/v1/contacts", params=params, headers=headers)).json()
            seen.extend(item["email"] for item in page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break

        assert sorted(seen) == ["ana@example.org", "central@example.org", "zoe@example.org"]

    async def test_invalid_cursor_is_422(self, notifier):
        response = await notifier.client.get(
            "/v1/contacts",
            params={"cursor": "garbage!"},
            headers=await notifier.headers_with("notifications:read"),
        )

        assert response.status_code == 422
