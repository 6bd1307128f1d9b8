"""Where in a TOML text each key is defined, so errors can say ``shipit.toml:41``.

``tomllib`` parses values but forgets positions. This scanner walks the same syntax (tables,
dotted and quoted keys, inline tables, multi-line arrays and strings, comments) and records the
line of every key path, plus array elements as ``path + ("0",)``. It never raises: on text it
cannot follow it returns what it found so far (tomllib reports syntax errors with a line anyway).
``KeyIndex`` answers many lookups from one scan, made at the first lookup (a file with 2,000
bad keys is scanned once; a valid file is never scanned).
``nesting_depth`` measures how deep a text nests without recursion, so a 1,000-deep file is
refused before any recursive parser (tomllib's, this scanner, pydantic) sees it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

KeyPath = tuple[str, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def find_line(text: str, keys: Sequence[str | int]) -> int | None:
    """The 1-based line that defines ``keys`` (or its nearest defined parent); None if absent.

    Preference: the exact path; else the first line that defines something inside ``keys``
    (where an implicit table starts: ``http.url = ...``, ``[env.dev.dns]``); else the deepest
    defined parent (a table header, an inline table's key, a list's key). One lookup scans the
    text: for many, build a ``KeyIndex`` once.
    """
    return KeyIndex(text).line(keys)


class KeyIndex:
    """Every key path of a text and its line, scanned once; ``line`` is a dictionary lookup."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text  # scanned at the first lookup, once
        self._exact: dict[KeyPath, int] = {}
        self._inside: dict[KeyPath, int] = {}  # first line defining something below a path

    def _scan(self, text: str) -> None:
        for path, line in key_lines(text):
            self._exact.setdefault(path, line)
            for depth in range(1, len(path)):
                self._inside.setdefault(path[:depth], line)

    def line(self, keys: Sequence[str | int]) -> int | None:
        """As ``find_line``."""
        wanted = tuple(str(key) for key in keys)
        if not wanted:
            return None
        if self._text is not None:
            text, self._text = self._text, None
            self._scan(text)
        if wanted in self._exact:
            return self._exact[wanted]
        if wanted in self._inside:
            return self._inside[wanted]
        for depth in range(len(wanted) - 1, 0, -1):
            if wanted[:depth] in self._exact:
                return self._exact[wanted[:depth]]
        return None


def nesting_depth(text: str, limit: int) -> int | None:
    """The first line where ``text`` nests deeper than ``limit``, or None.

    Depth counts the parts of the current table header and of every key on the way down
    (dotted keys included) plus each open array or inline table, outside strings and comments.
    Iterative and linear, so it is safe on any input.
    """
    line, pos, size = 1, 0, len(text)
    header = 0  # parts of the last [table] header
    brackets: list[tuple[str, int]] = []  # open [ or {, and the key parts outside it
    outer = 0  # sum of the key parts saved in ``brackets``
    parts, at_key = 1, True  # parts of the key being read; still reading a key?
    while pos < size:
        char = text[pos]
        if char in "\"'":
            end = _string_end(text, pos, char, text.startswith(char * 3, pos))
            line += text.count("\n", pos, end)
            pos = end
            continue
        if char == "#":
            end = text.find("\n", pos)
            pos = size if end == -1 else end
            continue
        if char == "\n":
            line += 1
            if not brackets:
                parts, at_key = 1, True
        elif char == "[" and not brackets and at_key:  # a [table] or [[array]] header
            end = text.find("\n", pos)
            end = size if end == -1 else end
            header = text.count(".", pos, end) + 1
            if header > limit:
                return line
            pos, at_key = end, False
            continue
        elif char in "[{":
            brackets.append((char, parts))
            outer += parts
            parts, at_key = (1, True) if char == "{" else (0, False)
        elif char in "]}" and brackets:
            _, parts = brackets.pop()
            outer -= parts
        elif char == "." and at_key:
            parts += 1
        elif char == "=":
            at_key = False
        elif char == "," and brackets and brackets[-1][0] == "{":
            parts, at_key = 1, True
        if header + outer + parts + len(brackets) > limit:
            return line
        pos += 1
    return None


