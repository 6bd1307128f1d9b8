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
    # The sandbox environment sets no http.cors_origins: that check has nothing to judge.
    expected = {**dict.fromkeys(IDS, "pass"), "http.cors": "skip"}
    assert statuses == expected, doctor.stdout
    assert doctor.exit_code == 0
    e2e = sandbox.cli("e2e", "--json")
    assert e2e.exit_code == 0, e2e.stderr
    assert e2e.json()["failed_step"] is None
