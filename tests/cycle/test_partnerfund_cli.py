"""The `partnerfund` command line: sample-district, cycle check, hints and argument errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from partnerfund_shared.cycle.cli import app

REPOSITORY = Path(__file__).resolve().parents[2]
FY19_EXAMPLE = REPOSITORY / "deploy/cycles/fy19-example.toml"
runner = CliRunner()


def test_sample_district_writes_seven_files(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sample-district", "--out", str(tmp_path), "--seed", "3"])

    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "contacts.csv",
        "cycle.toml",
        "enrollment-fy28.csv",
        "need-index-fy28.csv",
        "partnerbps-partnership-overview.csv",
        "portfolio-fy28.csv",
        "schools.csv",
    ]
    assert "120 schools" in result.output
    assert "portfolio-fy28.csv: 75 programs" in result.output
    assert f"Run it with: uv run partnerfund cycle run {tmp_path / 'cycle.toml'} --publish" in result.output


def test_sample_district_takes_calendar_start(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sample-district", "--out", str(tmp_path), "--today", "2027-03-05"])

    assert result.exit_code == 0, result.output
    assert "cycle.toml: calendar from 2027-03-05" in result.output
    assert "send_at = 2027-03-05T09:00:00" in (tmp_path / "cycle.toml").read_text(encoding="utf-8")


def test_fresh_sample_passes_check(tmp_path: Path) -> None:
    runner.invoke(app, ["sample-district", "--out", str(tmp_path), "--seed", "3"])

    result = runner.invoke(app, ["cycle", "check", str(tmp_path / "cycle.toml")])

    assert result.exit_code == 0, result.output
    assert "every input file exists and every calendar time is ahead" in result.output


def test_check_lists_campaigns_of_example() -> None:
    result = runner.invoke(app, ["cycle", "check", str(FY19_EXAMPLE)])

    assert "budget_release: 'FY19 Partnership Fund budget release' at 2017-12-08T09:00" in result.output
    assert (
        "office_hours: 'Partnership Fund office hours' invitations at 2017-12-08T09:30, "
        "3 sessions from 2017-12-11T15:30"
    ) in result.output


def test_check_fails_on_missing_inputs() -> None:
    result = runner.invoke(app, ["cycle", "check", str(FY19_EXAMPLE)])

    assert result.exit_code == 1
    assert "inputs.school_list:" in result.output
    assert "inputs.portfolio:" in result.output


def test_check_lists_past_dates_by_campaign_and_key() -> None:
    result = runner.invoke(app, ["cycle", "check", str(FY19_EXAMPLE)])

    assert "Calendar times in the past:" in result.output
    assert (
        "budget_release: calendar.budget_release.send_at = 2017-12-08 09:00 is in the past" in result.output
    )
    assert (
        "office_hours: calendar.office_hours.sessions[0].starts_at = 2017-12-11 15:30 is in the past"
    ) in result.output
    assert (
        "technical_assistance: calendar.technical_assistance.sessions[3].starts_at = 2018-01-10 14:00"
    ) in result.output


def test_check_allows_past_dates_on_request() -> None:
    result = runner.invoke(app, ["cycle", "check", str(FY19_EXAMPLE), "--allow-past-dates"])

    assert "Calendar times in the past:" not in result.output
    assert "office_hours: not created, because every session is in the past" in result.output


def test_check_names_score_sheet_of_other_year(tmp_path: Path) -> None:
    runner.invoke(app, ["sample-district", "--out", str(tmp_path), "--today", date.today().isoformat()])
    cycle_file = tmp_path / "cycle.toml"
    text = cycle_file.read_text(encoding="utf-8").replace("fiscal_year = 2028", "fiscal_year = 2019")
    cycle_file.write_text(text, encoding="utf-8")

    result = runner.invoke(app, ["cycle", "check", str(cycle_file)])
    allowed = runner.invoke(app, ["cycle", "check", str(cycle_file), "--allow-other-year-scores"])

    assert result.exit_code == 1
    assert "Score sheet of another fiscal year:" in result.output
    assert "the column 'FY28 OI Score' of need-index-fy28.csv names FY28" in result.output
    assert allowed.exit_code == 0, allowed.output


def test_run_rejects_past_dates_before_any_request() -> None:
    # Every service URL points at a closed port, so a request would fail with another message.
    env = {
        "PARTNERFUND_ALLOCATION_URL": "http://127.0.0.1:9",
        "PARTNERFUND_CATALOG_URL": "http://127.0.0.1:9",
        "PARTNERFUND_NOTIFIER_URL": "http://127.0.0.1:9",
        "PARTNERFUND_API_KEY": "unused",
    }

    result = runner.invoke(app, ["cycle", "run", str(FY19_EXAMPLE), "--publish"], env=env)

    assert result.exit_code == 1
    assert "rejected before any step: the calendar has dates in the past" in result.output
    assert "calendar.office_hours.sessions[0].starts_at = 2017-12-11 15:30 is in the past" in result.output
    assert "The command sent no request to the services." in result.output
    assert f"Then run again: uv run partnerfund cycle run {FY19_EXAMPLE} --publish" in result.output


def test_run_rejects_unknown_step() -> None:
    result = runner.invoke(app, ["cycle", "run", str(FY19_EXAMPLE), "--from-step", "imports"])

    assert result.exit_code == 2
    assert "--from-step 'imports' is not a step" in result.output
    assert "portfolio" in result.output


def test_help_spells_command_with_uv_run() -> None:
    main_help = runner.invoke(app, ["--help"])
    cycle_help = runner.invoke(app, ["cycle", "--help"])

    assert "uv run partnerfund" in main_help.output
    assert "uv run partnerfund cycle run FILE --publish" in cycle_help.output
