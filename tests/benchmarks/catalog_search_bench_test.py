"""Catalog benchmark on PostgreSQL: search and school pages under 50 concurrent connections.

Generates 2,000 organizations, 10,000 programs and 100,000 partnerships: 1,000 schools with 100
partnerships each, where real BPS schools have about 28. It serves the catalog API with uvicorn on
loopback and drives it with wrk (50 connections, one thread) for a fixed time, after a warm-up.
It prints p50, p95 and p99 latency and requests per second, and the ratio of each throughput to a
bare FastAPI endpoint that returns a constant, measured the same way in the same run, for:

- search (one word and two filters) and school pages with the response cache off, so that every
  request runs its queries;
- the same with the cache on, as the service ships, after every distinct path was requested once;
- search with the cache on where 1 request in 20 carries a new query string, so it misses.

Without wrk it falls back to a Python client in this process, which limits the figures itself, and
then does not check the targets. Runs under `make bench` only, against TEST_DATABASE_URL or the
local server.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import time
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
    ServiceProcess,
    free_port,
    postgres_admin_dsn,
    recreate_postgres_database,
    start_module,
    wait_for_http,
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
UVICORN_OPTIONS = ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"]
# wrk (Debian package `wrk`) is a load generator in C: it uses little of the CPU the server shares.
WRK = shutil.which("wrk")
# Share of searches in the mixed run that no cache can have seen (wrk only).
FRESH_SHARE = 0.05

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
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    seconds: float
    errors: int
    hit_ratio: float | None = None

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def line(self) -> str:
        hits = f"  cache hits {self.hit_ratio:6.1%}" if self.hit_ratio is not None else ""
        return (
            f"  {self.name:<34} p50 {self.p50_ms:7.1f} ms  p95 {self.p95_ms:7.1f} ms  "
            f"p99 {self.p99_ms:7.1f} ms  {self.rate:8.1f} req/s  errors {self.errors}{hits}"
        )


# wrk calls `request` for each request and `done` once; `done` prints one JSON line of figures.
# A share of requests gets an unused query parameter with a new value, as cache-busting clients
# send, so each of those is a cache miss that runs the full search.
WRK_SCRIPT = """
local paths = {%(paths)s}
local fresh_share = %(fresh_share)s
local next_path = 0
local fresh = 0
request = function()
  next_path = next_path %% #paths + 1
  local path = paths[next_path]
  if math.random() < fresh_share then
    fresh = fresh + 1
    path = path .. "&fresh=" .. fresh
  end
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'FIGURES {"p50": %%d, "p95": %%d, "p99": %%d, "requests": %%d, "micros": %%d, "errors": %%d}\\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.requests, summary.duration, errors))
end
"""


def wrk_script(paths: list[str], fresh_share: float) -> str:
    quoted = ", ".join(json.dumps(path) for path in paths)
    return WRK_SCRIPT % {"paths": quoted, "fresh_share": repr(fresh_share)}


def run_wrk(name: str, base_url: str, paths: list[str], folder: Path, fresh_share: float) -> Figures:
    """Warm up for WARMUP_SECONDS, then measure MEASURE_SECONDS with CONCURRENCY connections."""
    script = folder / f"{''.join(char if char.isalnum() else '_' for char in name)}.lua"
    script.write_text(wrk_script(paths, fresh_share))
    assert WRK is not None
    figures = None
    for seconds in [WARMUP_SECONDS, MEASURE_SECONDS]:
        completed = subprocess.run(
            [
                WRK,
                "-t1",
                f"-c{CONCURRENCY}",
                f"-d{seconds:.0f}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                base_url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = next(line for line in completed.stdout.splitlines() if line.startswith("FIGURES "))
    assert figures is not None
    values = json.loads(figures.removeprefix("FIGURES "))
    return Figures(
        name,
        values["p50"] / 1000,
        values["p95"] / 1000,
        values["p99"] / 1000,
        values["requests"],
        values["micros"] / 1_000_000,
        values["errors"],
    )


async def run_python_client(name: str, base_url: str, paths: list[str]) -> Figures:
    """The fallback without wrk: CONCURRENCY request loops on one httpx client, in this process."""
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    latencies: list[float] = []
    errors = 0
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30.0) as client:
        start = time.perf_counter()
        measure_from = start + WARMUP_SECONDS
        stop_at = measure_from + MEASURE_SECONDS

        async def loop(offset: int) -> None:
            nonlocal errors
            position = offset
            while (now := time.perf_counter()) < stop_at:
                response = await client.get(paths[position % len(paths)])
                position += CONCURRENCY
                finished = time.perf_counter()
                if now >= measure_from:
                    if response.status_code == 200:
                        latencies.append(finished - now)
                    else:
                        errors += 1

        await asyncio.gather(*(loop(number) for number in range(CONCURRENCY)))
    ordered = sorted(latencies) or [0.0]

    def percentile(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    return Figures(
        name, percentile(0.50), percentile(0.95), percentile(0.99), len(latencies), MEASURE_SECONDS, errors
    )


def measure(name: str, base_url: str, paths: list[str], folder: Path, fresh_share: float = 0.0) -> Figures:
    if WRK:
        return run_wrk(name, base_url, paths, folder, fresh_share)
    return asyncio.run(run_python_client(name, base_url, paths))


def cache_lookups(base_url: str) -> dict[str, float]:
    """Read the catalog's response cache counters from its /metrics page."""
    counts = {}
    for line in httpx.get(f"{base_url}/metrics", timeout=30).text.splitlines():
        if line.startswith("catalog_response_cache_lookups_total{"):
            outcome = line.split('outcome="', 1)[1].split('"', 1)[0]
            counts[outcome] = float(line.split()[-1])
    return counts


