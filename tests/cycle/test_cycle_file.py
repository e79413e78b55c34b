"""The cycle file: TOML parsing, exact decimals, path resolution and validation messages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from partnerfund_shared.cycle.config import (
    CycleFile,
    CycleFileError,
    load_cycle_file,
    parse_cycle_text,
)

REPOSITORY = Path(__file__).resolve().parents[2]
CYCLES = REPOSITORY / "deploy" / "cycles"

MINIMAL = """
[cycle]
fiscal_year = 2028

[policy]
pool = 5700000.00
eligibility = { min_score = 0.56 }
weighting = { method = "flat" }

[inputs.school_list]
path = "schools.csv"

[inputs.scores]
path = "scores.csv"

[inputs.enrollment]
path = "/data/enrollment.csv"
columns = { school_code = "bps_school_code", enrollment = "total_enrollment" }

[calendar.budget_release]
send_at = 2026-12-08T09:00:00
"""


def parse(text: str, folder: Path = Path("/cycles")) -> CycleFile:
    return parse_cycle_text(text, folder / "test.toml")


def problems_of(text: str) -> list[str]:
    with pytest.raises(CycleFileError) as raised:
        parse(text)
    return raised.value.problems


class TestShippedCycleFiles:
    def test_fy19_example_follows_rollout_calendar(self) -> None:
        cycle = load_cycle_file(CYCLES / "fy19-example.toml")
        calendar = cycle.calendar

        assert calendar.budget_release.send_at == datetime(2017, 12, 8, 9, 0)
        assert calendar.office_hours is not None
        office_days = {session.starts_at.date() for session in calendar.office_hours.sessions}
        assert office_days == {date(2017, 12, 11), date(2017, 12, 12), date(2017, 12, 13)}
        assert calendar.technical_assistance is not None
        assert calendar.technical_assistance.starts_on == date(2017, 12, 14)
        assert calendar.technical_assistance.ends_on == date(2018, 1, 11)
        assert calendar.portfolio_release is not None

    def test_fy19_example_names_portfolio_file(self) -> None:
        cycle = load_cycle_file(CYCLES / "fy19-example.toml")

        assert cycle.inputs.portfolio is not None
        assert cycle.inputs.portfolio.path == Path("fy19/portfolio-fy19.csv")
        assert [name for name, _ in cycle.inputs.named_files()][3:5] == ["partnerships", "portfolio"]

    def test_fy19_example_invitations_follow_release(self) -> None:
        cycle = load_cycle_file(CYCLES / "fy19-example.toml")

        assert cycle.calendar.office_hours is not None
        assert cycle.calendar.office_hours.invite_at is None


class TestParsing:
    def test_numbers_are_exact_decimals(self) -> None:
        cycle = parse(MINIMAL)

        assert isinstance(cycle.policy.pool, Decimal)
        assert str(cycle.policy.pool) == "5700000.00"

    def test_fund_copied_into_policy(self) -> None:
        cycle = parse(MINIMAL.replace("fiscal_year = 2028", 'fiscal_year = 2028\nfund = "school_support"'))

        assert cycle.fund == "school_support"
        assert cycle.policy.fund == "school_support"

    def test_rows_without_school_code_rejected_by_default(self) -> None:
        cycle = parse(MINIMAL)

        assert cycle.inputs.school_list.form() == {}
        assert cycle.inputs.enrollment.form() == {}

    def test_rows_without_school_code_may_be_skipped(self) -> None:
        text = MINIMAL.replace(
            'path = "/data/enrollment.csv"', 'path = "/data/enrollment.csv"\non_missing_school_code = "skip"'
        )

        cycle = parse(text)

        assert cycle.inputs.enrollment.form() == {"on_missing_school_code": "skip"}
        assert cycle.inputs.school_list.form() == {}
        assert problems_of(text.replace('"skip"', '"ignore"'))

    def test_relative_paths_start_at_cycle_folder(self, tmp_path: Path) -> None:
        cycle = parse(MINIMAL, tmp_path)

        assert cycle.resolve(cycle.inputs.school_list.path) == tmp_path / "schools.csv"
        assert cycle.resolve(cycle.inputs.enrollment.path) == Path("/data/enrollment.csv")

    def test_missing_files_are_listed(self, tmp_path: Path) -> None:
        (tmp_path / "schools.csv").write_text("School Code\n", encoding="utf-8")
        cycle = parse(MINIMAL, tmp_path)

        missing = cycle.missing_files()
        assert len(missing) == 2
        assert missing[0].startswith("inputs.scores:")
        assert missing[1].startswith("inputs.enrollment:")

    def test_optional_sections_default_to_none(self) -> None:
        cycle = parse(MINIMAL)

        assert cycle.inputs.partnerships is None
        assert cycle.inputs.contacts is None
        assert cycle.calendar.office_hours is None
        assert cycle.calendar.budget_release.audience.roles == ["school_leader"]

    def test_release_may_skip_ineligible_schools(self) -> None:
        cycle = parse(MINIMAL + 'not_eligible = "skip"\n')

        assert cycle.calendar.budget_release.not_eligible == "skip"

    def test_offset_times_keep_their_offset(self) -> None:
        cycle = parse(MINIMAL.replace("2026-12-08T09:00:00", "2026-12-08T14:00:00Z"))

        assert cycle.calendar.budget_release.send_at.utcoffset() is not None


class TestValidation:
    def test_invalid_toml_reported(self) -> None:
        problems = problems_of("[cycle\nfiscal_year = 2028")

        assert problems[0].startswith("invalid TOML")

    def test_unknown_key_rejected(self) -> None:
        problems = problems_of(MINIMAL.replace("[policy]", "[policy]\npol = 1"))

        assert any(problem.startswith("policy.pol:") for problem in problems)

    def test_policy_may_not_name_sets(self) -> None:
        problems = problems_of(MINIMAL.replace("[policy]", "[policy]\nneed_index_set_id = 3"))

        assert "need_index_set_id" in problems[0]

    def test_score_above_one_rejected(self) -> None:
        problems = problems_of(MINIMAL.replace("min_score = 0.56", "min_score = 1.56"))

        assert any("between 0 and 1" in problem for problem in problems)

    def test_pool_with_fractional_cents_rejected(self) -> None:
        problems = problems_of(MINIMAL.replace("5700000.00", "5700000.005"))

        assert any(problem.startswith("policy.pool") for problem in problems)

    def test_unknown_weighting_rejected(self) -> None:
        problems = problems_of(MINIMAL.replace('"flat"', '"equal"'))

        assert any(problem.startswith("policy.weighting.method") for problem in problems)

    def test_empty_column_header_rejected(self) -> None:
        problems = problems_of(MINIMAL.replace('enrollment = "total_enrollment"', 'enrollment = " "'))

        assert any("columns.enrollment names an empty header" in problem for problem in problems)

    def test_missing_budget_release_named(self) -> None:
        text = MINIMAL.replace("[calendar.budget_release]\nsend_at = 2026-12-08T09:00:00", "")

        problems = problems_of(text)

        assert problems == ["calendar: Field required"]

    def test_session_ending_before_start_rejected(self) -> None:
        text = (
            MINIMAL
            + """
