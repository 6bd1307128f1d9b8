"""Exit codes, end to end: each documented failure through the real CLI, human and --json.

In-process runs (run_cli) check every case; real processes (run_process) check that the
operating system sees the same codes. With --json, stdout is exactly one JSON document.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shipit.errors import EXIT_ENVIRONMENT, EXIT_OK, EXIT_USAGE
from tests.fixtures.cli import CliResult, run_cli, run_process
from tests.fixtures.moto import MotoServer

PROJECT = """\
[aws]
region = "us-east-1"

[env.dev]
ecs = { cluster = "demo-dev" }
secrets = { DB_PASSWORD = "arn:aws:secretsmanager:us-east-1:123456789012:secret:demo/db" }
"""

# (id, args, env additions, expected code, error kind, words on stderr)
CASES = [
    ("usage-unknown-option", ["config", "show", "--bogus"], {}, EXIT_USAGE, "usage",
     "No such option: --bogus"),
    ("usage-missing-argument", ["config", "diff", "dev"], {}, EXIT_USAGE, "usage",
     "Missing argument 'B'"),
    ("usage-unknown-command", ["deplyo"], {}, EXIT_USAGE, "usage", "No such command"),
    ("config-error", ["--config", "broken.toml", "config", "show"], {}, EXIT_USAGE, "config",
     "broken.toml:2 [ecs.clutser]: unknown key 'clutser'"),
    ("config-missing", ["--config", "missing.toml", "config", "show"], {}, EXIT_USAGE,
     "config", "config file not found"),
    ("unknown-env-option", ["--env", "qa", "config", "show"], {}, EXIT_USAGE, "unknown-env",
     "unknown environment 'qa' (from --env); known: dev"),
    ("unknown-env-variable", ["config", "show"], {"SHIPIT_ENV": "prd"}, EXIT_USAGE,
     "unknown-env", "unknown environment 'prd' (from SHIPIT_ENV); known: dev"),
    ("no-credentials", ["whoami"], {"NO_CREDENTIALS": "1"}, EXIT_ENVIRONMENT, "credentials",
     "no AWS credentials found"),
    ("unknown-region", ["--region", "us-esat-1", "whoami"], {}, EXIT_ENVIRONMENT, "region",
     "unknown AWS region 'us-esat-1' (from --region)"),
    ("aws-not-found", ["--env", "dev", "config", "validate", "--aws"], {}, EXIT_ENVIRONMENT,
     "not-found", "secret DB_PASSWORD"),
]  # fmt: skip


@pytest.fixture
def project(
    tmp_path: Path, aws_env: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> Path:
    (tmp_path / "shipit.toml").write_text(PROJECT)
    (tmp_path / "broken.toml").write_text('[ecs]\nclutser = "x"\n')
    monkeypatch.delenv("SHIPIT_ENV", raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def _environment(extra: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in extra.items():
        if name == "NO_CREDENTIALS":
            for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
                monkeypatch.delenv(variable, raising=False)
        else:
            monkeypatch.setenv(name, value)


def _check(result: CliResult, code: int, kind: str, words: str, *, json_mode: bool) -> None:
    assert result.exit_code == code, result.stderr
    assert words in result.stderr
    if json_mode:
        doc = result.json()  # exactly one JSON document, nothing else on stdout
        assert doc["ok"] is False
        assert (doc["error"]["kind"], doc["error"]["exit_code"]) == (kind, code)
    else:
        assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "extra", "code", "kind", "words"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
@pytest.mark.parametrize("json_mode", [False, True], ids=["human", "json"])
def test_exit_code(
    project: Path, monkeypatch: pytest.MonkeyPatch, json_mode: bool,
    args: list[str], extra: dict[str, str], code: int, kind: str, words: str,
) -> None:  # fmt: skip
    _environment(extra, monkeypatch)
    argv = ["--json", *args] if json_mode else args
    _check(run_cli(argv, cwd=project), code, kind, words, json_mode=json_mode)


@pytest.mark.parametrize(
    "case_id", ["usage-unknown-option", "config-error", "unknown-env-variable", "no-credentials",
                "unknown-region", "aws-not-found"],
)  # fmt: skip
def test_exit_code_of_a_real_process(
    project: Path, monkeypatch: pytest.MonkeyPatch, case_id: str
) -> None:
    _, args, extra, code, kind, words = next(case for case in CASES if case[0] == case_id)
    _environment(extra, monkeypatch)
    result = run_process(["--json", *args], cwd=project, env=os.environ)
    _check(result, code, kind, words, json_mode=True)


def test_success_is_zero_and_json_says_ok(project: Path) -> None:
    result = run_process(["--json", "whoami"], cwd=project, env=os.environ)
    assert result.exit_code == EXIT_OK, result.stderr
    assert result.json()["ok"] is True


def test_help_and_version_are_zero(project: Path) -> None:
    assert run_cli(["--help"]).exit_code == EXIT_OK
    version = run_cli(["--version"])
    assert (version.exit_code, version.stdout.split()[0]) == (EXIT_OK, "shipit")


def test_internal_errors_are_70_with_a_json_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("shipit.config.view.format_settings", explode)
    monkeypatch.setattr("shipit.redact.redact_settings", explode)
    result = run_cli(["--json", "config", "show"], cwd=project)
    assert result.exit_code == 70
    assert result.json()["error"]["kind"] == "internal"
    assert "RuntimeError: boom" in result.stderr


def test_ctrl_c_is_130(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("shipit.redact.redact_settings", interrupt)
    assert run_cli(["config", "show"], cwd=project).exit_code == 130
