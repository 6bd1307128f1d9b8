"""The buildx backend up to the process boundary, with tests/fakes/docker (a FAKE docker CLI:
the buildx plugin cannot be installed here). Verification, tags and the receipt run for real
against what the fake writes: a real registry, or an OCI layout."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from shipit.errors import UsageError
from shipit.image.backend import BuildRequest
from shipit.image.buildah import BuildahBuilder
from shipit.image.buildx import BuildxBuilder, buildx_argv
from shipit.image.pipeline import BuildDeps, choose_builder
from shipit.image.platforms import parse_platform
from shipit.image.runner import SubprocessRunner
from shipit.image.tags import ImageName
from tests.fixtures.registry import Registry
from tests.image.conftest import MakeProject, Project, create_project

FAKES = Path(__file__).resolve().parents[1] / "fakes"


@pytest.fixture
def fake_docker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Put the FAKE docker first on PATH; return the file where it logs each argv."""
    log = tmp_path / "docker-argv.jsonl"
    monkeypatch.setenv("PATH", f"{FAKES}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(log))
    monkeypatch.delenv("FAKE_DOCKER_MODE", raising=False)
    return log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def build_call(log: Path) -> list[str]:
    (found,) = [argv for argv in calls(log) if argv[:2] == ["buildx", "build"]]
    return found


def pairs(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == flag]


@pytest.fixture
def pushed_project(make_project: MakeProject, registry: Registry,
                   unique_repository: str) -> Project:
    return make_project(registry=registry.host, repository=unique_repository)


def test_push_argv_metadata_and_receipt(fake_docker: Path, pushed_project: Project,
                                        registry: Registry, unique_repository: str) -> None:
    project = pushed_project
    sha = project.git("rev-parse", "HEAD")
    result = project.shipit("build", "--push", "--builder", "buildx", "--tag", "v1.2.3",
                            "--build-arg", "BASE_IMAGE=mirror.example.com/python:3.11-slim")
    assert result.exit_code == 0, result.stderr
    argv = build_call(fake_docker)
    name = f"{registry.host}/{unique_repository}"
    assert argv[:5] == ["buildx", "build", "--platform", "linux/amd64,linux/arm64", "-f"]
    # a clean tree is built from the commit's files, exported (modes normalised) elsewhere
    context = Path(argv[-1])
    assert context.name == "context"
    assert not context.is_relative_to(project.root)
    assert argv[5] == str(context / "sample_service" / "Dockerfile")
    assert pairs(argv, "--tag") == [f"{name}:{sha}", f"{name}:latest", f"{name}:v1.2.3"]
    epoch = int(project.git("log", "-1", "--format=%ct"))
    assert pairs(argv, "--build-arg") == [
        f"APP_VERSION={sha}", "BASE_IMAGE=mirror.example.com/python:3.11-slim",
        f"SOURCE_DATE_EPOCH={epoch}"]
    labels = pairs(argv, "--label")
    assert f"org.opencontainers.image.revision={sha}" in labels
    created = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"org.opencontainers.image.created={created}" in labels
    assert pairs(argv, "--secret") == ["id=ca,src=/etc/ssl/certs/ca-certificates.crt"]
    assert pairs(argv, "--cache-from") == [f"type=registry,ref={name}:buildcache"]
    assert pairs(argv, "--cache-to") == [
        f"type=registry,ref={name}:buildcache,mode=max,image-manifest=true,oci-mediatypes=true"]
    assert pairs(argv, "--output") == [
        "type=image,push=true,rewrite-timestamp=true,registry.insecure=true"]

    document = result.json()
    receipt = document["receipt"]
    assert receipt == json.loads(project.receipt_path.read_text(encoding="utf-8"))
    assert receipt["builder"] == "buildx"
    assert receipt["pushed"] is True
    assert receipt["tag"] == receipt["git_sha"] == sha
    stored = registry.manifest(unique_repository, sha)
    assert stored is not None
    assert receipt["digest"] == stored.digest
    assert [p["platform"] for p in receipt["platforms"]] == ["linux/amd64", "linux/arm64"]
    assert receipt["verification"]["ok"] is True
    assert receipt["source_date_epoch"] == epoch
    assert receipt["reproducible"] == {"reproducible": True, "source_date_epoch": epoch,
                                       "reasons": []}
    assert receipt["base_image"] == {"name": "mirror.example.com/python:3.11-slim",
                                     "digests": {}}  # the fake records no base annotation
    for tag in (sha, "latest", "v1.2.3"):
        found = registry.manifest(unique_repository, tag)
        assert found is not None
        assert found.digest == stored.digest


def test_unpushed_build_goes_to_an_oci_layout(fake_docker: Path, make_project: MakeProject
                                              ) -> None:
    project = make_project(platforms=["linux/arm64"])
    result = project.shipit("build", "--builder", "buildx")
    assert result.exit_code == 0, result.stderr
    argv = build_call(fake_docker)
    layout = project.root / ".shipit" / "oci"
    sha = project.git("rev-parse", "HEAD")
    assert pairs(argv, "--output") == [
        f"type=oci,dest={layout},tar=false,name=localhost/articles:{sha},rewrite-timestamp=true"]
    assert "--cache-to" not in argv
    assert "--tag" not in argv
    receipt = result.json()["receipt"]
    assert receipt["pushed"] is False
    assert receipt["local"]["oci_layout"] == str(layout)
    assert (layout / "index.json").is_file()
    # what a build writes under .shipit/ does not make the work tree dirty for the next one
    assert project.shipit("build", "--builder", "buildx").exit_code == 0


def test_a_dirty_tree_is_built_as_it_is_and_says_it_is_not_reproducible(
        fake_docker: Path, make_project: MakeProject) -> None:
    project = make_project(platforms=["linux/amd64"])
    (project.root / "sample_service" / "new.txt").write_text("x", encoding="utf-8")
    result = project.shipit("build", "--builder", "buildx", "--allow-dirty")
    assert result.exit_code == 0, result.stderr
    argv = build_call(fake_docker)
    assert argv[-1] == str(project.root)  # the work tree itself
    assert not [a for a in pairs(argv, "--build-arg") if a.startswith("SOURCE_DATE_EPOCH=")]
    assert "rewrite-timestamp" not in pairs(argv, "--output")[0]
    receipt = result.json()["receipt"]
    assert receipt["source_date_epoch"] is None
    verdict = receipt["reproducible"]
    assert verdict["reproducible"] is False
    assert "uncommitted changes (?? sample_service/new.txt)" in verdict["reasons"][0]
    assert "not reproducible: the work tree has uncommitted changes" in result.stderr


@pytest.mark.parametrize(("mode", "code", "message"), [
    ("fail", 1, "docker buildx build failed:\n"),
    ("no-metadata", 1, "docker buildx wrote no metadata file"),
    ("bad-metadata", 1, "docker buildx's metadata file has no containerimage.digest"),
    ("unreachable", 3, "docker buildx could not push: "),
    ("mislabel", 1, "linux/arm64: /usr/bin/python3.11 is an x86-64 ELF binary; "
                    "the task would die with `exec format error`"),
    ("wrong-digest", 1, "is not in the registry"),
])
def test_failures(fake_docker: Path, pushed_project: Project, monkeypatch: pytest.MonkeyPatch,
                  mode: str, code: int, message: str) -> None:
    monkeypatch.setenv("FAKE_DOCKER_MODE", mode)
    result = pushed_project.shipit("build", "--push", "--builder", "buildx")
    assert result.exit_code == code, result.stderr
    assert message in str(result.json()["error"]["message"])
    assert not pushed_project.receipt_path.exists()


def test_the_tail_of_buildx_output_is_quoted(fake_docker: Path, pushed_project: Project,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_DOCKER_MODE", "fail")
    result = pushed_project.shipit("build", "--push", "--builder", "buildx")
    assert "did not complete successfully: exit code: 1" in result.json()["error"]["message"]


@pytest.fixture
def deps() -> Iterator[BuildDeps]:
    with httpx.Client() as http:
        yield BuildDeps(runner=SubprocessRunner(), http=http, log=print, tool_log=print)


def test_buildx_is_chosen_where_it_works(fake_docker: Path, deps: BuildDeps,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(choose_builder(None, deps), BuildxBuilder)
    assert ["buildx", "version"] in calls(fake_docker)
    monkeypatch.setenv("FAKE_DOCKER_BUILDX", "absent")
    assert isinstance(choose_builder(None, deps), BuildahBuilder)


def test_asking_for_buildx_without_the_plugin(fake_docker: Path, pushed_project: Project,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_DOCKER_BUILDX", "absent")
    result = pushed_project.shipit("build", "--builder", "buildx")
    assert result.exit_code == 3
    assert result.json()["error"]["message"] == (
        "the buildx builder is not available on this machine")


def _request(registry: str | None, layout: Path) -> BuildRequest:
    amd64 = parse_platform("linux/amd64")
    return BuildRequest(
        context=layout.parent, dockerfile=layout.parent / "Dockerfile", platforms=[amd64],
        host=amd64, image=ImageName(registry, "articles", ("abc", "latest")), labels={},
        build_args={}, secrets={"ca": layout.parent / "ca,1.pem"}, push=registry is not None,
        layout_dir=layout)


@pytest.mark.parametrize("registry", [
    "127.0.0.1:5000,type=local,dest=/tmp/x",
    'reg.example.com",type=local',
    "reg.example.com\ntype=local",
    "reg.example.com type=local",
    "reg.example.com/ns,mode=min",
])
def test_a_registry_that_would_add_buildx_fields_never_reaches_buildx(
    tmp_path: Path, registry: str
) -> None:
    with pytest.raises(UsageError) as caught:
        buildx_argv(_request(registry, tmp_path / "oci"), tmp_path / "metadata.json")
    assert "cannot be handed to docker buildx" in caught.value.message
    assert "image.registry" in str(caught.value.hint)


def test_csv_fields_quote_commas_and_quotes(tmp_path: Path) -> None:
    argv = buildx_argv(_request(None, tmp_path / "a,b" / 'o"ci'), tmp_path / "m.json")
    layout = tmp_path / "a,b" / 'o"ci'
    assert pairs(argv, "--output") == [
        'type=oci,"dest=' + str(layout).replace('"', '""') + '",tar=false,'
        "name=localhost/articles:abc"]
    assert pairs(argv, "--secret") == [f'id=ca,"src={layout.parent}/ca,1.pem"']
    pushed = buildx_argv(_request("127.0.0.1:5000", tmp_path / "oci"), tmp_path / "m.json")
    assert pairs(pushed, "--cache-from") == [
        "type=registry,ref=127.0.0.1:5000/articles:buildcache"]


def test_a_project_path_with_a_comma_builds_where_it_says(
    fake_docker: Path, tmp_path: Path
) -> None:
    project = create_project(tmp_path / "team,dest=elsewhere", platforms=["linux/amd64"])
    result = project.shipit("build", "--builder", "buildx")
    assert result.exit_code == 0, result.stderr
    layout = project.root / ".shipit" / "oci"
    assert (layout / "index.json").is_file()
    assert not (tmp_path / "elsewhere").exists()
    assert result.json()["receipt"]["local"]["oci_layout"] == str(layout)


def commit(project: Project, message: str, when: str) -> str:
    """Commit every change with author and committer date ``when``; the new sha."""
    project.git("add", "-A")
    subprocess.run(["git", "-C", str(project.root), "-c", "user.name=t",
                    "-c", "user.email=t@example.com", "commit", "-q", "-m", message],
                   check=True, env={**os.environ, "GIT_COMMITTER_DATE": when,
                                    "GIT_AUTHOR_DATE": when})
    return project.git("rev-parse", "HEAD")


def test_against_names_the_changed_file_not_the_first_with_another_time(
        fake_docker: Path, monkeypatch: pytest.MonkeyPatch, make_project: MakeProject) -> None:
    """Two commits a day apart, one byte changed in notes.txt: the FAKE docker copies each
    exported context into the image at its SOURCE_DATE_EPOCH, so every file's mtime differs,
    and the Dockerfile comes before notes.txt in the layer."""
    monkeypatch.setenv("FAKE_DOCKER_MODE", "context")
    project = make_project(platforms=["linux/amd64"])
    notes = project.root / "sample_service" / "notes.txt"
    notes.write_text("hello\n", encoding="utf-8")
    before = commit(project, "notes", "2026-01-01T00:00:00Z")
    notes.write_text("hellO\n", encoding="utf-8")
    head = commit(project, "one byte", "2026-01-02T00:00:00Z")

    result = project.shipit("build", "--builder", "buildx", "--check-reproducible",
                            "--against", "HEAD~1")
    assert result.exit_code == 1, result.stderr
    first, second = [a for a in calls(fake_docker) if a[:2] == ["buildx", "build"]]
    assert "SOURCE_DATE_EPOCH=1767312000" in pairs(first, "--build-arg")
    assert pairs(second, "--build-arg") == [f"APP_VERSION={before}",
                                            "SOURCE_DATE_EPOCH=1767225600"]
    assert f"org.opencontainers.image.revision={before}" in pairs(second, "--label")
    check = project.root / ".shipit" / "oci-check"
    assert pairs(second, "--output")[0].startswith(f"type=oci,dest={check},")
    found = result.json()["error"]
    assert found["exit_code"] == 1
    assert found["message"].startswith(f"commits {head[:12]} and {before[:12]} build different"
                                       " images: sha256:")
    assert found["message"].endswith(
        "first difference: linux/amd64 layer 2: 3 files differ, 1 in content:"
        " /app/sample_service/notes.txt (content, mtime), /app/sample_service/Dockerfile"
        " (mtime), /app/shipit.toml (mtime)")
    assert found["against"] == before
    assert found["difference"]["files"][0] == {"path": "/app/sample_service/notes.txt",
                                               "what": ["content", "mtime"]}
    receipt = json.loads(project.receipt_path.read_text(encoding="utf-8"))
    assert receipt["git_sha"] == head
    recorded = receipt["reproducibility_check"]
    assert (recorded["same"], recorded["against"]) == (False, before)
    assert recorded["difference"] == found["difference"]
    assert f"FAIL  commit {before[:12]} builds another image: linux/amd64" in result.stderr


def test_against_a_commit_that_builds_the_same_image(
        fake_docker: Path, monkeypatch: pytest.MonkeyPatch, make_project: MakeProject) -> None:
    """The same files at the same time (the FAKE's images hold no labels): the same image."""
    monkeypatch.setenv("FAKE_DOCKER_MODE", "context")
    project = make_project(platforms=["linux/amd64"])
    when = project.git("log", "-1", "--format=%cI")
    before = project.git("rev-parse", "HEAD")
    subprocess.run(["git", "-C", str(project.root), "-c", "user.name=t", "-c",
                    "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "empty"],
                   check=True, env={**os.environ, "GIT_COMMITTER_DATE": when,
                                    "GIT_AUTHOR_DATE": when})
    result = project.shipit("build", "--builder", "buildx", "--check-reproducible",
                            "--against", before)
    assert result.exit_code == 0, result.stderr
    receipt = result.json()["receipt"]
    assert receipt["reproducibility_check"] == {
        "same": True, "second_digest": receipt["digest"], "difference": None,
        "against": before}
    assert (f"ok    this commit and commit {before[:12]} build the same image:"
            f" {receipt['digest']}") in result.stderr
