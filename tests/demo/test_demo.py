"""`shipit demo` run the way `make demo` runs it: scripts/demo in a fresh copy of this repository.

The copy holds what git would check out (tracked and untracked-but-not-ignored files, as they
are now) committed into a new git repository, so the demo's .shipit/ state never meets the
checkout's or another test's. No AWS variables reach it: the demo needs no AWS account.
Afterwards no process that mentions the copy may run and no port the demo used may answer.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv"
FAKES = REPO / "tests" / "fakes"
STEPS = ["sandbox up", "build", "push", "deploy", "dns", "web", "doctor", "export", "e2e",
         "browser", "report", "sandbox down"]
pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@dataclass(frozen=True)
class DemoRun:
    code: int
    report: dict[str, Any]
    stderr: str

    def verdicts(self) -> dict[str, str]:
        return {s["step"]: s["verdict"] for s in self.report["steps"]}

    def step(self, name: str) -> dict[str, Any]:
        return next(s for s in self.report["steps"] if s["step"] == name)


def fresh_copy(target: Path) -> Path:
    """The working tree as a fresh clone would have it (a clean git repository)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git = ["git", "-c", "user.name=demo test", "-c", "user.email=demo@example.com"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "fresh clone"]):
        subprocess.run([*git, *args], cwd=target, check=True, capture_output=True)
    return target


def demo_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "SHIPIT_", "FAKE_DOCKER")) and k != "VENV"}
    env.update({"VENV": str(VENV), "NO_COLOR": "1", "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull, **(extra or {})})
    return env


def run_demo(root: Path, *args: str, env: dict[str, str]) -> DemoRun:
    """`make demo` minus the bootstrap: scripts/demo, with --json for the assertions."""
    done = subprocess.run([str(root / "scripts" / "demo"), "--json", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=1500, check=False)
    return DemoRun(done.returncode, json.loads(done.stdout), done.stderr)


def leftovers(root: Path) -> list[str]:
    """Processes whose command line names the copy (daemon, tasks, docker-registry)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if str(root) in cmdline or cwd.startswith(str(root)):
            found.append(f"{proc.name}: {cmdline}")
    return found


def answers(url_or_host: str | None) -> bool:
    if not url_or_host:
        return False
    port = int(url_or_host.rstrip("/").rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def assert_nothing_left(root: Path, run: DemoRun) -> None:
    registry = run.step("sandbox up")["data"].get("registry")
    for where in (run.report["endpoint_url"], run.report["url"], registry):
        assert not answers(where), f"{where} still answers after the demo"
    assert leftovers(root) == []
    assert not (root / ".shipit" / "envs" / "sandbox.toml").exists()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return fresh_copy(tmp_path / "clone")


@pytest.mark.buildah
@pytest.mark.timeout(2400)  # the first run ever also makes the base image (debootstrap)
def test_make_demo_on_the_default_path_twice(project: Path) -> None:
    """What a new user runs: no SHIPIT_* or AWS variable, the machine's own containers store
    (whatever shipit.image.storage decides there), twice in a row."""
    for attempt in ("first", "second"):
        run = run_demo(project, env=demo_env())

        assert run.code == 0, f"{attempt} run: {run.stderr[-5000:]}"
        assert run.report["ok"] is True
        assert [s["step"] for s in run.report["steps"]] == STEPS
        assert set(run.verdicts().values()) == {"pass"}, run.verdicts()
        assert run.report["builder"] == "buildah"
        receipt = run.step("build")["data"]["receipt"]
        assert {p["platform"] for p in receipt["platforms"]} == {"linux/amd64", "linux/arm64"}
        assert run.step("push")["data"]["digest"] == receipt["digest"]
        assert run.step("deploy")["data"]["image_digest"] == receipt["digest"]
        exported = run.step("export")["data"]
        assert [f for f in exported["lint"] if f["level"] == "error"] == []
        assert exported["written"].endswith(".shipit/stack.yaml")
        assert run.report["task_runtime"] == "container (podman)"  # the pushed image really ran
        task = run.report["task"]
        assert task["revision"] == run.step("deploy")["data"]["revision"]
        assert task["timings"]["first_healthy"] is not None
        storage = run.report["storage"]
        assert storage["driver"] in ("overlay", "vfs")
        assert storage["reason"]
        assert receipt["local"]["storage"]["driver"] == storage["driver"]
        assert storage["driver"] in task["store"]
        assert_nothing_left(project, run)


def test_builder_none_deploys_from_source_and_keep_leaves_it_running(project: Path) -> None:
    env = demo_env()
    run = run_demo(project, "--builder", "none", "--keep", env=env)
    try:
        assert run.code == 0, run.stderr[-5000:]
        verdicts = run.verdicts()
        assert verdicts["build"] == verdicts["push"] == verdicts["sandbox down"] == "skip"
        assert {verdicts[s] for s in ("sandbox up", "deploy", "dns", "web", "doctor", "export",
                                      "e2e", "browser", "report")} == {"pass"}
        assert "no image built" in run.step("build")["detail"]
        assert answers(run.report["url"])
        assert run.report["kept"] is True
        assert "shipit sandbox down" in run.report["next"]
    finally:
        down = subprocess.run([str(VENV / "bin" / "python"), "-m", "shipit", "sandbox", "down"],
                              cwd=project, env=env, capture_output=True, text=True, timeout=120,
                              check=False)
    assert down.returncode == 0, down.stderr
    assert_nothing_left(project, run)


def test_a_failing_step_exits_1_names_it_and_still_cleans_up(project: Path) -> None:
    # The FAKE docker (tests/fakes/docker) plays a buildx whose build fails.
    env = demo_env({"PATH": f"{FAKES}:{os.environ['PATH']}", "FAKE_DOCKER_MODE": "fail",
                    "FAKE_DOCKER_LOG": str(project.parent / "docker.log")})
    run = run_demo(project, "--builder", "buildx", env=env)

    assert run.code == 1
    assert run.report["ok"] is False
    assert run.report["failed_step"] == "build"
    verdicts = run.verdicts()
    assert verdicts["sandbox up"] == "pass"
    assert verdicts["build"] == "fail"
    assert {verdicts[s] for s in ("push", "deploy", "dns", "web", "doctor", "export", "e2e",
                                  "browser", "report")} == {"skip"}
    assert verdicts["sandbox down"] == "pass"
    assert "demo failed at step build" in run.stderr
    assert_nothing_left(project, run)
