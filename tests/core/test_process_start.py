"""The executable's start: the cyclic collector is off for the first seconds only, pydantic's
plugin scan is skipped unless the user says otherwise. Each case runs in its own interpreter
(the collector and the environment are process-wide)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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
