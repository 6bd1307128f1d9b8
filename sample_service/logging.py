"""One JSON object per line on stdout (what CloudWatch Logs wants), with secrets redacted."""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

# user:password@ inside any URL-looking string.
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)(?P<pw>[^\s@/]*)@")
_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's ANSI copy of msg
}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace URL passwords and each known secret with ***."""
    text = _URL_PASSWORD.sub(r"\g<head>***@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line: ts, level, logger, msg, any `extra` fields, exc."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["exc"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        line = json.dumps(entry, default=str, ensure_ascii=False)
        # Redact the serialized line: a secret can hide in any field, message or traceback.
        return redact(line, self.secrets)


def configure_logging(
    level: str, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> None:
    """Send every logger (ours, uvicorn's, asyncpg's) to one JSON handler on stdout."""
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(JsonFormatter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "asyncpg"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
