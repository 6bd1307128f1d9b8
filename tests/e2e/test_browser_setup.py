"""Where the browser e2e finds Chromium, and what it says when there is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit.e2e.browser import find_chromium, unavailable
from shipit.errors import EnvironmentProblem
from tests.fixtures.cli import run_cli


def test_chromium_from_the_path_or_the_variable(tmp_path: Path) -> None:
    assert find_chromium({"PATH": "/usr/bin"}) == "/usr/bin/chromium"
    fake = tmp_path / "my-chromium"
    fake.write_text("")
    assert find_chromium({"SHIPIT_CHROMIUM": str(fake), "PATH": ""}) == str(fake)
    assert unavailable({"PATH": "/usr/bin"}) is None


@pytest.mark.parametrize(("environ", "words"), [
    ({"PATH": "/nowhere"}, "apt-get install chromium"),
    ({"SHIPIT_CHROMIUM": "/nowhere/chromium", "PATH": "/usr/bin"}, "is not a file"),
])
def test_no_chromium_says_how_to_get_one(environ: dict[str, str], words: str) -> None:
    with pytest.raises(EnvironmentProblem) as caught:
        find_chromium(environ)
    assert words in f"{caught.value.message} {caught.value.hint}"
    reason = unavailable(environ)
    assert reason is not None
    assert words in reason


def test_cli_without_chromium_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "shipit.toml").write_text(
        '[http]\nurl = "http://127.0.0.1:9"\n[web]\norigin = "http://127.0.0.1:8"\n')
    monkeypatch.setenv("SHIPIT_CHROMIUM", str(tmp_path / "absent"))
    result = run_cli(["--config", str(tmp_path / "shipit.toml"), "e2e", "--browser", "--json"],
                     cwd=tmp_path)
    assert result.exit_code == 3
    assert "SHIPIT_CHROMIUM" in result.json()["error"]["message"]
    assert not (tmp_path / ".shipit" / "e2e").exists()
