"""The cycle file: one fiscal year's fund, policy, input files and calendar, written in TOML.

The budget office edits one cycle file per year. Numbers in it are read as `Decimal`
(`pool = 5700000.00` is exact), dates and times without an offset are `America/New_York` wall
clock time, and relative input paths are resolved against the folder of the cycle file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationError,
    field_validator,
    model_validator,
)

from partnerfund_shared.schemas.allocation import DEFAULT_FUND, AllocationPolicy, Fund
from partnerfund_shared.tabular.forms import MissingSchoolCode
from partnerfund_shared.types import FiscalYear, SchoolCode

ContactRole = Literal["school_leader", "instructional_superintendent", "central_office", "partner"]

# Times written without an offset are wall-clock time in the district's time zone.
DISTRICT_TIME_ZONE = ZoneInfo("America/New_York")

# Set by the cycle command from the sets it imports, so a cycle file may not name them.
RUNNER_POLICY_FIELDS = ("fund", "need_index_set_id", "enrollment_set_id")


class CycleFileError(Exception):
    """The cycle file is missing, is not valid TOML, or breaks one of the rules below."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Inputs


class InputFile(_Strict):
    """One file to import: its path and an optional mapping of our field names to its headers."""

    path: Path
    columns: dict[str, str] = Field(
        default_factory=dict,
        description='Our field name to the file\'s header: {school_code = "bps_school_code"}.',
    )

    @field_validator("columns")
    @classmethod
    def _check_columns(cls, columns: dict[str, str]) -> dict[str, str]:
        for field_name, header in columns.items():
            if not header.strip():
                raise ValueError(f"columns.{field_name} names an empty header")
        return columns


class SchoolRowsInput(InputFile):
    """A file with one row per school: the school list or the enrollment."""

    on_missing_school_code: MissingSchoolCode = Field(
        default="reject",
        description="skip: import the rest and list the rows that have no school code.",
    )

    def form(self) -> dict[str, str]:
        """Return the upload's form fields; the default sends none, as before the option existed."""
        return {"on_missing_school_code": "skip"} if self.on_missing_school_code == "skip" else {}


class PartnershipsInput(InputFile):
    """The PartnerBPS "Partnership Overview" export."""

    on_unmatched_school: Literal["skip", "reject"] = Field(
        default="skip",
        description="skip: import the rest and list rows at sites that are not schools.",
    )


class CycleInputs(_Strict):
    school_list: SchoolRowsInput
    scores: InputFile
    enrollment: SchoolRowsInput
    partnerships: PartnershipsInput | None = None
    # Opportunity Portfolio decisions: organization_name, program_name, category, status and
    # optionally decided_on, one row per program.
    portfolio: InputFile | None = None
    contacts: InputFile | None = None

    def named_files(self) -> list[tuple[str, InputFile]]:
        files: list[tuple[str, InputFile | None]] = [
            ("school_list", self.school_list),
            ("scores", self.scores),
            ("enrollment", self.enrollment),
            ("partnerships", self.partnerships),
            ("portfolio", self.portfolio),
            ("contacts", self.contacts),
        ]
        return [(name, file) for name, file in files if file is not None]


# Calendar


class Audience(_Strict):
    """Recipients of a campaign: contacts with one of `roles`, optionally only some schools."""

    roles: list[ContactRole] = Field(min_length=1)
    school_codes: list[SchoolCode] = Field(default_factory=list)


class Release(_Strict):
    """A one-off mailing at `send_at`; `send_now` also sends it as soon as it is created."""

    send_at: datetime
    send_now: bool = False
    audience: Audience = Audience(roles=["school_leader"])


class BudgetRelease(Release):
    """The budget release, and whether schools below the threshold get a notice."""

    not_eligible: Literal["notify", "skip"] = Field(
        default="notify",
        description="notify: leaders of schools that are not eligible get a message saying so; "
        "skip: they get none.",
    )


class Session(_Strict):
    starts_at: datetime
    ends_at: datetime
    location: str | None = Field(default=None, min_length=1, max_length=300, description="Room and address.")
    video_link: HttpUrl | None = None
    capacity: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check_order(self) -> Session:
        if self.location is None and self.video_link is None:
            raise ValueError("give the session a location, a video_link or both")
        if self.ends_at <= self.starts_at:
            raise ValueError(
                f"session ends at {self.ends_at:%Y-%m-%d %H:%M}, not after its start "
                f"{self.starts_at:%Y-%m-%d %H:%M}"
            )
        if (self.starts_at.tzinfo is None) != (self.ends_at.tzinfo is None):
            raise ValueError("write both times of a session with an offset, or both without")
        return self


