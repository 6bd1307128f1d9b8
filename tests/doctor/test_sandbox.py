"""The whole last day on the real sandbox: dns, then doctor passes everything, then e2e."""

from __future__ import annotations

from shipit.doctor.checks import IDS
from tests.fixtures.sandbox import Sandbox


def test_the_sandbox_after_dns_passes_doctor_and_e2e(sandbox: Sandbox) -> None:
    before = sandbox.cli("doctor", "--json", "--check", "dns.alias")
    assert before.json()["checks"][0]["status"] == "fail"  # no record until `shipit dns`
    dns = sandbox.cli("dns", "--json")
    assert dns.exit_code == 0, dns.stderr
    assert dns.json()["probe"]["status"] == 200
    doctor = sandbox.cli("doctor", "--json")
    statuses = {c["id"]: c["status"] for c in doctor.json()["checks"]}
    # The sandbox allows one browser origin (a local dev server), so http.cors really runs.
    assert statuses == dict.fromkeys(IDS, "pass"), doctor.stdout
    assert doctor.exit_code == 0
    e2e = sandbox.cli("e2e", "--json")
    assert e2e.exit_code == 0, e2e.stderr
    assert e2e.json()["failed_step"] is None
    steps = {step["step"]: step for step in e2e.json()["steps"]}
    assert steps["cors"]["ok"]
    assert not steps["cors"]["skipped"]
