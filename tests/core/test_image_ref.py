"""The one grammar of image references and ECR hosts (shipit.image_ref), every form in a table,
and every package that parses them agreeing with it."""

from __future__ import annotations

import pytest

from shipit.deploy.image import parse_image as deploy_parse_image
from shipit.errors import Failed, UsageError
from shipit.image.registry import split_reference
from shipit.image_ref import EcrHost, ImageRef, ecr_host, parse_ecr_host, parse_image
from shipit.sandbox.preflight import ecr_image

ACCOUNT = "123456789012"
D = "sha256:" + "a" * 64

HOSTS: list[tuple[str, EcrHost | None]] = [
    (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com", EcrHost(ACCOUNT, "us-east-1")),
    (f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com:443", EcrHost(ACCOUNT, "eu-west-1")),
    (f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn", EcrHost(ACCOUNT, "cn-north-1")),
    (f"{ACCOUNT}.dkr.ecr.cn-northwest-1.amazonaws.com.cn:443",
     EcrHost(ACCOUNT, "cn-northwest-1")),
    (f"{ACCOUNT}.dkr.ecr-fips.us-east-2.amazonaws.com", EcrHost(ACCOUNT, "us-east-2")),
    (f"{ACCOUNT}.dkr.ecr-fips.us-gov-west-1.amazonaws.com", EcrHost(ACCOUNT, "us-gov-west-1")),
    (f"{ACCOUNT}.dkr-ecr.us-gov-west-1.amazonaws.com", EcrHost(ACCOUNT, "us-gov-west-1")),
    (f"{ACCOUNT}.dkr-ecr.us-east-1.on.aws", EcrHost(ACCOUNT, "us-east-1")),
    (f"{ACCOUNT}.dkr-ecr-fips.us-east-1.on.aws", EcrHost(ACCOUNT, "us-east-1")),
    (f"{ACCOUNT}.dkr-ecr.ap-southeast-2.on.aws:5000", EcrHost(ACCOUNT, "ap-southeast-2")),
    (f"{ACCOUNT}.DKR.ECR.US-EAST-1.AMAZONAWS.COM", EcrHost(ACCOUNT, "us-east-1")),
    ("12345.dkr.ecr.us-east-1.amazonaws.com", None),            # an account has 12 digits
    (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.org", None),
    (f"{ACCOUNT}.dkr.ecr.useast1.amazonaws.com", None),
    (f"{ACCOUNT}.ecr.us-east-1.amazonaws.com", None),
    (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com.evil.example", None),
    ("public.ecr.aws", None),
    ("127.0.0.1:5000", None),
    ("localhost:5000", None),
    ("ghcr.io", None),
]


@pytest.mark.parametrize(("host", "expected"), HOSTS)
def test_ecr_host_grammar(host: str, expected: EcrHost | None) -> None:
    assert parse_ecr_host(host) == expected
    ref = f"{host}/team/app@{D}"
    assert deploy_parse_image(ref).ecr == expected
    assert (ecr_image(ref) is not None) is (expected is not None)


@pytest.mark.parametrize(("region", "host"), [
    ("us-east-1", f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"),
    ("cn-north-1", f"{ACCOUNT}.dkr.ecr.cn-north-1.amazonaws.com.cn"),
])
def test_ecr_host_is_what_the_grammar_reads(region: str, host: str) -> None:
    assert ecr_host(ACCOUNT, region) == host
    assert parse_ecr_host(host) == EcrHost(ACCOUNT, region)


REFERENCES: list[tuple[str, ImageRef]] = [
    ("articles", ImageRef(None, "articles", None, None)),
    ("articles:v1", ImageRef(None, "articles", "v1", None)),
    ("library/articles:v1", ImageRef(None, "library/articles", "v1", None)),
    ("localhost/articles", ImageRef("localhost", "articles", None, None)),
    ("localhost:5000/app@" + D, ImageRef("localhost:5000", "app", None, D)),
    ("127.0.0.1:5000/team/articles:abc", ImageRef("127.0.0.1:5000", "team/articles", "abc", None)),
    ("[::1]:5000/app:v1", ImageRef("[::1]:5000", "app", "v1", None)),
    ("ghcr.io/acme/app:1.2@" + D, ImageRef("ghcr.io", "acme/app", "1.2", D)),
    (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/team/articles:v1",
     ImageRef(f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com", "team/articles", "v1", None)),
    (f"{ACCOUNT}.dkr-ecr.us-east-1.on.aws/app@" + D,
     ImageRef(f"{ACCOUNT}.dkr-ecr.us-east-1.on.aws", "app", None, D)),
]


@pytest.mark.parametrize(("reference", "expected"), REFERENCES)
def test_image_references(reference: str, expected: ImageRef) -> None:
    assert parse_image(reference) == expected
    assert deploy_parse_image(reference) == expected
    if expected.host is None:
        with pytest.raises(Failed, match="does not name a registry host"):
            split_reference(reference)
    else:
        assert split_reference(reference) == (expected.host, expected.repository,
                                               expected.reference)


@pytest.mark.parametrize("reference", ["", "@" + D, "app@sha256:short", "app@md5:" + "a" * 32,
                                       "ghcr.io/"])
def test_malformed_references_are_usage_errors(reference: str) -> None:
    with pytest.raises(UsageError, match="is not an image reference") as caught:
        parse_image(reference)
    assert caught.value.exit_code == 2
