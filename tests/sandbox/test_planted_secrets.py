"""Secrets never leave: a whole sandbox session with planted secret values, then a grep.

Secret values are planted in shipit.toml's [vars] (by name, by URL password, by query
parameter, by token shape) and as the value of the sandbox's Secrets Manager secret. Every
command a user would run goes by (sandbox up, deploy --dry-run, --json, -vv, a changed secret,
status, logs, doctor, config show/diff, sandbox down); then all stdout, stderr and every file
under .shipit/ is searched for each planted value and its unique marker: 0 occurrences.
"""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

from shipit.sandbox.control import running_state, sandbox_paths
from tests.fixtures.cli import CliResult, run_cli
from tests.fixtures.sandbox import REPO_ROOT, TICK, Sandbox, stop_sandbox


def _marker(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(8)}"


def _planted() -> dict[str, str]:
    """name -> value; every value carries a marker found nowhere else."""
    m = {key: _marker("m") for key in range(12)}
    return {
        "STRIPE_API_KEY": f"sk_live_{m[0]}",
        "DB_PW": f"dbpw-{m[1]}",
        "PGPASS": f"pgpass-{m[2]}",
        "GITHUB_PAT": f"ghp_{m[3]}{m[3]}",
        "SLACK_WEBHOOK": f"https://hooks.slack.com/services/T01/B02/{m[4]}",
        # no secret name: found by shape
        "ANALYTICS_URL": f"https://ingest:p/a@ss w@rd-{m[5]}@analytics.example.com/v1",
        "CALLBACK_URL": f"https://cb.example.com/hook?page=2&token={m[6]}",
        "UPLOAD_URL": f"https://b.s3.amazonaws.com/k?X-Amz-Expires=60&X-Amz-Signature={m[7]}",
        "UPLOADER_ID": "AKIA" + m[8][1:17].upper().replace("0", "Q"),
        "SAMPLE_SESSION": f"eyJhbGciOiJIUzI1NiJ9.eyJ{m[9]}.{m[9]}sig",
        "SLACK_BOT": f"xoxb-1234-{m[10]}",
    }


def _secret_part(name: str, value: str) -> str:
    """What must never be seen of ``value``: the whole, or the part after the visible one."""
    if name == "ANALYTICS_URL":
        return value.split("//ingest:", 1)[1].rsplit("@analytics", 1)[0]
    if name == "SLACK_WEBHOOK":
        return value.rsplit("/", 1)[1]
    if "=" in value:
        return value.rsplit("=", 1)[1]
    return value


