"""The FY27 cycle over the real BPS files, from the cycle command to the mail in an SMTP sink.

The three APIs, the notifier worker and the project's mail sink run as real processes on
loopback. The cycle command runs as a subprocess, as a budget officer runs it. The need-index
sheet is both the school list and the scores. Enrollment comes from the DESE school file
without its row that has no school code, and every school in the sheet has one leader contact.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from partnerfund_shared.testing import free_port
from tests.e2e.conftest import Platform
from tests.e2e.real_cycle_support import (
    FISCAL_YEAR,
    SCHOOLS_FILE,
    leader_address,
    need_index_school_codes,
    wait_for_messages,
    wait_for_port,
    write_cycle_file,
    write_enrollment_with_codes,
    write_leader_contacts,
)

pytestmark = pytest.mark.e2e

POOL = Decimal("6000000.00")
ELIGIBLE_SCHOOLS = 51
ELIGIBLE_STUDENTS = 18_856
# Schools at or above 0.56 that have no row in the enrollment file.
WITHOUT_ENROLLMENT = ("1410", "1991", "4123", "4345")


def format_money(amount: Decimal) -> str:
    """Write dollars as the notifier's messages do: Decimal("1234.5") -> "$1,234.50"."""
    return f"${amount:,.2f}"


def left_out_schools(output: str) -> dict[str, str]:
    """Return school code to reason for the schools under the output's "left out" header."""
    lines = output.splitlines()
    header = next((index for index, line in enumerate(lines) if "left out for missing data" in line), None)
    if header is None:
        return {}
    schools = {}
    for line in lines[header + 1 :]:
        if not line.startswith("    "):
            break
        code, _, rest = line.strip().partition(" ")
        schools[code] = rest.rpartition(": ")[2]
    return schools


def run_cycle(platform: Platform, cycle_file: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PARTNERFUND_ALLOCATION_URL": platform.url("allocation"),
        "PARTNERFUND_CATALOG_URL": platform.url("catalog"),
        "PARTNERFUND_NOTIFIER_URL": platform.url("notifier"),
        "PARTNERFUND_API_KEY": platform.token,
    }
    return subprocess.run(
        [sys.executable, "-m", "partnerfund_shared.cycle", "cycle", "run", str(cycle_file), "--publish"],
        env=env,
        cwd=cycle_file.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def start_mail_pipeline(platform: Platform, mail_dir: Path) -> None:
    """Start the mail sink, then a worker that sends through it."""
    smtp_port = free_port()
    platform.start_extra(
        "mailsink", "notifier", ["mailsink", "--port", str(smtp_port), "--dir", str(mail_dir)], {}
    )
    wait_for_port(smtp_port)
    platform.start_extra(
        "worker",
        "notifier",
        ["worker"],
        {
            "NOTIFIER_SMTP__HOST": "127.0.0.1",
            "NOTIFIER_SMTP__PORT": str(smtp_port),
            "NOTIFIER_WORKER_POLL_SECONDS": "0.2",
        },
    )


def read_published(platform: Platform) -> dict[str, Any]:
    response = httpx.get(
        f"{platform.url('allocation')}/v1/fiscal-years/{FISCAL_YEAR}/allocations",
        params={"fund": "partnership"},
        headers=platform.headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    published: dict[str, Any] = response.json()
    return published


class TestRealCycle:
    def test_cycle_publishes_and_mails_leaders(
        self, real_data_dir: Path, platform: Platform, tmp_path: Path
    ) -> None:
        inputs = tmp_path / "inputs"
        inputs.mkdir()
        mail_dir = tmp_path / "mail"
        school_codes = need_index_school_codes(real_data_dir)
        contacts = inputs / "leaders.csv"
        write_leader_contacts(school_codes, contacts)
        start_mail_pipeline(platform, mail_dir)

        # The school file as published has a row without a school code, so the enrollment step
        # names that row and stores nothing.
        cycle_file = write_cycle_file(real_data_dir, inputs, real_data_dir / SCHOOLS_FILE, contacts)
        rejected = run_cycle(platform, cycle_file)
        enrollment = inputs / "enrollment-sy2025-26-with-codes.csv"
        rows_without_code = write_enrollment_with_codes(real_data_dir, enrollment)
        assert rejected.returncode == 1, rejected.stdout + rejected.stderr
        assert "Step enrollment failed" in rejected.stderr, rejected.stderr
        assert len(rows_without_code) == 1, rows_without_code
        assert f"row {rows_without_code[0]}" in rejected.stderr, rejected.stderr
        assert "--from-step enrollment" in rejected.stderr, rejected.stderr

        # With that row removed, the whole cycle runs.
        cycle_file = write_cycle_file(real_data_dir, inputs, enrollment, contacts)
        result = run_cycle(platform, cycle_file)
        output = result.stdout + result.stderr

        # The command's summary.
        assert result.returncode == 0, output
        assert re.search(rf"eligible schools:\s+{ELIGIBLE_SCHOOLS}\b", result.stdout), output
        assert re.search(r"eligible students:\s+18,856\b", result.stdout), output
        assert re.search(r"total allocated:\s+\$6,000,000\.00\b", result.stdout), output
        left_out = left_out_schools(result.stdout)
        no_enrollment = sorted(code for code, reason in left_out.items() if "no enrollment" in reason)
        assert no_enrollment == list(WITHOUT_ENROLLMENT), output

        # The published allocation that the budget system reads.
        published = read_published(platform)
        eligible = [line for line in published["items"] if line["eligible"]]
        amounts = {line["school_code"]: Decimal(line["amount"]) for line in eligible}
        statuses = {line["school_code"]: line["status"] for line in published["items"]}
        assert Decimal(published["total"]) == POOL
        assert len(eligible) == ELIGIBLE_SCHOOLS
        assert sum(amounts.values(), Decimal(0)) == POOL
        assert sum(line["enrollment"] for line in eligible) == ELIGIBLE_STUDENTS
        for code in WITHOUT_ENROLLMENT:
            assert statuses.get(code) == "no_enrollment", (code, statuses.get(code))

        # The PartnerBPS sample in the public catalog.
        search = httpx.get(f"{platform.url('catalog')}/v1/programs", params={"q": "literacy"}, timeout=30)
        assert search.status_code == 200, search.text
        assert search.json()["items"], search.text

        # One release message per eligible school, to its leader, with its amount.
        messages = wait_for_messages(mail_dir, ELIGIBLE_SCHOOLS, timeout=60)
        worker_log = platform.processes["worker"].log_text()
        recipients = Counter(address for message in messages for address in message.recipients)
        expected_recipients = {leader_address(code) for code in amounts}
        ineligible_recipients = {leader_address(code) for code in school_codes if code not in amounts}
        assert len(messages) == ELIGIBLE_SCHOOLS, worker_log[-4000:]
        assert set(recipients) == expected_recipients
        assert max(recipients.values()) == 1, recipients.most_common(3)
        assert not set(recipients) & ineligible_recipients
        for message in messages:
            (address,) = message.recipients
            code = address.removeprefix("leader-").removesuffix("@example.org")
            amount = format_money(amounts[code])
            assert amount in message.subject, (code, message.subject)
            assert f"({code}) receives {amount}" in message.text, (code, message.text)
