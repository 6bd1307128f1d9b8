"""shipit reads a registry with the login its builder holds (the containers / docker auth files)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from shipit.image.registry_auth import registry_login


def _write(path: Path, host: str, user: str, password: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    path.write_text(json.dumps({"auths": {host: {"auth": auth}}}), encoding="utf-8")


def test_the_first_auth_file_holding_the_host_wins(tmp_path: Path) -> None:
    env = {"REGISTRY_AUTH_FILE": str(tmp_path / "a.json"), "XDG_RUNTIME_DIR": str(tmp_path / "x"),
           "HOME": str(tmp_path / "home")}
    _write(tmp_path / "x" / "containers" / "auth.json", "127.0.0.1:5000", "AWS", "from-xdg")
    _write(tmp_path / "home" / ".docker" / "config.json", "reg.example", "u", "from-docker")
    xdg = registry_login("127.0.0.1:5000", env)  # REGISTRY_AUTH_FILE does not exist: next
    assert xdg is not None
    assert xdg._auth_header == "Basic " + base64.b64encode(b"AWS:from-xdg").decode()
    docker = registry_login("reg.example", env)
    assert docker is not None
    assert registry_login("other.example", env) is None


def test_a_broken_auth_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{not json", encoding="utf-8")
    assert registry_login("h", {"REGISTRY_AUTH_FILE": str(tmp_path / "a.json"),
                                "HOME": str(tmp_path)}) is None
