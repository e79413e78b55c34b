from __future__ import annotations

import csv
import io

import openpyxl

from partnerfund_shared.testing import Harness
from tests.allocation_api.builders import (
    DEFAULT_SCHOOLS,
    create_run_id,
    publish,
    seed_district,
)

ALLOCATIONS = "/v1/fiscal-years/2027/allocations"


async def publish_default(allocation: Harness, **policy: object) -> int:
    await seed_district(allocation)
    run_id = await create_run_id(allocation, **policy)
    assert (await publish(allocation, run_id)).status_code == 200
    return run_id


class TestPublishedAllocation:
    async def test_missing_before_publish(self, allocation: Harness) -> None:
        await seed_district(allocation)
        await create_run_id(allocation)

        response = await allocation.client.get(ALLOCATIONS, headers=await allocation.admin_headers())

        assert response.status_code == 404

    async def test_returns_published_lines(self, allocation: Harness) -> None:
        run_id = await publish_default(allocation)

        response = await allocation.client.get(ALLOCATIONS, headers=await allocation.admin_headers())

        assert response.status_code == 200, response.text
        document = response.json()
        assert document["run_id"] == run_id
        assert document["fund"] == "partnership"
        assert document["total"] == "10000.00"
        assert len(document["items"]) == len(DEFAULT_SCHOOLS)
        assert response.headers["etag"].startswith('"')
        assert response.headers["cache-control"] == "no-cache"

    async def test_if_none_match_gives_304(self, allocation: Harness) -> None:
        await publish_default(allocation)
        headers = await allocation.admin_headers()
        first = await allocation.client.get(ALLOCATIONS, headers=headers)

        second = await allocation.client.get(
            ALLOCATIONS, headers={**headers, "If-None-Match": first.headers["etag"]}
        )

        assert second.status_code == 304
        assert second.content == b""
        assert second.headers["etag"] == first.headers["etag"]

    async def test_supersede_changes_etag(self, allocation: Harness) -> None:
        first_id = await publish_default(allocation)
        headers = await allocation.admin_headers()
        old_tag = (await allocation.client.get(ALLOCATIONS, headers=headers)).headers["etag"]
        second_id = await create_run_id(allocation, pool="12000.00")
        await publish(allocation, second_id, {"supersedes": first_id, "reason": "More money"})

        response = await allocation.client.get(ALLOCATIONS, headers={**headers, "If-None-Match": old_tag})

        assert response.status_code == 200
        assert response.json()["run_id"] == second_id
        assert response.json()["total"] == "12000.00"

    async def test_by_rc_code_sums_shared_codes(self, allocation: Harness) -> None:
        await publish_default(allocation)

        response = await allocation.client.get(
            ALLOCATIONS, params={"by": "rc_code"}, headers=await allocation.admin_headers()
        )

        totals = {item["rc_code"]: item for item in response.json()["items"]}
        shared = totals["101420"]
        assert shared["school_codes"] == ["0103", "0104"]
        assert shared["amount"] == "4000.00"
        assert shared["enrollment"] == 400
        assert response.json()["total"] == "10000.00"

    async def test_school_filter(self, allocation: Harness) -> None:
        await publish_default(allocation)

        response = await allocation.client.get(
            ALLOCATIONS, params={"school_code": "0102"}, headers=await allocation.admin_headers()
        )

        assert [item["school_code"] for item in response.json()["items"]] == ["0102"]

    async def test_other_fund_is_separate(self, allocation: Harness) -> None:
        await publish_default(allocation)

        response = await allocation.client.get(
            ALLOCATIONS, params={"fund": "school_support"}, headers=await allocation.admin_headers()
        )

        assert response.status_code == 404


class TestAllocationExports:
    async def test_csv_export(self, allocation: Harness) -> None:
        await publish_default(allocation)

        response = await allocation.client.get(
            ALLOCATIONS, params={"format": "csv"}, headers=await allocation.admin_headers()
        )

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "allocations_fy2027_partnership.csv" in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["school_code", "school_name", "rc_code"]
        assert rows[1][0] == "0101"
        assert rows[2][8] == "4000.00"

    async def test_csv_neutralises_formulas(self, allocation: Harness) -> None:
        schools = (("0101", '=HYPERLINK("http://x")', "101203", "0.70", 10),)
        await seed_district(allocation, schools=schools)
        run_id = await create_run_id(allocation)
        await publish(allocation, run_id)

        response = await allocation.client.get(
            ALLOCATIONS, params={"format": "csv"}, headers=await allocation.admin_headers()
        )

        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[1][1] == '\'=HYPERLINK("http://x")'

    async def test_xlsx_export(self, allocation: Harness) -> None:
        await publish_default(allocation)

        response = await allocation.client.get(
            ALLOCATIONS,
            params={"format": "xlsx", "by": "rc_code"},
            headers=await allocation.admin_headers(),
        )

        assert response.status_code == 200
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        rows = list(workbook.active.iter_rows(values_only=True))
        assert rows[0] == ("rc_code", "school_codes", "eligible_schools", "enrollment", "amount")
        shared = next(row for row in rows if row[0] == "101420")
        assert shared[1] == "0103;0104"

    async def test_export_has_etag(self, allocation: Harness) -> None:
        await publish_default(allocation)
        headers = await allocation.admin_headers()
        first = await allocation.client.get(ALLOCATIONS, params={"format": "csv"}, headers=headers)
        json_tag = (await allocation.client.get(ALLOCATIONS, headers=headers)).headers["etag"]

        second = await allocation.client.get(
            ALLOCATIONS,
            params={"format": "csv"},
            headers={**headers, "If-None-Match": first.headers["etag"]},
        )

        assert second.status_code == 304
        assert json_tag != first.headers["etag"]
