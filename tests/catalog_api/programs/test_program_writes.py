"""Creating and editing organizations and programs, status changes, and what stays private."""

from __future__ import annotations

import pytest

from partnerfund_shared.testing import Harness
from tests.catalog_api.builders import make_organization, make_program, writer_headers


class TestProgramStatus:
    @pytest.mark.parametrize(
        ("start", "target"),
        [
            ("draft", "approved"),
            ("draft", "archived"),
            ("submitted", "draft"),
            ("submitted", "archived"),
            ("approved", "draft"),
            ("approved", "submitted"),
            ("archived", "approved"),
            ("archived", "draft"),
        ],
    )
    async def test_skipped_or_backward_step_is_conflict(
        self, catalog: Harness, start: str, target: str
    ) -> None:
        program = await make_program(catalog, status=start)

        response = await catalog.client.post(
            f"/v1/programs/{program['id']}/status",
            json={"status": target},
            headers=await writer_headers(catalog),
        )

        assert response.status_code == 409
        assert response.json()["current_status"] == start

    async def test_repeating_the_current_status_is_a_no_op(self, catalog: Harness) -> None:
        program = await make_program(catalog, status="submitted")

        response = await catalog.client.post(
            f"/v1/programs/{program['id']}/status",
            json={"status": "submitted"},
            headers=await writer_headers(catalog),
        )

        assert response.status_code == 200
        assert response.json()["status"] == "submitted"

    async def test_each_step_is_audited(self, catalog: Harness) -> None:
        program = await make_program(catalog, status="approved")

        audit = await catalog.client.get(
            "/v1/audit",
            params={"entity_type": "program", "entity_id": str(program["id"])},
            headers=await writer_headers(catalog),
        )

        actions = [(entry["action"], entry["changes"].get("status")) for entry in audit.json()["items"]]
        assert actions[:2] == [
            ("program.status_changed", ["submitted", "approved"]),
            ("program.status_changed", ["draft", "submitted"]),
        ]
        assert actions[2][0] == "program.created"

    async def test_only_approved_programs_are_public(self, catalog: Harness) -> None:
        draft = await make_program(catalog, name="Hidden", status="submitted")

        assert (await catalog.client.get(f"/v1/programs/{draft['id']}")).status_code == 404


