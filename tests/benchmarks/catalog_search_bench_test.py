"""Catalog benchmark on PostgreSQL: search and school pages under 50 concurrent clients.

Generates 2,000 organizations, 10,000 programs and 100,000 partnerships: 1,000 schools with 100
partnerships each, where real BPS schools have about 28. It serves the catalog API with uvicorn
on loopback and drives it with one httpx client running 50 concurrent request loops for a fixed
time. It prints p50, p95 and p99 latency and requests per second for a search (one word and two
filters) and for school pages, and the ratio of each throughput to a bare FastAPI endpoint that
returns a constant, served and measured the same way in the same run. Client and server share
the machine's cores. Runs under `make bench` only, against TEST_DATABASE_URL or the local server.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import asyncpg
import httpx
import pytest

from catalog_api.service import MIGRATIONS
from catalog_api.text import fold, match_key
from partnerfund_shared.testing import (
    free_port,
    postgres_admin_dsn,
    recreate_postgres_database,
    start_module,
)

DATABASE_NAME = "pf_catalog_bench"
DEFAULT_SERVER_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ORGANIZATION_COUNT = 2_000
PROGRAM_COUNT = 10_000
SCHOOL_COUNT = 1_000
PARTNERSHIPS_PER_SCHOOL = 100
SCHOOL_YEAR = 2026
CONCURRENCY = 50
WARMUP_SECONDS = 2.0
MEASURE_SECONDS = 10.0
# Targets on the 2-core reference machine.
SEARCH_P95_TARGET_MS = 50.0
THROUGHPUT_RATIO_TARGET = 0.40

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]

# Words program names and descriptions are drawn from; each occurs in roughly 1 in 40 programs.
TOPICS = [
    "robotics", "soccer", "chess", "poetry", "coding", "mural", "gardening", "debate", "jazz",
    "theater", "swimming", "mentoring", "tutoring", "astronomy", "photography", "ballet",
    "drumming", "cooking", "sailing", "filmmaking", "journalism", "engineering", "biology",
    "leadership", "wellness", "yoga", "basketball", "orchestra", "ceramics", "literacy",
    "algebra", "geometry", "podcasting", "fencing", "rowing", "design", "storytelling",
    "entrepreneurship", "hiking", "chemistry",
]  # fmt: skip
NEIGHBORHOODS = ["Roxbury", "Dorchester", "Jamaica Plain", "East Boston", "Hyde Park", "Mattapan"]


def server_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or DEFAULT_SERVER_URL


async def server_reachable(url: str) -> bool:
    try:
        connection = await asyncpg.connect(postgres_admin_dsn(url), timeout=5)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def seed(database_url: str) -> dict[str, list[int]]:
    """Insert the generated catalog with COPY; return the term ids the searches filter by."""
    generator = random.Random(20261204)
    connection = await asyncpg.connect(postgres_admin_dsn(database_url))
    try:
        terms = await connection.fetch("SELECT id, kind, value, parent_id FROM vocabulary_terms")
        by_kind: dict[str, list[asyncpg.Record]] = {}
        for term in terms:
            by_kind.setdefault(term["kind"], []).append(term)
        parents = {term["id"]: term["parent_id"] for term in terms}
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        timestamp = await connection.fetchval("SELECT $1::text::timestamptz", now)

        await connection.copy_records_to_table(
            "organizations",
            columns=["id", "name", "name_key", "nonprofit_status", "created_at", "updated_at"],
            records=[
                (number, f"Partner {number}", f"partner {number}", "nonprofit", timestamp, timestamp)
                for number in range(1, ORGANIZATION_COUNT + 1)
            ],
        )

        programs = []
        program_terms = []
        for number in range(1, PROGRAM_COUNT + 1):
            topics = generator.sample(TOPICS, 2)
            name = f"{topics[0].title()} Lab {number}"
            description = f"A {topics[1]} program for students, with {topics[0]} every week."
            chosen = [
                *generator.sample(by_kind["program_area"], 1),
                *generator.sample(by_kind["program_subarea"], 2),
                *generator.sample(by_kind["time_of_day"], 1),
                *generator.sample(by_kind["language"], 1),
            ]
            first_grade = generator.randrange(0, 10)
            grades = sorted(by_kind["grade"], key=lambda term: term["id"])[first_grade : first_grade + 5]
            chosen.extend(grades)
            labels = " ".join(term["value"] for term in chosen if term["kind"].startswith("program"))
            organization_id = (number - 1) % ORGANIZATION_COUNT + 1
            programs.append(
                (
                    number, organization_id, name, match_key(name), fold(name), description,
                    generator.choice(["yes", "no", "unknown"]), "approved",
                    fold(f"{name} Partner {organization_id} {description} {labels}"),
                    timestamp, timestamp,
                )
            )  # fmt: skip
            chosen_ids = {term["id"] for term in chosen}
            implied = {parents[term_id] for term_id in chosen_ids if parents[term_id]} - chosen_ids
            program_terms.extend((number, term_id, False) for term_id in chosen_ids)
            program_terms.extend((number, term_id, True) for term_id in implied)
        await connection.copy_records_to_table(
            "programs",
            columns=[
                "id",
                "organization_id",
                "name",
                "name_key",
                "sort_name",
                "description",
                "fees",
                "status",
                "search_text",
                "created_at",
                "updated_at",
            ],
            records=programs,
        )
        await connection.copy_records_to_table(
            "program_terms", columns=["program_id", "term_id", "implied"], records=program_terms
        )

        await connection.copy_records_to_table(
            "schools",
            columns=["id", "school_code", "name", "neighborhood", "grades", "created_at", "updated_at"],
            records=[
                (
                    number,
                    f"{number + 1000:04d}",
                    f"School {number}",
                    NEIGHBORHOODS[number % len(NEIGHBORHOODS)],
                    "[]",
                    timestamp,
                    timestamp,
                )
                for number in range(1, SCHOOL_COUNT + 1)
            ],
        )
        partnerships = []
        for school in range(1, SCHOOL_COUNT + 1):
            for program in generator.sample(range(1, PROGRAM_COUNT + 1), PARTNERSHIPS_PER_SCHOOL):
                partnerships.append(
                    (len(partnerships) + 1, school, program, SCHOOL_YEAR, generator.randrange(10, 200),
                     '["3", "4", "5"]', '["Monday", "Wednesday"]', timestamp, timestamp)
                )  # fmt: skip
        await connection.copy_records_to_table(
            "partnerships",
            columns=[
                "id",
                "school_id",
                "program_id",
                "school_year",
                "service_capacity",
                "grades",
                "days",
                "created_at",
                "updated_at",
            ],
            records=partnerships,
        )
        for table in ["organizations", "programs", "schools", "partnerships"]:
            await connection.execute(
                # Table names come from the fixed list above.
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
        # A steady state, as autovacuum leaves it: statistics current and no GIN pending list.
        await connection.execute("VACUUM ANALYZE")
        return {
            "area": [term["id"] for term in by_kind["program_area"]],
            "grade": [term["id"] for term in by_kind["grade"]],
        }
    finally:
        await connection.close()


@dataclass
class Figures:
    name: str
    latencies: list[float]
    seconds: float
    errors: int

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    def line(self) -> str:
        return (
            f"  {self.name:<28} p50 {self.percentile(0.50):7.1f} ms  "
            f"p95 {self.percentile(0.95):7.1f} ms  p99 {self.percentile(0.99):7.1f} ms  "
            f"{self.rate:8.1f} req/s  errors {self.errors}"
        )


async def measure(name: str, base_url: str, make_path: Callable[[random.Random], str]) -> Figures:
    """Run CONCURRENCY request loops for WARMUP_SECONDS, then MEASURE_SECONDS, on one client."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0) as client:
        start = time.perf_counter()
        measure_from = start + WARMUP_SECONDS
        stop_at = measure_from + MEASURE_SECONDS

        async def loop(seed_number: int) -> None:
            nonlocal errors
            generator = random.Random(seed_number)
            while (now := time.perf_counter()) < stop_at:
                response = await client.get(make_path(generator))
                finished = time.perf_counter()
                if now >= measure_from:
                    if response.status_code == 200:
                        latencies.append(finished - now)
                    else:
                        errors += 1

        await asyncio.gather(*(loop(number) for number in range(CONCURRENCY)))
    return Figures(name, latencies, MEASURE_SECONDS, errors)


