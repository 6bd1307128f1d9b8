"""`shipit init --from-aws` on a real sandbox: the adopted overlay equals the sandbox's own
generated environment key by key, doctor passes on it, the rest of shipit.toml is kept byte for
byte; two ALBs or no reachable RDS exit 2 with the candidates (no terminal), or are asked.

The tests share one sandbox (``endpoint``), each finding it as the sandbox made it: shipit.toml
and the sandbox's load balancers are put back after each; the test that deletes the database has
a sandbox of its own (``own_endpoint``)."""

from __future__ import annotations

import contextlib
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shipit.adopt.discover import NO_DATABASE, Wanted, discover
from shipit.adopt.model import Choice
from shipit.aws.session import AwsSession, resolve_target
from tests.fixtures.cli import CliResult, run_cli
from tests.fixtures.sandbox import Sandbox, sandbox_keys


def adopting(box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point AWS_ENDPOINT_URL at the sandbox's moto with its own keys (it refuses any other
    signature), as a user adopting it would."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", box.state.endpoint_url)
    keys = sandbox_keys(box.root)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", keys["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", keys["aws_secret_access_key"])
    assert box.cli("dns").exit_code == 0  # the Route53 alias, as the demo leaves it
    return box.state.endpoint_url


@pytest.fixture
def endpoint(shared_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The module's sandbox, adopted as a user would; shipit.toml and its ALBs put back after."""
    box = shared_sandbox
    config = box.config.read_bytes()
    elb = box.client("elbv2")
    ours = {lb["LoadBalancerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]}
    try:
        yield adopting(box, monkeypatch)
    finally:
        box.config.write_bytes(config)
        for lb in elb.describe_load_balancers()["LoadBalancers"]:
            if lb["LoadBalancerArn"] not in ours:
                for listener in elb.describe_listeners(
                        LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
                    elb.delete_listener(ListenerArn=listener["ListenerArn"])
                elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])


@pytest.fixture
def own_endpoint(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """A sandbox of this test's own (it deletes what the others need), adopted as a user would."""
    return adopting(sandbox, monkeypatch)


def init(box: Sandbox, *args: str) -> CliResult:
    return run_cli(["--config", str(box.config), "--json", "init", "--from-aws", *args],
                   cwd=box.root)


def adopted_table(box: Sandbox, name: str = "adopted") -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads(box.config.read_text(encoding="utf-8"))["env"][name]
    return table


def merged(box: Sandbox, env: str) -> dict[str, Any]:
    result = run_cli(["--config", str(box.config), "--env", env, "--json", "config", "show"],
                     cwd=box.root)
    assert result.exit_code == 0, result.stderr
    settings: dict[str, Any] = result.json()["settings"]
    return settings


def test_adopts_the_sandbox_as_its_own_environment(shared_sandbox: Sandbox, endpoint: str
                                                     ) -> None:
    sandbox = shared_sandbox
    original = sandbox.config.read_bytes()

    result = init(sandbox, "--env", "adopted", "--yes")

    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert document["written"] is True
    assert document["doctor"]["summary"]["fail"] == 0
    written = sandbox.config.read_bytes()
    assert written.startswith(original)  # every byte before the new table is untouched
    assert written[len(original):].lstrip(b"\n").startswith(b"[env.adopted]\n")
    own = tomllib.loads(sandbox.env_file.read_text(encoding="utf-8"))
    adopted = adopted_table(sandbox)
    for section, values in own.items():
        for key, value in values.items():
            assert adopted[section][key] == value, f"{section}.{key}"
    # The one difference: the sandbox builds both platforms; its task runs linux/amd64 only,
    # which is what the adopted environment builds.
    assert adopted["image"]["platforms"] == ["linux/amd64"]
    theirs, ours = merged(sandbox, "sandbox"), merged(sandbox, "adopted")
    assert ours["image"].pop("platforms") == ["linux/amd64"]
    assert theirs["image"].pop("platforms") == ["linux/amd64", "linux/arm64"]
    assert ours == theirs
    sources = {v["key"]: v["source"] for v in document["values"]}
    assert "DATABASE_URL's host" in sources["rds.instance"]
    assert "alias to" in sources["dns.name"]
    assert "ALB stand-in" in sources["http.url"]
    shown = {v["key"]: v["value"] for v in document["values"]}
    assert shown["secrets.DB_PASSWORD"] == sandbox.stack["secret_arn"]  # a reference

    doctor = sandbox.cli("--json", "doctor", env="adopted")
    assert doctor.exit_code == 0, doctor.stdout
    assert doctor.json()["summary"]["fail"] == 0


def test_an_existing_environment_is_never_replaced_without_force(
    shared_sandbox: Sandbox, endpoint: str
) -> None:
    sandbox = shared_sandbox
    original = sandbox.config.read_bytes()

    result = init(sandbox, "--env", "dev", "--yes")

    assert result.exit_code == 2
    assert "environment 'dev' already exists" in result.stderr
    assert "--force" in result.stderr
    assert sandbox.config.read_bytes() == original

    forced = init(sandbox, "--env", "dev", "--yes", "--force")
    assert forced.exit_code == 0, forced.stderr
    assert adopted_table(sandbox, "dev")["ecs"]["cluster"] == "articles-sandbox"
    assert tomllib.loads(sandbox.config.read_text())["env"]["prod"]["ecs"]["desired_count"] == 3


def second_alb(box: Sandbox) -> str:
    elb = box.client("elbv2")
    stack = box.stack
    lb = elb.create_load_balancer(Name="clicked-by-hand", Subnets=stack["subnet_ids"],
                                  SecurityGroups=[stack["security_groups"]["alb"]],
                                  Scheme="internet-facing", Type="application")
    arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=8080, DefaultActions=[
        {"Type": "forward", "TargetGroupArn": stack["target_group_arn"]}])
    return str(lb["LoadBalancers"][0]["DNSName"])


def session(endpoint: str) -> AwsSession:
    return AwsSession(resolve_target(config_region="us-east-1", config_endpoint=endpoint))


def test_two_albs_exit_2_with_the_candidates_or_are_asked(shared_sandbox: Sandbox, endpoint: str
                                                          ) -> None:
    sandbox = shared_sandbox
    original = sandbox.config.read_bytes()
    other = second_alb(sandbox)

    result = init(sandbox, "--env", "adopted", "--yes")

    assert result.exit_code == 2
    assert "cannot choose the load balancer" in result.stderr
    assert "articles-sandbox-alb" in result.stderr
    assert other in result.stderr
    assert "--alb NAME" in result.stderr
    assert sandbox.config.read_bytes() == original

    asked: list[Choice] = []

    def pick_the_second(choice: Choice) -> str:  # what a person at the prompt answers
        asked.append(choice)
        return choice.candidates[1]

    found = discover(session(endpoint), Wanted(), choose=pick_the_second)
    assert [c.what for c in asked] == ["the load balancer"]
    chosen = asked[0].candidates[1].split(" ", 1)[0]
    assert any(n.key == "lb.dns_name" and chosen in n.value for n in found.notes)

    settled = init(sandbox, "--env", "adopted", "--yes", "--alb", "articles-sandbox-alb")
    assert settled.exit_code == 0, settled.stderr


def test_no_reachable_database_exits_2_with_the_candidates(sandbox: Sandbox, own_endpoint: str
                                                           ) -> None:
    rds = sandbox.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="unrelated-db", Engine="postgres",
                           DBInstanceClass="db.t4g.micro", AllocatedStorage=20,
                           MasterUsername="x", MasterUserPassword="not-a-secret-123")
    rds.delete_db_instance(DBInstanceIdentifier="articles-sandbox", SkipFinalSnapshot=True)
    original = sandbox.config.read_bytes()

    result = init(sandbox, "--env", "adopted", "--yes")

    assert result.exit_code == 2
    assert "cannot choose the RDS instance" in result.stderr
    assert "unrelated-db" in result.stderr
    assert NO_DATABASE in result.stderr
    assert "--rds ID" in result.stderr
    assert sandbox.config.read_bytes() == original

    settled = init(sandbox, "--env", "adopted", "--yes", "--rds", "none")
    assert settled.exit_code in (0, 1), settled.stderr  # written; doctor judges the rest
    assert settled.json()["written"] is True
    assert "rds" not in adopted_table(sandbox)


def test_the_diff_is_shown_and_nothing_written_without_yes(shared_sandbox: Sandbox, endpoint: str
                                                           ) -> None:
    sandbox = shared_sandbox
    original = sandbox.config.read_bytes()

    dry = init(sandbox, "--env", "adopted", "--dry-run", "--explain")
    assert dry.exit_code == 0, dry.stderr
    assert "+[env.adopted]" in dry.stderr
    assert "postgresql://articles@" in dry.stderr
    assert dry.json()["written"] is False

    unconfirmed = init(sandbox, "--env", "adopted")
    assert unconfirmed.exit_code == 2
    assert "--yes" in unconfirmed.stderr
    assert sandbox.config.read_bytes() == original
    assert Path(sandbox.root / "shipit.toml.shipit-tmp").exists() is False


def test_on_a_terminal_the_choice_and_the_write_are_asked(shared_sandbox: Sandbox, endpoint: str
                                                          ) -> None:
    """A real pseudo-terminal: the person picks the ALB by number, then says yes."""
    sandbox = shared_sandbox
    import os
    import pty
    import subprocess
    import sys

    second_alb(sandbox)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "shipit", "--config", str(sandbox.config), "init", "--from-aws",
         "--env", "adopted"], cwd=sandbox.root, stdin=follower, stdout=follower,
        stderr=follower, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})
    os.close(follower)
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 60
        while marker not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the process ended and closed the terminal
                break
            seen += chunk
        assert marker in seen, seen.decode(errors="replace")

    try:
        read_until(b"number:")
        assert b"Which the load balancer?" in seen
        os.write(leader, b"1\n")
        read_until(b"[y/N]")
        assert b"+[env.adopted]" in seen
        os.write(leader, b"y\n")
        read_until(b"running doctor on it")
        read_until(b"shipit doctor: adopted")
        with contextlib.suppress(OSError):  # drain: a full terminal buffer would block it
            while os.read(leader, 65536):
                pass
        assert process.wait(timeout=60) in (0, 1)
    finally:
        process.kill()
        os.close(leader)
    assert "[env.adopted]" in sandbox.config.read_text(encoding="utf-8")
