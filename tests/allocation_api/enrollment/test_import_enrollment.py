from __future__ import annotations

from partnerfund_shared.testing import Harness
from tests.allocation_api.builders import csv_bytes, enrollment_csv, import_enrollment, import_schools


class TestImportEnrollment:
    async def test_creates_set_with_total(self, allocation: Harness) -> None:
        await import_schools(allocation)

        response = await import_enrollment(allocation)

        assert response.status_code == 201, response.text
        enrollment_set = await allocation.client.get(
            f"/v1/enrollment-sets/{response.json()['id']}", headers=await allocation.admin_headers()
        )
        assert enrollment_set.json()["total_enrollment"] == 1750
        assert enrollment_set.json()["version"] == 1

    async def test_thousands_separator_accepted(self, allocation: Harness) -> None:
        await import_schools(allocation)

        response = await import_enrollment(allocation, enrollment_csv(overrides={"0101": "1,234"}))

        assert response.status_code == 201, response.text
        counts = await allocation.client.get(
            f"/v1/enrollment-sets/{response.json()['id']}/counts",
            headers=await allocation.admin_headers(),
        )
        assert counts.json()["items"][0] == {"school_code": "0101", "enrollment": 1234}

    async def test_negative_and_fractional_rejected(self, allocation: Harness) -> None:
        await import_schools(allocation)

        response = await import_enrollment(
            allocation, enrollment_csv(overrides={"0102": "-3", "0104": "12.5"})
        )

        assert response.status_code == 422
        errors = response.json()["errors"]
        assert [(error["row"], error["value"]) for error in errors] == [(3, "-3"), (5, "12.5")]

    async def test_unknown_school_rejected(self, allocation: Harness) -> None:
        await import_schools(allocation)
        content = csv_bytes(("School Code", "Enrollment"), [("0101", "10"), ("0999", "5")])

        response = await import_enrollment(allocation, content)

        assert response.status_code == 422
        assert response.json()["errors"][0]["value"] == "0999"

    async def test_mapping_names_other_headers(self, allocation: Harness) -> None:
        await import_schools(allocation)
        content = csv_bytes(("bps_school_code", "students_oct_1"), [("0101", "10")])

        response = await import_enrollment(
            allocation,
            content,
            columns='{"school_code": "bps_school_code", "enrollment": "students_oct_1"}',
        )

        assert response.status_code == 201, response.text

    async def test_trailing_blank_rows_ignored(self, allocation: Harness) -> None:
        await import_schools(allocation)
        content = enrollment_csv() + b",\r\n , \r\n\r\n"

        response = await import_enrollment(allocation, content)

        assert response.status_code == 201, response.text
        assert response.json()["rows"] == 6
