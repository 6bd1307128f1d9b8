"""Output: colour decisions, one JSON document on stdout, human logs on stderr."""

from __future__ import annotations

import io
import json

import pytest

from shipit.output import Output, wants_color


@pytest.mark.parametrize(
    ("environ", "isatty", "color"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),  # no-color.org: only a non-empty value counts
        ({"TERM": "dumb"}, True, False),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, True, False),
    ],
)
def test_wants_color(environ: dict[str, str], isatty: bool, color: bool) -> None:
    assert wants_color(environ, isatty) is color


def make(json_mode: bool) -> tuple[Output, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return Output(json_mode=json_mode, stdout=out, stderr=err, environ={}), out, err


def test_json_mode_writes_one_document_and_logs_to_stderr() -> None:
    output, out, err = make(json_mode=True)
    output.step("working")
    output.warn("careful")
    output.result({"value": 1}, human=lambda console: console.print("not in JSON mode"))
    assert json.loads(out.getvalue()) == {"ok": True, "value": 1}
    assert err.getvalue().splitlines() == ["→ working", "! careful"]
    with pytest.raises(RuntimeError, match="only one JSON document"):
        output.write_json({"again": True})


def test_human_mode_prints_the_renderer_plain_when_not_a_tty() -> None:
    output, out, err = make(json_mode=False)
    output.result({"value": 1}, human=lambda console: console.print("[b]value[/b] 1"))
    output.fail("it broke [x]", hint="try again")
    assert out.getvalue() == "value 1\n"
    assert "\x1b[" not in out.getvalue() + err.getvalue()
    assert err.getvalue().splitlines() == ["✗ it broke [x]", "  hint: try again"]


def test_debug_only_when_verbose() -> None:
    quiet, _, quiet_err = make(json_mode=False)
    quiet.debug("detail")
    loud = Output(verbose=1, stderr=io.StringIO(), stdout=io.StringIO(), environ={})
    loud.debug("detail")
    assert quiet_err.getvalue() == ""
    assert loud.err.file.getvalue() == "detail\n"  # type: ignore[attr-defined]


def test_long_lines_are_not_wrapped_when_not_a_tty() -> None:
    output, _, err = make(json_mode=False)
    output.info("x" * 300)
    assert err.getvalue() == "x" * 300 + "\n"


def test_every_way_out_is_redacted() -> None:
    from shipit.redact import Redactor

    out, err = io.StringIO(), io.StringIO()
    known = "correct horse/battery@staple"
    output = Output(json_mode=True, verbose=1, stdout=out, stderr=err, environ={},
                    redactor=Redactor([known]))
    token = "ghp_" + "a1" * 18
    for say in (output.step, output.info, output.debug, output.success, output.warn):
        say(f"connecting with {known} and {token}")
    output.fail(f"refused {known}", hint=f"try another than {token}")
    output.raw_error(f"Traceback ...\nValueError: {known}\n")
    output.out.print(f"human result {known}")
    output.err.print(f"live view {token}")
    output.result({"environment": [{"name": "DB_PW", "value": "plain-pw-1"}],
                   "message": f"url postgresql://u:{known}@db/x"})
    text = out.getvalue() + err.getvalue()
    for secret in (known, token, "plain-pw-1", "horse", "staple"):
        assert secret not in text
    assert text.count("***") >= 12
    human, _, document = out.getvalue().partition("\n")
    assert human == "human result ***"
    assert json.loads(document)["environment"][0]["value"] == "***"
