"""The real BPS files: the need-index sheet as the school list, then the PartnerBPS sample.

Expected figures come from reading the files independently of the import code.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from partnerfund_shared.testing import Harness
from tests.catalog_api.builders import writer_headers

pytestmark = pytest.mark.real_data

SCHOOL_LIST = "bps_opportunity_index_fy27.csv"
EXPORT = "partnerbps_partnership_records_sample.csv"
SUMNER = "4560"
ROBERTS = "4563"


def read_export(folder: Path) -> list[dict[str, str]]:
    with (folder / EXPORT).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


async def post_file(catalog: Harness, path: str, folder: Path, name: str, **form: str):  # type: ignore[no-untyped-def]
    return await catalog.client.post(
        path,
        files={"file": (name, (folder / name).read_bytes(), "text/csv")},
        data={"school_year": "2026", **form} if "partnerships" in path else form,
        headers=await writer_headers(catalog),
    )


async def load_schools(catalog: Harness, folder: Path) -> None:
    response = await post_file(catalog, "/v1/schools/import", folder, SCHOOL_LIST)
    assert response.status_code == 201, response.text
    assert response.json()["created"]["schools"] == 114


class TestRealPartnerBpsExport:
    async def test_strict_import_names_rows_without_rc_code(
        self, catalog: Harness, real_data_dir: Path
    ) -> None:
        await load_schools(catalog, real_data_dir)
        blank_rows = [
            number
            for number, row in enumerate(read_export(real_data_dir), start=2)
            if not row["rc_code"].strip()
        ]

        response = await post_file(catalog, "/v1/partnerships/import", real_data_dir, EXPORT)

        assert response.status_code == 422
        problem = response.json()
        assert len(blank_rows) == 2
        assert sorted(item["row"] for item in problem["errors"]) == blank_rows
        assert all(item["column"] == "rc_code" for item in problem["errors"])
        listed = await catalog.client.get("/v1/programs")
        assert listed.json()["total"] == 0

    async def test_skip_import_stores_the_catalog(self, catalog: Harness, real_data_dir: Path) -> None:
        await load_schools(catalog, real_data_dir)
        rows = read_export(real_data_dir)

        response = await post_file(
            catalog, "/v1/partnerships/import", real_data_dir, EXPORT, on_unmatched_school="skip"
        )

        assert response.status_code == 201, response.text
        result = response.json()
        assert result["rows"] == 610
        assert result["created"]["organizations"] == 88
        assert result["created"]["programs"] == 106
        skipped_rows = [item["row"] for item in result["skipped"]]
        assert skipped_rows == [
            number for number, row in enumerate(rows, start=2) if not row["rc_code"].strip()
        ]
        assert result["created"]["partnerships"] + len(result["repeats"]) == 608
        for repeat in result["repeats"]:
            assert repeat["first_row"] < repeat["row"]

    async def test_shared_rc_code_rows_go_to_sumner(self, catalog: Harness, real_data_dir: Path) -> None:
        await load_schools(catalog, real_data_dir)
        sumner_programs = {
            row["program_name"] for row in read_export(real_data_dir) if row["rc_code"] == "101420"
        }
        await post_file(catalog, "/v1/partnerships/import", real_data_dir, EXPORT, on_unmatched_school="skip")

        sumner = (await catalog.client.get(f"/v1/schools/{SUMNER}")).json()
        roberts = (await catalog.client.get(f"/v1/schools/{ROBERTS}")).json()

        assert len(sumner_programs) == 3
        assert sumner["partnership_count"] == 3
        names = {entry["program"]["name"] for group in sumner["areas"] for entry in group["partnerships"]}
        assert names == sumner_programs
        assert roberts["partnership_count"] == 0

    async def test_area_spellings_merge_into_six_areas(self, catalog: Harness, real_data_dir: Path) -> None:
        await load_schools(catalog, real_data_dir)
        spellings = {
            part.strip()
            for row in read_export(real_data_dir)
            for part in row["program_areas"].split(";")
            if part.strip()
        }
        await post_file(catalog, "/v1/partnerships/import", real_data_dir, EXPORT, on_unmatched_school="skip")

        facets = (await catalog.client.get("/v1/programs")).json()["facets"]

        assert len(spellings) == 7
        areas = [facet["value"] for facet in facets["area"]]
        assert len(areas) == 6
        assert "Social, Emotional & Behavioral Health" in areas
        assert "Social Emotional & Behavioral Health" not in areas

    async def test_literacy_search_finds_literacy_programs(
        self, catalog: Harness, real_data_dir: Path
    ) -> None:
        await load_schools(catalog, real_data_dir)
        rows = read_export(real_data_dir)
        expected = {
            row["program_name"]
            for row in rows
            if row["rc_code"].strip()
            and any(
                "literacy" in text.lower().replace("/", " ").split()
                for text in [
                    row["program_name"],
                    row["organization_name"],
                    *row["program_areas"].split(";"),
                    *row["program_subareas"].split(";"),
                ]
            )
        }
        await post_file(catalog, "/v1/partnerships/import", real_data_dir, EXPORT, on_unmatched_school="skip")

        response = await catalog.client.get("/v1/programs", params={"q": "literacy", "limit": 200})

        found = {item["name"] for item in response.json()["items"]}
        assert expected
        assert found == expected

    async def test_school_page_lists_its_programs(self, catalog: Harness, real_data_dir: Path) -> None:
        await load_schools(catalog, real_data_dir)
        # Boston Latin School: RC code 101612, one school code in the sheet.
        expected = {row["program_name"] for row in read_export(real_data_dir) if row["rc_code"] == "101612"}
        await post_file(catalog, "/v1/partnerships/import", real_data_dir, EXPORT, on_unmatched_school="skip")

        page = (await catalog.client.get("/v1/schools/1010")).json()

        assert page["name"] == "Boston Latin School"
        assert page["neighborhood"]
        listed = {entry["program"]["name"] for group in page["areas"] for entry in group["partnerships"]}
        assert expected
        assert listed == expected
        assert page["partnership_count"] == len(expected)

    async def test_reimport_creates_nothing(self, catalog: Harness, real_data_dir: Path) -> None:
        await load_schools(catalog, real_data_dir)
        first = await post_file(
            catalog, "/v1/partnerships/import", real_data_dir, EXPORT, on_unmatched_school="skip"
        )
        assert first.status_code == 201

        second = await post_file(
            catalog, "/v1/partnerships/import", real_data_dir, EXPORT, on_unmatched_school="skip"
        )

        assert second.status_code == 201, second.text
        result = second.json()
        assert result["created"] == {
            "schools": 0, "organizations": 0, "programs": 0, "partnerships": 0
        }  # fmt: skip
        assert result["updated"] == {
            "schools": 0, "organizations": 0, "programs": 0, "partnerships": 0
        }  # fmt: skip
        assert result["unchanged"]["programs"] == 106
        assert result["unchanged"]["organizations"] == 88
