"""Which builder the demo uses, decided over a FAKE process runner (named as such): a table."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shipit.config import ImageSection
from shipit.demo.base_image import choose, configured_base
from shipit.image.storage import BuildahStorage
from tests.fakes.runner import FakeRunner


def project(tmp_path: Path, arg: str = "ARG BASE_IMAGE=python:3.11-slim") -> Path:
    (tmp_path / "Dockerfile").write_text(f"{arg}\nFROM ${{BASE_IMAGE}}\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("build_args", "dockerfile", "expected"), [
    ({}, "ARG BASE_IMAGE=python:3.11-slim", "python:3.11-slim"),
    ({"BASE_IMAGE": "localhost/base:1"}, "ARG BASE_IMAGE=python:3.11-slim", "localhost/base:1"),
    ({}, "ARG OTHER=1", None),
])
def test_configured_base(tmp_path: Path, build_args: dict[str, str], dockerfile: str,
                         expected: str | None) -> None:
    image = ImageSection(build_args=build_args)
    assert configured_base(image, project(tmp_path, dockerfile) / "Dockerfile") == expected


def test_none_builds_nothing(tmp_path: Path) -> None:
    runner = FakeRunner.succeeding_for(())
    choice = choose("none", ImageSection(), project(tmp_path), runner, BuildahStorage(), print)
    assert (choice.name, choice.failed, runner.calls) == ("none", False, [])


def test_buildx_asked_for_but_absent_fails_the_build(tmp_path: Path) -> None:
    refuse_all = FakeRunner.succeeding_for(())
    choice = choose("buildx", ImageSection(), project(tmp_path), refuse_all, BuildahStorage(),
                    print)
    assert (choice.name, choice.failed) == ("buildx", True)


def test_auto_uses_buildx_where_it_works(tmp_path: Path) -> None:
    if shutil.which("docker") is None:
        pytest.skip("the buildx check looks for a docker executable first")
    runner = FakeRunner.succeeding_for([("docker", "buildx", "version")])
    choice = choose("auto", ImageSection(), project(tmp_path), runner, BuildahStorage(), print)
    assert choice.name == "buildx"


def test_auto_uses_a_local_base_image_without_making_one(tmp_path: Path) -> None:
    if shutil.which("buildah") is None:
        pytest.skip("needs the buildah executable on PATH (it is never run here)")
    runner = FakeRunner.succeeding_for([("buildah", "inspect", "image", "python:3.11-slim")])
    choice = choose("auto", ImageSection(), project(tmp_path), runner, BuildahStorage(), print)
    assert (choice.name, choice.base_image, choice.failed) == ("buildah", None, False)
    assert not any("make-base-image" in " ".join(call) for call in runner.calls)


def test_no_base_image_means_no_builder_and_says_why(tmp_path: Path) -> None:
    if shutil.which("buildah") is None:
        pytest.skip("needs the buildah executable on PATH (it is never run here)")
    said: list[str] = []
    refuse_all = FakeRunner.succeeding_for(())
    choice = choose("auto", ImageSection(), project(tmp_path), refuse_all, BuildahStorage(),
                    said.append)
    assert choice.name == "none"
    assert not choice.failed
    assert "make-base-image" in choice.reason  # the script is not in this folder
    assert any("not in buildah's local storage" in line for line in said)
