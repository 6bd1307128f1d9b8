"""Adopt never leaves shipit.toml unloadable: each validation an adopted value can fail is
broken on purpose on a moto stack; the run exits 2 naming the value (never a secret's) and
where it came from, the file keeps its bytes, and `shipit config validate` passes after it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shipit.adopt import flow
from shipit.errors import ConfigError
from tests.adopt.clickops import Shape, app_container, build
from tests.fixtures.cli import run_cli
from tests.fixtures.moto import MotoServer

BASE = '# hand-written, keep me\nproject = "shop"\n\n[aws]\nregion = "us-east-1"\n'


def env_var(name: str, value: str) -> Shape:
    return Shape(containers=[app_container(environment=[{"name": name, "value": value}])],
                 records=[])


def health_path(path: str) -> Shape:
    return Shape(health_path=path, records=[])


def desired(count: int) -> Shape:
    return Shape(desired=count, records=[])


def secret_named(name: str) -> Shape:
    return Shape(containers=[app_container(secrets=[{
        "name": name, "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/x"}])],
        records=[])


BROKEN: list[tuple[str, Shape, str, str]] = [
    # (what breaks, the stack, the base file's extra text, what the message must name)
    ("an origin with a path", env_var("CORS_ALLOWED_ORIGINS", "https://shop.example.org/app"),
     "", "'https://shop.example.org/app'"),
    ("an origin with a wildcard host", env_var("CORS_ALLOWED_ORIGINS", "https://*.example.org"),
     "", "'https://*.example.org'"),
    ("a variable name env files allow but shipit.toml does not",
     env_var("spring.profiles.active", "prod"), "", "'spring.profiles.active'"),
    ("a control character in a value", env_var("BANNER", "welcome\nto the shop"), "",
     "vars.BANNER"),
    ("a health path with a query", health_path("/health?deep=1"), "", "'/health?deep=1'"),
    ("a desired count beyond shipit's bound", desired(1500), "", "ecs.desired_count"),
    ("a secret whose name the base holds as a plain variable", secret_named("API_TOKEN"),
     '\n[vars]\nAPI_TOKEN = "from-the-base-not-a-secret"\n', "API_TOKEN"),
]


@pytest.mark.parametrize(("what", "shape", "extra", "named"), BROKEN,
                         ids=[b[0] for b in BROKEN])
def test_a_value_shipit_toml_cannot_hold_is_refused_before_writing(
        aws_env: MotoServer, tmp_path: Path, what: str, shape: Shape, extra: str,
        named: str) -> None:
    config = tmp_path / "shipit.toml"
    config.write_text(BASE + extra, encoding="utf-8")
    before = config.read_bytes()
    build(shape)

    for json_flag in ((), ("--json",)):
        result = run_cli(["--config", str(config), *json_flag, "init", "--from-aws", "--env",
                          "prod", "--yes"], cwd=tmp_path)

        assert result.exit_code == 2, (what, result.stdout, result.stderr)
        assert "not written" in result.stderr
        assert named in result.stderr, result.stderr
        assert "from-the-base-not-a-secret" not in result.stdout + result.stderr
        assert config.read_bytes() == before
        assert not (tmp_path / "shipit.toml.shipit-tmp").exists()
        validate = run_cli(["--config", str(config), "config", "validate"], cwd=tmp_path)
        assert validate.exit_code == 0, validate.stderr


def test_a_file_that_fails_to_load_after_writing_gets_its_saved_bytes_back(
        aws_env: MotoServer, tmp_path: Path) -> None:
    """Environment names are checked only when the whole file loads: the write happens, the
    load fails, and the bytes saved before the write are what the file holds again."""
    config = tmp_path / "shipit.toml"
    config.write_text(BASE, encoding="utf-8")
    before = config.read_bytes()
    build(Shape(records=[]))

    result = run_cli(["--config", str(config), "init", "--from-aws", "--env", "Prod", "--yes"],
                     cwd=tmp_path)

    assert result.exit_code == 2
    assert "environment name 'Prod'" in result.stderr
    assert config.read_bytes() == before
    assert run_cli(["--config", str(config), "config", "validate"], cwd=tmp_path).exit_code == 0


def test_apply_puts_the_saved_bytes_back_when_the_written_file_does_not_load(
        tmp_path: Path) -> None:
    config = tmp_path / "shipit.toml"
    config.write_text(BASE, encoding="utf-8")
    config.chmod(0o640)
    broken = BASE + '\n[env.prod]\necs = { desired_count = "three" }\n'
    plan = flow.Plan("prod", config, config.read_bytes(), broken, diff="")

    with pytest.raises(ConfigError, match="three"):
        flow.apply(plan)

    assert config.read_bytes() == BASE.encode()
    assert config.stat().st_mode & 0o777 == 0o640


def test_apply_puts_the_saved_bytes_back_on_an_interrupt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the written file is read back (the interrupt is raised by a stand-in for
    load_config: a signal cannot be timed to land inside it)."""
    import shipit.config

    config = tmp_path / "shipit.toml"
    config.write_text(BASE, encoding="utf-8")
    valid = BASE + '\n[env.prod]\necs = { cluster = "c" }\n'
    plan = flow.Plan("prod", config, config.read_bytes(), valid, diff="")

    def interrupted(path: Path) -> Any:
        assert path.read_text(encoding="utf-8") == valid  # the new text was written
        raise KeyboardInterrupt

    monkeypatch.setattr(shipit.config, "load_config", interrupted)
    with pytest.raises(KeyboardInterrupt):
        flow.apply(plan)

    assert config.read_bytes() == BASE.encode()


def test_an_old_environments_secrets_stay_hidden_when_force_replaces_it(
        aws_env: MotoServer, tmp_path: Path) -> None:
    config = tmp_path / "shipit.toml"
    old = 'vars = { DB_PASSWORD = "old-planted-pass-31337", API_URL = "https://u:hunter22@x.io" }'
    config.write_text(f"{BASE}\n[env.prod]\n{old}\n", encoding="utf-8")
    build(Shape(records=[]))

    result = run_cli(["--config", str(config), "--json", "init", "--from-aws", "--env", "prod",
                      "--force", "--dry-run"], cwd=tmp_path)

    assert result.exit_code == 0, result.stderr
    assert "-vars = " in result.stderr
    for planted in ("old-planted-pass-31337", "hunter22"):
        assert planted not in result.stderr
        assert planted not in result.stdout
