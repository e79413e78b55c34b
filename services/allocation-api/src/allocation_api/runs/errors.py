"""Errors of the run lifecycle: missing inputs, changes to published runs, publish conflicts."""

from __future__ import annotations

from partnerfund_shared.errors import Conflict, InvalidInput, NotFound


class RunNotFound(NotFound):
    slug = "run-not-found"
    title = "Run not found"


class InputSetMissing(InvalidInput):
    """The policy names a score or enrollment set that does not exist or is of another year,
    or the fiscal year has no set to default to."""

    slug = "input-set-missing"
    title = "Input set missing"


class RunNotDraft(Conflict):
    """Published and superseded runs are immutable."""

    slug = "run-not-draft"
    title = "Run is not a draft"


class RunSuperseded(Conflict):
    slug = "run-superseded"
    title = "Run was superseded"


class PublishedRunExists(Conflict):
    """Another run of the fiscal year and fund is published, and the request does not name it
    in `supersedes`."""

    slug = "published-run-exists"
    title = "Another run is published"


class NothingToSupersede(Conflict):
    slug = "nothing-to-supersede"
    title = "No published run to supersede"


class SupersedeReasonMissing(InvalidInput):
    slug = "supersede-reason-missing"
    title = "Reason for superseding missing"


class PublishedAllocationNotFound(NotFound):
    slug = "published-allocation-not-found"
    title = "No published allocation"