def _string_end(text: str, pos: int, quote: str, triple: bool) -> int:
    """The position just after the string that starts at ``pos`` (the end if unterminated)."""
    if triple:
        end = text.find(quote * 3, pos + 3)
        return len(text) if end == -1 else end + 3
    cursor = pos + 1
    while cursor < len(text) and text[cursor] not in (quote, "\n"):
        cursor += 2 if quote == '"' and text[cursor] == "\\" else 1
    return cursor + 1 if cursor < len(text) and text[cursor] == quote else cursor


def key_lines(text: str) -> list[tuple[KeyPath, int]]:
    """Every key path defined in ``text`` with the line it starts on, in document order."""
    scanner = _Scanner(text)
    with contextlib.suppress(_Stop):
        scanner.document()
    return scanner.found


class _Stop(Exception):
    """Malformed or unexpected input: stop scanning, keep what was found."""


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.found: list[tuple[KeyPath, int]] = []

    # -- characters ------------------------------------------------------------------------
    def peek(self, length: int = 1) -> str:
        return self.text[self.pos : self.pos + length]

    def advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.pos >= len(self.text):
                raise _Stop
            if self.text[self.pos] == "\n":
                self.line += 1
            self.pos += 1

    def skip_blank(self, *, newlines: bool) -> None:
        """Skip spaces and comments (and newlines when ``newlines``)."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.advance()
            elif char == "#":
                while self.pos < len(self.text) and self.text[self.pos] != "\n":
                    self.advance()
            else:
                return

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise _Stop
        self.advance()

    # -- grammar -----------------------------------------------------------------------------
    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            line = self.line
            if self.peek(2) == "[[":
                self.advance(2)
                table = self.key()
                self.expect("]")
                self.expect("]")
                self.found.append((table, line))
            elif self.peek() == "[":
                self.advance()
                table = self.key()
                self.expect("]")
                self.found.append((table, line))
            else:
                self.key_value(table)

    def key_value(self, parent: KeyPath) -> None:
        line = self.line
        path = parent + self.key()
        self.expect("=")
        self.found.append((path, line))
        self.value(path)

    def key(self) -> KeyPath:
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            parts.append(self.simple_key())
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return tuple(parts)
            self.advance()

    def simple_key(self) -> str:
        char = self.peek()
        if char in ('"', "'"):
            return self.string()
        start = self.pos
        while self.peek() and self.peek() in _BARE:
            self.advance()
        if self.pos == start:
            raise _Stop
        return self.text[start : self.pos]

    def value(self, path: KeyPath) -> None:
        self.skip_blank(newlines=False)
        char = self.peek()
        if char == "{":
            self.inline_table(path)
        elif char == "[":
            self.array(path)
        elif char in ('"', "'"):
            self.string()
        else:  # number, bool, date: up to a delimiter
            while self.peek() and self.peek() not in ",]}\n#":
                self.advance()

    def inline_table(self, path: KeyPath) -> None:
        self.expect("{")
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "}":
                self.advance()
                return
            self.key_value(path)
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()

    def array(self, path: KeyPath) -> None:
        self.expect("[")
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.peek() == "]":
                self.advance()
                return
            self.found.append(((*path, str(index)), self.line))
            self.value((*path, str(index)))
            self.skip_blank(newlines=True)
            if self.peek() == ",":
                self.advance()
                index += 1
            elif self.peek() != "]":
                raise _Stop

    def escape(self) -> str:
        """The character of the escape after a backslash (``\\n``, ``\\u00e9``...)."""
        char = self.peek()
        size = {"u": 4, "U": 8}.get(char)
        if size is None:
            return _ESCAPES.get(char, char)
        digits = self.text[self.pos + 1 : self.pos + 1 + size]
        try:
            decoded = chr(int(digits, 16))
        except ValueError:
            return char
        self.advance(size)
        return decoded

    def string(self) -> str:
        quote = self.peek()
        if self.peek(3) == quote * 3:
            self.advance(3)
            start = self.pos
            while self.peek(3) != quote * 3:
                if quote == '"' and self.peek() == "\\":
                    self.advance()
                self.advance()
            while self.peek(4) == quote * 4:  # up to two quotes may end the content
                self.advance()
            value = self.text[start : self.pos]
            self.advance(3)
            return value
        self.advance()
        chars: list[str] = []
        while self.peek() != quote:
            if self.peek() in ("\n", ""):
                raise _Stop
            if quote == '"' and self.peek() == "\\":
                self.advance()
                chars.append(self.escape())
            else:
                chars.append(self.peek())
            self.advance()
        self.advance()
        return "".join(chars)
