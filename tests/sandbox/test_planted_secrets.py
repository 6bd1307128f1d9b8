"""Secrets never leave: a whole sandbox session with planted secret values, then a grep.

Secret values are planted in shipit.toml's [vars] (by name as TOML assignments, raw URL
passwords holding spaces, '/', '@' and '%', a key as a URL's user name, query tokens, token
shapes) and as the value of the sandbox's Secrets Manager secret. Every command a user would run
goes by (sandbox up, deploy --dry-run, --json, -vv, a changed secret, status, logs, doctor,
config show/diff, rollback --dry-run, sandbox down); then all stdout, stderr and every file
under .shipit/ outside the sandbox's own store is searched for each planted value and its
unique marker: 0 occurrences. The store itself (.shipit/sandbox/) is 0700 with every file 0600
while it runs, and its task logs are gone after `sandbox down`. One sandbox for the whole test.
"""

from __future__ import annotations

import re
import secrets
import shutil
import stat
from pathlib import Path

import httpx

from shipit.sandbox.control import running_state, sandbox_paths
from tests.fixtures.cli import CliResult, run_cli
from tests.fixtures.sandbox import REPO_ROOT, TICK, Sandbox, stop_sandbox


def _marker(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(8)}"


def _planted() -> dict[str, str]:
    """name -> value; every value carries a marker found nowhere else."""
    m = {key: _marker("m") for key in range(16)}
    return {
        # issue 17's shapes: a raw password with '@', '/', ' ' and '%' (split at the last '@'),
        # a key as a URL's user name, TOML assignments of secret names, a query token.
        "REPORTS_DATABASE_URL": f"postgresql://u:s3@cr/t p%x{m[12]}@db.internal:5432/reports",
        "ERROR_REPORTING_URL": f"https://{m[13]}{m[13]}@o1.sentry.example/1",
        "PGPASSWORD": f"pg pw/with@all%{m[14]}",
        "EXPORT_URL": f"https://export.example.com/x?a=1&access_token={m[15]}#frag",
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
    if name == "REPORTS_DATABASE_URL":
        return value.split("//u:", 1)[1].rsplit("@db.internal", 1)[0]
    if name == "ERROR_REPORTING_URL":
        return value.split("//", 1)[1].split("@", 1)[0]
    if name == "EXPORT_URL":
        return value.rsplit("=", 1)[1].split("#", 1)[0]
    if name == "PGPASSWORD":
        return value
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
        _assert_private_store(tmp_path / ".shipit" / "sandbox")
        _assert_refuses_strangers(state.endpoint_url)
        secret_value = _marker("sm-")
        planted["(Secrets Manager) DB_PASSWORD"] = secret_value
        box.client("secretsmanager").put_secret_value(SecretId=box.stack["secret_arn"],
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
        receipt_path = tmp_path / ".shipit" / "deploy-receipt.json"
        assert "[STRIPE_API_KEY].value: *** (changed)" in receipt_path.read_text(encoding="utf-8")
        assert stat.S_IMODE(receipt_path.stat().st_mode) == 0o600
        assert sandbox("--json", "config", "show").json()  # redacted, and still parses
        shown = sandbox("config", "show").stdout
        assert 'DB_PW = "***"' in shown
        _assert_private_store(tmp_path / ".shipit" / "sandbox")
    finally:
        down = shipit("sandbox", "down")
        stop_sandbox(tmp_path)
    assert down.exit_code == 0, down.stderr
    store = tmp_path / ".shipit" / "sandbox"
    assert not (store / "tasks").exists()  # task logs removed (no --keep-logs)
    assert not (store / "credentials.json").exists()

    leaks = _leaks(planted, results, tmp_path / ".shipit")
    assert not leaks, "planted secrets found:\n" + "\n".join(leaks)
    assert len(results) >= 23
    assert (tmp_path / ".shipit" / "deploy-receipt.json").exists()


def _assert_private_store(store: Path) -> None:
    """The sandbox's own store: a 0700 folder of 0600 files (the state holds every plain var)."""
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    loose = [f"{path} {oct(stat.S_IMODE(path.lstat().st_mode))}" for path in store.rglob("*")
             if not path.is_symlink() and stat.S_IMODE(path.lstat().st_mode)
             & (stat.S_IRWXG | stat.S_IRWXO)]
    assert not loose, "readable by others:\n" + "\n".join(loose)


def _assert_refuses_strangers(endpoint: str) -> None:
    """A web page's request, a rebinding Host and a junk signature: refused by the sandbox."""
    port = endpoint.rsplit(":", 1)[1]
    junk = {"X-Amz-Target": "secretsmanager.ListSecrets",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/"
            "secretsmanager/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
            "X-Amz-Date": "20260101T000000Z"}
    for extra in ({"Origin": "https://evil.example"}, {"Host": f"evil.example:{port}"}, {}):
        answer = httpx.post(endpoint + "/", content=b"{}", headers={**junk, **extra},
                            trust_env=False)
        assert answer.status_code == 403, extra
        assert "SecretList" not in answer.text


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
    store = shipit_dir / "sandbox"  # the sandbox's own store (0600, checked above) is not output
    files = [p for p in shipit_dir.rglob("*") if p.is_file() and not p.is_relative_to(store)
             ] if shipit_dir.exists() else []
    for path in files:
        data = path.read_bytes()
        found += [f"{what} in {path}" for what, needle in needles.items()
                  if needle.encode() in data]
    return found
