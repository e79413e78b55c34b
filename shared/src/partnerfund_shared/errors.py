"""Domain error hierarchy, rendered as RFC 9457 problem+json by `problems.install_problem_handlers`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

PROBLEM_TYPE_BASE = "https://partnerfund.example.org/problems/"


@dataclass(frozen=True, slots=True)
class ErrorItem:
    """One located problem: a request field (`loc`) or a file cell (`row`, `column`, `value`)."""

    message: str
    loc: tuple[str | int, ...] | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {}
        if self.loc is not None:
            item["loc"] = list(self.loc)
        if self.row is not None:
            item["row"] = self.row
        if self.column is not None:
            item["column"] = self.column
        if self.row is not None or self.column is not None or self.value is not None:
            item["value"] = self.value
        item["message"] = self.message
        return item


@dataclass
class PartnerFundError(Exception):
    """Base of every expected error; subclasses fix the HTTP status and the problem type slug."""

    detail: str
    errors: Sequence[ErrorItem] = field(default_factory=tuple)
    extra: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __post_init__(self) -> None:
        Exception.__init__(self, self.detail)

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [item.as_dict() for item in self.errors]
        body.update(self.extra)
        return body


class InvalidInput(PartnerFundError):
    status = 422
    slug = "invalid-input"
    title = "Invalid input"


class ImportRejected(InvalidInput):
    """An uploaded file had one or more bad rows; nothing from it was stored."""

    slug = "import-rejected"
    title = "Import rejected"


class NotFound(PartnerFundError):
    status = 404
    slug = "not-found"
    title = "Not found"


class Conflict(PartnerFundError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class Unauthenticated(PartnerFundError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(PartnerFundError):
    status = 403
    slug = "forbidden"
    title = "Missing scope"


class UpstreamUnavailable(PartnerFundError):
    """Another service of the platform did not respond. The caller may retry after `Retry-After`."""

    status = 503
    slug = "upstream-unavailable"
    title = "Dependent service unavailable"
