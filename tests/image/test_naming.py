"""Git facts, tags, labels, the receipt file: table tests and a real git repository."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from shipit.errors import EnvironmentProblem, UsageError
from shipit.image.git import GitInfo, read_git_info, require_clean, strip_credentials
from shipit.image.labels import oci_labels
from shipit.image.receipt import BuildReceipt, read_receipt, write_receipt
from shipit.image.runner import SubprocessRunner
from shipit.image.tags import image_name
from tests.image.conftest import MakeProject

SHA = "0123456789abcdef0123456789abcdef01234567"


def git_info(*, dirty: bool = False, source: str | None = "https://example.com/o/r.git"
             ) -> GitInfo:
    return GitInfo(Path("/src"), SHA, SHA[:12], dirty, source, "v1.0-3-g0123456")


@pytest.mark.parametrize(("registry", "dirty", "extra", "refs"), [
    (None, False, [], [f"localhost/articles:{SHA}", "localhost/articles:latest"]),
    ("127.0.0.1:5000", False, [], [f"127.0.0.1:5000/articles:{SHA}",
                                   "127.0.0.1:5000/articles:latest"]),
    ("127.0.0.1:5000", True, [], [f"127.0.0.1:5000/articles:{SHA}-dirty",
                                  "127.0.0.1:5000/articles:latest"]),
    ("reg.example.com/team", False, ["v1", "latest", "v1"],
     [f"reg.example.com/team/articles:{SHA}", "reg.example.com/team/articles:latest",
      "reg.example.com/team/articles:v1"]),
])
def test_image_name(registry: str | None, dirty: bool, extra: list[str], refs: list[str]
                    ) -> None:
    name = image_name("articles", git_info(dirty=dirty), registry=registry, extra_tags=extra)
    assert name.refs == refs
    assert name.primary == refs[0].rsplit(":", 1)[1]


@pytest.mark.parametrize(("repository", "tag", "message"), [
    (None, None, "image.repository is not set"),
    ("Articles", None, "is not a valid repository name"),
    ("articles", "-x", "is not an image tag"),
    ("articles", "a" * 129, "characters long; at most 128"),
    ("articles", "a:b", "is not an image tag"),
])
def test_image_name_rejects(repository: str | None, tag: str | None, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        image_name(repository, git_info(), extra_tags=[tag] if tag else [])


@pytest.mark.parametrize(("url", "clean"), [
    ("https://user:ghp_secret@github.com/o/r.git", "https://github.com/o/r.git"),
    ("https://oauth2:tok@gitlab.example.com/o/r", "https://gitlab.example.com/o/r"),
    ("https://github.com/o/r.git", "https://github.com/o/r.git"),
    ("git@github.com:o/r.git", "git@github.com:o/r.git"),
    ("ssh://git@host:22/o/r", "ssh://host:22/o/r"),
])
def test_strip_credentials(url: str, clean: str) -> None:
    assert strip_credentials(url) == clean


def test_labels() -> None:
    created = datetime(2026, 11, 28, 12, 30, 5, tzinfo=timezone(timedelta(hours=2)))
    assert oci_labels(git_info(), created) == {
        "org.opencontainers.image.revision": SHA,
        "org.opencontainers.image.created": "2026-11-28T10:30:05Z",
        "org.opencontainers.image.version": "v1.0-3-g0123456",
        "org.opencontainers.image.source": "https://example.com/o/r.git",
    }
    assert "org.opencontainers.image.source" not in oci_labels(git_info(source=None), created)


def test_read_git_info_from_a_real_repository(make_project: MakeProject) -> None:
    project = make_project()
    project.git("remote", "add", "origin", "https://me:s3cret@example.com/o/articles.git")
    project.git("tag", "v2.0")
    info = read_git_info(SubprocessRunner(), project.root)
    assert info.sha == project.git("rev-parse", "HEAD")
    assert info.short_sha == info.sha[:12]
    assert (info.dirty, info.describe) == (False, "v2.0")
    assert info.source == "https://example.com/o/articles.git"
    require_clean(info, allow_dirty=False)
    (project.root / ".shipit" / "oci").mkdir(parents=True)  # where builds write: not a change
    (project.root / ".shipit" / "build-receipt.json").write_text("{}", encoding="utf-8")
    assert not read_git_info(SubprocessRunner(), project.root, [project.root / ".shipit"]).dirty
    assert read_git_info(SubprocessRunner(), project.root).dirty

    (project.root / "untracked.txt").write_text("x", encoding="utf-8")
    dirty = read_git_info(SubprocessRunner(), project.root)
    assert dirty.dirty
    assert dirty.describe == "v2.0"  # untracked files do not make describe say -dirty
    with pytest.raises(UsageError, match="uncommitted changes"):
        require_clean(dirty, allow_dirty=False)
    require_clean(dirty, allow_dirty=True)


def test_missing_tool_is_an_environment_problem() -> None:
    with pytest.raises(EnvironmentProblem, match="no-such-tool-xyz is not installed"):
        SubprocessRunner().run(["no-such-tool-xyz", "--version"])


def test_runner_streams_lines_in_order() -> None:
    lines: list[str] = []
    done = SubprocessRunner().run(["sh", "-c", "echo one; echo two >&2; echo three; exit 3"],
                                  on_line=lines.append)
    assert lines == ["one", "two", "three"]
    assert (done.returncode, done.ok) == (3, False)
    assert done.tail(2) == "two\nthree"


def receipt() -> BuildReceipt:
    return BuildReceipt.model_validate({
        "created": "2026-11-28T10:00:00Z", "builder": "buildah", "git_sha": SHA, "tag": SHA,
        "digest": "sha256:" + "a" * 64, "media_type": "application/vnd.oci.image.index.v1+json",
        "platforms": [{"platform": "linux/amd64", "digest": "sha256:" + "b" * 64,
                       "config_digest": "sha256:" + "c" * 64, "compressed_size": 1,
                       "uncompressed_size": 2}],
        "local_image": f"localhost/articles:{SHA}", "registry": None, "repository": "articles",
        "name": "localhost/articles", "tags": [SHA, "latest"],
        "refs": [f"localhost/articles:{SHA}", "localhost/articles:latest"], "pushed": False,
        "git": git_info().to_dict(), "labels": {}, "local": {}, "verification": {"ok": True},
        "timings": {"total": 1.0},
    })


def test_receipt_round_trip(tmp_path: Path) -> None:
    path = write_receipt(receipt(), tmp_path / ".shipit" / "build-receipt.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["schema"], data["version"]) == ("shipit.build-receipt", 1)
    assert read_receipt(path) == receipt()
    assert not list(path.parent.glob("*.part"))


@pytest.mark.parametrize(("content", "error", "message"), [
    (None, UsageError, "no build receipt at"),
    ("{", UsageError, "is not valid JSON"),
    ('{"schema": "other"}', UsageError, "is not a shipit build receipt"),
    ('{"schema": "shipit.build-receipt", "version": 2}', UsageError, "is a version 2 receipt"),
    ('{"schema": "shipit.build-receipt", "version": 1}', UsageError, "not a valid build receipt"),
])
def test_read_receipt_refuses(tmp_path: Path, content: str | None, error: type[Exception],
                              message: str) -> None:
    path = tmp_path / "build-receipt.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=message):
        read_receipt(path)
