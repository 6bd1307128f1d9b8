"""What text an article may hold: no control characters, and something visible.

A title of zero-width spaces or bidi controls shows as nothing (or as someone else's text
reversed) in every list that prints it. "Invisible" here is Unicode's White_Space and
Default_Ignorable_Code_Point sets (zero-width space and joiners, bidi controls, soft hyphen,
BOM, variation selectors, Hangul fillers, tag characters), plus the C1 controls and U+2800
BRAILLE PATTERN BLANK, which draws as a blank.

The same sets are written out as JSON Schema patterns (`title_pattern()`, ...), so the
OpenAPI document describes exactly the rule the service applies. Their regex text keeps to
what Python's `re` and ECMA-262 read alike: BMP characters as \\uXXXX escapes, the few
astral ones as literal characters.
"""

from __future__ import annotations

import re

_INVISIBLE: tuple[tuple[int, int], ...] = (
    (0x0009, 0x000D),
    (0x0020, 0x0020),
    (0x007F, 0x00A0),  # DEL, the C1 controls (NEL among them), NO-BREAK SPACE
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x1680, 0x1680),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2000, 0x200F),  # spaces, zero-width space/joiners, LRM/RLM
    (0x2028, 0x202F),  # line/paragraph separators, bidi embeddings and overrides
    (0x205F, 0x206F),  # word joiner, invisible operators, bidi isolates
    (0x2800, 0x2800),
    (0x3000, 0x3000),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Refused anywhere in a title (C0 controls) or a body (C0 but tab, LF, CR); the search query
# refuses DEL too (search_query._CONTROL).
_TITLE_CONTROL = ((0x00, 0x1F),)
_BODY_CONTROL = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F))
_QUERY_CONTROL = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x7F))
# Lone surrogates cannot be stored as UTF-8 and are refused too; they are no characters, so
# the schema patterns (which validators compile as Unicode regexes) cannot name them.
_SURROGATES = ((0xD800, 0xDFFF),)


def _char(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)


def _class_body(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(_char(lo) if lo == hi else f"{_char(lo)}-{_char(hi)}" for lo, hi in ranges)


def _anywhere_but(control: tuple[tuple[int, int], ...]) -> str:
    return f"[^{_class_body(control)}]*"


def _visible_but(control: tuple[tuple[int, int], ...]) -> str:
    return f"[^{_class_body(control + _INVISIBLE)}]"


_VISIBLE = re.compile(_visible_but(()))
# One regex search instead of a Python loop: a 100 KiB body is checked in microseconds.
TITLE_CONTROL = re.compile(f"[{_class_body(_TITLE_CONTROL + _SURROGATES)}]")
BODY_CONTROL = re.compile(f"[{_class_body(_BODY_CONTROL + _SURROGATES)}]")


def has_visible(text: str) -> bool:
    """True if some character of `text` draws something."""
    return _VISIBLE.search(text) is not None


def title_pattern() -> str:
    """JSON Schema pattern of a title: no control character, at least one visible one."""
    rest = _anywhere_but(_TITLE_CONTROL)
    return f"^{rest}{_visible_but(_TITLE_CONTROL)}{rest}$"


def body_pattern() -> str:
    """JSON Schema pattern of a body: empty, or no control character but tab/LF/CR and at
    least one visible character."""
    rest = _anywhere_but(_BODY_CONTROL)
    return f"^(?:|{rest}{_visible_but(_BODY_CONTROL)}{rest})$"


def query_pattern() -> str:
    """JSON Schema pattern of a search query: no control character but tab/LF/CR."""
    return f"^{_anywhere_but(_QUERY_CONTROL)}$"
