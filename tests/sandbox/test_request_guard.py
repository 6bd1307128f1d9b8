"""The sandbox answers only its own clients: moto behind the request guard on a real loopback
server (httpx and boto3 as clients), and the ECR data plane's login, as ECR requires it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from shipit.aws.local_credentials import LocalCredentials
from shipit.sandbox.moto_world import MotoServer, issued_secret
from shipit.sandbox.request_guard import RequestGuard, SignedRequest, signature_problem
from tests.fixtures.ecr_registry import EcrDataPlane, ecr_data_plane, ecr_registry

__all__ = ["ecr_data_plane", "ecr_registry"]

WEBSITE = "http://127.0.0.1:18080"
KEYS = LocalCredentials.generate()
LIST_SECRETS = b"{}"
TARGET = "secretsmanager.ListSecrets"


@pytest.fixture(scope="module")
def guarded() -> Iterator[tuple[str, RequestGuard]]:
    """moto behind the guard, as the sandbox daemon runs it (a real server on 127.0.0.1)."""
    made: list[RequestGuard] = []

    def wrap(app: Any) -> RequestGuard:
        made.append(RequestGuard(app, KEYS, lambda: WEBSITE, issued=issued_secret))
        return made[0]

    server = MotoServer(wrap)
    made[0].port = server.port
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}", made[0]
    finally:
        server.stop()


def _signed(url: str, keys: LocalCredentials, **extra: str) -> dict[str, str]:
    """Headers of a ListSecrets call signed as boto3 signs it (botocore's own signer)."""
    request = AWSRequest("POST", url + "/", data=LIST_SECRETS, headers={
        "X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials(keys.access_key_id, keys.secret_access_key), "secretsmanager",
              "us-east-1").add_auth(request)
    return {**dict(request.headers.items()), **extra}


def _post(url: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url + "/", content=LIST_SECRETS, headers=headers, trust_env=False)


def test_its_own_signed_clients_are_answered(guarded: tuple[str, RequestGuard]) -> None:
    url, _ = guarded
    client = boto3.client("secretsmanager", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id=KEYS.access_key_id,
                          aws_secret_access_key=KEYS.secret_access_key)
    arn = client.create_secret(Name="db", SecretString="s3cr3t-value")["ARN"]
    assert client.get_secret_value(SecretId=arn)["SecretString"] == "s3cr3t-value"
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                      aws_access_key_id=KEYS.access_key_id,
                      aws_secret_access_key=KEYS.secret_access_key)
    s3.create_bucket(Bucket="site")
    s3.put_object(Bucket="site", Key="a b/ü.html", Body=b"<p>x</p>")  # S3 paths, encoded
    assert s3.get_object(Bucket="site", Key="a b/ü.html")["Body"].read() == b"<p>x</p>"
    assert _post(url, _signed(url, KEYS)).status_code == 200
    assert _post(url, _signed(url, KEYS, Origin=WEBSITE)).status_code == 200  # its website


def test_credentials_its_own_sts_issued_are_answered(guarded: tuple[str, RequestGuard]) -> None:
    """AssumeRole into another account of the sandbox's moto, as on AWS: the temporary keys
    work; made-up keys of the same shape do not."""
    url, _ = guarded
    sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id=KEYS.access_key_id,
                       aws_secret_access_key=KEYS.secret_access_key)
    creds = sts.assume_role(RoleArn="arn:aws:iam::222222222222:role/x",
                            RoleSessionName="rebuild")["Credentials"]
    other = boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                         aws_access_key_id=creds["AccessKeyId"],
                         aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"])
    assert other.get_caller_identity()["Account"] == "222222222222"
    forged = boto3.client("sts", endpoint_url=url, region_name="us-east-1",
                          aws_access_key_id=creds["AccessKeyId"],
                          aws_secret_access_key="not-the-secret",
                          aws_session_token=creds["SessionToken"])
    with pytest.raises(ClientError, match="not signed with this sandbox's secret"):
        forged.get_caller_identity()


