"""Keyset pagination: an opaque cursor carries the sort key of the last item of a page."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query

from partnerfund_shared.errors import ErrorItem, InvalidInput
from partnerfund_shared.types import MAX_PAGE_LIMIT

DEFAULT_PAGE_LIMIT = 100

LimitQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT, description="Items per page, at most 200.")]
CursorQuery = Annotated[
    str | None, Query(description="The `next_cursor` of the previous page.", max_length=500)
]


def encode_cursor(key: Sequence[Any]) -> str:
    """Encode the sort key of a page's last item (strings and integers) as a cursor."""
    text = json.dumps(list(key), separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, types: Sequence[type]) -> list[Any] | None:
    """Decode a cursor into a sort key whose parts have `types`; None starts at the first page.

    Raises `InvalidInput` for a cursor that this service did not issue for this list.
    """
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise _invalid_cursor() from error
    valid = (
        isinstance(key, list)
        and len(key) == len(types)
        and all(type(part) is kind for part, kind in zip(key, types, strict=True))
    )
    if not valid:
        raise _invalid_cursor()
    return key


def next_cursor(items: Sequence[Any], limit: int, key: Any) -> str | None:
    """Return the cursor after `items` when the query fetched one item more than `limit`."""
    if len(items) <= limit:
        return None
    return encode_cursor(key(items[limit - 1]))


def _invalid_cursor() -> InvalidInput:
    return InvalidInput(
        detail="The cursor is invalid. Pass the next_cursor of a previous page unchanged.",
        errors=[ErrorItem(message="invalid cursor", loc=("query", "cursor"))],
    )
