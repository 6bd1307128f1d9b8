"""Pure decisions of push, table-tested: hosts and regions, manifests, tags, verdicts, receipts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from shipit.aws.ecr import Repository, StoredImage, exclusion_unsupported
from shipit.errors import RegionProblem, UsageError
from shipit.image.storage import BuildahStorage
from shipit.push.builder import receipt_storage, scrub
from shipit.push.judge import TagState, judge_image, repository_warnings, tag_is_mutable, tag_state
from shipit.push.manifest import ManifestError, manifest_platforms
from shipit.push.receipt import parse_receipt, read_receipt
from shipit.push.target import EcrHost, Target, check_region, is_loopback, parse_ecr_host

D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64
INDEX = "application/vnd.oci.image.index.v1+json"


def _index(*platforms: dict[str, str]) -> str:
    return json.dumps({"schemaVersion": 2, "mediaType": INDEX,
                       "manifests": [{"digest": D1, "platform": p} for p in platforms]})


AMD64 = {"os": "linux", "architecture": "amd64"}
ARM64 = {"os": "linux", "architecture": "arm64"}


@pytest.mark.parametrize(("host", "expected"), [
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com", EcrHost("123456789012", "us-east-1")),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com", EcrHost("123456789012", "eu-west-1")),
    ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", EcrHost("123456789012", "cn-north-1")),
    ("123456789012.dkr-ecr.us-gov-west-1.amazonaws.com", EcrHost("123456789012",
                                                                 "us-gov-west-1")),
    ("123456789012.dkr.ecr-fips.us-east-2.amazonaws.com", EcrHost("123456789012", "us-east-2")),
    ("127.0.0.1:5000", None),
    ("ghcr.io", None),
    ("12345.dkr.ecr.us-east-1.amazonaws.com", None),
])
def test_parse_ecr_host(host: str, expected: EcrHost | None) -> None:
    assert parse_ecr_host(host) == expected


def test_check_region_explains_a_registry_in_another_region() -> None:
    check_region("123456789012.dkr.ecr.us-east-1.amazonaws.com", "us-east-1")
    check_region("127.0.0.1:5000", "us-east-1")
    wrong = r"is in eu-west-1, but aws\.region is us-east-1"
    with pytest.raises(RegionProblem, match=wrong) as err:
        check_region("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "us-east-1")
    assert err.value.hint is not None
    assert "--region eu-west-1" in err.value.hint


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1:5000", True), ("localhost:5000", True), ("[::1]:5000", True),
    ("10.0.0.1:5000", False), ("registry.example.com", False),
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com", False),
])
def test_only_loopback_registries_skip_tls(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert Target(host, "repo").insecure is loopback


@pytest.mark.parametrize(("manifest", "expected"), [
    (_index(AMD64, ARM64), ("linux/amd64", "linux/arm64")),
    (_index(AMD64, {"os": "linux", "architecture": "arm64", "variant": "v8"}),
     ("linux/amd64", "linux/arm64")),
    (_index(AMD64, {"os": "unknown", "architecture": "unknown"}), ("linux/amd64",)),
    (_index({"os": "linux", "architecture": "arm", "variant": "v7"}), ("linux/arm/v7",)),
    (json.dumps({"schemaVersion": 2, "mediaType":
                 "application/vnd.docker.distribution.manifest.list.v2+json",
                 "manifests": [{"digest": D1, "platform": ARM64}]}), ("linux/arm64",)),
    (json.dumps({"schemaVersion": 2, "config": {"digest": D2}, "layers": []}), None),
])
def test_manifest_platforms(manifest: str, expected: tuple[str, ...] | None) -> None:
    assert manifest_platforms(manifest) == expected


def test_an_unreadable_manifest_is_an_error() -> None:
    with pytest.raises(ManifestError):
        manifest_platforms("not json")


def _repo(mutability: str, filters: tuple[str, ...] = (), scan: bool = True) -> Repository:
    return Repository("articles", "arn", "1.dkr.ecr.us-east-1.amazonaws.com/articles", "1",
                      mutability, filters, scan, "AES256")


@pytest.mark.parametrize(("mutability", "filters", "tag", "mutable"), [
    ("MUTABLE", (), "abc", True),
    ("IMMUTABLE", (), "latest", False),
    ("IMMUTABLE_WITH_EXCLUSION", ("latest",), "latest", True),
    ("IMMUTABLE_WITH_EXCLUSION", ("latest",), "abc", False),
    ("IMMUTABLE_WITH_EXCLUSION", ("dev-*",), "dev-1", True),
    ("MUTABLE_WITH_EXCLUSION", ("release-*",), "release-1", False),
    ("MUTABLE_WITH_EXCLUSION", ("release-*",), "latest", True),
])
def test_tag_is_mutable(mutability: str, filters: tuple[str, ...], tag: str,
                        mutable: bool) -> None:
    assert tag_is_mutable(_repo(mutability, filters), tag) is mutable


@pytest.mark.parametrize(("repo", "expected"), [
    (_repo("IMMUTABLE_WITH_EXCLUSION", ("latest",)), []),
    (_repo("MUTABLE"), ["tags are mutable"]),
    (_repo("IMMUTABLE"), ["'latest' is immutable here"]),
    (_repo("IMMUTABLE_WITH_EXCLUSION", ("latest",), scan=False), ["scan on push is off"]),
])
def test_repository_warnings(repo: Repository, expected: list[str]) -> None:
    warnings = repository_warnings(repo, sha_tag="abc", moving_tag="latest")
    assert len(warnings) == len(expected)
    for warning, fragment in zip(warnings, expected, strict=True):
        assert fragment in warning


def _stored(digest: str, manifest: str) -> StoredImage:
    kind = json.loads(manifest).get("mediaType", INDEX) if manifest.startswith("{") else INDEX
    return StoredImage(digest, ("abc",), manifest, kind)


SINGLE = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                     "config": {"digest": D2, "size": 1}, "layers": []})


@pytest.mark.parametrize(("existing", "digest", "state"), [
    (None, D1, TagState.ABSENT),
    (_stored(D1, "{}"), D1, TagState.SAME),
    (_stored(D1, "{}"), D2, TagState.OTHER),
    (_stored(D1, "{}"), None, TagState.UNKNOWN),
])
def test_tag_state(existing: StoredImage | None, digest: str | None, state: TagState) -> None:
    assert tag_state(existing, digest) is state


BOTH = ("linux/amd64", "linux/arm64")


@pytest.mark.parametrize(("stored", "digest", "platforms", "problem"), [
    (_stored(D1, _index(AMD64, ARM64)), D1, BOTH, None),
    (_stored(D1, _index(AMD64, ARM64)), None, BOTH, None),
    (_stored(D1, _index(AMD64)), D1, BOTH, "missing platform linux/arm64 (it lists linux/amd64)"),
    (_stored(D1, _index()), D1, BOTH, "missing platforms linux/amd64, linux/arm64"),
    (_stored(D2, _index(AMD64, ARM64)), D1, BOTH, f"resolves to {D2} in ECR, not the built {D1}"),
    (_stored(D1, SINGLE), D1, BOTH, "single-platform image"),
    (_stored(D1, SINGLE), D1, ("linux/amd64",), None),
    (None, D1, BOTH, "is not in ECR after the push"),
    (_stored(D1, "garbage"), D1, BOTH, "unreadable manifest"),
])
def test_judge_image(stored: StoredImage | None, digest: str | None,
                     platforms: tuple[str, ...], problem: str | None) -> None:
    verdict = judge_image(stored, ref="r/a:abc", digest=digest, platforms=platforms)
    if problem is None:
        assert verdict.ok, verdict.problems
    else:
        assert any(problem in p for p in verdict.problems), verdict.problems


def test_receipt_flat_nested_and_per_platform_records() -> None:
    flat = parse_receipt({"git_sha": "a" * 40, "local_image": "localhost/x:a", "digest": D1,
                          "platforms": ["linux/amd64", "linux/arm64"]})
    assert (flat.tag, flat.source, flat.digest, flat.platforms) == (
        "a" * 40, "localhost/x:a", D1, BOTH)
    nested = parse_receipt({"image": {"tag": "v1", "refs": ["127.0.0.1:5000/x:v1"],
                                      "platforms": [{"platform": "linux/amd64"}, ARM64]}})
    assert (nested.tag, nested.source, nested.digest) == ("v1", "127.0.0.1:5000/x:v1", None)
    assert nested.platforms == BOTH


@pytest.mark.parametrize(("data", "message"), [
    ({"local_image": "x", "platforms": ["linux/amd64"]}, "no valid 'tag'"),
    ({"tag": "v1", "platforms": ["linux/amd64"]}, "names no image"),
    ({"tag": "v1", "local_image": "x", "platforms": []}, "lists no 'platforms'"),
    ({"tag": "v1", "local_image": "x", "platforms": ["linux/amd64"], "digest": "md5:1"},
     "not a sha256 digest"),
])
def test_bad_receipts_are_usage_errors(data: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_receipt(data)


def test_missing_and_malformed_receipt_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no build receipt") as missing:
        read_receipt(tmp_path / "nope.json")
    assert missing.value.exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(UsageError, match="not a JSON build receipt"):
        read_receipt(bad)


def test_the_receipt_storage_wins_over_the_environment() -> None:
    image = parse_receipt({"tag": "v1", "local_image": "localhost/x:v1",
                           "platforms": ["linux/amd64"],
                           "local": {"storage": {"driver": "overlay", "root": "/b",
                                                 "runroot": None}}})
    assert image.storage == (("driver", "overlay"), ("root", "/b"))
    assert receipt_storage(image.storage) == BuildahStorage("overlay", Path("/b"), None)
    assert receipt_storage(()) is None


@pytest.mark.parametrize(("code", "message", "unsupported"), [
    ("InvalidParameterException", "Invalid parameter at 'imageTagMutabilityExclusionFilters'",
     True),
    ("ValidationException", "1 validation error detected: Value 'IMMUTABLE_WITH_EXCLUSION' at"
     " 'imageTagMutability' failed to satisfy constraint", True),
    ("InvalidParameterException", "Invalid repository name", False),
    ("AccessDeniedException", "not authorized to perform ecr:CreateRepository", False),
])
def test_an_endpoint_without_exclusion_filters_is_recognised(
    code: str, message: str, unsupported: bool,
) -> None:
    error = ClientError({"Error": {"Code": code, "Message": message}}, "CreateRepository")
    assert exclusion_unsupported(error) is unsupported


def test_an_old_botocore_without_the_parameter_is_recognised() -> None:
    assert exclusion_unsupported(ParamValidationError(report="Unknown parameter"))


def test_scrub_removes_every_secret() -> None:
    assert scrub("login AWS:s3cr3t failed for s3cr3t", ["s3cr3t", ""]) == (
        "login AWS:*** failed for ***")