@pytest.mark.parametrize(
    ("why", "headers"),
    [
        ("a web page's Origin", {"Origin": "https://evil.example"}),
        ("a null Origin (sandboxed iframe)", {"Origin": "null"}),
        ("Sec-Fetch-Site: cross-site", {"Sec-Fetch-Site": "cross-site"}),
        ("DNS rebinding: a foreign Host", {"Host": "rebind.evil.example"}),
    ],
)
def test_browser_and_rebinding_requests_are_refused(guarded: tuple[str, RequestGuard], why: str,
                                                    headers: dict[str, str]) -> None:
    url, _ = guarded
    port = url.rsplit(":", 1)[1]
    if "Host" in headers:
        headers = {"Host": f"{headers['Host']}:{port}"}
    answer = _post(url, _signed(url, KEYS, **headers))
    assert answer.status_code == 403, why
    assert "shipit sandbox" in answer.text
    assert "access-control-allow-origin" not in answer.headers
    assert "SecretList" not in answer.text


def test_a_cors_preflight_from_a_page_is_refused(guarded: tuple[str, RequestGuard]) -> None:
    url, _ = guarded
    answer = httpx.options(url + "/", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,x-amz-target"}, trust_env=False)
    assert answer.status_code == 403
    assert "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize("forgery", ["junk signature", "other keys", "unsigned", "body changed"])
def test_forged_signatures_are_refused(guarded: tuple[str, RequestGuard], forgery: str) -> None:
    url, _ = guarded
    headers = _signed(url, KEYS if forgery != "other keys" else LocalCredentials.generate())
    body = LIST_SECRETS
    if forgery == "junk signature":
        auth = headers["Authorization"]
        headers["Authorization"] = auth[:auth.index("Signature=") + 10] + "0" * 64
    elif forgery == "unsigned":
        headers.pop("Authorization")
    elif forgery == "body changed":
        body = b'{"MaxResults": 1}'
    answer = httpx.post(url + "/", content=body, headers=headers, trust_env=False)
    assert answer.status_code == 403, forgery
    assert "SecretList" not in answer.text


@pytest.mark.parametrize(
    ("raw_path", "service"),
    [("/", "ecs"), ("/2013-04-01/hostedzone/Z1/rrset/", "route53"),
     ("/a/./b/../c//d", "ecs"), ("/bucket/a%20b/%C3%BC", "s3")],
)
def test_signature_check_matches_botocore_on_paths(raw_path: str, service: str) -> None:
    url = f"http://127.0.0.1:4566{raw_path}?b=2&a=1"
    request = AWSRequest("GET", url, headers={})
    signer = S3SigV4Auth if service == "s3" else SigV4Auth
    signer(Credentials(KEYS.access_key_id, KEYS.secret_access_key), service,
           "us-east-1").add_auth(request)
    headers = {k.lower(): v for k, v in request.headers.items()} | {"host": "127.0.0.1:4566"}
    signed = SignedRequest("GET", raw_path, "b=2&a=1", headers, b"")
    assert signature_problem(signed, KEYS) is None
    assert signature_problem(signed, LocalCredentials.generate()) is not None


def test_the_registry_requires_the_ecr_login(ecr_registry: EcrDataPlane) -> None:
    base = f"http://{ecr_registry.host}"
    anonymous = httpx.get(base + "/v2/_catalog", trust_env=False)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Basic ")
    wrong = httpx.get(base + "/v2/_catalog", auth=("AWS", "guess"), trust_env=False)
    assert wrong.status_code == 401
    token = boto3.client("ecr").get_authorization_token()["authorizationData"][0]
    user, _, password = base64.b64decode(token["authorizationToken"]).decode().partition(":")
    assert httpx.get(base + "/v2/", auth=(user, password), trust_env=False).status_code == 200
    page = httpx.get(base + "/v2/_catalog", auth=(user, password), trust_env=False,
                     headers={"Origin": "https://evil.example"})
    assert page.status_code == 403
    port = ecr_registry.host.rsplit(":", 1)[1]
    rebound = httpx.get(base + "/v2/_catalog", auth=(user, password), trust_env=False,
                        headers={"Host": f"rebind.evil.example:{port}"})
    assert rebound.status_code == 403
