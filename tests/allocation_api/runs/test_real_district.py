"""The real BPS files, run through the public endpoints the way a budget officer would.

Skipped, with the reason, when PARTNERFUND_REAL_DATA_DIR does not name the folder of real files.
"""

from __future__ import annotations

import csv
import io
import random
from decimal import Decimal
from pathlib import Path

import pytest

from partnerfund_shared.testing import Harness
from tests.allocation_api.builders import all_lines, create_run, upload

pytestmark = pytest.mark.real_data

SCHOOLS_FILE = "bps_schools_sy2025_26.csv"
NEED_INDEX_FILE = "bps_opportunity_index_fy27.csv"
ENROLLMENT_COLUMNS = '{"school_code": "bps_school_code", "enrollment": "total_enrollment_sy2026"}'
INCOMPLETE_CODES = ["1410", "1991", "4123", "4345"]
FY27 = 2027


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file)
        header = next(reader)
        return header, list(reader)


def to_csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def without_blank_code(header: list[str], rows: list[list[str]]) -> list[list[str]]:
    code_index = header.index("bps_school_code")
    return [row for row in rows if row[code_index].strip()]


def shuffled(rows: list[list[str]], seed: int) -> list[list[str]]:
    copy = list(rows)
    random.Random(seed).shuffle(copy)
    return copy


async def import_real_inputs(
    allocation: Harness, folder: Path, *, seed: int | None = None
) -> tuple[int, int]:
    """Import the OI sheet as school list and scores, and the DESE file as enrollment."""
    need_header, need_rows = read_rows(folder / NEED_INDEX_FILE)
    school_header, school_rows = read_rows(folder / SCHOOLS_FILE)
    enrollment_rows = without_blank_code(school_header, school_rows)
    if seed is not None:
        need_rows = shuffled(need_rows, seed)
        enrollment_rows = shuffled(enrollment_rows, seed + 1)

    schools = await upload(allocation, "/v1/schools/import", to_csv(need_header, need_rows))
    assert schools.status_code == 201, schools.text
    scores = await upload(
        allocation,
        f"/v1/fiscal-years/{FY27}/need-index/import",
        to_csv(need_header, need_rows),
        filename=NEED_INDEX_FILE,
    )
    assert scores.status_code == 201, scores.text
    enrollment = await upload(
        allocation,
        f"/v1/fiscal-years/{FY27}/enrollment/import",
        to_csv(school_header, enrollment_rows),
        filename=SCHOOLS_FILE,
        columns=ENROLLMENT_COLUMNS,
    )
    assert enrollment.status_code == 201, enrollment.text
    return scores.json()["id"], enrollment.json()["id"]


def real_policy(**overrides: object) -> dict[str, object]:
    policy: dict[str, object] = {
        "pool": "6000000.00",
        "eligibility": {"min_score": "0.56"},
        "weighting": {"method": "flat"},
        "rounding": "dollar",
    }
    policy.update(overrides)
    return policy


