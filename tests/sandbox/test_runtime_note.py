"""The sandbox says which runtime runs its tasks, and why a present podman was not used."""

from __future__ import annotations

import pytest

from shipit.image.storage import BuildahStorage
from shipit.sandbox.podman import podman_problem, probe_podman
from shipit.sandbox.task_process import runtime_note


@pytest.mark.parametrize(
    ("runtime", "reason", "expected"),
    [
        ("podman", "", "runs as a container (podman)"),
        ("local-process", "podman does not work here: storage mismatch",
         "tasks run sample_service from source (podman does not work here: storage mismatch)"),
        ("local-process", "", "tasks run sample_service from source (no container runtime)"),
    ],
)
def test_runtime_note(runtime: str, reason: str, expected: str) -> None:
    assert expected in runtime_note(runtime, reason)


def test_missing_podman_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    problem = podman_problem(BuildahStorage.from_env())
    assert problem == "no container runtime: podman is not installed"
    assert not probe_podman(BuildahStorage.from_env())
