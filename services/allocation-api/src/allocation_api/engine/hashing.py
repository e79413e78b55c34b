"""Content hash of a run: the same policy, inputs and amounts always give the same hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal

from allocation_api.engine.records import AllocationLine
from partnerfund_shared.schemas.allocation import AllocationPolicy

HASH_FORMAT_VERSION = 1


def _text(value: Decimal | int | None) -> str:
    return "" if value is None else str(value)


def content_hash(policy: AllocationPolicy, lines: Iterable[AllocationLine]) -> str:
    """Return the SHA-256 hex digest of the policy and each line's inputs and results.

    The policy carries the ids of the score and enrollment sets. School names and RC codes are
    labels from the school list and are left out, so renaming a school does not change a run's
    hash. Decimals enter with their stored scale ("520.0000"), so pass lines as computed or as
    loaded from the database, which keeps the same scale.
    """
    header = {"version": HASH_FORMAT_VERSION, "policy": policy.model_dump(mode="json")}
    digest = hashlib.sha256(json.dumps(header, sort_keys=True, separators=(",", ":")).encode())
    # One line of text per school, fields separated by "|", which no field can contain.
    rows = [
        "|".join(
            (
                line.school_code,
                _text(line.score),
                _text(line.enrollment),
                line.status,
                _text(line.weight),
                _text(line.amount),
                line.limit_applied or "",
            )
        )
        for line in sorted(lines, key=lambda line: line.school_code)
    ]
    digest.update(("\n" + "\n".join(rows)).encode())
    return digest.hexdigest()
