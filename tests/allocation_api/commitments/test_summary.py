"""The fiscal year's summary per school and per organization, and a superseding allocation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.allocation_api.commitments.builders import FISCAL_YEAR, commitment_body
from tests.allocation_api.commitments.conftest import Peers

SUMMARY = f"/v1/fiscal-years/{FISCAL_YEAR}/commitments/summary"


async def _propose(peers: Peers, school_code: str, program_id: int, amount: str) -> int:
    response = await peers.client.post(
        f"/v1/fiscal-years/{FISCAL_YEAR}/schools/{school_code}/commitments",
        headers=await peers.writer(),
        json=commitment_body(program_id, amount),
    )
    assert response.status_code == 201, response.text
    commitment_id: int = response.json()["id"]
    return commitment_id


async def _approve(peers: Peers, commitment_id: int) -> None:
    response = await peers.client.post(
        f"/v1/commitments/{commitment_id}/approve", headers=await peers.approver()
    )
    assert response.status_code == 200, response.text


async def _cancel(peers: Peers, commitment_id: int) -> None:
    response = await peers.client.post(
        f"/v1/commitments/{commitment_id}/cancel", headers=await peers.approver()
    )
    assert response.status_code == 200, response.text


async def _all_commitments(peers: Peers) -> list[dict[str, Any]]:
    response = await peers.client.get(
        f"/v1/fiscal-years/{FISCAL_YEAR}/commitments",
        headers=await peers.reader(),
        params={"limit": 200},
    )
    items: list[dict[str, Any]] = response.json()["items"]
    return items


class TestOrganizationSummary:
    async def test_totals_match_commitments_after_changes(self, peers: Peers) -> None:
        await peers.publish()
        literacy = await peers.program(name="Reading Buddies", organization_name="Read Boston")
        writing = await peers.program(name="Young Authors", organization_name="Read Boston")
        science = await peers.program(name="Lab Days", organization_name="Science Club")
        adams_reading = await _propose(peers, "0101", literacy.program_id, "1000.00")
        adams_writing = await _propose(peers, "0101", writing.program_id, "500.00")
        adams_science = await _propose(peers, "0101", science.program_id, "700.00")
        baker_reading = await _propose(peers, "0202", literacy.program_id, "2000.00")
        baker_science = await _propose(peers, "0202", science.program_id, "300.00")
        baker_writing = await _propose(peers, "0202", writing.program_id, "250.00")
        await _approve(peers, adams_reading)
        await _approve(peers, baker_reading)
        await _approve(peers, baker_science)
        await _cancel(peers, adams_writing)
        await _cancel(peers, baker_science)

        summary = (await peers.client.get(SUMMARY, headers=await peers.reader())).json()

        organizations = {item["organization_name"]: item for item in summary["organizations"]}
        assert set(organizations) == {"Read Boston", "Science Club"}
        read_boston = organizations["Read Boston"]
        assert read_boston["committed"] == "3250.00"
        assert read_boston["approved"] == "3000.00"
        assert read_boston["proposed"] == "250.00"
        assert read_boston["schools"] == 2
        assert read_boston["programs"] == 2
        assert read_boston["commitments"] == 3
        science_club = organizations["Science Club"]
        assert science_club["committed"] == "700.00"
        assert science_club["approved"] == "0.00"
        assert science_club["schools"] == 1
        assert science_club["programs"] == 1
        assert science_club["commitments"] == 1
        assert [item["organization_name"] for item in summary["organizations"]] == [
            "Read Boston",
            "Science Club",
        ]
        # Cross-check every organization against the listed commitments themselves.
        active = [c for c in await _all_commitments(peers) if c["status"] != "cancelled"]
        for item in summary["organizations"]:
            mine = [c for c in active if c["organization_id"] == item["organization_id"]]
            assert Decimal(item["committed"]) == sum((Decimal(c["amount"]) for c in mine), Decimal(0))
            approved = [c for c in mine if c["status"] == "approved"]
            assert Decimal(item["approved"]) == sum((Decimal(c["amount"]) for c in approved), Decimal(0))
        assert {baker_writing, adams_science} <= {c["id"] for c in active}

    async def test_school_totals_and_grand_totals(self, peers: Peers) -> None:
        run = await peers.publish()
        program = await peers.program()
        approved = await _propose(peers, "0101", program.program_id, "1200.00")
        await _propose(peers, "0101", program.program_id, "300.00")
        await _propose(peers, "0202", program.program_id, "5000.00")
        await _approve(peers, approved)

        summary = (await peers.client.get(SUMMARY, headers=await peers.reader())).json()

        assert summary["run_id"] == run["id"]
        assert summary["fund"] == "partnership"
        assert summary["allocated"] == "10000.00"
        assert summary["committed"] == "6500.00"
        assert summary["approved"] == "1200.00"
        assert summary["proposed"] == "5300.00"
        schools = {item["school_code"]: item for item in summary["schools"]}
        assert list(schools) == ["0101", "0202"]
        assert schools["0101"]["school_name"] == "Adams Elementary"
        assert schools["0101"]["committed"] == "1500.00"
        assert schools["0101"]["remaining"] == "3500.00"
        assert schools["0101"]["commitments"] == 2
        assert schools["0202"]["remaining"] == "0.00"
        assert schools["0202"]["over_committed"] is False
        assert summary["over_committed"] == []

    async def test_summary_without_commitments(self, peers: Peers) -> None:
        await peers.publish()

        summary = (await peers.client.get(SUMMARY, headers=await peers.reader())).json()

        assert summary["committed"] == "0.00"
        assert [item["school_code"] for item in summary["schools"]] == ["0101", "0202"]
        assert summary["organizations"] == []

    async def test_summary_without_published_run_is_404(self, peers: Peers) -> None:
        response = await peers.client.get(SUMMARY, headers=await peers.reader())

        assert response.status_code == 404


class TestSupersededAllocation:
    async def test_smaller_allocation_lists_school_over_committed(self, peers: Peers) -> None:
        first_run = await peers.publish()
        program = await peers.program()
        approved = await _propose(peers, "0101", program.program_id, "4000.00")
        proposed = await _propose(peers, "0101", program.program_id, "500.00")
        await _approve(peers, approved)
        await _propose(peers, "0202", program.program_id, "1000.00")

        second_run = await peers.publish(pool="6000.00", supersedes=first_run["id"])
        summary = (await peers.client.get(SUMMARY, headers=await peers.reader())).json()

        assert summary["run_id"] == second_run["id"]
        assert [item["school_code"] for item in summary["over_committed"]] == ["0101"]
        adams = summary["over_committed"][0]
        assert adams["allocated"] == "3000.00"
        assert adams["committed"] == "4500.00"
        assert adams["remaining"] == "-1500.00"
        assert adams["over_committed"] is True
        baker = next(item for item in summary["schools"] if item["school_code"] == "0202")
        assert baker["over_committed"] is False
        # The commitments themselves are unchanged and still name the run they were made against.
        balance = (
            await peers.client.get(
                f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/balance", headers=await peers.reader()
            )
        ).json()
        assert balance["run_id"] == second_run["id"]
        assert balance["remaining"] == "-1500.00"
        assert balance["over_committed"] is True
        assert [(c["id"], c["status"], c["amount"]) for c in balance["commitments"]] == [
            (approved, "approved", "4000.00"),
            (proposed, "proposed", "500.00"),
        ]
        assert {c["allocation_run_id"] for c in balance["commitments"]} == {first_run["id"]}

    async def test_over_committed_school_cannot_add_or_approve(self, peers: Peers) -> None:
        first_run = await peers.publish()
        program = await peers.program()
        await _approve(peers, await _propose(peers, "0101", program.program_id, "4000.00"))
        proposed = await _propose(peers, "0101", program.program_id, "500.00")
        await peers.publish(pool="6000.00", supersedes=first_run["id"])

        added = await peers.client.post(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/commitments",
            headers=await peers.writer(),
            json=commitment_body(program.program_id, "1.00"),
        )
        approval = await peers.client.post(
            f"/v1/commitments/{proposed}/approve", headers=await peers.approver()
        )

        assert added.status_code == 409
        assert added.json()["remaining"] == "-1500.00"
        assert approval.status_code == 409
        assert approval.json()["type"].endswith("/school-over-committed")
        assert approval.json()["remaining"] == "-1500.00"

    async def test_larger_allocation_frees_room(self, peers: Peers) -> None:
        first_run = await peers.publish()
        program = await peers.program()
        await _propose(peers, "0101", program.program_id, "5000.00")

        await peers.publish(pool="12000.00", supersedes=first_run["id"])
        added = await peers.client.post(
            f"/v1/fiscal-years/{FISCAL_YEAR}/schools/0101/commitments",
            headers=await peers.writer(),
            json=commitment_body(program.program_id, "1000.00"),
        )

        assert added.status_code == 201
        assert added.json()["allocation_run_id"] != first_run["id"]
