"""compare_images over OCI layouts of synthetic images: the first difference, named."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit.image.compare import compare_images
from shipit.image.oci_layout import OciLayoutSource
from tests.image.images import Entry, ImageSpec, LayoutStore, write_index


def layout(path: Path, specs: list[ImageSpec]) -> tuple[OciLayoutSource, str]:
    write_index(LayoutStore(path), specs, ["t"])
    return OciLayoutSource(path), "t"


def app(data: bytes = b"print(1)\n", mode: int = 0o644) -> list[Entry]:
    return [Entry("app", "dir"), Entry("app/main.py", data=data, mode=mode),
            Entry("app/other.py", data=b"x\n", mode=0o644)]


def test_the_same_image_has_no_difference(tmp_path: Path) -> None:
    first = layout(tmp_path / "a", [ImageSpec("amd64", extra=app())])
    second = layout(tmp_path / "b", [ImageSpec("amd64", extra=app())])
    assert compare_images(*first, *second) is None


@pytest.mark.parametrize(("changed", "what"), [
    (app(data=b"print(2)\n"), ("content",)),
    (app(mode=0o600), ("mode",)),
    (app()[:2], ("only in first",)),
])
def test_the_first_differing_platform_layer_and_file(tmp_path: Path, changed: list[Entry],
                                                     what: tuple[str, ...]) -> None:
    first = layout(tmp_path / "a", [ImageSpec("amd64", extra=app()),
                                    ImageSpec("arm64", extra=app())])
    second = layout(tmp_path / "b", [ImageSpec("amd64", extra=app()),
                                     ImageSpec("arm64", extra=changed)])
    difference = compare_images(*first, *second)
    assert difference is not None
    assert (difference.platform, difference.layer, difference.where) == ("linux/arm64", 2, "layer")
    path = "/app/other.py" if what == ("only in first",) else "/app/main.py"
    assert [(f.path, f.what) for f in difference.files] == [(path, what)]
    assert difference.message.startswith(f"linux/arm64 layer 2: 1 file differs: {path} (")


def test_a_config_only_difference_names_the_fields(tmp_path: Path) -> None:
    first = layout(tmp_path / "a", [ImageSpec("amd64")])
    second = layout(tmp_path / "b", [ImageSpec("amd64", cmd=["other"])])
    difference = compare_images(*first, *second)
    assert difference is not None
    assert difference.where == "config"
    assert "config.Cmd[0]" in difference.message


def test_an_export_is_skipped_only_for_the_same_configs(tmp_path: Path) -> None:
    from shipit.image.buildah import layout_holds
    from tests.image.layouts import config_digests

    _, tag = layout(tmp_path / "oci", [ImageSpec("amd64"), ImageSpec("arm64")])
    configs = config_digests(tmp_path / "oci", tag)
    assert layout_holds(tmp_path / "oci", tag, configs)
    assert not layout_holds(tmp_path / "oci", "other-tag", configs)
    assert not layout_holds(tmp_path / "oci", tag, {**configs, "linux/arm64": "sha256:" + "0" * 64})
    assert not layout_holds(tmp_path / "nothing", tag, configs)


def dated(when: int, *, main: bytes = b"print(1)\n") -> list[Entry]:
    """Three files at time ``when``; the middle one's bytes are ``main``."""
    return [Entry("app/a.py", data=b"a\n", mtime=when), Entry("app/main.py", data=main, mtime=when),
            Entry("app/z.py", data=b"z\n", mtime=when)]


def test_a_file_whose_content_differs_is_named_before_files_whose_time_differs(
        tmp_path: Path) -> None:
    """Two commits with different times: every mtime differs; the changed file comes first."""
    first = layout(tmp_path / "a", [ImageSpec("amd64", extra=dated(100))])
    second = layout(tmp_path / "b", [ImageSpec("amd64", extra=dated(200, main=b"print(2)\n"))])
    difference = compare_images(*first, *second)
    assert difference is not None
    assert [(f.path, f.what) for f in difference.files] == [
        ("/app/main.py", ("content", "mtime")), ("/app/a.py", ("mtime",)),
        ("/app/z.py", ("mtime",))]
    assert difference.message == ("linux/amd64 layer 2: 3 files differ, 1 in content:"
                                  " /app/main.py (content, mtime), /app/a.py (mtime),"
                                  " /app/z.py (mtime)")


def test_a_layer_and_a_platform_with_a_content_difference_come_first(tmp_path: Path) -> None:
    """Layer 2 differs only in times, layer 3 in a file's bytes; amd64 only in times."""
    first = layout(tmp_path / "a", [
        ImageSpec("amd64", extra=dated(100)),
        ImageSpec("arm64", extra=dated(100), more=[dated(100)])])
    second = layout(tmp_path / "b", [
        ImageSpec("amd64", extra=dated(200)),
        ImageSpec("arm64", extra=dated(200), more=[dated(100, main=b"print(2)\n")])])
    difference = compare_images(*first, *second)
    assert difference is not None
    assert (difference.platform, difference.layer) == ("linux/arm64", 3)
    assert difference.message == "linux/arm64 layer 3: 1 file differs: /app/main.py (content)"


def test_only_metadata_differs_says_so(tmp_path: Path) -> None:
    first = layout(tmp_path / "a", [ImageSpec("amd64", extra=dated(100), more=[dated(100)])])
    second = layout(tmp_path / "b", [ImageSpec("amd64", extra=dated(200), more=[dated(200)])])
    difference = compare_images(*first, *second)
    assert difference is not None
    assert difference.layer == 2  # the first differing layer, when none differs in content
    assert difference.message.startswith("linux/amd64 layer 2: 3 files differ, none in content:"
                                         " /app/a.py (mtime)")
