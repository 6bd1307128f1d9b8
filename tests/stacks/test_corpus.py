"""The corpus of foreign stacks: built by console-like boto3 calls or CloudFormation, never from
shipit.toml. For each stack, the real CLI (``shipit --json doctor``, ``shipit --json init
--from-aws``) must agree with the stack's truth file (``cases/<name>.toml`` beside this file).

One moto server serves the whole corpus (IAM's AWS-managed policies loaded, as in AWS); each
stack starts from a reset server. A stack is built once and judged by both tests.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shipit.doctor.checks import IDS
from shipit.redact import redact_value
from tests.fixtures.cli import run_cli
from tests.fixtures.moto import FAKE_CREDENTIALS, MotoServer, running_moto
from tests.stacks import app
from tests.stacks.console import Console
from tests.stacks.truth import Truth, case_names, load, shipit_toml

PLANTED = "planted-"
"""Every secret value a stack plants starts with this; none may appear in shipit's output."""


@dataclass
class Stack:
    truth: Truth
    moto: MotoServer
    app_url: str
    root: Path


@pytest.fixture(scope="session")
def corpus_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """A moto server that knows AWS-managed IAM policies (AmazonECSTaskExecutionRolePolicy)."""
    with running_moto(tmp_path_factory.mktemp("corpus-moto") / "moto.log",
                      env={"MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}) as server:
        yield server


@pytest.fixture(scope="module", params=case_names())
def stack(request: pytest.FixtureRequest, corpus_moto: MotoServer,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    name: str = request.param
    with pytest.MonkeyPatch.context() as env:
        for key, value in FAKE_CREDENTIALS.items():
            env.setenv(key, value)
        env.setenv("AWS_ENDPOINT_URL", corpus_moto.url)
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env.setenv("AWS_REGION", "us-east-1")
        env.setenv("AWS_CONFIG_FILE", os.devnull)
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        env.delenv("AWS_PROFILE", raising=False)
        env.delenv("SHIPIT_ENV", raising=False)
        corpus_moto.reset()
        console = Console()
        importlib.import_module(f"tests.stacks.cases.{name}").build(console)
        truth = load(name, console)
        with app.serve(truth.app_health_path, truth.app_allow) as url:
            yield Stack(truth, corpus_moto, url, tmp_path_factory.mktemp(name))


def test_doctor_judges_as_the_truth_says(stack: Stack) -> None:
    """doctor on the config the stack should be adopted into (+ the truth's [config]), its
    http.url replaced by the app stand-in (names cannot resolve here; doctor then routes the
    ALB's and the record's names to it)."""
    truth = stack.truth
    keys: dict[str, Any] = {**truth.keys, **truth.config, "aws.endpoint_url": stack.moto.url}
    if "http.url" in keys:
        keys["http.url"] = stack.app_url
    (stack.root / "shipit.toml").write_text(shipit_toml(truth.name, keys), encoding="utf-8")

    result = run_cli(["--json", "doctor"], cwd=stack.root)

    findings = {f["id"]: f for f in result.json()["checks"]}
    assert set(truth.doctor) == set(IDS), "the truth names every check id"
    wrong = {
        check: f"{findings[check]['status']} (want {'/'.join(want)}):"
               f" {findings[check]['summary']}"
        for check, want in truth.doctor.items() if findings[check]["status"] not in want
    }
    assert not wrong, f"{truth.name}: {truth.about}\n" + "\n".join(
        f"  {check}: {why}" for check, why in wrong.items())
    for finding in findings.values():
        if finding["status"] in ("fail", "warn"):
            assert finding["fix"], f"{finding['id']} {finding['status']} without a fix"
    assert PLANTED not in result.stdout + result.stderr
    failing = any(f["status"] in ("fail", "error") for f in findings.values())
    assert result.exit_code == (1 if failing else 0)


def test_init_from_aws_writes_what_the_truth_says(stack: Stack) -> None:
    """init --from-aws --dry-run: the values it would write, key by key (nothing else)."""
    truth = stack.truth
    workdir = stack.root / "adopt"
    workdir.mkdir(exist_ok=True)
    (workdir / "shipit.toml").write_text(f'project = "{truth.name}"\n', encoding="utf-8")

    result = run_cli(["--json", "init", "--from-aws", "--env", "adopted", "--dry-run",
                      *truth.init_args], cwd=workdir)

    assert PLANTED not in result.stdout + result.stderr
    assert result.exit_code == truth.init_exit, result.stderr
    if truth.init_exit != 0:
        return
    written = {v["key"]: v["value"] for v in result.json()["values"]}
    written.pop("aws.endpoint_url", None)
    expected = {key: _as_shown(key, value) for key, value in truth.keys.items()}
    missing = {k: v for k, v in expected.items() if k not in written}
    different = {k: (written[k], v) for k, v in expected.items()
                 if k in written and written[k] != v}
    extra = {k: v for k, v in written.items() if k not in expected}
    problems = {"missing": missing, "different (got, want)": different,
                "not in the truth": extra}
    assert not any(problems.values()), f"{truth.name}: {truth.about}\n" + "\n".join(
        f"  {what}: {found}" for what, found in problems.items() if found)


def _as_shown(key: str, value: Any) -> Any:
    """init's JSON shows secret-looking variables redacted (secrets.* are ARNs, shown)."""
    if key.startswith("secrets."):
        return value
    return redact_value(key.rsplit(".", 1)[-1], value)