[calendar.office_hours]
title = "Office hours"
[[calendar.office_hours.sessions]]
starts_at = 2026-12-11T15:30:00
ends_at = 2026-12-11T15:00:00
location = "Room 2A"
"""
        )
        problems = problems_of(text)

        assert len(problems) == 1
        assert problems[0].startswith("calendar.office_hours.sessions[0]:")
        assert "not after its start" in problems[0]

    def test_session_outside_window_rejected(self) -> None:
        text = (
            MINIMAL
            + """
[calendar.technical_assistance]
title = "Technical assistance"
starts_on = 2026-12-14
ends_on = 2027-01-11
[[calendar.technical_assistance.sessions]]
starts_at = 2027-01-12T14:00:00
ends_at = 2027-01-12T15:00:00
location = "Room 2A"
"""
        )
        problems = problems_of(text)

        assert len(problems) == 1
        assert "outside the window 2026-12-14 – 2027-01-11" in problems[0]

    def test_event_series_needs_a_session(self) -> None:
        text = MINIMAL + '\n[calendar.office_hours]\ntitle = "Office hours"\nsessions = []\n'

        problems = problems_of(text)

        assert any(problem.startswith("calendar.office_hours.sessions") for problem in problems)

    def test_unknown_role_rejected(self) -> None:
        text = MINIMAL + 'audience = { roles = ["principal"] }\n'

        problems = problems_of(text)

        assert any(problem.startswith("calendar.budget_release.audience.roles[0]") for problem in problems)

    def test_invitation_after_first_session_rejected(self) -> None:
        text = (
            MINIMAL
            + """
[calendar.office_hours]
title = "Office hours"
invite_at = 2026-12-11T16:00:00
[[calendar.office_hours.sessions]]
starts_at = 2026-12-11T15:30:00
ends_at = 2026-12-11T17:00:00
location = "Room 2A"
"""
        )
        problems = problems_of(text)

        assert len(problems) == 1
        assert problems[0].startswith("calendar.office_hours:")
        assert "invite_at 2026-12-11 16:00 is not before the first session" in problems[0]

    def test_invitation_time_is_read(self) -> None:
        text = (
            MINIMAL
            + """
[calendar.office_hours]
title = "Office hours"
invite_at = 2026-12-09T10:00:00
[[calendar.office_hours.sessions]]
starts_at = 2026-12-11T15:30:00
ends_at = 2026-12-11T17:00:00
location = "Room 2A"
"""
        )
        cycle = parse(text)

        assert cycle.calendar.office_hours is not None
        assert cycle.calendar.office_hours.invite_at == datetime(2026, 12, 9, 10, 0)

    def test_unreadable_file_reported(self, tmp_path: Path) -> None:
        with pytest.raises(CycleFileError) as raised:
            load_cycle_file(tmp_path / "missing.toml")

        assert raised.value.problems[0].startswith("cannot read the file")
