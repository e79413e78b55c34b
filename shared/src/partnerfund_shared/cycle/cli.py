"""`partnerfund`: generate the sample district and run a yearly cycle against a deployment.

In a checkout the command runs as `uv run partnerfund`, which is how its hints spell it.
"""

from __future__ import annotations

import shlex
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from partnerfund_shared.cycle.campaigns import campaign_plans
from partnerfund_shared.cycle.checks import late_invitations, other_year_score_headers, past_dates
from partnerfund_shared.cycle.client import SERVICE_TITLES, ServiceClients
from partnerfund_shared.cycle.config import DISTRICT_TIME_ZONE, CycleFile, CycleFileError, load_cycle_file
from partnerfund_shared.cycle.runner import (
    COMMAND,
    STEP_NAMES,
    CycleOptions,
    CycleOutcome,
    CycleRejected,
    CycleRunner,
    Reporter,
    StepFailed,
    format_money,
    skipped_series,
)
from partnerfund_shared.cycle.sample import DEFAULT_FISCAL_YEAR, DEFAULT_SEED
from partnerfund_shared.cycle.sample import generate_sample_district as write_sample_district
from partnerfund_shared.cycle.settings import CycleSettings

app = typer.Typer(
    help="Partnership Fund: the sample district and the yearly allocation cycle. "
    f"In a checkout, run it as `{COMMAND} ...`.",
    no_args_is_help=True,
)


cycle_app = typer.Typer(
    help=f"Check and run a cycle file against a deployment: `{COMMAND} cycle check FILE`, "
    f"then `{COMMAND} cycle run FILE --publish`.",
    no_args_is_help=True,
)
app.add_typer(cycle_app, name="cycle")

# soft_wrap keeps long lines whole in logs and pipes, where rich would wrap them at 80 columns.
console = Console(highlight=False, soft_wrap=True)
error_console = Console(stderr=True, highlight=False, soft_wrap=True)


AllowPastDates = Annotated[
    bool,
    typer.Option(
        "--allow-past-dates",
        help="Accept calendar times in the past: past releases are sent at once and past "
        "sessions are left out of their campaign.",
    ),
]
AllowOtherYearScores = Annotated[
    bool,
    typer.Option(
        "--allow-other-year-scores",
        help="Import a need-index sheet whose score header names another fiscal year "
        '("FY27 OI Score" in an FY28 cycle).',
    ),
]


@app.callback()
def main() -> None:
    """Partnership Fund: the sample district and the yearly allocation cycle."""


