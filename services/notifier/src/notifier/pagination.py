"""Opaque keyset cursors: the last row's id, so the next page starts strictly after it."""

from __future__ import annotations

import base64
import binascii

from partnerfund_shared.errors import ErrorItem, InvalidInput


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """Return the id a cursor points after, or raise InvalidInput for a cursor we did not issue."""
    if cursor is None or cursor == "":
        return None
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "id":
            raise ValueError(text)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidInput(
            detail="The cursor is invalid; pass the next_cursor of the previous page unchanged.",
            errors=[ErrorItem(message="invalid cursor", loc=("query", "cursor"), value=cursor)],
        ) from error
