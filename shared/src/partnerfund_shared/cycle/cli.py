"""`partnerfund`: generate the sample district and run a yearly cycle against a deployment."""

from __future__ import annotations

import shlex
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from partnerfund_shared.cycle.campaigns import campaign_plans
from partnerfund_shared.cycle.client import SERVICE_TITLES, ServiceClients
from partnerfund_shared.cycle.config import CycleFile, CycleFileError, load_cycle_file
from partnerfund_shared.cycle.runner import (
    STEP_NAMES,
    CycleOptions,
    CycleOutcome,
    CycleRunner,
    Reporter,
    StepFailed,
    format_money,
)
from partnerfund_shared.cycle.sample import DEFAULT_FISCAL_YEAR, DEFAULT_SEED
from partnerfund_shared.cycle.sample import generate_sample_district as write_sample_district
from partnerfund_shared.cycle.settings import CycleSettings

app = typer.Typer(
    help="Partnership Fund: the sample district and the yearly allocation cycle.",
    no_args_is_help=True,
)


cycle_app = typer.Typer(help="Check and run a cycle file against a deployment.", no_args_is_help=True)
app.add_typer(cycle_app, name="cycle")

# soft_wrap keeps long lines whole in logs and pipes, where rich would wrap them at 80 columns.
console = Console(highlight=False, soft_wrap=True)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)


@app.callback()
def main() -> None:
    """Partnership Fund: the sample district and the yearly allocation cycle."""


@app.command("sample-district")
def sample_district(
    out: Annotated[
        Path, typer.Option(help="Folder to write the five files into; created if missing.")
    ] = Path("var/sample"),
    seed: Annotated[int, typer.Option(help="Random seed; one seed always writes the same bytes.")] = (
        DEFAULT_SEED
    ),
    fiscal_year: Annotated[
        int,
        typer.Option(help="Fiscal year named in the score column and file names (2028 = FY28)."),
    ] = DEFAULT_FISCAL_YEAR,
) -> None:
    """Write an invented school district in the file layouts real districts use."""
    summary = write_sample_district(out, seed=seed, fiscal_year=fiscal_year)

    typer.echo(f"Sample district written to {out} (seed {seed}, FY{fiscal_year % 100:02d}):")
    typer.echo(f"  {summary.files.school_list.name}: {summary.schools} schools")
    typer.echo(
        f"  {summary.files.scores.name}: {summary.schools - summary.blank_scores} scores, "
        f"{summary.blank_scores} blank"
    )
    typer.echo(
        f"  {summary.files.enrollment.name}: {summary.schools - summary.schools_without_enrollment}"
        f" schools, {summary.total_enrollment:,} students"
    )
    typer.echo(
        f"  {summary.files.partnerships.name}: {summary.partnerships:,} partnerships, "
        f"{summary.programs} programs, {summary.organizations} organizations, "
        f"{summary.unmatched_partnership_rows} rows at sites that are not schools"
    )
    typer.echo(
        f"  {summary.files.contacts.name}: {summary.contacts} contacts, "
        f"{summary.superintendents} Instructional Superintendents"
    )


def read_cycle_file(path: Path) -> CycleFile:
    try:
        return load_cycle_file(path)
    except CycleFileError as error:
        error_console.print(f"{error.path} is not a valid cycle file:", markup=False)
        for problem in error.problems:
            error_console.print(f"  {problem}", markup=False)
        raise typer.Exit(code=2) from error


