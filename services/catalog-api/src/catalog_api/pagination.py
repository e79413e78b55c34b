"""Opaque keyset cursors: the sort key of the last row of a page, as URL-safe base64 JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from partnerfund_shared.errors import ErrorItem, InvalidInput


def encode_cursor(*key: Any) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, types: tuple[type, ...]) -> tuple[Any, ...]:
    """Decode a cursor made by `encode_cursor`; raise InvalidInput when it is malformed."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise _invalid_cursor(cursor) from error
    if not isinstance(values, list) or len(values) != len(types):
        raise _invalid_cursor(cursor)
    if not all(isinstance(value, kind) for value, kind in zip(values, types, strict=True)):
        raise _invalid_cursor(cursor)
    return tuple(values)


def _invalid_cursor(cursor: str) -> InvalidInput:
    return InvalidInput(
        detail="The cursor is invalid. Pass back the next_cursor of the previous page unchanged.",
        errors=[ErrorItem(message="invalid cursor", loc=("query", "cursor"))],
        extra={"cursor": cursor[:100]},
    )
