"""find_line: the line of a key path in TOML text, for tables, inline tables and dotted keys."""

from __future__ import annotations

import tomllib

import pytest

from shipit.config.line_index import find_line, key_lines

TEXT = """\
project = "articles"  # line 1

[aws]
region = "us-east-1"

[image]
platforms = [
  "linux/amd64",  # a comment, with = and [brackets]
  "linux/arm64",
]
notes = \"\"\"
[not.a.table]
fake = 1
\"\"\"
build_args = { A = "x", "B.C" = 'y' }

[env.prod]
ecs = { cluster = "c", service = "s", nested = { deep = 1 } }
http.url = "https://api.example.com"
"quoted key" = 1
vars = { APP_ENV = "prod", 'LITERAL' = 'x' }

[env.dev.dns]
zone = "dev.example.com"  # comment = sign
  name   =   "api.dev.example.com"

[[env.dev.hooks]]
cmd = "x"
"""


@pytest.mark.parametrize(
    ("keys", "line"),
    [
        (["project"], 1),
        (["aws"], 3),
        (["aws", "region"], 4),
        (["image", "platforms"], 7),
        (["image", "platforms", 0], 8),
        (["image", "platforms", "1"], 9),
        (["image", "notes"], 11),
        (["image", "build_args", "A"], 15),
        (["image", "build_args", "B.C"], 15),
        (["env", "prod"], 17),
        (["env", "prod", "ecs"], 18),
        (["env", "prod", "ecs", "service"], 18),
        (["env", "prod", "ecs", "nested", "deep"], 18),
        # unknown key inside an inline table: the inline table's line
        (["env", "prod", "ecs", "clutser"], 18),
        (["env", "prod", "http", "url"], 19),
        # a table made only by a dotted key: that line
        (["env", "prod", "http"], 19),
        (["env", "prod", "quoted key"], 20),
        (["env", "prod", "vars", "LITERAL"], 21),
        # a table made only by a deeper header: that header
        (["env", "dev"], 23),
        (["env", "dev", "dns", "zone"], 24),
        (["env", "dev", "dns", "name"], 25),
        (["env", "dev", "hooks", "cmd"], 28),
        # nearest defined parent when the key itself is absent
        (["aws", "profile"], 3),
        (["env", "prod", "vars", "MISSING"], 21),
        # not defined anywhere (and text inside a multi-line string is not a table)
        (["not", "a", "table"], None),
        (["env", "staging", "ecs"], None),
        ([], None),
    ],
)
def test_find_line(keys: list[str | int], line: int | None) -> None:
    assert find_line(TEXT, keys) == line


def test_text_is_valid_toml() -> None:
    tomllib.loads(TEXT)


@pytest.mark.parametrize(
    "text",
    ['a = "unterminated\n', "[table\nkey = 1\n", "key = { a = 1", "= 1\n", "a = [1, 2\n"],
)
def test_malformed_text_never_raises(text: str) -> None:
    key_lines(text)
    assert find_line(text, ["key"]) in (None, 1, 2)


def test_keys_after_a_malformed_line_are_not_invented() -> None:
    assert key_lines("a = 1\n[b\nc = 2\n") == [(("a",), 1)]
