"""ETag, Cache-Control and 304 on public reads, CORS for configured origins, open-data files."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest

from catalog_api.app import create_app
from catalog_api.service import SERVICE
from catalog_api.settings import Settings
from partnerfund_shared.testing import Harness, open_harness
from tests.catalog_api.builders import make_program
from tests.conftest import MigratedDatabases

ALLOWED_ORIGIN = "https://partnerbps.example.org"


@pytest.fixture
async def catalog_with_cors(databases: MigratedDatabases, backend: str) -> AsyncIterator[Harness]:
    url = databases.url("catalog", backend)

    def build():  # type: ignore[no-untyped-def]
        return create_app(
            Settings.model_validate({"database": {"url": url}, "cors_origins": [ALLOWED_ORIGIN]})
        )

    async with open_harness(SERVICE, build, url, backend) as harness:
        yield harness


class TestConditionalRequests:
    @pytest.mark.parametrize(
        "path", ["/v1/programs", "/v1/portfolio?fiscal_year=2028", "/v1/vocabularies/grade"]
    )
    async def test_public_reads_carry_validators(self, catalog: Harness, path: str) -> None:
        response = await catalog.client.get(path)

        assert response.status_code == 200
        assert response.headers["etag"].startswith('"')
        assert response.headers["cache-control"] == "public, max-age=300"

    async def test_matching_etag_gets_304(self, catalog: Harness) -> None:
        await make_program(catalog)
        first = await catalog.client.get("/v1/programs")

        second = await catalog.client.get("/v1/programs", headers={"If-None-Match": first.headers["etag"]})

        assert second.status_code == 304
        assert second.content == b""
        assert second.headers["etag"] == first.headers["etag"]

    async def test_weak_or_listed_etag_also_matches(self, catalog: Harness) -> None:
        etag = (await catalog.client.get("/v1/programs")).headers["etag"]

        response = await catalog.client.get("/v1/programs", headers={"If-None-Match": f'"other", W/{etag}'})

        assert response.status_code == 304

    async def test_changed_catalog_changes_the_etag(self, catalog: Harness) -> None:
        before = await catalog.client.get("/v1/programs")
        await make_program(catalog)

        after = await catalog.client.get("/v1/programs", headers={"If-None-Match": before.headers["etag"]})

        assert after.status_code == 200
        assert after.headers["etag"] != before.headers["etag"]


class TestCors:
    async def test_configured_origin_gets_cors_headers(self, catalog_with_cors: Harness) -> None:
        response = await catalog_with_cors.client.get("/v1/programs", headers={"Origin": ALLOWED_ORIGIN})

        assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
        assert "ETag" in response.headers["access-control-expose-headers"]

    async def test_other_origin_gets_none(self, catalog_with_cors: Harness) -> None:
        response = await catalog_with_cors.client.get(
            "/v1/programs", headers={"Origin": "https://elsewhere.example.com"}
        )

        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers

    async def test_preflight_from_configured_origin_is_allowed(self, catalog_with_cors: Harness) -> None:
        response = await catalog_with_cors.client.options(
            "/v1/programs",
            headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "GET"},
        )

        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED_ORIGIN

    async def test_no_configured_origins_means_no_cors(self, catalog: Harness) -> None:
        response = await catalog.client.get("/v1/programs", headers={"Origin": ALLOWED_ORIGIN})

        assert "access-control-allow-origin" not in response.headers


class TestOpenData:
    async def test_programs_csv_neutralises_formulas(self, catalog: Harness) -> None:
        await make_program(catalog, name='=HYPERLINK("http://x")', description="+1 chance", grades=["K1-1"])

        response = await catalog.client.get("/v1/open-data/programs.csv")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        assert "attachment" in response.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        (row,) = rows
        assert row["program_name"] == '\'=HYPERLINK("http://x")'
        assert row["description"] == "'+1 chance"
        assert row["grades"] == "K1; K2; 1"

    async def test_json_download_lists_approved_programs(self, catalog: Harness) -> None:
        await make_program(catalog, name="Public One")
        await make_program(catalog, name="Draft One", status="draft")

        response = await catalog.client.get("/v1/open-data/programs.json")

        assert [record["program_name"] for record in response.json()] == ["Public One"]
        assert response.headers["etag"]

    async def test_partnerships_download_is_offered(self, catalog: Harness) -> None:
        response = await catalog.client.get("/v1/open-data/partnerships.csv")

        assert response.status_code == 200
        header = response.content.decode("utf-8-sig").splitlines()[0]
        assert header.startswith("partnership_id,school_code,school_name")

    async def test_unknown_format_is_rejected(self, catalog: Harness) -> None:
        assert (await catalog.client.get("/v1/open-data/programs.xml")).status_code == 422


class TestHead:
    @pytest.mark.parametrize("path", ["/v1/programs", "/v1/open-data/programs.csv", "/healthz"])
    async def test_head_has_get_headers_without_body(self, catalog: Harness, path: str) -> None:
        await make_program(catalog)
        get = await catalog.client.get(path)

        head = await catalog.client.head(path)

        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers.get("etag") == get.headers.get("etag")

    async def test_head_on_post_only_route_is_405(self, catalog: Harness) -> None:
        response = await catalog.client.head("/v1/programs/1/status")

        assert response.status_code == 405
