"""Pieces every import shares: reading the upload, warnings in the wire shape, unknown schools."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from allocation_api.schools.repository import find_existing_codes
from partnerfund_shared.errors import ErrorItem, InvalidInput
from partnerfund_shared.schemas.allocation import ImportWarning
from partnerfund_shared.tabular import Table, import_rejected

# Far above a district's few hundred schools and the 100,000-school benchmark file (about 2 MB).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


async def read_upload(file: UploadFile) -> bytes:
    """Read the uploaded file, rejecting empty uploads and files over 20 MiB."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            detail=f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB. Split it "
            "or remove columns the import does not use.",
            errors=[ErrorItem(message="file too large", loc=("body", "file"))],
        )
    return content


def warnings_of(table: Table) -> list[ImportWarning]:
    return [
        ImportWarning(row=item.row or 0, column=item.column, value=item.value, message=item.message)
        for item in table.warnings
    ]


async def reject_unknown_schools(session: AsyncSession, table: Table) -> None:
    """Reject the file when a row names a school code that is not in the school list.

    Score and enrollment files may not add schools: the school list import is the one place
    where schools, names and budget codes enter, so a typo cannot create a school.
    """
    codes = [row.values["school_code"] for row in table.rows]
    known = await find_existing_codes(session, codes)
    problems = [
        table.problem(
            row,
            "school_code",
            f"unknown school code {row.values['school_code']}: import it with the school list "
            "first (POST /v1/schools/import)",
        )
        for row in table.rows
        if row.values["school_code"] not in known
    ]
    if problems:
        raise import_rejected(table.filename, problems)


ColumnsForm = Annotated[
    str | None,
    Form(
        description="JSON object from field names to the file's headers, for layouts the "
        'synonyms do not cover: {"school_code": "bps_school_code"}.'
    ),
]

FiscalYearPath = Annotated[
    int, Path(ge=2000, le=2100, description="Fiscal year ending in June: 2027 is FY27.")
]
