"""shipit.local_stand_in: product commands ask a plugged-in stand-in, never import the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit import local_stand_in
from shipit.adopt.emulated import LocalAddresses


class Answering:
    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def addresses(self, root: Path, endpoint_url: str | None) -> LocalAddresses | None:
        if endpoint_url != self.endpoint:
            return None
        return LocalAddresses(alb_url="http://127.0.0.1:1", registry_host=None,
                              load_balancer_arn=None, state_file=str(root / "state.json"))

    def note(self, root: Path, endpoint_url: str | None) -> str | None:
        return "stand-in: tasks run here" if endpoint_url == self.endpoint else None


def test_only_the_stand_in_serving_the_endpoint_answers(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_stand_in, "_PLUGGED", [])
    assert local_stand_in.addresses(tmp_path, "http://127.0.0.1:5000") is None
    assert local_stand_in.note(tmp_path, "http://127.0.0.1:5000") is None
    local_stand_in.plug_in(Answering("http://127.0.0.1:5000"))
    local_stand_in.plug_in(Answering("http://127.0.0.1:6000"))
    found = local_stand_in.addresses(tmp_path, "http://127.0.0.1:6000")
    assert found is not None
    assert found.state_file == str(tmp_path / "state.json")
    assert local_stand_in.note(tmp_path, "http://127.0.0.1:5000") == "stand-in: tasks run here"
    assert local_stand_in.addresses(tmp_path, None) is None  # AWS itself: no stand-in


def test_the_cli_plugs_the_sandbox_in() -> None:
    from shipit.cli import app  # noqa: F401 - building the CLI registers its commands
    from shipit.cli.sandbox import SANDBOX

    assert SANDBOX in local_stand_in._PLUGGED