class TestRealDistrict:
    async def test_school_list_as_is_names_row_without_code(
        self, allocation: Harness, real_data_dir: Path
    ) -> None:
        header, rows = read_rows(real_data_dir / SCHOOLS_FILE)
        code_index = header.index("bps_school_code")
        name_index = header.index("school_name")
        blank_rows = [number for number, row in enumerate(rows, start=2) if not row[code_index].strip()]
        assert len(blank_rows) == 1
        assert rows[blank_rows[0] - 2][name_index] == "Henderson K-12 Inclusion School Upper"

        response = await upload(
            allocation,
            "/v1/schools/import",
            (real_data_dir / SCHOOLS_FILE).read_bytes(),
            filename=SCHOOLS_FILE,
        )

        assert response.status_code == 422
        problem = response.json()
        assert [error["row"] for error in problem["errors"]] == blank_rows
        assert problem["errors"][0]["column"] == "bps_school_code"
        assert "Henderson K-12 Inclusion School Upper" in problem["errors"][0]["message"]
        listed = (await allocation.client.get("/v1/schools", headers=await allocation.admin_headers())).json()
        assert listed["items"] == []

    async def test_school_file_imports_with_skip_option(
        self, allocation: Harness, real_data_dir: Path
    ) -> None:
        content = (real_data_dir / SCHOOLS_FILE).read_bytes()
        skip = {"on_missing_school_code": "skip"}
        header, rows = read_rows(real_data_dir / SCHOOLS_FILE)
        code_index = header.index("bps_school_code")
        blank_rows = [number for number, row in enumerate(rows, start=2) if not row[code_index].strip()]

        schools = await upload(allocation, "/v1/schools/import", content, filename=SCHOOLS_FILE, form=skip)
        enrollment = await upload(
            allocation,
            f"/v1/fiscal-years/{FY27}/enrollment/import",
            content,
            filename=SCHOOLS_FILE,
            columns=ENROLLMENT_COLUMNS,
            form=skip,
        )

        assert schools.status_code == 201, schools.text
        assert enrollment.status_code == 201, enrollment.text
        for result in (schools.json(), enrollment.json()):
            skipped = [item for item in result["warnings"] if "row skipped" in item["message"]]
            assert result["rows"] == len(rows) - 1
            assert [item["row"] for item in skipped] == blank_rows
            assert skipped[0]["column"] == "bps_school_code"
            assert "Henderson K-12 Inclusion School Upper" in skipped[0]["message"]

    async def test_need_index_sheet_imports(self, allocation: Harness, real_data_dir: Path) -> None:
        content = (real_data_dir / NEED_INDEX_FILE).read_bytes()

        schools = await upload(allocation, "/v1/schools/import", content, filename=NEED_INDEX_FILE)
        scores = await upload(
            allocation, f"/v1/fiscal-years/{FY27}/need-index/import", content, filename=NEED_INDEX_FILE
        )

        assert schools.status_code == 201, schools.text
        assert schools.json()["rows"] == 114
        assert scores.status_code == 201, scores.text
        assert scores.json()["rows"] == 114
        warnings = scores.json()["warnings"]
        assert len(warnings) == 4
        assert {warning["column"] for warning in warnings} == {"FY27 OI Score"}
        score_set = await allocation.client.get(
            f"/v1/need-index-sets/{scores.json()['id']}", headers=await allocation.admin_headers()
        )
        assert score_set.json()["scored"] == 110
        assert score_set.json()["blank"] == 4

    async def test_run_rejects_incomplete_schools(self, allocation: Harness, real_data_dir: Path) -> None:
        await import_real_inputs(allocation, real_data_dir)

        response = await allocation.client.post(
            f"/v1/fiscal-years/{FY27}/runs",
            json=real_policy(),
            headers=await allocation.admin_headers(),
        )

        assert response.status_code == 422
        problem = response.json()
        assert problem["school_codes"] == INCOMPLETE_CODES
        for code in INCOMPLETE_CODES:
            assert code in problem["detail"]

    async def test_run_gives_published_figures(self, allocation: Harness, real_data_dir: Path) -> None:
        await import_real_inputs(allocation, real_data_dir)

        response = await create_run(allocation, fiscal_year=FY27, **real_policy(exclude_incomplete=True))

        assert response.status_code == 201, response.text
        run = response.json()
        assert run["eligible_schools"] == 51
        assert run["eligible_enrollment"] == 18856
        assert run["total"] == "6000000.00"
        excluded = {item["school_code"] for item in run["excluded"]}
        assert set(INCOMPLETE_CODES) <= excluded
        lines = await all_lines(allocation, run["id"])
        assert len(lines) == 114
        assert sum(Decimal(line["amount"]) for line in lines) == Decimal("6000000.00")
        assert all(Decimal(line["amount"]) % 1 == 0 for line in lines)

    async def test_shuffled_files_give_same_result(self, allocation: Harness, real_data_dir: Path) -> None:
        first_sets = await import_real_inputs(allocation, real_data_dir)
        second_sets = await import_real_inputs(allocation, real_data_dir, seed=2027)
        runs = []
        for score_set_id, enrollment_set_id in (first_sets, second_sets):
            policy = real_policy(
                exclude_incomplete=True,
                need_index_set_id=score_set_id,
                enrollment_set_id=enrollment_set_id,
            )
            response = await create_run(allocation, fiscal_year=FY27, **policy)
            assert response.status_code == 201, response.text
            runs.append(response.json()["id"])

        first, second = [await all_lines(allocation, run_id) for run_id in runs]

        assert second_sets != first_sets
        assert [(line["school_code"], line["amount"]) for line in first] == [
            (line["school_code"], line["amount"]) for line in second
        ]
        assert [line["explanation"] for line in first] == [line["explanation"] for line in second]