class EventSeries(_Strict):
    """Sessions people are invited to, with reminders before each one."""

    title: str = Field(min_length=1)
    invite_at: datetime | None = Field(
        default=None,
        description="When the invitations go out; by default 30 minutes after the budget release "
        "goes out, so they follow it.",
    )
    sessions: list[Session] = Field(min_length=1)
    reminders: list[str] = Field(
        default_factory=lambda: ["P1D", "PT1H"],
        description='ISO 8601 durations before each session: "P1D" is one day, "PT1H" one hour.',
    )
    audience: Audience = Audience(roles=["school_leader"])

    @model_validator(mode="after")
    def _check_invitation_time(self) -> EventSeries:
        first_start = min(district_time(session.starts_at) for session in self.sessions)
        if self.invite_at is not None and district_time(self.invite_at) >= first_start:
            raise ValueError(
                f"invite_at {self.invite_at:%Y-%m-%d %H:%M} is not before the first session, "
                f"which starts at {first_start:%Y-%m-%d %H:%M}"
            )
        return self


class TechnicalAssistance(EventSeries):
    """The technical-assistance window and the sessions held inside it."""

    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _check_window(self) -> TechnicalAssistance:
        if self.ends_on < self.starts_on:
            raise ValueError(f"window ends on {self.ends_on}, before it starts on {self.starts_on}")
        for session in self.sessions:
            day = session.starts_at.date()
            if not self.starts_on <= day <= self.ends_on:
                raise ValueError(f"session on {day} is outside the window {self.starts_on} – {self.ends_on}")
        return self


class Calendar(_Strict):
    budget_release: BudgetRelease
    office_hours: EventSeries | None = None
    technical_assistance: TechnicalAssistance | None = None
    portfolio_release: Release | None = None


# The whole file


class CycleInfo(_Strict):
    fiscal_year: FiscalYear
    fund: Fund = DEFAULT_FUND
    name: str = Field(default="", description="Shown in the command's output.")


class CycleFile(_Strict):
    """A parsed and validated cycle file; `folder` is where relative input paths start."""

    cycle: CycleInfo
    policy: AllocationPolicy
    inputs: CycleInputs
    calendar: Calendar
    folder: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _attach_fund(cls, data: Any) -> Any:
        """Copy the cycle's fund into the policy, which the allocation API validates with it."""
        if not isinstance(data, dict):
            return data
        policy = data.get("policy")
        if isinstance(policy, dict):
            named = [field for field in RUNNER_POLICY_FIELDS if field in policy]
            if named:
                raise ValueError(
                    f"[policy] may not set {', '.join(named)}: the fund comes from [cycle] "
                    "and the score and enrollment sets from the imports"
                )
            cycle = data.get("cycle")
            fund = cycle.get("fund", DEFAULT_FUND) if isinstance(cycle, dict) else DEFAULT_FUND
            data = {**data, "policy": {**policy, "fund": fund}}
        return data

    @property
    def fiscal_year(self) -> int:
        return self.cycle.fiscal_year

    @property
    def fund(self) -> Fund:
        return self.cycle.fund

    @property
    def title(self) -> str:
        return self.cycle.name or f"FY{self.fiscal_year % 100:02d} {self.fund} fund"

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else Path(os.path.normpath(self.folder / path))

    def missing_files(self) -> list[str]:
        """List the input files that do not exist, as `inputs.<name>: <path>` lines."""
        return [
            f"inputs.{name}: {self.resolve(file.path)} does not exist"
            for name, file in self.inputs.named_files()
            if not self.resolve(file.path).is_file()
        ]


def district_time(moment: datetime) -> datetime:
    """Return `moment` with an offset: a time written without one is district wall-clock time."""
    return moment.replace(tzinfo=DISTRICT_TIME_ZONE) if moment.tzinfo is None else moment


def load_cycle_file(path: Path) -> CycleFile:
    """Read and validate a cycle file; raise `CycleFileError` listing every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CycleFileError(path, [f"cannot read the file: {error.strerror}"]) from error

    return parse_cycle_text(text, path)


def parse_cycle_text(text: str, path: Path) -> CycleFile:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise CycleFileError(path, [f"invalid TOML: {error}"]) from error

    try:
        return CycleFile.model_validate({**data, "folder": path.parent})
    except ValidationError as error:
        raise CycleFileError(path, describe_validation_error(error)) from error


def describe_validation_error(error: ValidationError) -> list[str]:
    """Turn pydantic's errors into `section.key: message` lines a budget officer can act on."""
    problems = []
    for item in error.errors(include_url=False):
        location = format_key(part for part in item["loc"] if not _is_union_tag(part))
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{location}: {message}" if location else message)
    return problems


def format_key(parts: Iterable[str | int]) -> str:
    """Write a location as a TOML reader names it: ("sessions", 0, "starts_at") is `sessions[0].starts_at`."""
    key = ""
    for part in parts:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else part
    return key


def _is_union_tag(part: object) -> bool:
    # Pydantic names the union member it tried, such as "MinScoreEligibility", in the location.
    return isinstance(part, str) and part[:1].isupper()
