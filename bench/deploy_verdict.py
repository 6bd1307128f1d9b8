"""Deploy-verdict benchmark: how soon, and how right, each tool judges a failing deployment.

Usage (from the repository root):

    .venv/bin/python bench/deploy_verdict.py            # measure and print
    .venv/bin/python bench/deploy_verdict.py --record   # ... and write the "deploy verdict"
                                                        # section of docs/benchmarks.md

One sandbox, ``--runs`` rounds (default 3). The same broken revision (the app refuses to
start: DATABASE_URL is missing, exit 2) is deployed three times from a healthy service, each
time followed by one tool:

- shipit:       `shipit --env sandbox deploy` (registers the revision, follows it)
- ecs-deploy:   `ecs deploy CLUSTER SERVICE --task <that revision>` (PyPI ecs-deploy, installed
                in bench/.venv-peers, never in the project's venv), default timeout 300 s
- boto3 waiter: `update_service` then `get_waiter("services_stable").wait(...)`, default config

For each: the time from the first stopped task of its deployment (the task's stoppedAt) to the
tool's verdict, and the verdict itself. The sandbox's circuit breaker rolls the service back
after 3 failed tasks, as ECS does, so a tool that waits for "stable" sees the old revision
running again. Also measured: `shipit sandbox up` (process start to ready, 3 runs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import record_section  # noqa: E402 - after the path setup

PEERS = ROOT / "bench" / ".venv-peers"
SECTION = "## deploy verdict"
CLUSTER = SERVICE = "articles-sandbox"
PROVISIONING = 100.0
"""AWS seconds each sandbox task spends PROVISIONING (Fargate: 20-60 s, and more under load);
at the sandbox's time scale of 0.1 that is 10 s."""


@dataclass
class ToolResult:
    tool: str
    verdict: str
    exit_code: int | None
    first_stop_to_verdict_s: float | None
    deploy_to_verdict_s: float
    correct: bool
    detail: str


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument("--runs", type=int, default=3, help="rounds of the three tools")
    args = parser.parse_args()
    ecs_bin = ensure_ecs_deploy()
    root = Path(tempfile.mkdtemp(prefix="shipit-bench-"))
    shutil.copy(ROOT / "shipit.toml", root / "shipit.toml")
    env = clean_env()
    try:
        up_times = [sandbox_up_time(root, env, keep=False) for _ in range(3)]
        started = shipit(root, env, "sandbox", "up", "--provisioning", str(PROVISIONING))
        if started.returncode != 0:
            raise RuntimeError(started.stderr)
        state = json.loads((root / ".shipit" / "sandbox" / "state.json").read_text())
        endpoint = state["endpoint_url"]
        # The sandbox accepts only its own random keys: boto3 and ecs-deploy sign with them.
        keys = json.loads((root / ".shipit" / "sandbox" / "credentials.json").read_text())
        env = {**env, "AWS_ACCESS_KEY_ID": keys["aws_access_key_id"],
               "AWS_SECRET_ACCESS_KEY": keys["aws_secret_access_key"]}
        bench = Bench(root, env, endpoint)
        bench.break_config()
        rounds = []
        for number in range(args.runs):
            bench.put_image(f"v{number + 2}")
            rounds.append([bench.shipit(f"v{number + 2}"), bench.ecs_deploy(ecs_bin),
                           bench.waiter()])
            print(summary(rounds[-1]), flush=True)
    finally:
        shipit(root, env, "sandbox", "down")
        shutil.rmtree(root, ignore_errors=True)
    report = render(rounds, up_times)
    print(report)
    if args.record:
        record_section(SECTION, report)
    return 0