class TestProgramEdits:
    async def test_labels_are_resolved_and_ranges_expanded(self, catalog: Harness) -> None:
        program = await make_program(
            catalog,
            areas=["Social Emotional & Behavioral Health"],
            grades=["K1-1", "Alt Ed"],
            days=["Mon", "fri"],
            languages=["Español"],
        )

        assert program["areas"] == ["Social, Emotional & Behavioral Health"]
        assert program["grades"] == ["K1", "K2", "1", "Alternative Education"]
        assert program["days"] == ["Monday", "Friday"]
        assert program["languages"] == ["Spanish"]

    async def test_unknown_labels_are_all_listed(self, catalog: Harness) -> None:
        organization = await make_organization(catalog)

        response = await catalog.client.post(
            "/v1/programs",
            json={
                "organization_id": organization["id"],
                "name": "Mystery",
                "areas": ["Basketry"],
                "grades": ["K1", "14"],
            },
            headers=await writer_headers(catalog),
        )

        assert response.status_code == 422
        locations = [item["loc"] for item in response.json()["errors"]]
        assert locations == [["body", "areas", 0], ["body", "grades", 1]]

    async def test_patch_changes_only_given_fields(self, catalog: Harness) -> None:
        program = await make_program(catalog, description="Old text", fees="no")

        response = await catalog.client.patch(
            f"/v1/programs/{program['id']}",
            json={"fees": "yes", "fees_explanation": "$5 a week", "areas": ["Arts"]},
            headers=await writer_headers(catalog),
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["fees"] == "yes"
        assert body["fees_explanation"] == "$5 a week"
        assert body["areas"] == ["Arts Programming"]
        assert body["subareas"] == ["Literacy"]
        assert body["description"] == "Old text"

    async def test_duplicate_program_name_is_conflict(self, catalog: Harness) -> None:
        program = await make_program(catalog, name="Twin")

        response = await catalog.client.post(
            "/v1/programs",
            json={"organization_id": program["organization"]["id"], "name": "TWIN"},
            headers=await writer_headers(catalog),
        )

        assert response.status_code == 409

    async def test_duplicate_organization_name_is_conflict(self, catalog: Harness) -> None:
        await make_organization(catalog, name="Same Org")

        response = await catalog.client.post(
            "/v1/organizations", json={"name": "same org"}, headers=await writer_headers(catalog)
        )

        assert response.status_code == 409

    async def test_writes_need_the_write_scope(self, catalog: Harness) -> None:
        anonymous = await catalog.client.post("/v1/organizations", json={"name": "X"})
        decider = await catalog.client.post(
            "/v1/organizations",
            json={"name": "X"},
            headers=await catalog.headers_with("portfolio:decide"),
        )

        assert anonymous.status_code == 401
        assert decider.status_code == 403

    async def test_edits_record_old_and_new_values(self, catalog: Harness) -> None:
        program = await make_program(catalog, service_capacity=10)
        await catalog.client.patch(
            f"/v1/programs/{program['id']}",
            json={"service_capacity": 30},
            headers=await writer_headers(catalog),
        )

        audit = await catalog.client.get(
            "/v1/audit",
            params={"action": "program.updated"},
            headers=await writer_headers(catalog),
        )

        (entry,) = audit.json()["items"]
        assert entry["changes"] == {"service_capacity": [10, 30]}


class TestPrivateFields:
    async def test_public_pages_hide_private_fields(self, catalog: Harness) -> None:
        organization = await make_organization(
            catalog,
            contact_email="hello@readers.example.org",
            staff_email="liaison@district.example.org",
            internal_note="Renewal under review",
        )
        program = await make_program(
            catalog, organization_id=organization["id"], internal_note="Check insurance"
        )

        public_organization = await catalog.client.get(f"/v1/organizations/{organization['id']}")
        public_program = await catalog.client.get(f"/v1/programs/{program['id']}")
        search = await catalog.client.get("/v1/programs")
        open_data = await catalog.client.get("/v1/open-data/programs.json")

        for response in [public_organization, public_program, search, open_data]:
            assert response.status_code == 200
            assert "liaison@district.example.org" not in response.text
            assert "Renewal under review" not in response.text
            assert "Check insurance" not in response.text
            assert "internal_note" not in response.text
        assert public_organization.json()["contact_email"] == "hello@readers.example.org"

    async def test_record_endpoints_show_private_fields(self, catalog: Harness) -> None:
        organization = await make_organization(catalog, staff_email="liaison@district.example.org")

        record = await catalog.client.get(
            f"/v1/organizations/{organization['id']}/record",
            headers=await writer_headers(catalog),
        )

        assert record.json()["staff_email"] == "liaison@district.example.org"

    async def test_organization_without_public_programs_is_hidden(self, catalog: Harness) -> None:
        organization = await make_organization(catalog)
        await make_program(catalog, organization_id=organization["id"], status="draft")

        response = await catalog.client.get(f"/v1/organizations/{organization['id']}")

        assert response.status_code == 404


class TestRecordAccess:
    async def test_read_scope_opens_records_and_audit(self, catalog: Harness) -> None:
        program = await make_program(catalog, status="draft")
        reader = await catalog.headers_with("catalog:read")

        record = await catalog.client.get(f"/v1/programs/{program['id']}/record", headers=reader)
        audit = await catalog.client.get("/v1/audit", headers=reader)

        assert record.status_code == 200
        assert record.json()["status"] == "draft"
        assert audit.status_code == 200

    async def test_read_scope_cannot_write(self, catalog: Harness) -> None:
        response = await catalog.client.post(
            "/v1/organizations",
            json={"name": "Readers Only"},
            headers=await catalog.headers_with("catalog:read"),
        )

        assert response.status_code == 403

    async def test_records_need_a_key(self, catalog: Harness) -> None:
        assert (await catalog.client.get("/v1/audit")).status_code == 401
