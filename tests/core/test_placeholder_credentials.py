"""A loopback endpoint (the sandbox) works without credentials; a real endpoint never does."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit.aws.identity import caller_identity
from shipit.aws.session import SANDBOX_CREDENTIALS, AwsSession, AwsTarget
from shipit.errors import CredentialsMissing
from shipit.net import is_loopback, is_loopback_hostport, is_loopback_url
from tests.fixtures.cli import run_cli
from tests.fixtures.moto import REGION, MotoServer


@pytest.mark.parametrize(
    ("target", "environ", "placeholder"),
    [
        (AwsTarget(endpoint_url="http://127.0.0.1:4566"), {}, True),
        (AwsTarget(endpoint_url="http://localhost:4566"), {}, True),
        (AwsTarget(endpoint_url="http://[::1]:4566"), {}, True),
        (AwsTarget(endpoint_url="http://127.0.0.1:4566", profile="dev"), {}, False),
        (AwsTarget(endpoint_url="http://127.0.0.1:4566"), {"AWS_ACCESS_KEY_ID": "AKIA"}, False),
        (AwsTarget(endpoint_url="https://ecs.us-east-1.amazonaws.com"), {}, False),
        (AwsTarget(endpoint_url="http://10.0.0.5:4566"), {}, False),
        (AwsTarget(), {}, False),
    ],
)
def test_placeholder_credentials_only_for_loopback_endpoints(
    target: AwsTarget, environ: dict[str, str], placeholder: bool
) -> None:
    assert AwsSession(target, environ=environ).uses_placeholder_credentials is placeholder


@pytest.mark.parametrize(
    ("value", "expected"),
    [("127.0.0.1", True), ("127.8.9.1", True), ("localhost", True), ("::1", True),
     ("LOCALHOST", True), ("10.0.0.1", False), ("example.com", False), ("", False), (None, False)],
)
def test_is_loopback(value: str | None, expected: bool) -> None:
    assert is_loopback(value) is expected


def test_loopback_hostport_and_url() -> None:
    assert is_loopback_hostport("127.0.0.1:5000")
    assert is_loopback_hostport("[::1]:5000")
    assert not is_loopback_hostport("123456789012.dkr.ecr.us-east-1.amazonaws.com")
    assert is_loopback_url("http://127.0.0.1:4566/")
    assert not is_loopback_url("https://sts.amazonaws.com")
    assert not is_loopback_url(None)


def test_sandbox_endpoint_needs_no_credentials(
    moto_server: MotoServer, no_aws: None, tmp_path: Path
) -> None:
    config = tmp_path / "shipit.toml"
    config.write_text(
        f'[aws]\nregion = "{REGION}"\nendpoint_url = "{moto_server.url}"\n', encoding="utf-8"
    )
    result = run_cli(["--config", str(config), "--json", "whoami"])
    assert result.exit_code == 0, result.stderr
    assert result.json()["identity"]["account"] == "123456789012"
    session = AwsSession(AwsTarget(region=REGION, endpoint_url=moto_server.url), environ={})
    credentials = session.session.get_credentials()
    assert credentials is not None
    assert credentials.access_key == SANDBOX_CREDENTIALS[0]


def test_real_endpoint_without_credentials_still_fails(no_aws: None, tmp_path: Path) -> None:
    session = AwsSession(AwsTarget(region=REGION), environ={})
    assert not session.uses_placeholder_credentials
    with pytest.raises(CredentialsMissing):
        caller_identity(session)
