"""The `partnerfund` command line: sample-district, cycle check and argument errors."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from partnerfund_shared.cycle.cli import app

REPOSITORY = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_sample_district_writes_five_files(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sample-district", "--out", str(tmp_path), "--seed", "3"])

    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "contacts.csv",
        "enrollment-fy28.csv",
        "need-index-fy28.csv",
        "partnerbps-partnership-overview.csv",
        "schools.csv",
    ]
    assert "120 schools" in result.output


def test_check_lists_campaigns_of_example() -> None:
    result = runner.invoke(app, ["cycle", "check", str(REPOSITORY / "deploy/cycles/fy19-example.toml")])

    assert "budget_release: 'FY19 Partnership Fund budget release' from 2017-12-08T09:00" in result.output
    assert "office_hours: 'Partnership Fund office hours' from 2017-12-11T15:30, 3 sessions" in result.output


def test_check_fails_on_missing_inputs() -> None:
    result = runner.invoke(app, ["cycle", "check", str(REPOSITORY / "deploy/cycles/fy19-example.toml")])

    assert result.exit_code == 1
    assert "inputs.school_list:" in result.output


def test_check_reports_invalid_cycle_file(tmp_path: Path) -> None:
    cycle_file = tmp_path / "broken.toml"
    cycle_file.write_text("[cycle]\nfiscal_year = 28\n", encoding="utf-8")

    result = runner.invoke(app, ["cycle", "check", str(cycle_file)])

    assert result.exit_code == 2
    assert "is not a valid cycle file" in result.output
    assert "cycle.fiscal_year:" in result.output


def test_run_rejects_unknown_step() -> None:
    result = runner.invoke(
        app,
        ["cycle", "run", str(REPOSITORY / "deploy/cycles/sample.toml"), "--from-step", "imports"],
    )

    assert result.exit_code == 2
    assert "--from-step 'imports' is not a step" in result.output
