"""`partnerfund`: generate the sample district and run a yearly cycle against a deployment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from partnerfund_shared.cycle.sample import DEFAULT_FISCAL_YEAR, DEFAULT_SEED
from partnerfund_shared.cycle.sample import generate_sample_district as write_sample_district

app = typer.Typer(
    help="Partnership Fund: the sample district and the yearly allocation cycle.",
    no_args_is_help=True,
)


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
