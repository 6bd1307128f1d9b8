"""`init --from-aws` on stacks shipit did not build (console names and shapes, moto server):
every key the stack determines is adopted from it, values are put in the schema's spelling,
planted secrets never reach stdout, stderr or --json, and the file always loads afterwards."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.adopt.clickops import (
    ACCOUNT,
    PLANTED,
    REGION,
    Shape,
    app_container,
    build,
    database,
    secret,
)
from tests.fixtures.cli import CliResult, run_cli
from tests.fixtures.moto import MotoServer

BASE = 'project = "shop"\n\n[aws]\nregion = "us-east-1"\n'


@pytest.fixture
def project(aws_env: MotoServer, tmp_path: Path) -> Path:
    config = tmp_path / "shipit.toml"
    config.write_text(BASE, encoding="utf-8")
    return config


def init(config: Path, *args: str) -> CliResult:
    return run_cli(["--config", str(config), "--json", "init", "--from-aws", "--env", "prod",
                    *args], cwd=config.parent)


def planned(result: CliResult) -> dict[str, Any]:
    """The values a --dry-run --json would write, by dotted key."""
    assert result.exit_code == 0, result.stderr
    return {v["key"]: v["value"] for v in result.json()["values"]}


def adopted(config: Path) -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads(config.read_text(encoding="utf-8"))["env"]["prod"]
    return table


def assert_loads(config: Path) -> None:
    result = run_cli(["--config", str(config), "config", "validate"], cwd=config.parent)
    assert result.exit_code == 0, result.stderr


def test_a_console_stack_is_adopted_key_by_key_and_its_secrets_never_printed(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    whole = secret("prod/storefront/db", "never-read-by-init-1")
    json_key = f"{secret('prod/storefront/api', 'never-read-by-init-2')}:password::"
    staged = f"{whole}::AWSPREVIOUS:"
    router = {"name": "log_router", "essential": True, "memory": 64,
              "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2",
              "firelensConfiguration": {"type": "fluentbit"}}
    web = app_container(
        environment=[
            {"name": "NODE_ENV", "value": "production"},
            {"name": "DB_PASSWORD", "value": PLANTED["DB_PASSWORD"]},
            {"name": "PAYMENTS", "value": PLANTED["STRIPE_SECRET"]},
            {"name": "DATABASE_URL",
             "value": f"postgresql://shop:{PLANTED['URL_PASSWORD']}@db.internal:5432/shop"},
            {"name": "ALLOWED_ORIGINS",
             "value": "https://shop.example.org/, https://admin.example.org"}],
        secrets=[{"name": "DB_SECRET", "valueFrom": whole},
                 {"name": "API_PASSWORD", "valueFrom": json_key},
                 {"name": "OLD_PASSWORD", "valueFrom": staged},
                 {"name": "SESSION_KEY", "valueFrom": "/storefront/prod/session"},
                 {"name": "MAIL_TOKEN", "valueFrom": "mail-token"}])
    build(Shape(containers=[router, web], health_path="/healthz", cpu_architecture="ARM64",
                records=[("shop.example.org", "CNAME")], https=True, desired=3))
    before = project.read_bytes()

    result = init(project, "--yes", "--explain")

    assert result.exit_code in (0, 1), result.stderr  # written; doctor judges the rest
    table = adopted(project)
    assert project.read_bytes().startswith(before)
    assert table["ecs"] == {"cluster": "shop", "service": "storefront", "container": "web",
                            "desired_count": 3}
    assert table["image"]["repository"] == "storefront"
    assert "registry" not in table["image"]  # the account's own ECR: the default
    assert table["http"]["health_path"] == "/healthz"
    assert table["http"]["cors_variable"] == "ALLOWED_ORIGINS"  # the service's own name
    assert table["http"]["cors_origins"] == ["https://shop.example.org", "https://admin.example.org"]
    assert "ALLOWED_ORIGINS" not in table["vars"]  # derived from http.cors_origins at deploy
    assert table["http"]["url"] == "https://shop.example.org"
    assert table["dns"] == {"zone": "example.org", "name": "shop.example.org"}
    assert table["secrets"] == {
        "DB_SECRET": whole, "API_PASSWORD": json_key, "OLD_PASSWORD": staged,
        "SESSION_KEY": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/storefront/prod/session",
        "MAIL_TOKEN": f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/mail-token"}
    assert table["vars"]["DB_PASSWORD"] == PLANTED["DB_PASSWORD"]  # the file keeps it
    document = result.json()
    notes = {n["key"]: n["source"] for n in document["notes"]}
    assert "CNAME" in notes["dns.name"]
    assert "alias" in notes["dns.name"]
    assert "log router" in notes["ecs.container"]
    assert "/ecs/storefront" in str([n["value"] for n in document["notes"]])
    for value in PLANTED.values():
        assert value not in result.stdout
        assert value not in result.stderr
    assert "never-read-by-init" not in result.stdout + result.stderr
    assert "+[env.prod]" in result.stderr
    assert_loads(project)

    monkeypatch.setenv("COLUMNS", "400")  # --explain's table, one row a line
    shown = run_cli(["--config", str(project), "init", "--from-aws", "--env", "prod",
                     "--force", "--dry-run", "--explain"], cwd=project.parent)
    assert shown.exit_code == 0, shown.stderr
    assert "an alias A record would be better" in shown.stderr
    assert "a FireLens log router, not the app" in shown.stderr
    for value in PLANTED.values():
        assert value not in shown.stdout + shown.stderr


def test_origins_are_adopted_without_a_trailing_slash(project: Path) -> None:
    build(Shape(containers=[app_container(environment=[
        {"name": "CORS_ALLOWED_ORIGINS",
         "value": "https://shop.example.org/,https://admin.example.org"}])]))

    values = planned(init(project, "--dry-run"))

    assert values["http.cors_origins"] == ["https://shop.example.org", "https://admin.example.org"]
    assert "vars.CORS_ALLOWED_ORIGINS" not in values


def test_a_wildcard_origin_is_kept_as_the_service_has_it_and_explained(project: Path) -> None:
    build(Shape(containers=[app_container(environment=[
        {"name": "CORS_ALLOWED_ORIGINS", "value": "*"}])]))

    result = init(project, "--dry-run")

    values = planned(result)
    assert "http.cors_origins" not in values
    assert values["vars.CORS_ALLOWED_ORIGINS"] == "*"
    notes = [n for n in result.json()["notes"] if n["key"] == "http.cors_origins"]
    assert notes
    assert "every origin" in notes[0]["source"]


@pytest.mark.parametrize(("image", "registry", "repository"), [
    (f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/storefront:v42", None, "team/storefront"),
    (f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/storefront@sha256:{'a' * 64}", None,
     "storefront"),
    ("210987654321.dkr.ecr.eu-west-1.amazonaws.com/storefront:v1",
     "210987654321.dkr.ecr.eu-west-1.amazonaws.com", "storefront"),
    ("nginx:1.27", "docker.io", "nginx"),
    ("ghcr.io/acme/storefront:main", "ghcr.io", "acme/storefront"),
    ("public.ecr.aws/acme/storefront:latest", "public.ecr.aws", "acme/storefront"),
])
def test_images_from_every_registry(project: Path, image: str, registry: str | None,
                                    repository: str) -> None:
    build(Shape(containers=[app_container(image=image)], records=[]))

    result = init(project, "--dry-run")

    assert result.exit_code == 0, result.stderr
    planned = {v["key"]: v["value"] for v in result.json()["values"]}
    assert planned.get("image.registry") == registry
    assert planned["image.repository"] == repository


def test_a_run_without_a_terminal_never_waits_for_an_answer(project: Path) -> None:
    """A real process with stdin at /dev/null (CI): the question exits 2 naming its option."""
    import subprocess
    import sys

    build(Shape(containers=[app_container(name="a"), app_container(name="b")],
                behind_alb=False, records=[]))
    completed = subprocess.run(
        [sys.executable, "-m", "shipit", "--config", str(project), "init", "--from-aws",
         "--env", "prod"], cwd=project.parent, stdin=subprocess.DEVNULL, capture_output=True,
        text=True, timeout=60, check=False)

    assert completed.returncode == 2
    assert "--container NAME" in completed.stderr


@pytest.mark.parametrize(("base", "architecture", "written"), [
    ("", "ARM64", ["linux/arm64"]),
    ("", None, ["linux/amd64"]),  # Fargate's default is X86_64
    ('\n[image]\nplatforms = ["linux/arm64"]\n', "ARM64", None),  # the base says it already
])
def test_the_platform_the_task_runs_is_the_one_built(
        project: Path, base: str, architecture: str | None, written: list[str] | None) -> None:
    project.write_text(BASE + base, encoding="utf-8")
    build(Shape(cpu_architecture=architecture, records=[]))

    result = init(project, "--dry-run")

    assert result.exit_code == 0, result.stderr
    planned = {v["key"]: v["value"] for v in result.json()["values"]}
    assert planned.get("image.platforms") == written


def test_a_worker_without_a_load_balancer_needs_its_container_named(project: Path) -> None:
    worker = app_container(name="worker", portMappings=[], healthCheck={
        "command": ["CMD-SHELL", "curl -f http://localhost:8080/livez || exit 1"]})
    metrics = app_container(name="metrics", image="prom/statsd-exporter:v0.26", portMappings=[])
    build(Shape(containers=[metrics, worker], behind_alb=False, records=[]))
    before = project.read_bytes()

    refused = init(project, "--yes")

    assert refused.exit_code == 2
    assert "cannot choose the container" in refused.stderr
    assert "--container NAME" in refused.stderr
    assert project.read_bytes() == before

    unknown = init(project, "--yes", "--container", "api")
    assert unknown.exit_code == 2
    assert "'api'" in unknown.stderr
    assert "worker" in unknown.stderr

    values = planned(init(project, "--dry-run", "--container", "worker"))
    assert values["ecs.container"] == "worker"
    assert values["http.health_path"] == "/livez"
    assert "dns.name" not in values
    assert "http.url" not in values


def test_the_base_files_container_settles_the_choice(project: Path) -> None:
    project.write_text(BASE + '\n[ecs]\ncontainer = "worker"\n', encoding="utf-8")
    build(Shape(containers=[app_container(name="sidecar"), app_container(name="worker")],
                behind_alb=False, records=[]))

    result = init(project, "--dry-run")

    assert planned(result)["ecs.container"] == "worker"
    sources = {v["key"]: v["source"] for v in result.json()["values"]}
    assert sources["ecs.container"] == "shipit.toml ecs.container"


def test_two_names_for_the_alb_are_settled_by_dns_name_or_the_base(project: Path) -> None:
    build(Shape(records=[("shop.example.org", "A"), ("www.example.org", "CNAME")]))
    before = project.read_bytes()

    refused = init(project, "--yes")

    assert refused.exit_code == 2
    assert "cannot choose the DNS name" in refused.stderr
    assert "shop.example.org" in refused.stderr
    assert "www.example.org" in refused.stderr
    assert "--dns-name NAME" in refused.stderr
    assert project.read_bytes() == before
    assert_loads(project)

    settled = planned(init(project, "--dry-run", "--dns-name", "www.example.org"))
    assert settled["dns.name"] == "www.example.org"
    assert settled["http.url"] == "http://www.example.org"

    project.write_text(BASE + '\n[dns]\nname = "shop.example.org"\n', encoding="utf-8")
    assert planned(init(project, "--dry-run"))["dns.name"] == "shop.example.org"

    fresh = planned(init(project, "--dry-run", "--dns-name", "api.example.org"))
    assert fresh["dns.name"] == "api.example.org"  # no record yet: `shipit dns` makes it
    assert fresh["dns.zone"] == "example.org"
    nowhere = init(project, "--dry-run", "--dns-name", "api.example.net")
    assert nowhere.exit_code == 2
    assert "no hosted zone" in nowhere.stderr


def test_the_database_named_by_a_host_variable_and_a_listener_on_its_own_port(
        project: Path) -> None:
    database("orders-db")
    address = database("storefront-db")
    build(Shape(containers=[app_container(environment=[
        {"name": "DB_HOST", "value": address}, {"name": "DB_PORT", "value": "5432"}])],
        listener_port=8080, records=[]))

    result = init(project, "--dry-run")

    assert result.exit_code == 0, result.stderr
    planned = {v["key"]: v for v in result.json()["values"]}
    assert planned["rds.instance"]["value"] == "storefront-db"
    assert "DB_HOST's host" in planned["rds.instance"]["source"]
    assert planned["http.url"]["value"].endswith(".elb.amazonaws.com:8080")
    assert planned["http.url"]["value"].startswith("http://storefront-alb")


def test_of_several_names_on_the_alb_the_one_its_rules_send_here_is_adopted(
        project: Path) -> None:
    build(Shape(records=[("shop.example.org", "A"), ("blog.example.org", "A")],
                host_rule="shop.example.org"))

    result = init(project, "--dry-run")

    assert result.exit_code == 0, result.stderr
    planned = {v["key"]: v["value"] for v in result.json()["values"]}
    assert planned["dns.name"] == "shop.example.org"
    notes = [n for n in result.json()["notes"] if n["key"] == "dns.name"]
    assert any(n["value"] == "blog.example.org" and "no listener rule" in n["source"]
               for n in notes)


def test_what_the_base_says_and_the_stack_does_not_is_overridden_or_explained(
        project: Path) -> None:
    extra = '\n[image]\nregistry = "127.0.0.1:5000"\n\n[vars]\nFEATURE_X = "on"\n'
    project.write_text(BASE + extra, encoding="utf-8")
    build(Shape(records=[]))

    result = init(project, "--dry-run")

    assert result.exit_code == 0, result.stderr
    planned = {v["key"]: v["value"] for v in result.json()["values"]}
    assert planned["image.registry"] == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
    inherited = {n["key"]: n["source"] for n in result.json()["notes"]}
    assert "the new environment inherits it" in inherited["vars.FEATURE_X"]


def test_a_worker_beside_its_agents_is_found_without_a_question(project: Path) -> None:
    xray = app_container(name="xray", image="public.ecr.aws/xray/aws-xray-daemon:3.x",
                         portMappings=[])
    router = app_container(name="logs", image="amazon/aws-for-fluent-bit:stable",
                           portMappings=[], firelensConfiguration={"type": "fluentbit"})
    warmup = app_container(name="warmup", image="busybox", portMappings=[])
    worker = app_container(name="worker", portMappings=[],
                           dependsOn=[{"containerName": "warmup", "condition": "START"}])
    build(Shape(containers=[router, xray, warmup, worker], behind_alb=False, records=[]))

    result = init(project, "--dry-run")

    assert planned(result)["ecs.container"] == "worker"
    sidecars = {n["value"]: n["source"] for n in result.json()["notes"]
                if n["key"] == "ecs.container"}
    assert set(sidecars) == {"logs", "xray", "warmup"}
    assert "dependsOn" in sidecars["warmup"]


def test_an_option_that_names_nothing_here_exits_2_with_what_there_is(project: Path) -> None:
    database("orders-db")
    build(Shape(behind_alb=False, records=[]))

    for option, named in ((("--rds", "billing-db"), "orders-db"),
                          (("--alb", "front"), "no load balancer"),
                          (("--dns-name", "api.example.org"), "no load balancer")):
        result = init(project, "--dry-run", *option)
        assert result.exit_code == 2, (option, result.stderr)
        assert named in result.stderr
