"""Dependency aliases of the contact routes."""

from __future__ import annotations

from partnerfund_shared.auth import principal_dependency

ContactsWriter = principal_dependency("contacts:write")
NotificationsReader = principal_dependency("notifications:read")
