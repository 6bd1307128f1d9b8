"""iam.execution_role judges ECR pulls on every host the ECR grammar accepts (shipit.image_ref):
the dual-stack ``dkr-ecr`` and the FIPS ``dkr.ecr-fips`` hosts included, and grants on the
secret's own ARN when a task names a JSON key or version of it."""

from __future__ import annotations

import pytest

from shipit.doctor.checks import CHECKS
from shipit.doctor.checks.iam import required
from shipit.doctor.facts import Fact, Statement
from shipit.doctor.probe import ProbeRequest, ProbeResponse
from shipit.doctor.runner import run_check
from tests.doctor import snapshots as snap

CHECK = next(check for check in CHECKS if check.id == "iam.execution_role")
REPO_ARN = f"arn:aws:ecr:us-east-1:{snap.ACCOUNT}:repository/articles"
HOSTS = [
    f"{snap.ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com",
    f"{snap.ACCOUNT}.dkr-ecr.us-east-1.on.aws",
    f"{snap.ACCOUNT}.dkr.ecr-fips.us-east-1.amazonaws.com",
]


def _refuse(request: ProbeRequest) -> ProbeResponse:
    return ProbeResponse(None, error="ConnectError: refused", via=request.url)


def _status(image: str, statements: tuple[Statement, ...]) -> tuple[str, str]:
    task = snap.task_definition(containers=(snap.container(image=image),))
    snapshot = snap.healthy(task_definition=Fact.ok(task),
                            execution_role=Fact.ok(snap.role(statements=statements)))
    finding = run_check(CHECK, snapshot, _refuse)
    return finding.status, finding.summary


@pytest.mark.parametrize("host", HOSTS)
def test_a_role_without_pull_rights_fails_on_every_ecr_host(host: str) -> None:
    no_pull = tuple(st for st in snap.role().statements if "ecr:BatchGetImage" not in st.actions)
    status, summary = _status(f"{host}/articles:v1", no_pull)
    assert status == "fail"
    assert "ecr:BatchGetImage" in summary


@pytest.mark.parametrize("host", HOSTS)
def test_a_role_with_pull_rights_passes_on_every_ecr_host(host: str) -> None:
    assert _status(f"{host}/articles:v1", snap.role().statements)[0] == "pass"


@pytest.mark.parametrize("host", HOSTS)
def test_the_pull_is_asked_on_the_repository_of_the_hosts_account(host: str) -> None:
    task = snap.task_definition(containers=(snap.container(image=f"{host}/articles:v1"),))
    needs = required(snap.healthy(task_definition=Fact.ok(task)), snap.role())
    assert ("ecr:BatchGetImage", REPO_ARN) in needs


def test_a_non_ecr_image_asks_no_ecr_rights() -> None:
    task = snap.task_definition(containers=(snap.container(image="ghcr.io/acme/app:1"),))
    needs = required(snap.healthy(task_definition=Fact.ok(task)), snap.role())
    assert not [action for action, _ in needs if action.startswith("ecr:")]


def test_a_json_key_secret_is_granted_on_the_secrets_own_arn() -> None:
    keyed = f"{snap.SECRET}:password::"
    task = snap.task_definition(containers=(snap.container(secrets=(("DB_PASSWORD", keyed),)),))
    needs = required(snap.healthy(task_definition=Fact.ok(task)), snap.role())
    assert ("secretsmanager:GetSecretValue", snap.SECRET) in needs
    assert _status_for(task) == "pass"


def _status_for(task: object) -> str:
    snapshot = snap.healthy(task_definition=Fact.ok(task))
    return run_check(CHECK, snapshot, _refuse).status
