"""``shipit build --check-reproducible --against REF``, for real: the sample service built by
buildah at HEAD and at REF, one byte apart and committed at the same time, then compared."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from shipit.image.labels import CREATED, REVISION
from shipit.image.manifest import parse_config
from shipit.image.oci_layout import OciLayoutSource
from shipit.image.source import read_blob
from tests.image.conftest import create_project
from tests.image.layouts import config_digests

pytestmark = [pytest.mark.buildah, pytest.mark.slow, pytest.mark.timeout(900)]
CHANGED = "sample_service/README.md"
IN_IMAGE = f"/opt/articles/app/{CHANGED}"


def test_against_the_commit_before_a_one_byte_change_names_that_file(
        tmp_path: Path, base_image: str, storage_env: None) -> None:
    """linux/amd64 only (--platform): a reproducible build runs every step again (no layer
    cache), so each platform is two full builds, and the changed file is in every platform's
    same layer; arm64 would double the time and prove nothing more."""
    project = create_project(tmp_path / "project", service=True,
                             build_args={"BASE_IMAGE": base_image})
    before = project.git("rev-parse", "HEAD")
    when = project.git("log", "-1", "--format=%cI")
    path = project.root / CHANGED
    data = bytearray(path.read_bytes())
    data[0] = ord("#") if data[0] != ord("#") else ord(" ")
    path.write_bytes(bytes(data))
    subprocess.run(["git", "-C", str(project.root), "-c", "user.name=t",
                    "-c", "user.email=t@example.com", "commit", "-q", "-am", "one byte"],
                   check=True, env={**os.environ, "GIT_COMMITTER_DATE": when,
                                    "GIT_AUTHOR_DATE": when})
    head = project.git("rev-parse", "HEAD")

    result = project.shipit("build", "--builder", "buildah", "--platform", "linux/amd64",
                            "--check-reproducible", "--against", "HEAD~1")

    assert result.exit_code == 1, result.stderr[-4000:]
    found = result.json()["error"]
    first = f"linux/amd64 layer 2: 1 file differs: {IN_IMAGE} (content)"
    assert found["message"].startswith(f"commits {head[:12]} and {before[:12]} build different"
                                       " images: sha256:")
    assert found["message"].endswith(f"first difference: {first}")
    assert found["difference"]["files"] == [{"path": IN_IMAGE, "what": ["content"]}]
    assert f"FAIL  commit {before[:12]} builds another image: {first}" in result.stderr
    receipt = json.loads(project.receipt_path.read_text(encoding="utf-8"))
    assert receipt["git_sha"] == head
    assert [p["platform"] for p in receipt["platforms"]] == ["linux/amd64"]
    check = receipt["reproducibility_check"]
    assert (check["same"], check["against"]) == (False, before)
    assert check["difference"] == found["difference"]
    # the second image is REF's own: its commit in the labels, at the time both commits share
    path = project.root / ".shipit" / "oci-check"
    assert OciLayoutSource(path).manifest(before).digest == check["second_digest"]
    (config,) = config_digests(path, before).values()
    labels = parse_config(read_blob(OciLayoutSource(path), config)).labels
    assert labels[REVISION] == before
    assert labels[CREATED] == receipt["labels"][CREATED]
