"""Steps shared by every catalog import: reading the upload and recording the accepted batch."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.audit.service import record_change
from catalog_api.imports.models import ImportBatch
from partnerfund_shared.auth import Principal
from partnerfund_shared.errors import ErrorItem, InvalidInput
from partnerfund_shared.schemas import catalog as schemas
from partnerfund_shared.tabular import ColumnSpec, Table, parse_columns_mapping, read_table

log = logging.getLogger("catalog_api.imports")

# Uploads past this size are rejected before parsing; the largest real export is far smaller.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


async def read_upload(
    file: UploadFile,
    columns_field: str | None,
    columns: Sequence[ColumnSpec],
    *,
    skip_rows_without: str | None = None,
) -> tuple[bytes, Table]:
    """Read an uploaded CSV or XLSX file into rows, or raise ImportRejected with every problem.

    `skip_rows_without` names a field whose blank rows are left out with a warning each.
    """
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            detail=f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB.",
            errors=[ErrorItem(message="file too large", loc=("body", "file"))],
        )
    mapping = parse_columns_mapping(columns_field, [spec.name for spec in columns])
    table = read_table(
        content,
        filename=file.filename,
        columns=columns,
        mapping=mapping,
        content_type=file.content_type,
        skip_rows_without=skip_rows_without,
    )
    return content, table


def warning_items(items: Sequence[ErrorItem]) -> list[schemas.ImportWarning]:
    return [
        schemas.ImportWarning(row=item.row, column=item.column, value=item.value, message=item.message)
        for item in items
    ]


async def record_batch(
    session: AsyncSession,
    principal: Principal,
    *,
    kind: str,
    filename: str | None,
    content: bytes,
    rows: int,
    summary: dict[str, Any],
) -> ImportBatch:
    """Store the accepted import and its audit entry; the request's transaction commits both."""
    batch = ImportBatch(
        kind=kind,
        filename=filename,
        content_sha256=hashlib.sha256(content).hexdigest(),
        rows=rows,
        summary=summary,
        actor=principal.identity,
    )
    session.add(batch)
    await session.flush()
    record_change(
        session,
        principal,
        action=f"{kind}.imported",
        entity_type="import",
        entity_id=batch.id,
        changes={"filename": filename, "rows": rows, **summary},
    )
    log.info(
        "import_accepted",
        extra={"import_id": batch.id, "kind": kind, "rows": rows, "file_name": filename},
    )
    return batch
