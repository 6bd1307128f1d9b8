"""Opaque keyset cursors: base64url of {"v":1,"t":created_at,"i":id}; clients must not parse."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from sample_service.storage.base import PageKey

_VERSION = 1


class CursorError(ValueError):
    """The cursor was not made by this service (or was damaged on the way)."""


def encode_cursor(key: PageKey) -> str:
    raw = json.dumps({"v": _VERSION, "t": key.created_at.isoformat(), "i": key.id})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> PageKey:
    """Parse a cursor from encode_cursor; raise CursorError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("v") != _VERSION:
            raise CursorError("unknown cursor version")
        created_at = datetime.fromisoformat(data["t"])
        article_id = data["i"]
    except (binascii.Error, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise CursorError("not a cursor from this API; use next_cursor as given") from exc
    if created_at.tzinfo is None or type(article_id) is not int or not 0 < article_id < 2**63:
        raise CursorError("not a cursor from this API; use next_cursor as given")
    return PageKey(created_at=created_at, id=article_id)