class Bench:
    def __init__(self, root: Path, env: dict[str, str], endpoint: str) -> None:
        self.root, self.env, self.endpoint = root, env, endpoint
        self.key_id, self.secret = env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
        self.ecs = boto3.client("ecs", endpoint_url=endpoint, region_name="us-east-1",
                                aws_access_key_id=self.key_id,
                                aws_secret_access_key=self.secret)
        self.broken_td: str | None = None

    def put_image(self, tag: str) -> None:
        from shipit.sandbox.stack import OCI_INDEX, image_index

        body, digest = image_index([("linux", "amd64"), ("linux", "arm64")], seed=tag)
        boto3.client("ecr", endpoint_url=self.endpoint, region_name="us-east-1",
                     aws_access_key_id=self.key_id, aws_secret_access_key=self.secret).put_image(
            repositoryName="articles", imageManifest=body, imageManifestMediaType=OCI_INDEX,
            imageTag=tag, imageDigest=digest)

    def break_config(self) -> None:
        """The classic: DATABASE_URL forgotten for a non-dev environment."""
        path = self.root / ".shipit" / "envs" / "sandbox.toml"
        lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("DATABASE_URL")]
        path.write_text("\n".join(lines) + "\n")

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            service = self.describe()
            primary = service["deployments"][0]
            if len(service["deployments"]) == 1 and primary["rolloutState"] == "COMPLETED":
                return
            time.sleep(0.2)
        raise RuntimeError("the service did not settle")

    def describe(self) -> dict[str, Any]:
        services: list[Any] = self.ecs.describe_services(
            cluster=CLUSTER, services=[SERVICE])["services"]
        return dict(services[0])

    def first_stop(self, deployment_id: str) -> float | None:
        arns = self.ecs.list_tasks(cluster=CLUSTER, desiredStatus="STOPPED")["taskArns"]
        if not arns:
            return None
        tasks = self.ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"]
        stops = [t["stoppedAt"].timestamp() for t in tasks
                 if t.get("startedBy") == deployment_id and t.get("stoppedAt")
                 and "Scaling activity" not in t.get("stoppedReason", "")]
        return min(stops) if stops else None

    def deployment_of(self, task_definition: str) -> str:
        deployments = self.describe()["deployments"]
        for deployment in deployments:
            if deployment["taskDefinition"] == task_definition:
                return str(deployment["id"])
        raise RuntimeError(f"no deployment of {task_definition}")

    def shipit(self, tag: str) -> ToolResult:
        self.wait_healthy()
        began = time.time()
        done = shipit(self.root, self.env, "--env", "sandbox", "--json", "deploy",
                      "--tag", tag, "--interval", "1")
        ended = time.time()
        receipt = json.loads(done.stdout)
        self.broken_td = receipt["task_definition"]
        first = self.first_stop(receipt["deployment_id"])
        kind = (receipt.get("failure") or {}).get("kind")
        verdict = f"{receipt['outcome']} ({kind}): {receipt['message']}"
        return ToolResult("shipit deploy", verdict, done.returncode,
                          round(ended - first, 2) if first else None, round(ended - began, 2),
                          done.returncode == 1 and receipt["outcome"] != "success",
                          (receipt.get("failure") or {}).get("title", ""))

    def ecs_deploy(self, ecs_bin: Path) -> ToolResult:
        assert self.broken_td is not None
        self.wait_healthy()
        env = {**self.env, "AWS_ENDPOINT_URL": self.endpoint, "AWS_DEFAULT_REGION": "us-east-1"}
        began = time.time()
        done = subprocess.run(
            [str(ecs_bin), "deploy", CLUSTER, SERVICE, "--task", self.broken_td,
             "--region", "us-east-1", "--timeout", "300"],
            env=env, capture_output=True, text=True, timeout=400, check=False)
        ended = time.time()
        deployment = self._latest_failed_or_primary(began)
        first = self.first_stop(deployment) if deployment else None
        lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.strip(" .")]
        said = lines[-1] if lines else ""
        verdict = ("success" if done.returncode == 0 else "failed") + f": {said[:120]}"
        return ToolResult("ecs-deploy 1.17", verdict, done.returncode,
                          round(ended - first, 2) if first else None, round(ended - began, 2),
                          done.returncode != 0, said)

    def waiter(self) -> ToolResult:
        assert self.broken_td is not None
        self.wait_healthy()
        began = time.time()
        self.ecs.update_service(cluster=CLUSTER, service=SERVICE,
                                taskDefinition=self.broken_td)
        deployment = self.deployment_of(self.broken_td)
        verdict, code = "stable (success)", 0
        try:
            self.ecs.get_waiter("services_stable").wait(cluster=CLUSTER, services=[SERVICE])
        except Exception as exc:  # WaiterError: a failure or the 10-minute give-up
            verdict, code = f"failed: {exc}"[:160], 1
        ended = time.time()
        first = self.first_stop(deployment)
        running = self.describe()["taskDefinition"].rsplit(":", 1)[-1]
        return ToolResult("boto3 services_stable", f"{verdict}; service runs revision {running}",
                          code, round(ended - first, 2) if first else None,
                          round(ended - began, 2), code != 0, "")

    def _latest_failed_or_primary(self, since: float) -> str | None:
        events = self.describe()["events"]
        for event in reversed(events):
            message = event["message"]
            if event["createdAt"].timestamp() >= since and "has started a new deployment" in (
                message
            ):
                return str(message.rsplit(" ", 1)[-1].rstrip("."))
        return None


def shipit(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shipit", "--config", str(root / "shipit.toml"),
                           *args], cwd=root, env=env, capture_output=True, text=True,
                          timeout=600, check=False)


def sandbox_up_time(root: Path, env: dict[str, str], *, keep: bool) -> float:
    began = time.perf_counter()
    done = shipit(root, env, "sandbox", "up")
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    if not keep:
        shipit(root, env, "sandbox", "down")
    return round(seconds, 2)


