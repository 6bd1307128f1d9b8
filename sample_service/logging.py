"""One JSON object per line on stdout (what CloudWatch Logs wants), with secrets redacted."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from sample_service.redact import Redactor

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's ANSI copy of msg
}


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with URL passwords, secret assignments, tokens and each known secret as ***."""
    return Redactor(secrets).text(text)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line: ts, level, logger, msg, any `extra` fields, exc."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.redactor = Redactor(secrets)

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
        # Each field is redacted before it is escaped into JSON: a secret can hide in any
        # field, message or traceback, and a password's quote or backslash would be escaped.
        shown = {key: self.redactor.text(value) if isinstance(value, str)
                 else self.redactor.data(value) for key, value in entry.items()}
        return json.dumps(shown, default=lambda value: self.redactor.text(str(value)),
                          ensure_ascii=False)


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
