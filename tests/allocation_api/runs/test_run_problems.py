from __future__ import annotations

import pytest

from partnerfund_shared.testing import Harness
from tests.allocation_api.builders import (
    create_run,
    enrollment_csv,
    import_enrollment,
    import_schools,
    import_scores,
    make_policy,
    seed_district,
)


class TestRunProblems:
    async def test_no_eligible_school(self, allocation: Harness) -> None:
        await seed_district(allocation)

        response = await create_run(allocation, eligibility={"min_score": "0.99"})

        assert response.status_code == 422
        assert response.json()["type"].endswith("/no-eligible-school")

    async def test_floors_exceed_pool(self, allocation: Harness) -> None:
        await seed_district(allocation)

        response = await create_run(allocation, floor="3000.00")

        assert response.status_code == 422
        assert response.json()["type"].endswith("/floors-exceed-pool")
        assert "$12,000.00" in response.json()["detail"]

    @pytest.mark.parametrize("pool", ["0.00", "-5.00"])
    async def test_pool_not_positive(self, allocation: Harness, pool: str) -> None:
        await seed_district(allocation)

        response = await create_run(allocation, pool=pool)

        assert response.status_code == 422
        assert response.json()["type"].endswith("/pool-not-positive")

    async def test_incomplete_schools_named(self, allocation: Harness) -> None:
        await import_schools(allocation)
        await import_scores(allocation)
        await import_enrollment(allocation, enrollment_csv(leave_out=("0102", "0104")))

        response = await create_run(allocation, exclude_incomplete=False)

        assert response.status_code == 422
        problem = response.json()
        assert problem["type"].endswith("/incomplete-schools")
        assert problem["school_codes"] == ["0102", "0104"]
        assert [error["loc"] for error in problem["errors"]] == [["schools", "0102"], ["schools", "0104"]]

    async def test_excluding_incomplete_lists_them(self, allocation: Harness) -> None:
        await import_schools(allocation)
        await import_scores(allocation)
        await import_enrollment(allocation, enrollment_csv(leave_out=("0102",)))

        response = await create_run(allocation, exclude_incomplete=True)

        assert response.status_code == 201, response.text
        run = response.json()
        assert [item["school_code"] for item in run["excluded"]] == ["0102"]
        assert run["total"] == "10000.00"
        assert run["eligible_schools"] == 3

    async def test_year_without_scores(self, allocation: Harness) -> None:
        await seed_district(allocation)

        response = await create_run(allocation, fiscal_year=2030)

        assert response.status_code == 422
        assert response.json()["type"].endswith("/input-set-missing")

    async def test_set_of_other_year_rejected(self, allocation: Harness) -> None:
        ids = await seed_district(allocation)

        response = await create_run(allocation, fiscal_year=2028, **ids)

        assert response.status_code == 422

    async def test_float_amount_rejected(self, allocation: Harness) -> None:
        await seed_district(allocation)
        policy = make_policy()
        policy["pool"] = 10000.5

        response = await allocation.client.post(
            "/v1/fiscal-years/2027/runs", json=policy, headers=await allocation.admin_headers()
        )

        assert response.status_code == 422

    async def test_unknown_policy_field_rejected(self, allocation: Harness) -> None:
        await seed_district(allocation)

        response = await create_run(allocation, threshold="0.5")

        assert response.status_code == 422

    async def test_run_needs_write_scope(self, allocation: Harness) -> None:
        await seed_district(allocation)

        response = await allocation.client.post(
            "/v1/fiscal-years/2027/runs",
            json=make_policy(),
            headers=await allocation.headers_with("allocations:read"),
        )

        assert response.status_code == 403


class TestRunLines:
    async def test_lines_explain_and_filter(self, allocation: Harness) -> None:
        await seed_district(allocation)
        run = (await create_run(allocation)).json()

        response = await allocation.client.get(
            f"/v1/runs/{run['id']}/lines",
            params={"eligible": "true"},
            headers=await allocation.admin_headers(),
        )

        lines = response.json()["items"]
        assert [line["school_code"] for line in lines] == ["0101", "0102", "0103", "0104"]
        first = lines[0]
        assert first["weight"] == "200.0000"
        assert first["share"] == "0.2000000000"
        assert first["per_pupil"] == "10.00"
        assert "at or above the minimum of 0.56" in first["explanation"]

    async def test_list_runs_newest_first(self, allocation: Harness) -> None:
        await seed_district(allocation)
        first = (await create_run(allocation)).json()["id"]
        second = (await create_run(allocation, pool="500.00")).json()["id"]

        response = await allocation.client.get(
            "/v1/fiscal-years/2027/runs", params={"limit": 1}, headers=await allocation.admin_headers()
        )

        page = response.json()
        assert [run["id"] for run in page["items"]] == [second]
        assert page["next_cursor"] is not None
        assert first < second