def load_average() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_EC2_METADATA_DISABLED="true")
    env.pop("SHIPIT_ENV", None)
    return env


def ensure_ecs_deploy() -> Path:
    ecs_bin = PEERS / "bin" / "ecs"
    if not ecs_bin.exists():
        if not PEERS.exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True)
        subprocess.run([str(PEERS / "bin" / "pip"), "install", "-q", "ecs-deploy"], check=True)
    return ecs_bin


def render(rounds: list[list[ToolResult]], up_times: list[float]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        SECTION, "",
        f"Run {when} on {os.cpu_count()} CPUs, load average {load_average()} at the end"
        f" (`.venv/bin/python bench/deploy_verdict.py --runs {len(rounds)}`).",
        "Scenario: one sandbox; the same kind of broken revision (DATABASE_URL missing: the app"
        " exits 2 at start) deployed from a healthy service, once per tool, in"
        f" {len(rounds)} rounds. The sandbox's circuit breaker (3 failed tasks) then rolls the"
        " service back, as ECS does. Each task spends"
        f" {PROVISIONING:g} AWS seconds PROVISIONING first (`sandbox up --provisioning"
        f" {PROVISIONING:g}`: {PROVISIONING * 0.1:g} s at the sandbox's time scale of 0.1), a"
        " scaled-down Fargate start (20-60 s on AWS, where the peers' gap would be larger still).",
        "",
        "| tool | verdict (last round) | exit | first stopped task -> verdict: median (range) |"
        " deploy -> verdict: median (range) | correct |",
        "|------|---------|------|------------------------------|-------------------|"
        "---------|",
    ]
    for index, last in enumerate(rounds[-1]):
        mine = [r[index] for r in rounds]
        first = [r.first_stop_to_verdict_s for r in mine if r.first_stop_to_verdict_s is not None]
        whole = [r.deploy_to_verdict_s for r in mine]
        correct = sum(r.correct for r in mine)
        verdict = last.verdict.replace("|", "/")
        lines.append(f"| {last.tool} | {verdict} | {last.exit_code} | {spread(first, 's')} |"
                     f" {spread(whole, 's')} | {correct} of {len(mine)} |")
    lines += ["", ratios(rounds)]
    lines += ["", f"`shipit sandbox up` (process start to steady, incl. the CLI's own start):"
              f" {', '.join(f'{t:.2f} s' for t in up_times)}"
              f" (median {statistics.median(up_times):.2f} s).", ""]
    raw = json.dumps({"rounds": [[asdict(r) for r in results] for results in rounds],
                      "sandbox_up_s": up_times})
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "deploy_verdict.json").write_text(raw + "\n")
    return "\n".join(lines)


def spread(values: list[float], unit: str) -> str:
    if not values:
        return "n/a"
    return (f"{statistics.median(values):.2f} {unit} ({min(values):.2f}-{max(values):.2f})")


def ratios(rounds: list[list[ToolResult]]) -> str:
    """Per peer: the median (range) over rounds of peer time / shipit time, one round at a time."""
    parts = []
    for index, peer in enumerate(rounds[0][1:], 1):
        values = [theirs / ours for ours, theirs in
                  ((r[0].first_stop_to_verdict_s, r[index].first_stop_to_verdict_s)
                   for r in rounds) if ours and theirs]
        if values:
            parts.append(f"{statistics.median(values):.0f}x sooner than {peer.tool}"
                         f" ({min(values):.0f}-{max(values):.0f}x over {len(values)} rounds)")
    wrong = sorted({r.tool for results in rounds for r in results if not r.correct})
    verdicts = ("wrong verdict in some round (called the rolled-back deployment a success or"
                " missed it): " + ", ".join(wrong)) if wrong else \
        "every tool reached the correct verdict"
    return (f"From the first stopped task, shipit reached its verdict {', '.join(parts) or 'n/a'};"
            f" {verdicts}.")


def summary(results: list[ToolResult]) -> str:
    """The goal, checked: shipit >= 10x sooner than each peer, and the only correct verdict."""
    ours = results[0].first_stop_to_verdict_s
    parts = []
    for peer in results[1:]:
        theirs = peer.first_stop_to_verdict_s
        if ours and theirs:
            parts.append(f"{theirs / ours:.0f}x sooner than {peer.tool}")
    wrong = [r.tool for r in results if not r.correct]
    verdicts = ("wrong verdict (called the rolled-back deployment a success or missed it): "
                + ", ".join(wrong)) if wrong else "every tool reached the correct verdict"
    return f"shipit reached its verdict {', '.join(parts) or 'n/a'}; {verdicts}."


if __name__ == "__main__":
    sys.exit(main())
