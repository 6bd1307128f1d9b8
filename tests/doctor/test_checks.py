"""Each check is a pure function of a snapshot (and probe answers): table tests, no AWS."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import pytest

from shipit.aws.route53 import RecordSet
from shipit.aws.secrets import SecretRef
from shipit.doctor.checks import CHECKS, http, lb
from shipit.doctor.facts import (
    AclEntry,
    Action,
    Endpoint,
    Fact,
    Image,
    LogGroup,
    Network,
    PortMapping,
    Route,
    RouteTable,
    Rule,
    SecurityGroup,
    Snapshot,
    Statement,
    Subnet,
    TargetHealth,
)
from shipit.doctor.probe import ProbeRequest, ProbeResponse
from shipit.doctor.runner import run_check
from tests.doctor import snapshots as snap

CHECK = {check.id: check for check in CHECKS}


class FakeProber:
    """Stands in for HTTP: answers by (method, url) from a table; anything else is refused."""

    def __init__(self, answers: Mapping[tuple[str, str], ProbeResponse] | None = None) -> None:
        self.answers = dict(answers or {})
        self.seen: list[ProbeRequest] = []

    def __call__(self, request: ProbeRequest) -> ProbeResponse:
        self.seen.append(request)
        return self.answers.get(
            (request.method, request.url),
            ProbeResponse(None, error="ConnectError: refused", via=request.url),
        )


HEALTH = "https://api.example.com/api/health"
ALB_HEALTH = "https://articles-1.us-east-1.elb.amazonaws.com/api/health"
CORS_OK = {
    "access-control-allow-origin": "https://app.example.com",
    "access-control-allow-methods": "GET, POST",
}


def healthy_web() -> FakeProber:
    return FakeProber({
        ("GET", HEALTH): ProbeResponse(200),
        ("GET", ALB_HEALTH): ProbeResponse(200),
        ("OPTIONS", HEALTH): ProbeResponse(204, CORS_OK),
    })


def judge(check_id: str, snapshot: Snapshot, prober: FakeProber | None = None) -> tuple[str, str]:
    finding = run_check(CHECK[check_id], snapshot, prober or healthy_web())
    return finding.status, finding.summary


def test_every_check_passes_on_the_healthy_snapshot() -> None:
    prober = CorsAwareProber()
    results = {c.id: run_check(c, snap.healthy(), prober) for c in CHECKS}
    assert {k: v.status for k, v in results.items()} == dict.fromkeys(CHECK, "pass"), results


class CorsAwareProber(FakeProber):
    """Allows https://app.example.com in preflights, refuses every other origin."""

    def __call__(self, request: ProbeRequest) -> ProbeResponse:
        if request.method == "OPTIONS":
            origin = dict(request.headers).get("Origin")
            if origin == "https://app.example.com":
                return ProbeResponse(204, CORS_OK)
            return ProbeResponse(403, {})
        return healthy_web()(request)


Edit = Callable[[], Snapshot]
TD = snap.task_definition
SVC = snap.service

NET = snap.network
RT = snap.route_table


def _tables(*tables: RouteTable) -> Fact[Network]:
    """The healthy network with some route tables replaced (matched by id)."""
    given = {t.id: t for t in tables}
    kept = tuple(given.pop(t.id, t) for t in NET().route_tables)
    return Fact.ok(NET(route_tables=(*kept, *given.values())))


def _db_behind_tgw() -> Network:
    """The database in vpc-2, reached from the tasks through a transit gateway."""
    tables = tuple(t for t in NET().route_tables if t.id != "rtb-tasks")
    return NET(
        subnets=(*NET().subnets[:2], Subnet("subnet-db", "vpc-2", "10.9.2.0/24")),
        route_tables=(*tables, RT("rtb-tasks", ("subnet-a",), Route("0.0.0.0/0", "nat-1"),
                                  Route("10.9.0.0/16", "tgw-1"))),
    )