def measure_cached(
    name: str, base_url: str, paths: list[str], folder: Path, fresh_share: float = 0.0
) -> Figures:
    """Measure against the cache-enabled server, and record the share of lookups that hit."""
    before = cache_lookups(base_url)
    figures = measure(name, base_url, paths, folder, fresh_share)
    after = cache_lookups(base_url)
    delta = {outcome: after.get(outcome, 0) - before.get(outcome, 0) for outcome in after}
    lookups = sum(delta.values())
    figures.hit_ratio = delta.get("hit", 0) / lookups if lookups else 0.0
    return figures


def warm(base_url: str, paths: list[str]) -> None:
    """Request every distinct path once, so the cached runs start from a filled cache."""

    async def fetch_all() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
            distinct = sorted(set(paths))
            for start in range(0, len(distinct), 8):
                responses = await asyncio.gather(*(client.get(path) for path in distinct[start : start + 8]))
                assert all(response.status_code == 200 for response in responses)

    asyncio.run(fetch_all())


def search_paths(count: int) -> list[str]:
    """Random searches of one word and two filters; 40 words x 9 grades x 3 areas can occur."""
    generator = random.Random(7)
    paths = []
    for _ in range(count):
        word = generator.choice(TOPICS)
        grade = generator.choice(["K2", "1", "2", "3", "4", "5", "6", "7", "8"])
        area = generator.choice(
            ["Arts Programming", "Academic Support & Enrichment", "Physical Health & Wellness"]
        )
        paths.append("/v1/programs?" + urlencode({"q": word, "grade": grade, "area": area}))
    return paths


def school_paths(count: int) -> list[str]:
    generator = random.Random(11)
    return [f"/v1/schools/{generator.randrange(1, SCHOOL_COUNT + 1) + 1000:04d}" for _ in range(count)]


def start_catalog(database_url: str, folder: Path, name: str, extra: dict[str, str]) -> ServiceProcess:
    port = free_port()
    environment = {
        "CATALOG_DATABASE__URL": database_url,
        "CATALOG_DATABASE__POOL_SIZE": "20",
        "CATALOG_LOG_LEVEL": "WARNING",
        **extra,
    }
    return start_module(
        "uvicorn",
        ["--factory", "catalog_api.app:create_app", "--port", str(port), *UVICORN_OPTIONS],
        environment,
        folder / f"{name}.log",
        health_url=f"http://127.0.0.1:{port}/healthz",
        cwd=REPOSITORY_ROOT,
    )


