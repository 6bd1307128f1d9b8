"""shipit.image.unchanged and the buildah builder's side of it: what a build is made from, and
whether the last build's images are still there (a FAKE runner stands in for buildah here; the
real rebuild-or-reuse path is in tests/image/test_reproducible_real.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit.image.backend import BuildRequest, LayoutLocation
from shipit.image.buildah import BuildahBuilder
from shipit.image.platforms import parse_platform
from shipit.image.storage import BuildahStorage
from shipit.image.tags import ImageName
from shipit.image.unchanged import base_images, inputs_digest
from tests.fakes.runner import FakeRunner
from tests.image.images import ImageSpec, LayoutStore, write_index
from tests.image.layouts import config_digests

SAMPLE = Path(__file__).resolve().parents[2] / "sample_service" / "Dockerfile"


@pytest.mark.parametrize(("dockerfile", "args", "expected"), [
    ("FROM debian:12\n", {}, ["debian:12"]),
    ("ARG BASE=python:3.11-slim\nFROM ${BASE} AS deps\nFROM --platform=$TARGETPLATFORM $BASE\n",
     {}, ["python:3.11-slim"]),
    ("ARG BASE=python:3.11-slim\nFROM ${BASE}\n", {"BASE": "localhost/base:1"},
     ["localhost/base:1"]),
    ("FROM golang:1.22 AS build\nFROM scratch\nCOPY --from=build /app /app\n", {},
     ["golang:1.22"]),
    ("FROM golang:1.22 AS build\nFROM build\n", {}, ["golang:1.22"]),
    ("# FROM commented:out\nFROM \\\n  alpine:3.20\n", {}, ["alpine:3.20"]),
    ("FROM ${UNSET}\n", {}, None),
    ("FROM debian:12\nARG LATE=x\nFROM ${LATE}\n", {}, None),  # an ARG after FROM is per stage
])
def test_the_base_images_a_dockerfile_names(dockerfile: str, args: dict[str, str],
                                            expected: list[str] | None) -> None:
    assert base_images(dockerfile, args) == expected


def test_the_sample_services_bases_follow_base_image() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    assert base_images(text, {}) == ["python:3.11-slim"]
    assert base_images(text, {"BASE_IMAGE": "localhost/shipit-base:x"}) == [
        "localhost/shipit-base:x"]


def test_the_inputs_digest_ignores_temporary_paths_and_sees_everything_else() -> None:
    argv = {"linux/amd64": ["buildah", "build", "-f", "/tmp/a/context/Dockerfile",
                            "/tmp/a/context"]}
    moved = {"linux/amd64": ["buildah", "build", "-f", "/tmp/b/context/Dockerfile",
                             "/tmp/b/context"]}
    bases = {"debian:12": "image sha256:1"}
    first = inputs_digest("abc", argv, bases, hidden={"/tmp/a/context": "<context>"})
    assert first == inputs_digest("abc", moved, bases, hidden={"/tmp/b/context": "<context>"})
    assert first != inputs_digest("abd", argv, bases, hidden={"/tmp/a/context": "<context>"})
    assert first != inputs_digest("abc", argv, {"debian:12": "image sha256:2"},
                                  hidden={"/tmp/a/context": "<context>"})
    other = {"linux/amd64": [*argv["linux/amd64"][:-1], "--build-arg", "X=1", "/tmp/a/context"]}
    assert first != inputs_digest("abc", other, bases, hidden={"/tmp/a/context": "<context>"})


def request(tmp_path: Path, base: str = "localhost/base:1") -> BuildRequest:
    context = tmp_path / "context"
    context.mkdir(parents=True, exist_ok=True)
    (context / "Dockerfile").write_text("ARG BASE_IMAGE=python:3.11-slim\nFROM ${BASE_IMAGE}\n",
                                        encoding="utf-8")
    amd64, arm64 = parse_platform("linux/amd64"), parse_platform("linux/arm64")
    return BuildRequest(
        context=context, dockerfile=context / "Dockerfile", platforms=[amd64, arm64], host=amd64,
        image=ImageName(None, "articles", ("abc", "latest")), labels={},
        build_args={"BASE_IMAGE": base}, secrets={}, push=False, layout_dir=tmp_path / "oci",
        source_date_epoch=1_700_000_000)


def storage() -> BuildahStorage:
    return BuildahStorage("overlay", None, None, "test")


def buildah(known: dict[str, str], lists: set[str] | None = None) -> FakeRunner:
    """buildah as a FAKE: ``known`` names -> image id, ``lists`` the names that are lists."""
    lists = lists or set()

    def rule(argv: list[str]) -> tuple[int, str, str]:
        name = argv[-1]
        if "images" in argv:
            return (0, "", known[name] + "\n") if name in known else (125, "image not known", "")
        if argv[-2:-1] == ["exists"]:
            return (0 if name in lists else 1), "", ""
        if "inspect" in argv and "manifest" in argv:
            return (0, "", f'{{"manifests": ["{name}"]}}') if name in lists else (1, "", "")
        if "inspect" in argv:
            return (0, "", "") if name in known.values() else (125, "image not known", "")
        return 1, "unexpected", ""

    return FakeRunner(rule=rule)


def test_inputs_follow_the_base_image_in_local_storage(tmp_path: Path) -> None:
    req = request(tmp_path)
    first = BuildahBuilder(buildah({"localhost/base:1": "sha256:aaa"}), storage())
    assert first.inputs(req, "abc") is not None
    assert first.inputs(req, "abc") == first.inputs(req, "abc")
    imported_again = BuildahBuilder(buildah({"localhost/base:1": "sha256:bbb"}), storage())
    assert imported_again.inputs(req, "abc") != first.inputs(req, "abc")
    as_list = BuildahBuilder(buildah({"localhost/base:1": "sha256:aaa"}, {"localhost/base:1"}),
                             storage())
    assert as_list.inputs(req, "abc") not in (None, first.inputs(req, "abc"))
    absent = BuildahBuilder(buildah({}), storage())
    assert absent.inputs(req, "abc") is None  # buildah would pull it: unknown, so build


def layout_of(path: Path) -> tuple[str, dict[str, str]]:
    tag = "abc"
    write_index(LayoutStore(path), [ImageSpec("amd64"), ImageSpec("arm64")], [tag])
    return tag, config_digests(path, tag)


def test_the_last_build_is_reused_only_while_all_of_it_is_there(tmp_path: Path) -> None:
    req = request(tmp_path)
    _, images = layout_of(req.layout_dir)
    everything = {"localhost/articles:abc": "list", **{f"id-{p}": i for p, i in images.items()}}
    present = BuildahBuilder(buildah(everything, {"localhost/articles:abc"}), storage())
    outcome = present.reuse(req, images)
    assert outcome is not None
    assert outcome.location == LayoutLocation(req.layout_dir, "abc")
    assert outcome.local_images == images

    no_list = BuildahBuilder(buildah(everything), storage())
    assert no_list.reuse(req, images) is None
    one_image_gone = {k: v for k, v in everything.items() if v != images["linux/arm64"]}
    gone = BuildahBuilder(buildah(one_image_gone, {"localhost/articles:abc"}), storage())
    assert gone.reuse(req, images) is None
    assert present.reuse(req, {"linux/amd64": images["linux/amd64"]}) is None  # platforms differ
    other = request(tmp_path / "elsewhere")
    assert present.reuse(other, images) is None  # no layout there