# Faults a moto stack cannot hold (or holds only with several faults at once), judged on
# hand-made snapshots; every other component has a one-fault stack in test_network_hops.py.
NETWORK_CASES: list[tuple[str, Edit, str, str]] = [
    ("net.internet_to_alb", lambda: snap.healthy(load_balancer=Fact.ok(snap.load_balancer(
        scheme="internal"))), "fail", "is internal"),
    ("net.internet_to_alb", lambda: snap.healthy(listeners=Fact.ok((snap.listener(
        default_actions=(Action("redirect", redirect_port="8443"),)),))), "fail",
     "leads no request"),
    ("net.internet_to_alb", lambda: snap.healthy(listeners=Fact.ok((
        snap.listener(port=80, arn="l-80", default_actions=(Action("redirect",
                      redirect_port="443"),)),
        snap.listener()))), "pass", ""),
    ("net.internet_to_alb", lambda: snap.healthy(network=Fact.failed("access denied:"
                                                                     " ec2:DescribeRouteTables")),
     "skip", "the network could not be read"),
    ("net.internet_to_alb", lambda: snap.healthy(listeners=Fact.failed("access denied:"
                                                                       " DescribeListeners")),
     "skip", "listeners could not be read"),
    ("net.alb_to_task", lambda: snap.healthy(target_groups=Fact.ok((snap.target_group(
        target_type="instance"),))), "fail", "target type instance"),
    ("net.task_to_aws", lambda: snap.healthy(network=_tables(
        RT("rtb-pub", ("subnet-pub",)))), "fail", "NAT gateway nat-1 sits in subnet-pub"),
    ("net.task_to_aws", lambda: snap.healthy(network=_tables(
        RT("rtb-tasks", ("subnet-a",), Route("0.0.0.0/0", "tgw-1")))), "skip",
     "does not follow"),
    ("net.task_to_aws", lambda: snap.healthy(network=_tables(
        RT("rtb-tasks", ("subnet-a",), Route("0.0.0.0/0", "nat-1", "blackhole")))), "fail",
     "is blackhole"),
    ("net.task_to_aws", lambda: snap.healthy(network=Fact.ok(NET(acls=(replace(
        snap.OPEN_ACL, entries=(AclEntry(50, True, "6", 443, 443, "0.0.0.0/0", False),
                                *snap.OPEN_ACL.entries)),)))), "fail", "rule 50"),
    ("net.task_to_aws", lambda: snap.healthy(
        network=Fact.ok(NET(endpoints=(Endpoint("vpce-sm", "vpc-1",
                                                "com.amazonaws.us-east-1.secretsmanager",
                                                "Interface", "available", ("subnet-a",), (),
                                                ("sg-vpce",), True),))),
        security_groups=Fact.ok(snap.groups(**{"sg-vpce": SecurityGroup(
            "sg-vpce", "vpce", "vpc-1", ingress=(Rule("tcp", 443, 443, group_id="sg-tasks"),))})),
        task_definition=Fact.ok(TD(containers=(snap.container(secrets=(
            ("DB_PASSWORD", snap.SECRET.replace("us-east-1", "eu-west-1")),)),)))),
     "fail", "lives in eu-west-1"),
    ("net.task_to_db", lambda: snap.healthy(network=Fact.ok(_db_behind_tgw())), "skip",
     "does not follow"),
    ("net.task_to_db", lambda: snap.healthy(database=Fact.ok(replace(
        snap.healthy().database.need(), status="stopped"))), "fail", "is stopped"),
]

