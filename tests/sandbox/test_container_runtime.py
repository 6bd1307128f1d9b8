"""A REAL image in the sandbox's registry runs as a podman container; `sandbox down` removes it.

The session's real build of sample_service/Dockerfile (tests/fixtures/real_build.py: shipit's
buildah backend, both platforms, on the local base image) is pushed by ``shipit push`` through
the sandbox's ECR data plane into its docker-registry, as the demo does, and deployed (push logs in
to the data plane with the ECR token itself). The scheduler stand-in must then pull it and run it
with podman (not from source).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from shipit.image.smoke import podman_argv
from shipit.image.storage import BuildahStorage
from shipit.sandbox.control import running_state, sandbox_paths
from shipit.sandbox.podman import CONTAINER_NOTE, LABEL, container_processes, probe_podman
from tests.fixtures.base_image import BuildStorage
from tests.fixtures.real_build import RealBuild
from tests.fixtures.sandbox import Sandbox, start_sandbox, stop_sandbox

pytestmark = [pytest.mark.buildah, pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture
def podman_sandbox(tmp_path: Path, build_storage: BuildStorage, sandbox_credentials: None,
                   monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    for name, value in build_storage.environ().items():
        monkeypatch.setenv(name, value)  # the daemon's podman shares the build's storage
    if not probe_podman(BuildahStorage.from_env()):
        pytest.skip("podman is not runnable here (podman info with runc failed)")
    root = tmp_path / "sandbox"
    root.mkdir()
    try:
        yield start_sandbox(root)
    finally:
        stop_sandbox(root)


def containers(storage: BuildStorage, root: Path, *, all_states: bool,
               field: str = "{{.Names}}") -> list[str]:
    argv = [*podman_argv(BuildahStorage.from_env(storage.environ())), "ps", "--no-trunc",
            "--format", field, "--filter", f"label={LABEL}={root.resolve()}"]
    done = subprocess.run([*argv, *(["--all"] if all_states else [])], capture_output=True,
                          text=True, check=True, timeout=60)
    return done.stdout.split()


def image_exists(storage: BuildStorage, image_id: str) -> bool:
    argv = [*podman_argv(BuildahStorage.from_env(storage.environ())), "image", "exists", image_id]
    return subprocess.run(argv, capture_output=True, check=False, timeout=60).returncode == 0


def test_a_pushed_image_runs_as_a_podman_container_and_down_removes_it(
    podman_sandbox: Sandbox, real_build: RealBuild, build_storage: BuildStorage
) -> None:
    box = podman_sandbox
    assert box.state.registry_host, "the sandbox has no registry data plane (docker-registry)"
    assert real_build.result.exit_code == 0, real_build.result.stderr[-4000:]
    (box.root / ".shipit").mkdir(exist_ok=True)
    shutil.copy(real_build.project.receipt_path, box.root / ".shipit" / "build-receipt.json")
    pushed = box.cli("--json", "push")
    assert pushed.exit_code == 0, pushed.stderr[-4000:]
    assert pushed.json()["digest"] == real_build.receipt["digest"]

    deployed = box.cli("deploy", "--tag", real_build.receipt["tag"])
    assert deployed.exit_code == 0, deployed.stderr[-3000:] + box.cli("status").stdout[-3000:]

    def runtimes() -> list[str]:
        state = running_state(sandbox_paths(box.root))
        assert state is not None
        assert state.runtime == "podman"
        return list(state.task_runtimes.values())

    box.wait_until("only the new revision's task runs", lambda: len(runtimes()) == 1, limit=10)
    assert runtimes() == [CONTAINER_NOTE]
    state = running_state(sandbox_paths(box.root))
    assert state is not None
    task_id = next(iter(state.task_runtimes))
    assert containers(build_storage, box.root, all_states=False) == [f"shipit-task-{task_id}"]
    assert box.health() == 200
    box.wait_until("the container's start-up lines reach CloudWatch",
                   lambda: '"msg": "schema ready"' in box.cli("logs", "--since", "10m").stdout)
    logs = box.cli("logs", "--since", "10m").stdout
    assert f"running the image as a {CONTAINER_NOTE}" in logs

    # Nothing changed: push uploads no layer, deploy registers no revision.
    for args in ((), ("--tag", "again")):
        pushed = box.cli("--json", "push", *args)
        assert pushed.exit_code == 0, pushed.stderr[-3000:]
        report = pushed.json()
        assert report["layers_uploaded"] == 0
        assert report["layers_total"] >= 2  # the base layer and the service's
    assert report["status"] == "pushed"  # a new tag: its manifests only
    revision = box.cli("--json", "status").json()["revision"]
    again = box.cli("--json", "deploy", "--tag", real_build.receipt["tag"])
    assert again.exit_code == 0, again.stderr[-3000:]
    assert (again.json()["outcome"], again.json()["revision"]) == ("unchanged", revision)
    assert box.cli("--json", "status").json()["revision"] == revision

    container_ids = containers(build_storage, box.root, all_states=True, field="{{.ID}}")
    assert container_processes(container_ids)  # its conmon, named by the container's id
    stop_sandbox(box.root)
    assert containers(build_storage, box.root, all_states=True) == []
    assert container_processes(container_ids) == []  # down waited for conmon's cleanup
    # The pull brought nothing new (a reproducible build pulled back has the build's image id):
    # what the build made stays for the next build of the same commit.
    built = real_build.receipt["local"]["images"]
    assert built
    assert all(image_exists(build_storage, image_id) for image_id in built.values())
