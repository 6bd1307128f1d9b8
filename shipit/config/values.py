"""What a value of shipit.toml may be, beyond its type: DNS names, paths inside the repository,
and no control or invisible characters anywhere.

Pure checks that return why a value is wrong (or None), for the models' validators; and
``check_strings``, run on a parsed file before any model sees it.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import idna

from shipit.config.line_index import KeyIndex
from shipit.errors import ConfigError, ConfigProblem

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def dns_name_problem(value: str) -> str | None:
    """Why ``value`` is not a DNS name (IDNA 2008; labels 1-63, total <= 253), or None."""
    name = value[:-1] if value.endswith(".") else value
    if not name:
        return "empty DNS name"
    labels: list[str] = []
    for label in name.split("."):
        if not label:
            return f"{value!r} has an empty label (two dots in a row, or a leading dot)"
        try:
            ascii_label = label.lower() if label.isascii() else idna.alabel(label).decode()
        except (idna.IDNAError, UnicodeError) as exc:
            return f"{value!r}: label {label!r} is not valid IDNA ({exc})"
        if len(ascii_label) > 63:
            return (f"{value!r}: label {label[:20]!r}... is {len(ascii_label)} characters;"
                    " at most 63")
        if ascii_label.startswith("-") or ascii_label.endswith("-"):
            return f"{value!r}: label {label!r} starts or ends with a hyphen"
        if not _LABEL.match(ascii_label):
            return (f"{value!r}: label {label!r} may hold only letters, digits and inner"
                    " hyphens")
        labels.append(ascii_label)
    if len(".".join(labels)) > 253:
        return f"{value!r} is {len('.'.join(labels))} characters long in DNS; at most 253"
    return None


def repo_path_problem(value: str) -> str | None:
    """Why ``value`` is not a relative path inside the repository, or None."""
    if not value or "\\" in value or value.startswith("~"):
        return f"{value!r}: use a relative path with '/' inside the repository"
    if value.startswith("/") or re.match(r"^[A-Za-z]:", value):
        return f"{value!r} is an absolute path; paths must be inside the repository"
    normal = posixpath.normpath(value)
    if normal == ".." or normal.startswith("../"):
        return f"{value!r} points outside the repository; paths must be inside it"
    return None


# Control characters (C0, DEL, C1) and the invisible format characters that reorder or hide
# text (bidi overrides and isolates, zero-width): never meant in a name, path, URL or value.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                       "\u2066\u2067\u2068\u2069\ufeff")


def _bad_char(text: str) -> str | None:
    for char in text:
        if unicodedata.category(char) == "Cc" or char in _INVISIBLE:
            return f"U+{ord(char):04X}"
    return None


def _printable(text: str) -> str:
    """``text`` with control and invisible characters written as ``\\uXXXX``."""
    return "".join(f"\\u{ord(c):04x}" if _bad_char(c) else c for c in text)


def _strings(value: Any, keys: list[str]) -> Iterator[tuple[list[str], str, str]]:
    """Every key and string in a parsed file, with the key path that leads to it."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield [*keys, key], "key", key
            yield from _strings(item, [*keys, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, [*keys, str(index)])
    elif isinstance(value, str):
        yield keys, "value", value


MAX_VALUE_CHARS = 16 * 1024
"""Longest key or string value (a multi-line string included): 16 KiB."""


def check_strings(data: dict[str, Any], path: Path, index: KeyIndex) -> None:
    """Refuse control and invisible characters and over-long values in any key or string,
    naming each place."""
    problems: list[ConfigProblem] = []
    for keys, what, string in _strings(data, []):
        char = _bad_char(string)
        if len(string) > MAX_VALUE_CHARS:
            message = (f"the {what} is {len(string):,} characters long; at most"
                       f" {MAX_VALUE_CHARS:,}")
        elif char is not None:
            message = f"the {what} holds the control or invisible character {char}; remove it"
        else:
            continue
        problems.append(ConfigProblem(
            message, path=str(path), key=".".join(_printable(k[:80]) for k in keys),
            line=index.line(keys)))
    if problems:
        first, *more = problems
        raise ConfigError(first.message, path=first.path, key=first.key, line=first.line,
                          hint="keys and values are printable text of at most 16 KiB (control and"
                          " invisible characters hide what a value really is)", more=more)