def _plant(config: Path, variables: dict[str, str]) -> None:
    text = config.read_text(encoding="utf-8")
    lines = "".join(f"{name} = {_toml(value)}\n" for name, value in variables.items())
    text = text.replace('[vars]\nLOG_LEVEL = "info"\nPORT = "8000"\n',
                        '[vars]\nLOG_LEVEL = "info"\nPORT = "8000"\n' + lines, 1)
    assert all(value in text for value in variables.values())
    config.write_text(text, encoding="utf-8")


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_no_planted_secret_leaves_shipit(tmp_path: Path, sandbox_credentials: None) -> None:
    planted = _planted()
    shutil.copy(REPO_ROOT / "shipit.toml", tmp_path / "shipit.toml")
    _plant(tmp_path / "shipit.toml", planted)
    results: list[tuple[str, CliResult]] = []

    def shipit(*args: str) -> CliResult:
        result = run_cli(["--config", str(tmp_path / "shipit.toml"), *args], cwd=tmp_path)
        results.append((" ".join(args), result))
        return result

    try:
        up = shipit("sandbox", "up", "--tick", TICK, "--timeout", "120")
        assert up.exit_code == 0, up.stderr
        state = running_state(sandbox_paths(tmp_path))
        assert state is not None
        box = Sandbox(tmp_path, state)
        box.wait_until("the initial revision serves", lambda: box.health() == 200, limit=120)
        secret_value = _marker("sm-")
        planted["(Secrets Manager) DB_PASSWORD"] = secret_value
        box.client("secretsmanager").put_secret_value(SecretId=state.stack["secret_arn"],
                                                     SecretString=secret_value)
        box.put_image("v2")

        def sandbox(*args: str) -> CliResult:
            return shipit("--env", "sandbox", *args)

        assert sandbox("deploy", "--tag", "v2", "--dry-run").exit_code == 0
        assert sandbox("--json", "deploy", "--tag", "v2", "--dry-run").exit_code == 0
        first = sandbox("-vv", "deploy", "--tag", "v2")
        assert first.exit_code == 0, first.stderr + first.stdout
        assert box.health() == 200

        # A secret changes: the plan says so, never with its value.
        new_key = f"sk_live_{_marker('m')}"
        text = box.config.read_text(encoding="utf-8")
        box.config.write_text(text.replace(planted["STRIPE_API_KEY"], new_key), encoding="utf-8")
        planted["STRIPE_API_KEY (new)"] = new_key
        plan = sandbox("deploy", "--tag", "v2", "--dry-run")
        assert plan.exit_code == 0, plan.stderr
        assert "environment[STRIPE_API_KEY].value: *** (changed)" in plan.stdout
        plan_json = sandbox("--json", "deploy", "--tag", "v2", "--dry-run").json()
        assert any(line.endswith("[STRIPE_API_KEY].value: *** (changed)")
                   for line in plan_json["task_definition_diff"])
        second = sandbox("--json", "-vv", "deploy", "--tag", "v2")
        assert second.exit_code == 0, second.stderr
        assert box.health() == 200

        for args in (("status",), ("--json", "status"), ("logs", "--since", "30m", "--all"),
                     ("--json", "logs", "--since", "30m", "--all"), ("config", "show"),
                     ("--json", "config", "show"), ("config", "diff", "dev", "sandbox"),
                     ("rollback", "--dry-run"), ("--json", "rollback", "--dry-run")):
            done = sandbox(*args)
            assert done.exit_code == 0, (args, done.stderr)
        for args in (("-vv", "doctor"), ("--json", "doctor")):  # fails: secrets in plain env
            assert sandbox(*args).exit_code in (0, 1)
        # A known secret quoted back by someone else's error message is hidden too.
        for args in (("deploy", "--tag", planted["DB_PW"]),
                     ("--json", "deploy", "--tag", planted["PGPASS"])):
            failed = sandbox(*args)
            assert failed.exit_code != 0
            assert "***" in failed.stderr
        receipt = (tmp_path / ".shipit" / "deploy-receipt.json").read_text(encoding="utf-8")
        assert "[STRIPE_API_KEY].value: *** (changed)" in receipt
    finally:
        stop_sandbox(tmp_path)
    shipit("sandbox", "down")

    leaks = _leaks(planted, results, tmp_path / ".shipit")
    assert not leaks, "planted secrets found:\n" + "\n".join(leaks)
    assert len(results) >= 21
    assert (tmp_path / ".shipit" / "deploy-receipt.json").exists()


def _leaks(planted: dict[str, str], results: list[tuple[str, CliResult]], shipit_dir: Path
           ) -> list[str]:
    needles = {}
    for name, value in planted.items():
        part = _secret_part(name.split(" ")[0], value)
        needles[f"{name} value"] = part
        for marker in re.findall(r"m[0-9a-f]{16}", part):
            needles[f"{name} marker"] = marker
    found: list[str] = []
    for command, result in results:
        for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            found += [f"{what} in `shipit {command}` {stream}" for what, needle in needles.items()
                      if needle in text]
    files = [p for p in shipit_dir.rglob("*") if p.is_file()] if shipit_dir.exists() else []
    for path in files:
        data = path.read_bytes()
        found += [f"{what} in {path}" for what, needle in needles.items()
                  if needle.encode() in data]
    return found
