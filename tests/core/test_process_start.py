"""The executable's start: the cyclic collector is off for the first seconds only, pydantic's
plugin scan is skipped unless the user says otherwise; its end (``finish``) is what Python's would
be but the teardown. Each case runs in its own interpreter
(the collector and the environment are process-wide)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import gc, json, os, sys
from shipit.process_start import prepare
before = gc.isenabled()
timer = prepare(quiet_seconds=0.2)
during = gc.isenabled()
if timer is not None:
    timer.join(timeout=10)
print(json.dumps({"before": before, "during": during, "after": gc.isenabled(),
                  "timer": timer is not None,
                  "plugins": os.environ.get("PYDANTIC_DISABLE_PLUGINS")}))
"""


def start(prelude: str = "", env: dict[str, str] | None = None) -> dict[str, object]:
    environ = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    environ.update(env or {})
    done = subprocess.run([sys.executable, "-c", prelude + PROBE], env=environ,
                          capture_output=True, text=True, check=True, timeout=60)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_collector_is_off_while_the_command_starts_and_on_again_after() -> None:
    seen = start()
    assert seen == {"before": True, "during": False, "after": True, "timer": True,
                    "plugins": "__all__"}


def test_a_collector_turned_off_by_the_caller_stays_off() -> None:
    seen = start("import gc; gc.disable()\n")
    assert (seen["before"], seen["during"], seen["after"], seen["timer"]) == (
        False, False, False, False)


def test_the_users_own_pydantic_plugin_setting_is_kept() -> None:
    assert start(env={"PYDANTIC_DISABLE_PLUGINS": ""})["plugins"] == ""
    assert start(env={"PYDANTIC_DISABLE_PLUGINS": "logfire"})["plugins"] == "logfire"


def test_the_executable_prepares_before_running_a_command() -> None:
    """`shipit` (the entry point) runs a command with the collector off and the scan skipped."""
    probe = (
        "import gc, os, sys\n"
        "import shipit.cli.app as app\n"
        "plugins = 'PYDANTIC_DISABLE_PLUGINS'\n"
        "app.run = lambda args: print(gc.isenabled(), os.environ[plugins]) or 0\n"
        "from shipit.cli.entry import main\n"
        "main(['whoami'])\n"
    )
    environ = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    done = subprocess.run([sys.executable, "-c", probe], env=environ, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "__all__"]


def test_a_long_lived_process_settles_with_its_start_frozen_and_the_collector_on() -> None:
    probe = ("import gc\nfrom shipit.process_start import settled\ngc.disable()\n"
             "before = gc.get_freeze_count()\nsettled()\n"
             "print(gc.isenabled(), gc.get_freeze_count() > before)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.split() == ["True", "True"]


FINISH = """
import atexit, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from shipit.process_start import finish

folder = Path(sys.argv[1])
atexit.register(lambda: (folder / "atexit").write_text("ran"))

def late() -> None:
    time.sleep(0.3)
    (folder / "thread").write_text("done")

threading.Thread(target=late).start()  # not a daemon: the process waits for it, as Python does
pool = ThreadPoolExecutor(2)  # never shut down, still referenced: its idle workers must not hang it
pool.submit(print, end="").result()
sys.stdout.write("x" * 100_000)  # more than a pipe holds: flushed on the way out
sys.stdout.write("end")
finish(int(sys.argv[2]))
"""


@pytest.mark.parametrize("code", [0, 3])
def test_finish_ends_the_process_as_python_would(tmp_path: Path, code: int) -> None:
    """Exit status, every byte written, non-daemon threads waited for, atexit handlers run."""
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-c", FINISH, str(tmp_path), str(code)], env=buffered,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == code, done.stderr
    assert done.stdout == "x" * 100_000 + "end"
    assert (tmp_path / "thread").read_text() == "done"
    assert (tmp_path / "atexit").read_text() == "ran"
    assert done.stderr == ""


def test_finish_keeps_the_status_when_the_reader_went_away() -> None:
    """`shipit logs | head`: the reader closed the pipe; no traceback, the command's status."""
    probe = ("import sys\nfrom shipit.process_start import finish\n"
             "sys.stdout.write('line\\n' * 50_000)\nfinish(0)\n")
    reader = subprocess.Popen([sys.executable, "-c", probe], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert reader.stdout is not None
    assert reader.stdout.read(5) == b"line\n"
    reader.stdout.close()  # as `head -1` does
    assert reader.wait(timeout=60) == 0
    assert reader.stderr is not None
    assert reader.stderr.read() == b""


def test_the_executable_ends_with_the_commands_status() -> None:
    """`shipit` (the entry point) exits with what the command returned, through ``finish``."""
    probe = ("import shipit.cli.app as app\n"
             "app.run = lambda args: print('ran', args) or 4\n"
             "from shipit.cli.entry import main\n"
             "main(['whoami'])\n"
             "print('never here')\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=False)
    assert (done.returncode, done.stdout) == (4, "ran ['whoami']\n")
