"""The fiscal year's commitment list with its filters, and the CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import openpyxl

from tests.allocation_api.commitments.builders import FISCAL_YEAR, commitment_body
from tests.allocation_api.commitments.conftest import Peers

LIST = f"/v1/fiscal-years/{FISCAL_YEAR}/commitments"
SUMMARY = f"/v1/fiscal-years/{FISCAL_YEAR}/commitments/summary"


async def _propose(peers: Peers, school_code: str, program_id: int, amount: str, **extra: str) -> int:
    response = await peers.client.post(
        f"/v1/fiscal-years/{FISCAL_YEAR}/schools/{school_code}/commitments",
        headers=await peers.writer(),
        json=commitment_body(program_id, amount, **extra),
    )
    assert response.status_code == 201, response.text
    commitment_id: int = response.json()["id"]
    return commitment_id


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


class TestListCommitments:
    async def test_pages_follow_ids(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        ids = [await _propose(peers, "0101", program.program_id, "10.00") for _ in range(5)]
        headers = await peers.reader()

        seen: list[int] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, str | int] = {"limit": 2}
            if cursor is not None:
                params["cursor"] = cursor
            page = (await peers.client.get(LIST, headers=headers, params=params)).json()
            seen += [item["id"] for item in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break

        assert seen == ids
        assert pages == 3

    async def test_filters_narrow_the_list(self, peers: Peers) -> None:
        await peers.publish()
        reading = await peers.program(organization_name="Read Boston")
        science = await peers.program(organization_name="Science Club")
        adams = await _propose(peers, "0101", reading.program_id, "10.00")
        baker = await _propose(peers, "0202", science.program_id, "20.00")
        await peers.client.post(f"/v1/commitments/{baker}/cancel", headers=await peers.writer())
        headers = await peers.reader()

        async def ids(**params: str | int) -> list[int]:
            response = await peers.client.get(LIST, headers=headers, params=params)
            assert response.status_code == 200, response.text
            return [item["id"] for item in response.json()["items"]]

        assert await ids(school_code="0101") == [adams]
        assert await ids(status="cancelled") == [baker]
        assert await ids(organization_id=science.organization_id) == [baker]
        assert await ids(program_id=reading.program_id) == [adams]
        assert await ids(fund="school_support") == []
        assert await ids() == [adams, baker]

    async def test_invalid_cursor_is_422(self, peers: Peers) -> None:
        response = await peers.client.get(LIST, headers=await peers.reader(), params={"cursor": "abc"})

        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"] == ["query", "cursor"]

    async def test_limit_above_200_is_422(self, peers: Peers) -> None:
        response = await peers.client.get(LIST, headers=await peers.reader(), params={"limit": 201})

        assert response.status_code == 422


class TestCommitmentExports:
    async def test_csv_lists_every_commitment(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program(organization_name="Read Boston")
        first = await _propose(peers, "0101", program.program_id, "1250.50", note='=HYPERLINK("x")')
        await _propose(peers, "0202", program.program_id, "10.00")

        response = await peers.client.get(LIST, headers=await peers.reader(), params={"format": "csv"})

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert response.headers["content-disposition"] == (
            f'attachment; filename="commitments-fy{FISCAL_YEAR}.csv"'
        )
        rows = _csv_rows(response.content)
        assert [row["school_code"] for row in rows] == ["0101", "0202"]
        assert rows[0]["id"] == str(first)
        assert rows[0]["school_name"] == "Adams Elementary"
        assert rows[0]["organization_name"] == "Read Boston"
        assert rows[0]["amount"] == "1250.50"
        assert rows[0]["status"] == "proposed"
        # Text that a spreadsheet would run as a formula is prefixed with a quote.
        assert rows[0]["note"] == '\'=HYPERLINK("x")'
        assert rows[0]["created_at"].endswith("+00:00")

    async def test_xlsx_keeps_numbers_and_text(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program()
        await _propose(peers, "0101", program.program_id, "1250.50", note="=1+1")

        response = await peers.client.get(LIST, headers=await peers.reader(), params={"format": "xlsx"})

        assert response.status_code == 200
        assert response.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        header = [cell.value for cell in sheet[1]]
        values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
        assert Decimal(str(values["amount"])) == Decimal("1250.50")
        assert values["school_code"] == "0101"
        assert values["note"] == "=1+1"
        assert sheet["N2"].data_type == "s"
        assert isinstance(values["created_at"], datetime)

    async def test_summary_csv_by_school_and_organization(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program(organization_name="Read Boston")
        await _propose(peers, "0101", program.program_id, "1000.00")
        await _propose(peers, "0202", program.program_id, "500.00")
        headers = await peers.reader()

        by_school = await peers.client.get(SUMMARY, headers=headers, params={"format": "csv"})
        by_organization = await peers.client.get(
            SUMMARY, headers=headers, params={"format": "csv", "by": "organization"}
        )

        schools = _csv_rows(by_school.content)
        assert [(row["school_code"], row["committed"], row["remaining"]) for row in schools] == [
            ("0101", "1000.00", "4000.00"),
            ("0202", "500.00", "4500.00"),
        ]
        assert schools[0]["over_committed"] == "FALSE"
        organizations = _csv_rows(by_organization.content)
        assert [(row["organization_name"], row["committed"], row["schools"]) for row in organizations] == [
            ("Read Boston", "1500.00", "2")
        ]
        assert by_organization.headers["content-disposition"].endswith('-by-organization.csv"')

    async def test_summary_xlsx_by_organization(self, peers: Peers) -> None:
        await peers.publish()
        program = await peers.program(organization_name="Read Boston")
        await _propose(peers, "0101", program.program_id, "1000.00")

        response = await peers.client.get(
            SUMMARY, headers=await peers.reader(), params={"format": "xlsx", "by": "organization"}
        )

        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        assert sheet.title == f"FY{FISCAL_YEAR} by partner"
        assert [cell.value for cell in sheet[1]][:3] == ["organization_id", "organization_name", "committed"]
        assert sheet["B2"].value == "Read Boston"
        assert Decimal(str(sheet["C2"].value)) == Decimal("1000.00")

    async def test_unknown_format_is_422(self, peers: Peers) -> None:
        response = await peers.client.get(LIST, headers=await peers.reader(), params={"format": "pdf"})

        assert response.status_code == 422
