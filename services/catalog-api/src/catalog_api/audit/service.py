"""Recording changes in the audit log; the caller's transaction commits them with the change."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from catalog_api.audit.models import AuditEntry
from partnerfund_shared.auth import Principal


def record_change(
    session: AsyncSession,
    principal: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: int | str,
    changes: dict[str, Any],
) -> AuditEntry:
    """Add an audit entry to the session; it is written with the change it describes."""
    entry = AuditEntry(
        actor=principal.identity,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        changes=to_jsonable_python(changes),
    )
    session.add(entry)
    return entry


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """List the fields whose value differs, as field -> [old, new]."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}
