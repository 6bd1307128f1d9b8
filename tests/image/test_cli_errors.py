"""``shipit build`` refuses bad input before building: each case's message and exit code."""

from __future__ import annotations

import socket

import pytest

from tests.image.conftest import MakeProject


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def error(result_json: dict[str, object]) -> dict[str, object]:
    assert result_json["ok"] is False
    found = result_json["error"]
    assert isinstance(found, dict)
    return found


def test_missing_dockerfile(make_project: MakeProject) -> None:
    project = make_project(dockerfile="service/Dockerfile")
    result = project.shipit("build")
    assert result.exit_code == 2
    found = error(result.json())
    assert found["kind"] == "config"
    assert "[image.dockerfile]" in str(found["message"])
    assert f"Dockerfile {project.root}/service/Dockerfile does not exist" in str(found["message"])
    assert "does not exist" in result.stderr


def test_not_a_git_repository(make_project: MakeProject) -> None:
    project = make_project(git=False)
    result = project.shipit("build")
    assert result.exit_code == 3
    found = error(result.json())
    assert found["message"] == f"{project.root} is not inside a git repository"
    assert "git init" in str(found["hint"])
    assert not project.receipt_path.exists()


def test_a_repository_without_commits(make_project: MakeProject) -> None:
    project = make_project(git=False)
    project.git("init", "-q")
    result = project.shipit("build")
    assert result.exit_code == 3
    assert "has no commit yet" in str(error(result.json())["message"])


def test_dirty_work_tree_is_refused(make_project: MakeProject) -> None:
    project = make_project()
    (project.root / "sample_service" / "new.py").write_text("x = 1\n", encoding="utf-8")
    result = project.shipit("build")
    assert result.exit_code == 2
    found = error(result.json())
    assert "has uncommitted changes" in str(found["message"])
    assert "--allow-dirty" in str(found["hint"])


def test_registry_unreachable(make_project: MakeProject) -> None:
    host = f"127.0.0.1:{closed_port()}"
    project = make_project(registry=host)
    result = project.shipit("build", "--push", "--builder", "buildah")
    assert result.exit_code == 3
    found = error(result.json())
    assert found["kind"] == "registry"
    assert f"registry {host} does not answer at http://{host}" in str(found["message"])
    assert "image.registry" in str(found["hint"])


def test_push_needs_a_registry(make_project: MakeProject) -> None:
    result = make_project().shipit("build", "--push")
    assert result.exit_code == 2
    assert "--push needs image.registry" in str(error(result.json())["message"])


@pytest.mark.parametrize(("args", "message"), [
    (["--platform", "linux/s390x"], "platform 'linux/s390x' is not supported"),
    (["--platform", "linux/amd64,linux/amd64"], "platform linux/amd64 is listed twice"),
    (["--tag", "-bad"], "--tag: '-bad' is not an image tag"),
    (["--builder", "kaniko"], "unknown builder 'kaniko'"),
    (["--build-arg", "NOEQUALS"], "--build-arg 'NOEQUALS' is not KEY=VALUE"),
    (["--ca-bundle", "/nonexistent/ca.pem"], "CA bundle /nonexistent/ca.pem does not exist"),
])
def test_usage_errors(make_project: MakeProject, args: list[str], message: str) -> None:
    result = make_project().shipit("build", *args)
    assert result.exit_code == 2
    assert message in str(error(result.json())["message"])


def test_against_needs_check_reproducible(make_project: MakeProject) -> None:
    project = make_project()
    result = project.shipit("build", "--against", "HEAD")
    assert result.exit_code == 2
    assert error(result.json())["message"] == "--against HEAD needs --check-reproducible"
    assert not project.receipt_path.exists()


def test_against_an_unknown_ref(make_project: MakeProject) -> None:
    project = make_project()
    result = project.shipit("build", "--check-reproducible", "--against", "no-such-branch")
    assert result.exit_code == 2
    found = error(result.json())
    assert found["message"] == (f"'no-such-branch' names no commit in the git repository"
                                f" {project.root}")
    assert "HEAD~1" in str(found["hint"])
    assert not project.receipt_path.exists()


def test_against_from_a_dirty_tree_is_refused_as_any_build(make_project: MakeProject) -> None:
    project = make_project()
    (project.root / "sample_service" / "new.py").write_text("x = 1\n", encoding="utf-8")
    result = project.shipit("build", "--check-reproducible", "--against", "HEAD")
    assert result.exit_code == 2
    assert "has uncommitted changes" in str(error(result.json())["message"])
    assert not project.receipt_path.exists()


def test_help_has_an_example() -> None:
    from tests.fixtures.cli import run_cli

    result = run_cli(["build", "--help"])
    assert result.exit_code == 0
    assert "Example: shipit build" in result.stdout


def test_a_dockerfile_symlinked_outside_the_repository_is_refused(
    make_project: MakeProject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "Dockerfile"
    outside.write_text("FROM scratch\n", encoding="utf-8")
    project = make_project(dockerfile="link/Dockerfile")
    (project.root / "link").mkdir(exist_ok=True)
    (project.root / "link" / "Dockerfile").unlink(missing_ok=True)
    (project.root / "link" / "Dockerfile").symlink_to(outside)
    result = project.shipit("build")
    assert result.exit_code == 2
    found = error(result.json())
    assert "[image.dockerfile]" in str(found["message"])
    assert f"resolves to {outside}, outside the repository" in str(found["message"])
    assert "Traceback" not in result.stderr
    assert not project.receipt_path.exists()
