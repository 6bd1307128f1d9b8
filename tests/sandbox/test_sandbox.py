"""The sandbox for real: moto over HTTP, the reference stack, real service processes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shipit.sandbox.control import port_in_use
from shipit.sandbox.state import pid_alive
from tests.fixtures.cli import run_cli
from tests.fixtures.sandbox import REPO_ROOT, Sandbox, start_sandbox, stop_sandbox


def test_up_creates_the_reference_stack(shared_sandbox: Sandbox) -> None:
    sandbox = shared_sandbox  # read only, as the next test
    ec2, stack = sandbox.client("ec2"), sandbox.stack
    vpc = stack["vpc_id"]
    assert ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")[
        "EnableDnsHostnames"]["Value"] is True
    assert len(stack["subnet_ids"]) == 2
    groups = stack["security_groups"]
    rules = ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [groups["tasks"], groups["db"]]}]
    )["SecurityGroupRules"]
    pairs = {(r["GroupId"], r.get("ReferencedGroupInfo", {}).get("GroupId"), r["FromPort"])
             for r in rules if not r["IsEgress"]}
    assert (groups["tasks"], groups["alb"], 8000) in pairs
    assert (groups["db"], groups["tasks"], 5432) in pairs

    db = sandbox.client("rds").describe_db_instances()["DBInstances"][0]
    assert db["Engine"] == "postgres"
    assert db["PubliclyAccessible"] is False

    service = sandbox.describe_service()
    config = service["deploymentConfiguration"]["deploymentCircuitBreaker"]
    assert config == {"enable": True, "rollback": True}
    assert service["launchType"] == "FARGATE"
    assert service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"] == [
        groups["tasks"]]
    ecs = sandbox.client("ecs")
    definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])[
        "taskDefinition"]
    container = definition["containerDefinitions"][0]
    assert definition["networkMode"] == "awsvpc"
    assert container["cpu"]
    assert container["memory"]
    assert container["logConfiguration"]["logDriver"] == "awslogs"
    assert {s["name"] for s in container["secrets"]} == {"DB_PASSWORD"}

    elb = sandbox.client("elbv2")
    group = elb.describe_target_groups(TargetGroupArns=[stack["target_group_arn"]])[
        "TargetGroups"][0]
    assert (group["HealthCheckPath"], group["Port"], group["TargetType"]) == (
        "/api/health", 8000, "ip")
    assert elb.describe_listeners(LoadBalancerArn=stack["load_balancer_arn"])["Listeners"]

    log_group = sandbox.client("logs").describe_log_groups()["logGroups"][0]
    assert log_group["retentionInDays"] == 30
    zones = sandbox.client("route53").list_hosted_zones()["HostedZones"]
    assert [z["Name"] for z in zones] == ["sandbox.articles.test."]
    role = sandbox.client("iam").get_role(RoleName="articles-sandbox-execution")["Role"]
    assert "ecs-tasks.amazonaws.com" in json.dumps(role["AssumeRolePolicyDocument"])

    # The initial revision is deployed and serving through the ALB stand-in.
    assert sandbox.health() == 200
    assert sandbox.running_revisions() == {1}
    assert service["deployments"][0]["rolloutState"] == "COMPLETED"
    text = sandbox.env_file.read_text(encoding="utf-8")
    assert sandbox.state.endpoint_url in text
    assert sandbox.state.proxy_url in text


def test_up_deploy_status_logs_down(tmp_path: Path, sandbox_credentials: None) -> None:
    try:
        box = start_sandbox(tmp_path)
        digest = box.put_image("v2")
        deployed = box.cli("--json", "deploy", "--tag", "v2")
        assert deployed.exit_code == 0, deployed.stderr
        receipt = deployed.json()
        assert receipt["outcome"] == "success"
        assert receipt["revision"] == 2
        assert receipt["image_digest"] == digest
        assert "sample_service from source" in deployed.stderr  # the sandbox says what runs
        assert box.health() == 200
        assert box.running_revisions() == {2}

        status = box.cli("--json", "status")
        assert status.exit_code == 0, status.stderr
        report = status.json()
        assert report["healthy"] is True
        assert report["revision"] == 2
        assert report["image"].endswith(digest)
        assert [t["state"] for t in report["targets"]] == ["healthy"]
        human = box.cli("status")
        assert "revision    2" in human.stdout
        assert "healthy" in human.stdout

        logs = box.cli("logs", "--since", "5m")
        assert logs.exit_code == 0, logs.stderr
        assert "running sample_service from source" in logs.stdout
        assert '"msg": "starting"' in logs.stdout

        state = box.state
        pids = [state.pid, *(box_state_pids(tmp_path))]
        down = run_cli(["--config", str(box.config), "--json", "sandbox", "down"], cwd=tmp_path)
        assert down.exit_code == 0, down.stderr
        assert down.json()["ports_free"] is True
        assert not any(pid_alive(pid) for pid in pids)
        assert not port_in_use(state.moto_port)
        assert not port_in_use(state.proxy_port)
        assert not box.env_file.exists()
        status_after = run_cli(["--config", str(box.config), "--json", "sandbox", "status"],
                               cwd=tmp_path)
        assert status_after.json()["running"] is False
    finally:
        stop_sandbox(tmp_path)


def box_state_pids(root: Path) -> list[int]:
    from shipit.sandbox.control import running_state, sandbox_paths

    state = running_state(sandbox_paths(root))
    return list(state.task_pids.values()) if state else []


def test_up_twice_reuses_the_running_sandbox(shared_sandbox: Sandbox) -> None:
    sandbox = shared_sandbox
    again = run_cli(["--config", str(sandbox.config), "--json", "sandbox", "up"],
                    cwd=sandbox.root)
    assert again.exit_code == 0
    assert again.json()["already_running"] is True
    assert again.json()["pid"] == sandbox.state.pid


@pytest.mark.parametrize("command", ["down", "status"])
def test_commands_without_a_sandbox(tmp_path: Path, command: str) -> None:
    (tmp_path / "shipit.toml").write_text('project = "x"\n', encoding="utf-8")
    result = run_cli(["--config", str(tmp_path / "shipit.toml"), "--json", "sandbox", command],
                     cwd=tmp_path)
    assert result.exit_code == 0
    assert result.json().get("running", result.json().get("was_running")) is False


def test_down_after_the_daemon_was_killed_leaves_no_task_behind(
    tmp_path: Path, sandbox_credentials: None
) -> None:
    import os
    import signal

    from shipit.sandbox.control import running_state, sandbox_paths

    try:
        box = start_sandbox(tmp_path)
        state = running_state(sandbox_paths(tmp_path))
        assert state is not None
        tasks = list(state.task_pids.values())
        assert tasks
        helpers = [p for p in (state.registry_pid,) if p]  # docker-registry, when installed
        os.kill(state.pid, signal.SIGKILL)
        box.wait_until("the daemon is gone", lambda: not pid_alive(state.pid))

        down = run_cli(["--config", str(box.config), "--json", "sandbox", "down"], cwd=tmp_path)

        assert down.exit_code == 0
        box.wait_until("its tasks are gone", lambda: not any(pid_alive(p) for p in tasks), 10)
        box.wait_until(
            "its docker-registry is gone", lambda: not any(pid_alive(p) for p in helpers), 10
        )
        assert not box.env_file.exists()
    finally:
        stop_sandbox(tmp_path)


def test_readme_flow_up_then_deploy_at_once(tmp_path: Path, sandbox_credentials: None) -> None:
    """The README's commands, back to back: `sandbox up` returns with the service steady, so
    the next command's deploy is not refused as 'still IN_PROGRESS'."""
    shutil.copy(REPO_ROOT / "shipit.toml", tmp_path / "shipit.toml")
    config = ["--config", str(tmp_path / "shipit.toml")]
    try:
        up = run_cli([*config, "--json", "sandbox", "up"], cwd=tmp_path)
        assert up.exit_code == 0, up.stderr
        assert up.json()["steady"] is True
        assert "service steady" in up.stderr

        assert {"stack", "until steady"} <= set(up.json()["phases"])
        same = run_cli([*config, "--env", "sandbox", "--json", "deploy", "--tag",
                        "sandbox-initial"], cwd=tmp_path)
        assert same.exit_code == 0, same.stderr
        assert (same.json()["outcome"], same.json()["revision"]) == ("unchanged", 1)

        deployed = run_cli([*config, "--env", "sandbox", "--json", "deploy", "--tag",
                            "sandbox-initial", "--force"], cwd=tmp_path)

        assert deployed.exit_code == 0, deployed.stderr
        assert deployed.json()["outcome"] == "success"
        status = run_cli([*config, "--json", "sandbox", "status"], cwd=tmp_path).json()
        newest = status["tasks"][-1]
        assert newest["revision"] == 1
        assert len(status["tasks"]) >= 2  # --force started a new task of the same revision
        assert newest["phase"] == "RUNNING"
        assert newest["health"] == "healthy"
        timings = newest["timings"]
        assert timings["running"] is not None
        assert timings["first_healthy"] >= timings["running"]
        assert status["storage"]["driver"] in ("overlay", "vfs")
        human = run_cli([*config, "sandbox", "status"], cwd=tmp_path).stdout
        assert "rev 1: RUNNING/healthy" in human
        ecs_status = run_cli([*config, "--env", "sandbox", "--json", "status"],
                             cwd=tmp_path).json()
        running = next(t for t in ecs_status["tasks"] if t["last_status"] == "RUNNING")
        assert running["pull_seconds"] is not None  # pullStartedAt/pullStoppedAt, as on ECS
        assert running["start_seconds"] is not None
    finally:
        stop_sandbox(tmp_path)