@app.command("sample-district")
def sample_district(
    out: Annotated[
        Path, typer.Option(help="Folder to write the files and cycle.toml into; created if missing.")
    ] = Path("var/sample"),
    seed: Annotated[int, typer.Option(help="Random seed; one seed always writes the same bytes.")] = (
        DEFAULT_SEED
    ),
    fiscal_year: Annotated[
        int,
        typer.Option(help="Fiscal year named in the score column and file names (2028 = FY28)."),
    ] = DEFAULT_FISCAL_YEAR,
    today: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="First day of cycle.toml's calendar (YYYY-MM-DD); default: today in Boston.",
        ),
    ] = None,
) -> None:
    """Write an invented school district in the file layouts real districts use, and its cycle file."""
    first_day: date | None = today.date() if today is not None else None
    summary = write_sample_district(out, seed=seed, fiscal_year=fiscal_year, today=first_day)

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
    portfolio = ", ".join(f"{count} {status}" for status, count in sorted(summary.portfolio.items()))
    typer.echo(f"  {summary.files.portfolio.name}: {sum(summary.portfolio.values())} programs ({portfolio})")
    typer.echo(
        f"  {summary.files.contacts.name}: {summary.contacts} contacts, "
        f"{summary.superintendents} Instructional Superintendents"
    )
    typer.echo(f"  {summary.files.cycle.name}: calendar from {summary.calendar_start.isoformat()}")
    typer.echo(f"Run it with: {COMMAND} cycle run {shlex.quote(str(summary.files.cycle))} --publish")


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
    allow_past_dates: AllowPastDates = False,
    allow_other_year_scores: AllowOtherYearScores = False,
) -> None:
    """Validate a cycle file, its calendar and its input files without calling any service."""
    cycle = read_cycle_file(cycle_file)
    now = datetime.now(DISTRICT_TIME_ZONE)

    console.print(f"{cycle.title}: FY{cycle.fiscal_year % 100:02d}, {cycle.fund} fund", markup=False)
    if cycle.policy.pool is not None:
        console.print(f"  pool {format_money(cycle.policy.pool)}", markup=False)
    plans = campaign_plans(cycle, now=now, allow_past_dates=allow_past_dates)
    for kind in skipped_series(cycle, plans):
        console.print(f"  {kind}: not created, because every session is in the past", markup=False)
    for plan in plans:
        sessions = plan.payload.get("sessions")
        if sessions:
            first_session = sessions[0]["starts_at"]
            noun = "session" if len(sessions) == 1 else "sessions"
            when = f"invitations at {plan.first_message_at}, {len(sessions)} {noun} from {first_session}"
        else:
            when = f"at {plan.first_message_at}"
        at_once = ", sent at once" if plan.send_now else ""
        console.print(f"  {plan.kind}: {plan.title!r} {when}{at_once}", markup=False)

    sections = [
        ("Missing input files:", cycle.missing_files()),
        (
            "Calendar times in the past:",
            [] if allow_past_dates else [str(item) for item in past_dates(cycle, now)],
        ),
        ("Invitations after their first session:", [str(item) for item in late_invitations(cycle, now)]),
        (
            "Score sheet of another fiscal year:",
            [] if allow_other_year_scores else other_year_score_headers(cycle),
        ),
    ]
    failed = False
    for title, problems in sections:
        if not problems:
            continue
        failed = True
        error_console.print(title, markup=False)
        for line in problems:
            error_console.print(f"  {line}", markup=False)
    if failed:
        raise typer.Exit(code=1)
    console.print("  every input file exists and every calendar time is ahead", markup=False)


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
    allow_past_dates: AllowPastDates = False,
    allow_other_year_scores: AllowOtherYearScores = False,
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
    arguments = [str(cycle_file)]
    if allow_past_dates:
        arguments.append("--allow-past-dates")
    if allow_other_year_scores:
        arguments.append("--allow-other-year-scores")
    command = f"{COMMAND} cycle run {shlex.join(arguments)}"
    options = CycleOptions(
        publish=publish,
        from_step=from_step,  # type: ignore[arg-type]
        supersede_reason=supersede_reason,
        command=command,
        allow_past_dates=allow_past_dates,
        allow_other_year_scores=allow_other_year_scores,
    )

    settings = CycleSettings()
    console.print(f"{cycle.title} against:", markup=False)
    for service in SERVICE_TITLES:
        console.print(f"  {service}: {settings.url_for(service)}", markup=False)

    with ServiceClients(settings) as clients:
        runner = CycleRunner(cycle, clients, options, Reporter(console))
        try:
            outcome = runner.run()
        except CycleRejected as rejection:
            print_rejection(rejection, options)
            raise typer.Exit(code=1) from rejection
        except StepFailed as failure:
            print_failure(failure, options)
            raise typer.Exit(code=1) from failure

    print_outcome(outcome)


def print_rejection(rejection: CycleRejected, options: CycleOptions) -> None:
    error_console.print(
        f"\nThe cycle file was rejected before any step: {rejection.summary}", markup=False, style="bold red"
    )
    for problem in rejection.problems:
        error_console.print(f"  {problem}", markup=False)
    error_console.print("The command sent no request to the services.", markup=False)
    error_console.print(f"What to fix: {rejection.fix}", markup=False)
    rerun = options.command
    if options.from_step != STEP_NAMES[0]:
        rerun += f" --from-step {options.from_step}"
    if options.publish:
        rerun += " --publish"
    error_console.print(f"Then run again: {rerun}", markup=False)


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