def search_path(generator: random.Random) -> str:
    word = generator.choice(TOPICS)
    grade = generator.choice(["K2", "1", "2", "3", "4", "5", "6", "7", "8"])
    area = generator.choice(
        ["Arts Programming", "Academic Support & Enrichment", "Physical Health & Wellness"]
    )
    return "/v1/programs?" + urlencode({"q": word, "grade": grade, "area": area})


def school_path(generator: random.Random) -> str:
    return f"/v1/schools/{generator.randrange(1, SCHOOL_COUNT + 1) + 1000:04d}"


def test_catalog_search_and_school_pages(tmp_path: Path) -> None:
    url = server_url()
    if not asyncio.run(server_reachable(url)):
        pytest.skip(f"no PostgreSQL server answers at {url}; set TEST_DATABASE_URL")

    database_url = asyncio.run(recreate_postgres_database(url, DATABASE_NAME))
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(MIGRATIONS.upgrade, database_url).result()
    asyncio.run(seed(database_url))

    catalog_port, bare_port = free_port(), free_port()
    environment = {
        "CATALOG_DATABASE__URL": database_url,
        "CATALOG_DATABASE__POOL_SIZE": "20",
        "CATALOG_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPOSITORY_ROOT),
    }
    uvicorn_options = ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"]
    catalog = start_module(
        "uvicorn",
        ["--factory", "catalog_api.app:create_app", "--port", str(catalog_port), *uvicorn_options],
        environment,
        tmp_path / "catalog.log",
        health_url=f"http://127.0.0.1:{catalog_port}/healthz",
        cwd=REPOSITORY_ROOT,
    )
    bare = start_module(
        "uvicorn",
        ["tests.benchmarks.catalog_bare_app:app", "--port", str(bare_port), *uvicorn_options],
        environment,
        tmp_path / "bare.log",
        health_url=None,
        cwd=REPOSITORY_ROOT,
    )
    try:
        from partnerfund_shared.testing import wait_for_http

        wait_for_http(f"http://127.0.0.1:{bare_port}/constant", process=bare.process)
        bare_figures = asyncio.run(
            measure("bare constant endpoint", f"http://127.0.0.1:{bare_port}", lambda _: "/constant")
        )
        search_figures = asyncio.run(
            measure("search word + 2 filters", f"http://127.0.0.1:{catalog_port}", search_path)
        )
        school_figures = asyncio.run(measure("school page", f"http://127.0.0.1:{catalog_port}", school_path))
    finally:
        catalog.stop()
        bare.stop()

    print()
    print(
        f"catalog benchmark: {ORGANIZATION_COUNT:,} organizations, {PROGRAM_COUNT:,} programs, "
        f"{SCHOOL_COUNT * PARTNERSHIPS_PER_SCHOOL:,} partnerships; {CONCURRENCY} clients, "
        f"{MEASURE_SECONDS:.0f} s each, Python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    for figures in [bare_figures, search_figures, school_figures]:
        print(figures.line())
    for figures in [search_figures, school_figures]:
        print(
            f"  {figures.name:<28} throughput / bare {figures.rate / bare_figures.rate:6.2f}   "
            f"target >= {THROUGHPUT_RATIO_TARGET:.2f}"
        )
    print(f"  search p95 target < {SEARCH_P95_TARGET_MS:.0f} ms")

    assert bare_figures.errors == 0
    assert search_figures.errors == 0
    assert school_figures.errors == 0
    assert search_figures.latencies
    assert school_figures.latencies