def test_catalog_search_and_school_pages(tmp_path: Path) -> None:
    url = server_url()
    if not asyncio.run(server_reachable(url)):
        pytest.fail(f"no PostgreSQL server answers at {url}; set TEST_DATABASE_URL")

    database_url = asyncio.run(recreate_postgres_database(url, DATABASE_NAME))
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(MIGRATIONS.upgrade, database_url).result()
    asyncio.run(seed(database_url))
    searches = search_paths(5_000)
    schools = school_paths(5_000)

    bare_port = free_port()
    bare = start_module(
        "uvicorn",
        ["tests.benchmarks.catalog_bare_app:app", "--port", str(bare_port), *UVICORN_OPTIONS],
        {"PYTHONPATH": str(REPOSITORY_ROOT)},
        tmp_path / "bare.log",
        health_url=None,
        cwd=REPOSITORY_ROOT,
    )
    uncached = start_catalog(
        database_url, tmp_path, "catalog-uncached", {"CATALOG_RESPONSE_CACHE__ENABLED": "false"}
    )
    cached = start_catalog(database_url, tmp_path, "catalog-cached", {})
    try:
        wait_for_http(f"http://127.0.0.1:{bare_port}/constant", process=bare.process)
        assert uncached.base_url and cached.base_url
        bare_figures = measure(
            "bare constant endpoint", f"http://127.0.0.1:{bare_port}", ["/constant"], tmp_path
        )
        uncached_search = measure("search, cache off", uncached.base_url, searches, tmp_path)
        uncached_school = measure("school page, cache off", uncached.base_url, schools, tmp_path)
        uncached.stop()
        warm(cached.base_url, searches + schools)
        cached_search = measure_cached("search (default: cache on)", cached.base_url, searches, tmp_path)
        cached_school = measure_cached("school page (default: cache on)", cached.base_url, schools, tmp_path)
        mixed_search = measure_cached(
            "search, cache on, 1 in 20 new", cached.base_url, searches, tmp_path, FRESH_SHARE
        )
    finally:
        uncached.stop()
        cached.stop()
        bare.stop()

    client = "wrk, 1 thread" if WRK else "the Python fallback client (install wrk for comparable figures)"
    print()
    print(
        f"catalog benchmark: {ORGANIZATION_COUNT:,} organizations, {PROGRAM_COUNT:,} programs, "
        f"{SCHOOL_COUNT * PARTNERSHIPS_PER_SCHOOL:,} partnerships; {CONCURRENCY} connections, "
        f"{MEASURE_SECONDS:.0f} s each after {WARMUP_SECONDS:.0f} s of warm-up; client: {client}; "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores"
    )
    measured = [bare_figures, uncached_search, uncached_school, cached_search, cached_school, mixed_search]
    for figures in measured:
        print(figures.line())
    for figures in measured[1:]:
        print(
            f"  {figures.name:<34} throughput / bare {figures.rate / bare_figures.rate:6.2f}   "
            f"target >= {THROUGHPUT_RATIO_TARGET:.2f}"
        )
    print(f"  search p95 target < {SEARCH_P95_TARGET_MS:.0f} ms (default configuration)")

    for figures in measured:
        assert figures.errors == 0, figures.line()
        assert figures.requests > 0, figures.line()
    if not WRK:
        print("  targets not checked: the Python client, not the server, limits these figures")
        return
    # The targets apply to the service as it ships, with its response cache on.
    assert cached_search.p95_ms < SEARCH_P95_TARGET_MS, cached_search.line()
    assert cached_search.rate / bare_figures.rate >= THROUGHPUT_RATIO_TARGET, cached_search.line()
    assert cached_school.rate / bare_figures.rate >= THROUGHPUT_RATIO_TARGET, cached_school.line()
