"""Files only their owner may read: receipts, the sandbox's state and credentials (0600).

``write_private`` writes atomically (a reader never sees half a file) through a temporary file
created 0600 beside the target, so the text is never readable by others, not even for a moment.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_private(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text`` (UTF-8), mode 0600; its folder is created if missing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
