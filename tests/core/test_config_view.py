"""Pure views: flatten, diff and the TOML-like formatting used by config show/diff."""

from __future__ import annotations

from typing import Any

import pytest

from shipit.config.view import Difference, diff, flatten, format_diff, format_settings, format_value


def test_flatten_quotes_keys_that_toml_would_quote() -> None:
    assert flatten({"ecs": {"cluster": "c"}, "vars": {"A.B": "x"}, "l": [1, {"x": 1}]}) == {
        "ecs.cluster": "c",
        'vars."A.B"': "x",
        "l": [1, {"x": 1}],
    }


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ({"a": 1}, {"a": 1}, []),
        ({"a": 1}, {"a": 2}, [Difference("a", 1, 2)]),
        ({"s": {"x": 1, "y": 2}}, {"s": {"x": 1, "y": 3}}, [Difference("s.y", 2, 3)]),
        ({"v": {"A": "1"}}, {"v": {}}, [Difference("v.A", "1", None)]),
        ({"v": {}}, {"v": {"B": "2"}}, [Difference("v.B", None, "2")]),
        ({"a": None}, {}, []),  # None and missing are both "not set"
        ({"l": ["a", "b"]}, {"l": ["b", "a"]}, [Difference("l", ["a", "b"], ["b", "a"])]),
        ({"a": 1, "b": 1}, {"b": 2, "a": 2}, [Difference("a", 1, 2), Difference("b", 1, 2)]),
    ],
)
def test_diff_lists_exactly_the_differing_paths(
    left: dict[str, Any], right: dict[str, Any], expected: list[Difference]
) -> None:
    assert diff(left, right) == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "(not set)"),
        (True, "true"),
        (3, "3"),
        ("a\"b", '"a\\"b"'),
        (["x", 1], '["x", 1]'),
        ({}, "{}"),
        ({"A": "1", "b c": 2}, '{ A = "1", "b c" = 2 }'),
    ],
)
def test_format_value(value: Any, text: str) -> None:
    assert format_value(value) == text


def test_format_diff_aligns_columns_and_is_empty_without_differences() -> None:
    text = format_diff(
        [Difference("ecs.cluster", "a-dev", "a-prod"), Difference("vars.X", None, "1")],
        "dev",
        "prod",
    )
    assert text.splitlines() == [
        "key          dev        prod",
        'ecs.cluster  "a-dev"    "a-prod"',
        'vars.X       (not set)  "1"',
    ]
    assert format_diff([], "dev", "prod") == ""


def test_format_settings_is_toml_with_unset_keys_as_comments() -> None:
    text = format_settings(
        {"aws": {"region": "us-east-1", "profile": None}, "vars": {}}, title="environment: dev"
    )
    assert text.splitlines() == [
        "# environment: dev",
        "",
        "[aws]",
        'region = "us-east-1"',
        "# profile = (not set)",
        "",
        "[vars]",
        "# (empty)",
    ]
