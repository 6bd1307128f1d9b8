"""Manifest parsing and the pure checks, from literal documents and hand-made trees."""

from __future__ import annotations

import json

import pytest

from shipit.errors import Failed
from shipit.image.checks import (
    EXEC_FORMAT_ERROR,
    check_config,
    check_executable,
    check_native_files,
    check_platforms,
    check_tags,
)
from shipit.image.filetree import FileTree, Node
from shipit.image.manifest import (
    DOCKER_LIST,
    OCI_INDEX,
    OCI_MANIFEST,
    ImageIndex,
    ImageManifest,
    RawManifest,
    parse_config,
    parse_manifest,
    sha256_digest,
)
from shipit.image.platforms import Platform, parse_platforms
from tests.image.images import elf_header

AMD64, ARM64 = Platform("linux", "amd64"), Platform("linux", "arm64")
D = "sha256:" + "a" * 64


def entry(arch: str, os: str = "linux", **extra: object) -> dict[str, object]:
    return {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": D, "size": 1,
            "platform": {"os": os, "architecture": arch}, **extra}


def index(*entries: dict[str, object], media_type: str = OCI_INDEX) -> ImageIndex:
    body = json.dumps({"schemaVersion": 2, "mediaType": media_type,
                       "manifests": list(entries)}).encode()
    parsed = parse_manifest(RawManifest(body, media_type, sha256_digest(body)))
    assert isinstance(parsed, ImageIndex)
    return parsed


ATTESTATION = entry("unknown", "unknown",
                    annotations={"vnd.docker.reference.type": "attestation-manifest"})


@pytest.mark.parametrize(("entries", "requested", "failures"), [
    ([entry("amd64"), entry("arm64")], "linux/amd64,linux/arm64", []),
    ([entry("arm64"), entry("amd64"), ATTESTATION, ATTESTATION], "linux/amd64,linux/arm64", []),
    ([entry("amd64")], "linux/amd64,linux/arm64",
     ["linux/arm64 is missing from the manifest list"]),
    ([entry("amd64"), entry("arm64")], "linux/amd64",
     ["linux/arm64 is in the manifest list but was not requested"]),
    ([entry("amd64"), entry("amd64")], "linux/amd64", ["linux/amd64 appears 2 times"]),
    ([entry("arm64", variant="v8")], "linux/arm64", []),
    ([entry("ppc64le")], "linux/amd64",
     ["linux/amd64 is missing", "linux/ppc64le is in the manifest list but was not requested"]),
    ([], "linux/amd64", ["linux/amd64 is missing"]),
])
def test_check_platforms(entries: list[dict[str, object]], requested: str,
                         failures: list[str]) -> None:
    findings = check_platforms(index(*entries), parse_platforms(requested))
    bad = [f.message for f in findings if not f.ok]
    assert len(bad) == len(failures)
    for message, expected in zip(bad, failures, strict=True):
        assert expected in message
    if not failures:
        assert findings[0].ok
        assert "holds exactly" in findings[0].message


def test_docker_manifest_list_is_an_index_too() -> None:
    parsed = index(entry("amd64"), media_type=DOCKER_LIST)
    assert [d.platform_text for d in parsed.images] == ["linux/amd64"]


def test_parse_image_manifest_and_sizes() -> None:
    body = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                       "config": {"mediaType": "x", "digest": D, "size": 10},
                       "layers": [{"mediaType": "y", "digest": D, "size": 100},
                                  {"mediaType": "y", "digest": D, "size": 5}]}).encode()
    parsed = parse_manifest(RawManifest(body, "", sha256_digest(body)))
    assert isinstance(parsed, ImageManifest)
    assert parsed.compressed_size == 115


