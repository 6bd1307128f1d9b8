"""The daemon's log: no terminal codes, one previous run kept; sandbox up's phases."""

from __future__ import annotations

import io
from pathlib import Path

from shipit.sandbox.control import UpResult, rotate_log
from shipit.sandbox.daemon import PlainText
from shipit.sandbox.state import SandboxState


def test_terminal_codes_never_reach_the_log() -> None:
    stream = io.StringIO()
    plain = PlainText(stream)
    plain.write('127.0.0.1 "\x1b[35m\x1b[1mPOST /2013-04-01/hostedzone HTTP/1.1\x1b[0m" 201\n')
    plain.write("\x1b]0;title\x07ready\n")
    assert stream.getvalue() == '127.0.0.1 "POST /2013-04-01/hostedzone HTTP/1.1" 201\nready\n'


def test_the_log_holds_this_run_and_the_previous_one(tmp_path: Path) -> None:
    log = tmp_path / "daemon.log"
    for run in range(1, 5):
        rotate_log(log)
        log.write_text(f"run {run}\n", encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["daemon.log", "daemon.log.1"]
    assert log.read_text(encoding="utf-8") == "run 4\n"
    assert (tmp_path / "daemon.log.1").read_text(encoding="utf-8") == "run 3\n"


def test_up_phases_add_up_to_the_whole() -> None:
    state = SandboxState(pid=1, status="ready", ready_seconds=6.0,
                         phases={"moto import": 1.5, "stack": 3.0, "steady": 2.5})
    result = UpResult(state, already_running=False, seconds=9.0)
    assert result.phases == {"daemon start": 0.5, "moto import": 1.5, "stack": 3.0,
                             "until steady": 2.5}
    assert UpResult(state, already_running=True, seconds=0.1).phases == {}
