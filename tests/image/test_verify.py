"""verify_image against a real docker-registry (HTTP API) and OCI layouts, with synthetic images
that are wrong in every way a builder can make them wrong."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shipit.errors import Failed, RegistryUnreachable
from shipit.image.oci_layout import OciLayoutSource
from shipit.image.platforms import parse_platforms
from shipit.image.registry import RegistryClient, RegistrySource, split_reference
from shipit.image.verify import VerificationFailed, require_verified, verify_image
from tests.fixtures.registry import Registry
from tests.image.images import Entry, ImageSpec, LayoutStore, RegistryStore, elf_header, write_index

BOTH = parse_platforms("linux/amd64,linux/arm64")


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def in_registry(registry: Registry, repository: str, specs: list[ImageSpec],
                http: httpx.Client) -> RegistrySource:
    write_index(RegistryStore(registry.host, repository), specs, ["v1"])
    return RegistrySource(RegistryClient(registry.host, http), repository)


def failures(source: RegistrySource | OciLayoutSource, requested: str = "linux/amd64,linux/arm64"
             ) -> list[str]:
    verification = verify_image(source, "v1", parse_platforms(requested))
    return [f.message for f in verification.failures]


def test_a_good_two_platform_image(registry: Registry, unique_repository: str,
                                   http: httpx.Client) -> None:
    source = in_registry(registry, unique_repository,
                         [ImageSpec("amd64"), ImageSpec("arm64")], http)
    verification = verify_image(source, "v1", BOTH)
    assert verification.ok, verification.failures
    assert [i.platform for i in verification.images] == ["linux/amd64", "linux/arm64"]
    assert all(i.uncompressed_size and i.compressed_size for i in verification.images)
    assert {f.check for f in verification.findings} == {
        "platforms", "config", "executable", "native-files"}
    assert require_verified(verification) is verification


def test_the_mislabelled_image_is_caught(registry: Registry, unique_repository: str,
                                         http: httpx.Client) -> None:
    """buildah 1.28 bug 2: arm64 in the index AND the config, x86-64 python inside."""
    source = in_registry(registry, unique_repository,
                         [ImageSpec("amd64"), ImageSpec("arm64", python_arch="amd64")], http)
    verification = verify_image(source, "v1", BOTH)
    messages = [f.message for f in verification.failures]
    assert messages[0] == ("linux/arm64: /usr/bin/python3.11 is an x86-64 ELF binary; "
                           "the task would die with `exec format error`")
    assert "linux/arm64: 2 of 2 ELF files are for another CPU" in messages[1]
    # the platform and config checks alone pass: that is why the layers must be read
    assert all(f.ok for f in verification.findings if f.check in ("platforms", "config"))
    with pytest.raises(VerificationFailed) as caught:
        require_verified(verification)
    assert caught.value.exit_code == 1
    assert "/usr/bin/python3.11 is an x86-64 ELF binary" in caught.value.message
    assert caught.value.verification.to_dict()["ok"] is False


@pytest.mark.parametrize(("specs", "requested", "expected"), [
    ([ImageSpec("amd64")], "linux/amd64,linux/arm64",
     ["linux/arm64 is missing from the manifest list"]),
    ([ImageSpec("amd64"), ImageSpec("arm64")], "linux/amd64",
     ["linux/arm64 is in the manifest list but was not requested"]),
    ([ImageSpec("amd64"), ImageSpec("arm64", config_arch="amd64", python_arch="amd64")],
     "linux/amd64,linux/arm64",
     ["linux/arm64: the manifest list says linux/arm64 but the image config says linux/amd64",
      "linux/arm64: /usr/bin/python3.11 is an x86-64 ELF binary",
      "linux/arm64: 2 of 2 ELF files are for another CPU"]),
    ([ImageSpec("amd64", entrypoint=[], cmd=["/app/start"])], "linux/amd64",
     ["linux/amd64: /app/start does not exist in the image (no /app); the task could not start"]),
    ([ImageSpec("amd64", entrypoint=["/app/run"], cmd=[],
                extra=[Entry("app/run", data=b"#!/usr/bin/env python3\n")])], "linux/amd64", []),
    ([ImageSpec("arm64", entrypoint=["/app/run"], cmd=[],
                extra=[Entry("usr/bin/env", data=elf_header(62)),
                       Entry("app/run", data=b"#!/usr/bin/env python3\n")])], "linux/arm64",
     ["linux/arm64: /usr/bin/env is an x86-64 ELF binary",
      "linux/arm64: 1 of 2 ELF files are for another CPU: /usr/bin/env (x86-64)"]),
    ([ImageSpec("amd64", extra=[Entry(".wh.usr")])], "linux/amd64",
     ["linux/amd64: 'python3': executable file not found in $PATH"]),
])
def test_wrong_images(registry: Registry, unique_repository: str, http: httpx.Client,
                      specs: list[ImageSpec], requested: str, expected: list[str]) -> None:
    found = failures(in_registry(registry, unique_repository, specs, http), requested)
    assert len(found) == len(expected), found
    for message, start in zip(found, expected, strict=True):
        assert message.startswith(start)


def test_a_single_platform_image_is_not_a_manifest_list(tmp_path: Path) -> None:
    store = LayoutStore(tmp_path)
    descriptor_digest = write_index(store, [ImageSpec("amd64")], [])
    index = OciLayoutSource(tmp_path).manifest(descriptor_digest)
    image_digest = index.body.decode().split('"digest": "')[-1].split('"')[0]
    store.put_manifest((tmp_path / "blobs/sha256" / image_digest.split(":")[1]).read_bytes(),
                       "application/vnd.oci.image.manifest.v1+json", ["v1"])
    found = failures(OciLayoutSource(tmp_path), "linux/amd64")
    assert found == [f"oci:{tmp_path} v1 is a single-platform image, not a manifest list of "
                     "linux/amd64"]


def test_the_same_checks_on_an_oci_layout(tmp_path: Path) -> None:
    specs = [ImageSpec("amd64"), ImageSpec("arm64", python_arch="amd64")]
    write_index(LayoutStore(tmp_path), specs, ["v1"])
    assert failures(OciLayoutSource(tmp_path))[0].startswith(
        "linux/arm64: /usr/bin/python3.11 is an x86-64 ELF binary")


def test_an_absent_tag(registry: Registry, unique_repository: str, http: httpx.Client,
                       tmp_path: Path) -> None:
    source = RegistrySource(RegistryClient(registry.host, http), unique_repository)
    with pytest.raises(Failed, match=f"{registry.host}/{unique_repository}:v9 is not in the "
                       "registry"):
        verify_image(source, "v9", BOTH)
    write_index(LayoutStore(tmp_path), [ImageSpec("amd64")], ["v1"])
    with pytest.raises(Failed, match=r"tag 'v9' is not in oci:.* \(tags: v1\)"):
        verify_image(OciLayoutSource(tmp_path), "v9", BOTH)


def test_an_unreachable_registry(http: httpx.Client) -> None:
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        host = f"127.0.0.1:{sock.getsockname()[1]}"
        client = RegistryClient(host, http)
        with pytest.raises(RegistryUnreachable, match=f"registry {host} does not answer") as caught:
            client.ping()
        assert caught.value.exit_code == 3
        with pytest.raises(RegistryUnreachable):
            verify_image(RegistrySource(client, "x"), "v1", BOTH)


def test_ping_a_real_registry(registry: Registry, http: httpx.Client) -> None:
    RegistryClient(registry.host, http).ping()


@pytest.mark.parametrize(("reference", "parts"), [
    ("127.0.0.1:5000/articles:abc", ("127.0.0.1:5000", "articles", "abc")),
    ("127.0.0.1:5000/team/articles", ("127.0.0.1:5000", "team/articles", "latest")),
    ("localhost/articles@sha256:" + "a" * 64, ("localhost", "articles", "sha256:" + "a" * 64)),
    ("1.dkr.ecr.us-east-1.amazonaws.com/a:b", ("1.dkr.ecr.us-east-1.amazonaws.com", "a", "b")),
])
def test_split_reference(reference: str, parts: tuple[str, str, str]) -> None:
    assert split_reference(reference) == parts


def test_split_reference_needs_a_host() -> None:
    with pytest.raises(Failed, match="does not name a registry host"):
        split_reference("articles:latest")
