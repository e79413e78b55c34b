"""Form fields that school-row imports of every service share."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Form

MissingSchoolCode = Literal["reject", "skip"]

MissingSchoolCodeForm = Annotated[
    MissingSchoolCode,
    Form(
        description="reject: a row without a school code rejects the file. skip: such rows are "
        "left out and each is listed among the warnings."
    ),
]


def skipped_field(on_missing_school_code: MissingSchoolCode) -> str | None:
    """Return the field whose blank rows `read_table` should skip for this choice."""
    return "school_code" if on_missing_school_code == "skip" else None