@pytest.mark.parametrize(("body", "message"), [
    (b"{not json", "not valid JSON"),
    (b"[]", "not a JSON object"),
    (b'{"mediaType": "text/plain"}', "unsupported media type"),
    (b'{"mediaType": "application/vnd.oci.image.manifest.v1+json"}', "no config"),
    (b'{"mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{}]}',
     "malformed descriptor"),
])
def test_parse_manifest_rejects(body: bytes, message: str) -> None:
    with pytest.raises(Failed, match=message):
        parse_manifest(RawManifest(body, "", sha256_digest(body)))


def config(arch: str = "amd64", entrypoint: list[str] | None = None,
           cmd: list[str] | None = None) -> bytes:
    return json.dumps({"os": "linux", "architecture": arch, "config": {
        "Env": ["PATH=/usr/bin", "EMPTY", "A=b=c"], "Entrypoint": entrypoint,
        "Cmd": cmd if cmd is not None else ["python3"], "WorkingDir": "/app"}}).encode()


def test_parse_config() -> None:
    parsed = parse_config(config(entrypoint=["tini", "--"], cmd=["python3", "-m", "x"]))
    assert parsed.argv == ["tini", "--", "python3", "-m", "x"]
    assert parsed.env_map == {"PATH": "/usr/bin", "EMPTY": "", "A": "b=c"}
    assert parsed.working_dir == "/app"


def test_check_config_mismatch() -> None:
    descriptor = index(entry("arm64")).images[0]
    finding = check_config(descriptor, parse_config(config("amd64")))
    assert not finding.ok
    assert finding.message == ("linux/arm64: the manifest list says linux/arm64 but the image "
                               "config says linux/amd64")
    assert check_config(descriptor, parse_config(config("arm64"))).ok


def python_tree(machine: int) -> FileTree:
    tree = FileTree()
    tree.put("/usr/bin/python3.11", Node("file", head=elf_header(machine)))
    tree.put("/usr/bin/python3", Node("symlink", target="python3.11"))
    tree.put("/usr/lib/libpython3.11.so.1.0", Node("file", mode=0o644, head=elf_header(machine)))
    return tree


def test_check_executable_names_the_binary() -> None:
    finding = check_executable(ARM64, parse_config(config("arm64")), python_tree(62))
    assert not finding.ok
    assert finding.message == ("linux/arm64: /usr/bin/python3.11 is an x86-64 ELF binary; "
                               f"{EXEC_FORMAT_ERROR}")
    assert finding.details["chain"] == [
        "python3 -> /usr/bin/python3.11 (via /usr/bin/python3 -> python3.11): "
        "an x86-64 ELF binary"]


def test_check_executable_passes_and_says_what_runs() -> None:
    finding = check_executable(ARM64, parse_config(config("arm64")), python_tree(183))
    assert finding.ok
    assert finding.message == "linux/arm64: /usr/bin/python3.11 is an AArch64 ELF binary"


def test_check_executable_missing_program() -> None:
    finding = check_executable(AMD64, parse_config(config(cmd=["gunicorn"])), python_tree(62))
    assert not finding.ok
    assert "'gunicorn': executable file not found in $PATH (/usr/bin)" in finding.message
    assert "the task could not start" in finding.message


def test_check_native_files() -> None:
    tree = python_tree(183)
    assert check_native_files(ARM64, tree).ok
    tree.put("/opt/deps/core.cpython-311-x86_64-linux-gnu.so", Node("file", head=elf_header(62)))
    finding = check_native_files(ARM64, tree)
    assert not finding.ok
    assert finding.message == ("linux/arm64: 1 of 3 ELF files are for another CPU: "
                               "/opt/deps/core.cpython-311-x86_64-linux-gnu.so (x86-64)")


def test_check_tags() -> None:
    assert check_tags("r/a", {"sha": D, "latest": D}, D)[0].ok
    messages = [f.message for f in check_tags("r/a", {"sha": None, "latest": "sha256:" + "b" * 64},
                                              D)]
    assert messages == ["r/a:sha is not in the registry",
                        f"r/a:latest is sha256:{'b' * 64}, not this build's {D}"]