CASES: list[tuple[str, Edit, str, str]] = [
    ("aws.identity", lambda: snap.healthy(identity=Fact.failed("no AWS credentials found")),
     "fail", "credentials do not work"),
    ("aws.identity", lambda: snap.healthy(account_id="999999999999"), "fail", "expects"),
    ("ecr.region", lambda: snap.healthy(task_definition=Fact.ok(TD(containers=(snap.container(
        image="123456789012.dkr.ecr.eu-west-1.amazonaws.com/articles:v1"),)))),
     "fail", "registry is in eu-west-1"),
    ("ecr.region", lambda: snap.healthy(task_definition=Fact.ok(TD(containers=(snap.container(
        image="ghcr.io/acme/articles:v1"),)))), "warn", "not an ECR registry"),
    ("ecr.repository", lambda: snap.healthy(repository=Fact.absent("no repo")), "fail",
     "not found"),
    ("ecr.repository", lambda: snap.healthy(repository=Fact.ok(replace(
        snap.healthy().repository.need(), scan_on_push=False))), "warn", "scan on push is off"),
    ("ecr.repository", lambda: snap.healthy(repository=Fact.ok(replace(
        snap.healthy().repository.need(), tag_mutability="IMMUTABLE_WITH_EXCLUSION",
        mutable_tag_filters=("latest", "dev-*")))), "pass",
     "tags immutable except those matching latest, dev-* (these stay mutable)"),
    ("ecr.repository", lambda: snap.healthy(repository=Fact.ok(replace(
        snap.healthy().repository.need(), tag_mutability="MUTABLE_WITH_EXCLUSION",
        mutable_tag_filters=("v*",)))), "warn", "only these are immutable"),
    ("ecr.image", lambda: snap.healthy(image=Fact.absent("not found")), "fail",
     "not in the registry"),
    ("image.platform", lambda: snap.healthy(image=Fact.ok(Image("x", "sha256:1", "index",
                                                                ("linux/arm64",)))),
     "fail", "no linux/amd64 variant"),
    ("image.platform", lambda: snap.healthy(image=Fact.ok(Image("x", "sha256:1", "manifest",
                                                                None))),
     "warn", "cannot read the platform"),
    ("ecs.service", lambda: snap.healthy(service=Fact.absent("MISSING")), "fail",
     "does not exist"),
    ("ecs.service", lambda: snap.healthy(service=Fact.ok(SVC(running=1))), "fail",
     "1 of 2 tasks running"),
    ("ecs.service", lambda: snap.healthy(service=Fact.ok(SVC(desired=0, running=0))), "fail",
     "wants 0 tasks"),
    ("ecs.service", lambda: snap.healthy(stopped_tasks=Fact.ok((snap.stopped(
        "CannotStartContainerError: exec format error"),))), "fail", "exec format error"),
    ("ecs.service", lambda: snap.healthy(stopped_tasks=Fact.ok((snap.stopped(
        "Task failed ELB health checks in (target-group x)", snap.TD_ARN[:-1] + "2"),))),
     "warn", "a recent deployment failed"),
    ("ecs.service", lambda: snap.healthy(stopped_tasks=Fact.ok((snap.stopped(
        "Scaling activity initiated by (deployment ecs-svc/1)"),))), "pass", ""),
    ("ecs.service", lambda: snap.healthy(service=Fact.ok(SVC(circuit_breaker_rollback=False))),
     "warn", "circuit breaker"),
    ("ecs.logs", lambda: snap.healthy(task_definition=Fact.ok(TD(containers=(snap.container(
        log_driver=None),)))), "fail", "does not log to CloudWatch"),
    ("ecs.logs", lambda: snap.healthy(log_group=Fact.ok(LogGroup("/ecs/articles", None))),
     "warn", "forever"),
    ("ecs.logs", lambda: snap.healthy(log_group=Fact.absent("gone")), "fail", "does not exist"),
    ("ecs.ports", lambda: snap.healthy(task_definition=Fact.ok(TD(containers=(snap.container(
        port_mappings=(PortMapping(8000, 80),)),)))), "fail", "hostPort 80"),
    ("ecs.ports", lambda: snap.healthy(target_groups=Fact.ok((snap.target_group(port=80),))),
     "fail", "uses port 80"),
    ("ecs.ports", lambda: snap.healthy(task_definition=Fact.ok(TD(containers=(snap.container(
        environment=(("PORT", "3000"),)),)))), "fail", "PORT=3000"),
    ("lb.health_check", lambda: snap.healthy(target_groups=Fact.ok((snap.target_group(
        matcher="301"),))), "fail", "does not accept 200"),
    ("lb.health_check", lambda: snap.healthy(target_groups=Fact.ok((snap.target_group(
        health_timeout=10, health_interval=10),))), "fail", "not shorter than the interval"),
    ("lb.health_check", lambda: snap.healthy(target_groups=Fact.ok((snap.target_group(
        matcher="200-299"),))), "pass", ""),
    ("lb.targets", lambda: snap.healthy(target_health=Fact.ok({snap.TG_ARN: ()})), "fail",
     "no targets"),
    ("lb.targets", lambda: snap.healthy(target_health=Fact.ok({snap.TG_ARN: (TargetHealth(
        "10.0.1.5", 8000, "unhealthy", "Target.ResponseCodeMismatch", None),)})), "fail",
     "1 of 1 targets are not healthy"),
    ("net.alb_to_task", lambda: snap.healthy(security_groups=Fact.ok(snap.groups(
        **{"sg-tasks": SecurityGroup("sg-tasks", "t", "vpc-1", egress=(
            Rule("-1", 0, 65535, cidr="0.0.0.0/0"),))}))), "fail", "does not admit the ALB"),
    ("net.alb_to_task", lambda: snap.healthy(security_groups=Fact.ok(snap.groups(
        **{"sg-alb": SecurityGroup("sg-alb", "a", "vpc-1")}))), "fail", "does not let traffic"),
    ("net.task_to_db", lambda: snap.healthy(network=Fact.ok(snap.network(subnets=(
        *snap.network().subnets[:2], Subnet("subnet-db", "vpc-2", "10.9.2.0/24"))))),
     "fail", "has no route to 10.9.2.0/24"),
    ("net.task_to_db", lambda: snap.healthy(security_groups=Fact.ok(snap.groups(
        **{"sg-db": SecurityGroup("sg-db", "d", "vpc-1", ingress=(
            Rule("tcp", 3306, 3306, group_id="sg-tasks"),))}))), "fail",
     "does not admit the tasks on port 5432"),
    ("net.task_to_db", lambda: snap.healthy(database=Fact.unset("no rds.instance")), "skip", ""),
    *NETWORK_CASES,
    ("db.exposure", lambda: snap.healthy(security_groups=Fact.ok(snap.groups(
        **{"sg-db": SecurityGroup("sg-db", "d", "vpc-1", ingress=(
            Rule("tcp", 5432, 5432, group_id="sg-tasks"), Rule("tcp", 0, 65535, cidr="::/0"),
        ))}))), "fail", "open to the internet"),
    ("db.exposure", lambda: snap.healthy(database=Fact.ok(replace(
        snap.healthy().database.need(), publicly_accessible=True))), "fail", "publicly"),
    ("secrets.plaintext", lambda: snap.healthy(task_definition=Fact.ok(TD(containers=(
        snap.container(environment=(("DATABASE_URL", "postgres://u:hunter2@db/a"),)),)))),
     "fail", "1 secret-looking"),
    ("secrets.plaintext", lambda: snap.healthy(task_definition=Fact.ok(TD(containers=(
        snap.container(environment=(("DB_PASSWORD", "x"), ("AWS_KEY", "AKIAABCDEFGHIJKLMNOP"))),
    )))), "fail", "2 secret-looking"),
    ("iam.execution_role", lambda: snap.healthy(task_definition=Fact.ok(TD(
        execution_role_arn=None))), "fail", "has no execution role"),
    ("iam.execution_role", lambda: snap.healthy(execution_role=Fact.ok(snap.role(
        trusted_services=("ec2.amazonaws.com",)))), "fail", "does not trust"),
    ("iam.execution_role", lambda: snap.healthy(execution_role=Fact.ok(snap.role(
        statements=snap.role().statements[:3]))), "fail", "secretsmanager:GetSecretValue"),
    ("iam.execution_role", lambda: snap.healthy(execution_role=Fact.ok(snap.role(
        statements=(*snap.role().statements, Statement("Deny", ("ecr:*",), ("*",)))))), "fail",
     "lacks 3 permission"),
    ("iam.execution_role", lambda: snap.healthy(secrets=Fact.ok((SecretRef(
        "DB_PASSWORD", snap.SECRET, "secretsmanager", "us-east-1", False),))), "fail",
     "secret DB_PASSWORD does not exist"),
    ("dns.alias", lambda: snap.healthy(records=Fact.ok(())), "fail", "no alias A record"),
    ("dns.alias", lambda: snap.healthy(records=Fact.ok((RecordSet(
        "api.example.com", "A", 300, ("203.0.113.7",)),))), "fail", "plain record"),
    ("dns.alias", lambda: snap.healthy(load_balancer=Fact.ok(snap.load_balancer(
        ip_address_type="dualstack"))), "fail", "no alias AAAA record"),
    ("dns.alias", lambda: snap.healthy(records=Fact.ok((RecordSet(
        "api.example.com.", "A", alias_dns_name="dualstack.ARTICLES-1.us-east-1.elb.amazonaws.com.",
        alias_zone_id="Z"),))), "pass", ""),
    ("dns.alias", lambda: snap.healthy(zone=Fact.absent("no zone")), "fail", "no hosted zone"),
    ("dns.alias", lambda: snap.healthy(dns_name=None), "skip", ""),
    ("config.convergence", lambda: snap.healthy(env_var_names={
        "dev": frozenset({"A", "B"}), "prod": frozenset({"A"})}), "fail", "prod lacks B"),
    ("config.convergence", lambda: snap.healthy(env_var_names={"dev": frozenset({"A"})}),
     "skip", ""),
]


