"""Pure decisions of push, table-tested: hosts and regions, manifests, tags, verdicts, receipts."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from shipit.aws.ecr import RegistryLogin, Repository, StoredImage, exclusion_unsupported
from shipit.errors import AccessDenied, RegionProblem, UsageError
from shipit.image.storage import BuildahStorage
from shipit.image_ref import EcrHost, parse_ecr_host
from shipit.net import is_loopback_hostport as is_loopback
from shipit.push.builder import BuildahPusher, receipt_storage, scrub
from shipit.push.judge import TagState, judge_image, repository_warnings, tag_is_mutable, tag_state
from shipit.push.manifest import ManifestError, manifest_platforms
from shipit.push.receipt import built_image, load_built_image
from shipit.push.target import Destination, check_registry_region
from tests.fakes.runner import FakeRunner
from tests.fixtures.receipts import build_receipt

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
    check_registry_region("123456789012.dkr.ecr.us-east-1.amazonaws.com", "us-east-1")
    check_registry_region("127.0.0.1:5000", "us-east-1")
    wrong = r"is in eu-west-1, but aws\.region is us-east-1"
    with pytest.raises(RegionProblem, match=wrong) as err:
        check_registry_region("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "us-east-1")
    assert err.value.hint is not None
    assert "--region eu-west-1" in err.value.hint


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1:5000", True), ("localhost:5000", True), ("[::1]:5000", True),
    ("10.0.0.1:5000", False), ("registry.example.com", False),
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com", False),
])
def test_only_loopback_registries_skip_tls(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    assert Destination(host, "repo").insecure is loopback


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


def test_push_reads_the_local_list_else_the_first_ref_and_every_platform() -> None:
    local = built_image(build_receipt(tag="a" * 40, local_image="localhost/x:a", digest=D1,
                                      platforms=["linux/amd64", "linux/arm64"]))
    assert (local.tag, local.source, local.digest, local.platforms) == (
        "a" * 40, "localhost/x:a", D1, BOTH)
    pushed = built_image(build_receipt(tag="v1", local_image=None, digest=D2,
                                       platforms=["linux/amd64"],
                                       refs=["127.0.0.1:5000/x:v1", "127.0.0.1:5000/x:latest"]))
    assert (pushed.tag, pushed.source, pushed.platforms) == (
        "v1", "127.0.0.1:5000/x:v1", ("linux/amd64",))


@pytest.mark.parametrize(("fields", "message"), [
    ({"tag": "-bad tag"}, "not a valid build receipt"),
    ({"digest": "md5:1"}, "not a valid build receipt"),
    ({"local_image": None}, "names no image"),
    ({"platforms": []}, "lists no 'platforms'"),
])
def test_bad_receipts_are_usage_errors(tmp_path: Path, fields: dict[str, object],
                                       message: str) -> None:
    good = build_receipt(tag="v1", local_image="x", digest=D1, platforms=["linux/amd64"])
    data = {**good.to_dict(), **fields}
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UsageError, match=message) as caught:
        load_built_image(path)
    assert caught.value.exit_code == 2


def test_missing_and_malformed_receipt_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no build receipt") as missing:
        load_built_image(tmp_path / "nope.json")
    assert missing.value.exit_code == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(UsageError, match="not valid JSON") as corrupt:
        load_built_image(bad)
    assert corrupt.value.exit_code == 2


def test_the_receipt_storage_wins_over_the_environment() -> None:
    image = built_image(build_receipt(tag="v1", local_image="localhost/x:v1", digest=D1,
                                      platforms=["linux/amd64"],
                                      storage={"driver": "overlay", "root": "/b",
                                               "runroot": None}))
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


def test_a_failed_login_is_scrubbed_of_the_password_and_every_token_shape() -> None:
    password = "eyJwYXlsb2FkIjoiZmFrZS1lY3ItcGFzc3dvcmQtdGhhdC1pcy1sb25nIn0="
    basic = base64.b64encode(f"AWS:{password}".encode()).decode()
    runner = FakeRunner(1, f"error: bad credentials {password} (Basic {basic}) unauthorized")
    pusher = BuildahPusher(runner=runner, storage=BuildahStorage(driver="vfs"))
    with pytest.raises(AccessDenied) as caught:
        pusher.login(Destination("127.0.0.1:5000", "articles"), RegistryLogin("AWS", password, ""))
    assert password not in caught.value.message
    assert basic not in caught.value.message
    assert "QVdTO" not in caught.value.message
    (argv,) = runner.calls
    assert password not in " ".join(argv)
    authfile = Path(argv[argv.index("--authfile") + 1])
    assert not authfile.parent.exists()
    assert pusher.authfile is None


def test_an_interrupted_login_leaves_no_authfile() -> None:
    runner = FakeRunner(raises=KeyboardInterrupt())
    pusher = BuildahPusher(runner=runner, storage=BuildahStorage(driver="vfs"))
    with pytest.raises(KeyboardInterrupt):
        pusher.login(Destination("127.0.0.1:5000", "articles"), RegistryLogin("AWS", "pw", ""))
    (argv,) = runner.calls
    assert not Path(argv[argv.index("--authfile") + 1]).parent.exists()