@cycle_app.command("check")
def check_cycle(
    cycle_file: Annotated[Path, typer.Argument(help="The cycle file (TOML).")],
) -> None:
    """Validate a cycle file and its input paths without calling any service."""
    cycle = read_cycle_file(cycle_file)

    console.print(f"{cycle.title}: FY{cycle.fiscal_year % 100:02d}, {cycle.fund} fund", markup=False)
    if cycle.policy.pool is not None:
        console.print(f"  pool {format_money(cycle.policy.pool)}", markup=False)
    for plan in campaign_plans(cycle):
        first = plan.payload.get("send_at") or plan.payload["sessions"][0]["starts_at"]
        sessions = plan.payload.get("sessions")
        count = f", {len(sessions)} sessions" if sessions else ""
        now = ", sent at once" if plan.send_now else ""
        console.print(f"  {plan.kind}: {plan.title!r} from {first}{count}{now}", markup=False)

    missing = cycle.missing_files()
    if missing:
        error_console.print("Missing input files:", markup=False)
        for line in missing:
            error_console.print(f"  {line}", markup=False)
        raise typer.Exit(code=1)
    console.print("  every input file exists", markup=False)


@cycle_app.command("run")
def run_cycle(
    cycle_file: Annotated[Path, typer.Argument(help="The cycle file (TOML).")],
    publish: Annotated[
        bool,
        typer.Option(
            "--publish", help="Publish the run and create the campaigns; without it the run stays a draft."
        ),
    ] = False,
    from_step: Annotated[
        str,
        typer.Option(help=f"First step to run, to resume after a failure: {', '.join(STEP_NAMES)}."),
    ] = STEP_NAMES[0],
    supersede_reason: Annotated[
        str | None,
        typer.Option(help="Reason recorded when the new run replaces the year's published run."),
    ] = None,
) -> None:
    """Import the inputs, compute the run, and with --publish publish it and schedule the mail.

    Service URLs and API keys come from PARTNERFUND_ALLOCATION_URL, PARTNERFUND_CATALOG_URL,
    PARTNERFUND_NOTIFIER_URL and PARTNERFUND_API_KEY (or PARTNERFUND_API_KEY_FILE).
    """
    if from_step not in STEP_NAMES:
        error_console.print(
            f"--from-step {from_step!r} is not a step; use one of {', '.join(STEP_NAMES)}.", markup=False
        )
        raise typer.Exit(code=2)
    cycle = read_cycle_file(cycle_file)
    command = shlex.join(["partnerfund", "cycle", "run", str(cycle_file)])
    options = CycleOptions(
        publish=publish,
        from_step=from_step,  # type: ignore[arg-type]
        supersede_reason=supersede_reason,
        command=command,
    )

    settings = CycleSettings()
    console.print(f"{cycle.title} against:", markup=False)
    for service in SERVICE_TITLES:
        console.print(f"  {service}: {settings.url_for(service)}", markup=False)

    with ServiceClients(settings) as clients:
        runner = CycleRunner(cycle, clients, options, Reporter(console))
        try:
            outcome = runner.run()
        except StepFailed as failure:
            print_failure(failure, options)
            raise typer.Exit(code=1) from failure

    print_outcome(outcome)


def print_failure(failure: StepFailed, options: CycleOptions) -> None:
    error_console.print(f"\nStep {failure.step} failed: {failure.summary}", markup=False, style="bold red")
    for problem in failure.problems:
        error_console.print(f"  {problem}", markup=False)
    error_console.print(f"What to fix: {failure.fix}", markup=False)
    resume = f"{options.command} --from-step {failure.resume_from}"
    if options.publish:
        resume += " --publish"
    error_console.print(f"Then resume with: {resume}", markup=False)


def print_outcome(outcome: CycleOutcome) -> None:
    run = outcome.run
    if run is not None and outcome.stopped_at_draft:
        console.print(f"\nStopped at draft run {run['id']}.", markup=False)
        return
    if run is None:
        console.print("\nDone.", markup=False)
    else:
        state = "published" if outcome.published else run["status"]
        console.print(
            f"\nDone: run {run['id']} {state}, {run['eligible_schools']} eligible schools, "
            f"{format_money(Decimal(str(run['total'])))}.",
            markup=False,
        )
    campaigns = ", ".join(f"{kind} {campaign_id}" for kind, campaign_id in outcome.campaigns.items())
    if campaigns:
        console.print(f"Campaigns: {campaigns}.", markup=False)
