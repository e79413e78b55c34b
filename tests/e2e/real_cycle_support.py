"""Inputs and mail reading for the cycle test over the real district files.

The real files are read from PARTNERFUND_REAL_DATA_DIR and never copied into the repository.
The enrollment copy and the contacts file are written into the test's temporary folder.
"""

from __future__ import annotations

import csv
import socket
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

NEED_INDEX_FILE = "bps_opportunity_index_fy27.csv"
SCHOOLS_FILE = "bps_schools_sy2025_26.csv"
PARTNERSHIPS_FILE = "partnerbps_partnership_records_sample.csv"

FISCAL_YEAR = 2027


def need_index_school_codes(data_dir: Path) -> list[str]:
    """Return the school codes of the need-index sheet, in file order."""
    with (data_dir / NEED_INDEX_FILE).open(encoding="utf-8-sig", newline="") as handle:
        return [row["School Code"].strip() for row in csv.DictReader(handle) if row["School Code"].strip()]


def write_enrollment_with_codes(data_dir: Path, target: Path) -> list[int]:
    """Copy the DESE school file without its rows that have no BPS school code.

    Return the file row numbers of the rows left out, counting the header as row 1.
    """
    with (data_dir / SCHOOLS_FILE).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fieldnames = list(reader.fieldnames or [])
        rows = list(reader)

    rows_with_code = [row for row in rows if row["bps_school_code"].strip()]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows_with_code)
    return [number for number, row in enumerate(rows, start=2) if not row["bps_school_code"].strip()]


def leader_address(school_code: str) -> str:
    return f"leader-{school_code}@example.org"


def write_leader_contacts(school_codes: list[str], target: Path) -> None:
    """Write a contacts file with one school leader per school code."""
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "email", "role", "school_code", "preferred_language"])
        for code in school_codes:
            writer.writerow([f"Leader of {code}", leader_address(code), "school_leader", code, "en"])


def write_cycle_file(data_dir: Path, folder: Path, enrollment: Path, contacts: Path) -> Path:
    """Write the FY27 cycle file over the real files, with a budget release sent at once.

    A second call overwrites the first file, as a user edits the cycle file between two runs.
    """
    text = f"""\
[cycle]
fiscal_year = {FISCAL_YEAR}
fund = "partnership"
name = "FY27 Partnership Fund (real BPS files)"

[policy]
pool = 6000000.00
eligibility = {{ min_score = 0.56 }}
weighting = {{ method = "flat" }}
exclude_incomplete = true

[inputs.school_list]
path = "{data_dir / NEED_INDEX_FILE}"

[inputs.scores]
path = "{data_dir / NEED_INDEX_FILE}"

[inputs.enrollment]
path = "{enrollment}"
columns = {{ school_code = "bps_school_code", enrollment = "total_enrollment_sy2026" }}

[inputs.partnerships]
path = "{data_dir / PARTNERSHIPS_FILE}"
on_unmatched_school = "skip"

[inputs.contacts]
path = "{contacts}"

[calendar.budget_release]
send_at = 2026-12-08T09:00:00
send_now = true
not_eligible = "skip"
audience = {{ roles = ["school_leader"] }}
"""
    path = folder / "fy27-real.toml"
    path.write_text(text, encoding="utf-8")
    return path


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    """Wait until something accepts TCP connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing accepted connections on 127.0.0.1:{port} within {timeout} s")


@dataclass(frozen=True)
class StoredMessage:
    path: Path
    message: EmailMessage

    @property
    def recipients(self) -> list[str]:
        return [address.addr_spec for address in self.message["To"].addresses]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, f"{self.path.name} has no text/plain part"
        return str(part.get_content())


def read_stored_messages(directory: Path) -> list[StoredMessage]:
    """Parse every complete `.eml` file the mail sink has stored in `directory`."""
    messages = []
    for path in sorted(directory.glob("*.eml")):
        parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(StoredMessage(path, parsed))
    return messages


def wait_for_messages(directory: Path, count: int, timeout: float = 60.0) -> list[StoredMessage]:
    """Poll `directory` until it contains `count` messages or `timeout` seconds pass.

    Wait one second more before reading the messages, so that a surplus message shows up too.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(list(directory.glob("*.eml"))) < count:
        time.sleep(0.25)
    time.sleep(1.0)
    return read_stored_messages(directory)
