"""Run the `partnerfund` command as `python -m partnerfund_shared.cycle`."""

from partnerfund_shared.cycle.cli import app

app(prog_name="partnerfund")
