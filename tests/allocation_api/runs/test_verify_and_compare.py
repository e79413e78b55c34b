from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update

from allocation_api.runs.models import RunLine
from partnerfund_shared.testing import Harness
from tests.allocation_api.builders import create_run_id, seed_district


class TestVerifyRun:
    async def test_stored_run_is_identical(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run_id = await create_run_id(allocation, weighting={"method": "need_weighted"})

        response = await allocation.client.get(
            f"/v1/runs/{run_id}/verify", headers=await allocation.admin_headers()
        )

        assert response.status_code == 200, response.text
        report = response.json()
        assert report["identical"] is True
        assert report["stored_hash"] == report["recomputed_hash"]
        assert report["differences"] == []

    async def test_changed_amount_is_reported(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run_id = await create_run_id(allocation)
        await allocation.session.execute(
            update(RunLine)
            .where(RunLine.run_id == run_id, RunLine.school_code == "0101")
            .values(amount=Decimal("1.00"))
        )
        await allocation.session.commit()

        response = await allocation.client.get(
            f"/v1/runs/{run_id}/verify", headers=await allocation.admin_headers()
        )

        report = response.json()
        assert report["identical"] is False
        assert report["differences"] == [
            {"school_code": "0101", "field": "amount", "stored": "1.00", "recomputed": "2000.00"}
        ]


class TestCompareRuns:
    async def test_reports_eligibility_and_dollar_change(self, allocation: Harness) -> None:
        await seed_district(allocation)
        base_id = await create_run_id(allocation)
        other_id = await create_run_id(allocation, eligibility={"min_score": "0.70"})

        response = await allocation.client.get(
            f"/v1/runs/{base_id}/compare/{other_id}", headers=await allocation.admin_headers()
        )

        assert response.status_code == 200, response.text
        comparison = response.json()
        items = {item["school_code"]: item for item in comparison["items"]}
        assert items["0101"]["eligibility_change"] == "lost"
        assert items["0101"]["difference"] == "-2000.00"
        assert items["0102"]["eligibility_change"] == "unchanged"
        assert items["0102"]["amount_in_other"] == "8000.00"
        assert items["0105"]["difference"] == "0.00"
        totals = comparison["totals"]
        assert totals["difference"] == "0.00"
        assert totals["lost_eligibility"] == 2
        assert totals["gained_eligibility"] == 0
        assert totals["eligible_in_other"] == 2

    async def test_reverse_comparison_gains(self, allocation: Harness) -> None:
        await seed_district(allocation)
        base_id = await create_run_id(allocation, eligibility={"min_score": "0.70"})
        other_id = await create_run_id(allocation)

        comparison = (
            await allocation.client.get(
                f"/v1/runs/{base_id}/compare/{other_id}", headers=await allocation.admin_headers()
            )
        ).json()

        assert comparison["totals"]["gained_eligibility"] == 2
        assert comparison["totals"]["schools_with_less"] == 2

    async def test_unknown_run_is_404(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run_id = await create_run_id(allocation)

        response = await allocation.client.get(
            f"/v1/runs/{run_id}/compare/999999", headers=await allocation.admin_headers()
        )

        assert response.status_code == 404
