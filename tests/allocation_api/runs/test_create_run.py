from __future__ import annotations

from decimal import Decimal

from partnerfund_shared.testing import Harness
from tests.allocation_api.builders import (
    all_lines,
    create_run,
    enrollment_csv,
    import_enrollment,
    seed_district,
)


class TestCreateRun:
    async def test_flat_run_splits_pool(self, allocation: Harness) -> None:
        await seed_district(allocation)

        response = await create_run(allocation)

        assert response.status_code == 201, response.text
        run = response.json()
        assert run["status"] == "draft"
        assert run["total"] == "10000.00"
        assert run["eligible_schools"] == 4
        assert run["eligible_enrollment"] == 1000
        assert run["fiscal_year"] == 2027
        assert len(run["content_hash"]) == 64
        assert run["published_at"] is None
        lines = {line["school_code"]: line for line in await all_lines(allocation, run["id"])}
        assert lines["0102"]["amount"] == "4000.00"
        assert lines["0105"]["amount"] == "0.00"
        assert lines["0105"]["eligible"] is False
        assert sum(Decimal(line["amount"]) for line in lines.values()) == Decimal("10000.00")

    async def test_defaults_to_newest_sets(self, allocation: Harness) -> None:
        ids = await seed_district(allocation)
        newer = await import_enrollment(allocation, enrollment_csv(overrides={"0101": 1000}))

        run = (await create_run(allocation)).json()

        assert run["need_index_set_id"] == ids["need_index_set_id"]
        assert run["enrollment_set_id"] == newer.json()["id"]
        assert run["policy"]["enrollment_set_id"] == newer.json()["id"]

    async def test_names_older_set(self, allocation: Harness) -> None:
        ids = await seed_district(allocation)
        await import_enrollment(allocation, enrollment_csv(overrides={"0101": 1000}))

        run = (await create_run(allocation, enrollment_set_id=ids["enrollment_set_id"])).json()

        assert run["enrollment_set_id"] == ids["enrollment_set_id"]
        assert run["eligible_enrollment"] == 1000


class TestRunModes:
    async def test_rate_mode_pays_per_pupil(self, allocation: Harness) -> None:
        await seed_district(allocation)

        response = await create_run(allocation, pool=None, mode="rate", rate="12.50")

        assert response.status_code == 201, response.text
        assert response.json()["total"] == "12500.00"
        lines = {line["school_code"]: line for line in await all_lines(allocation, response.json()["id"])}
        assert lines["0101"]["amount"] == "2500.00"
        assert lines["0101"]["per_pupil"] == "12.50"

    async def test_rate_mode_ceiling_prorates(self, allocation: Harness) -> None:
        await seed_district(allocation)

        response = await create_run(allocation, pool=None, mode="rate", rate="12.50", ceiling="5000.00")

        assert response.status_code == 201, response.text
        assert response.json()["total"] == "5000.00"

    async def test_tiers_weight_by_band(self, allocation: Harness) -> None:
        await seed_district(allocation)
        tiers = [{"min_score": "0.56", "weight": "1"}, {"min_score": "0.75", "weight": "2"}]

        response = await create_run(allocation, weighting={"method": "tiers", "tiers": tiers})

        assert response.status_code == 201, response.text
        lines = {line["school_code"]: line for line in await all_lines(allocation, response.json()["id"])}
        # Weights: 0101 200, 0102 800 (400 x 2), 0103 300, 0104 100, of 1,400 in all.
        assert lines["0102"]["weight"] == "800.0000"
        assert lines["0102"]["amount"] == "5714.00"
        assert sum(Decimal(line["amount"]) for line in lines.values()) == Decimal("10000.00")
