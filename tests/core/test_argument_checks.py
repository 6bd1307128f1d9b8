"""Loose arguments are refused before anything is called: tags against the registry's tag
grammar in every command that takes one (dry runs too), --since bounds, probe --url http(s).

No AWS endpoint answers here (127.0.0.1:9): a check that came after an AWS call would fail
with exit 3, not 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit.errors import EXIT_USAGE
from shipit.oci_grammar import tag_problem
from tests.fixtures.cli import run_cli

PROJECT = """\
project = "articles"
[aws]
region = "us-east-1"
endpoint_url = "http://127.0.0.1:9"
[image]
repository = "articles"
[ecs]
cluster = "c"
service = "s"
container = "app"
"""


@pytest.mark.parametrize(
    ("tag", "ok"),
    [("1a2b3c4", True), ("v1.2.0", True), ("_x", True), ("A" * 128, True), ("", False),
     ("a b", False), ("a:b", False), ("a/b", False), (".x", False), ("-x", False),
     ("A" * 129, False), ("é", False), ("x\n", False)],
)
def test_tag_grammar(tag: str, ok: bool) -> None:
    assert (tag_problem(tag) is None) is ok


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["deploy", "--tag", ""], "--tag: the tag is empty"),
        (["deploy", "--tag", "", "--dry-run"], "--tag: the tag is empty"),
        (["deploy", "--tag", "a b", "--dry-run"], "is not an image tag"),
        (["deploy", "--tag", "v1:2", "--dry-run"], "is not an image tag"),
        (["deploy", "--image", "articles:bad tag", "--dry-run"], "--image:"),
        (["push", "--tag", "a/b", "--dry-run"], "is not an image tag"),
        (["build", "--tag", "x y"], "is not an image tag"),
        (["logs", "--since", "99999999999h"], "--since '99999999999h' is out of range"),
        (["logs", "--since", "0"], "is out of range"),
        (["logs", "--since", "9" * 400], "is out of range"),
        (["logs", "--since", "soon"], "is not a duration"),
        (["probe", "--url", "file:///etc/passwd"], "is not an http(s) URL"),
        (["probe", "--url", "ftp://example.com/x"], "is not an http(s) URL"),
        (["probe", "--url", "data:text/plain,hi"], "is not an http(s) URL"),
        (["probe", "--url", "http://[::1"], "is not an http(s) URL"),
    ],
)
def test_loose_arguments_exit_2_before_any_call(tmp_path: Path, args: list[str],
                                                words: str) -> None:
    (tmp_path / "shipit.toml").write_text(PROJECT, encoding="utf-8")
    result = run_cli(["--config", str(tmp_path / "shipit.toml"), *args], cwd=tmp_path)
    assert result.exit_code == EXIT_USAGE, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