@pytest.mark.parametrize(("check_id", "edit", "status", "phrase"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_check_table(check_id: str, edit: Edit, status: str, phrase: str) -> None:
    found_status, summary = judge(check_id, edit(), CorsAwareProber())
    assert (found_status, phrase in summary) == (status, True), summary


def test_missing_dependency_is_a_skip_and_a_failed_read_an_error() -> None:
    absent = run_check(CHECK["ecs.ports"], snap.healthy(task_definition=Fact.unavailable(
        "no service: MISSING")), FakeProber())
    broken = run_check(CHECK["ecs.ports"], snap.healthy(task_definition=Fact.failed(
        "access denied: ecs:DescribeTaskDefinition")), FakeProber())
    assert (absent.status, broken.status) == ("skip", "error")
    assert "access denied" in broken.summary


def test_health_tells_dns_from_the_application() -> None:
    by_alb_only = FakeProber({("GET", ALB_HEALTH): ProbeResponse(200)})
    neither = FakeProber()
    dns_problem = http.health(snap.healthy(), by_alb_only)
    app_problem = http.health(snap.healthy(), neither)
    assert dns_problem.status == app_problem.status == "fail"
    assert "a DNS problem" in dns_problem.summary
    assert "not DNS" in app_problem.detail


def test_cors_flags_a_wildcard_that_lets_a_foreign_origin_in() -> None:
    star = {"access-control-allow-origin": "*"}
    prober = FakeProber({("OPTIONS", HEALTH): ProbeResponse(204, star)})
    verdict = http.cors(snap.healthy(), prober)
    assert verdict.status == "fail"
    assert "foreign origin" in verdict.summary


def test_health_check_path_that_answers_404_fails_and_root_path_warns() -> None:
    root = snap.healthy(target_groups=Fact.ok((snap.target_group(health_path="/"),)))
    root_ok = FakeProber({("GET", ALB_HEALTH.replace("/api/health", "/")): ProbeResponse(200)})
    root_404 = FakeProber({("GET", ALB_HEALTH.replace("/api/health", "/")): ProbeResponse(404)})
    assert lb.health_check(root, root_ok).status == "warn"
    assert lb.health_check(root, root_404).status == "fail"


def test_probes_follow_routes_to_an_explicit_address() -> None:
    from shipit.doctor.facts import ProbeRoute

    prober = healthy_web()
    routed = snap.healthy(routes=(ProbeRoute("api.example.com", "127.0.0.1:8123"),))
    http.health(routed, prober)
    by_name = next(r for r in prober.seen if r.url == HEALTH)
    assert by_name.connect_to == "127.0.0.1:8123"


def test_a_crashing_check_is_an_error_and_the_others_still_run() -> None:
    from shipit.doctor.checks import Check
    from shipit.doctor.runner import run_checks

    def boom(snapshot: Snapshot, probe: object) -> object:
        raise KeyError("surprise")

    checks = [Check("x.crash", "crashes", boom), *CHECKS[:2]]  # type: ignore[arg-type]
    findings = run_checks(checks, snap.healthy(), FakeProber())
    assert [f.status for f in findings] == ["error", "pass", "pass"]
    assert "KeyError" in findings[0].summary


def test_a_failing_task_hop_names_the_probe_that_confirms_it() -> None:
    from shipit.doctor import point_to_probe
    from shipit.doctor.finding import Finding

    findings = [Finding("net.task_to_db", "fail", "blocked", fix="open 5432 on sg-1"),
                Finding("net.task_to_aws", "pass", "ok"),
                Finding("lb.targets", "fail", "unhealthy", fix="see logs")]
    pointed = point_to_probe(findings, "prod")
    assert pointed[0].fix == ("open 5432 on sg-1; confirm from inside the VPC (the database"
                              " login): `shipit --env prod probe`")
    assert pointed[1].fix is None
    assert pointed[2].fix == "see logs"


@pytest.mark.parametrize(("errors", "status", "words"), [
    ({"target_5xx": 0.0, "elb_5xx": 0.0}, "pass", None),
    ({"target_5xx": 7.0, "elb_5xx": 0.0}, "warn", "7 from the tasks"),
    ({"target_5xx": 0.0, "elb_5xx": 3.0}, "warn", "3 from the load balancer itself"),
])
def test_ecs_service_warns_on_recent_5xx(errors: dict[str, float], status: str,
                                         words: str | None) -> None:
    from shipit.doctor.checks.ecs import service
    from shipit.doctor.facts import Fact

    snapshot = snap.healthy()
    snapshot.recent_5xx = Fact.ok(errors)
    verdict = service(snapshot)
    assert verdict.status == status
    if words:
        assert words in verdict.summary
