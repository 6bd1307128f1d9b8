"""Deploy twice in the sandbox: the second registers nothing and starts nothing; --force rolls."""

from __future__ import annotations

from pathlib import Path

from tests.fixtures.sandbox import start_sandbox, stop_sandbox


def test_deploy_twice_then_force(tmp_path: Path, sandbox_credentials: None) -> None:
    try:
        box = start_sandbox(tmp_path)
        digest = box.put_image("v2")
        first = box.cli("--json", "deploy", "--tag", "v2")
        assert first.exit_code == 0, first.stderr
        assert (first.json()["outcome"], first.json()["revision"]) == ("success", 2)
        revisions = box.revisions()
        deployments = [d["id"] for d in box.describe_service()["deployments"]]

        again = box.cli("--json", "deploy", "--tag", "v2")
        assert again.exit_code == 0, again.stderr
        receipt = again.json()
        assert receipt["outcome"] == "unchanged"
        assert (receipt["revision"], receipt["deployment_id"]) == (2, None)
        assert receipt["image_digest"] == digest
        assert "already runs revision 2" in again.stderr
        assert box.revisions() == revisions  # no revision registered
        assert [d["id"] for d in box.describe_service()["deployments"]] == deployments
        status = box.cli("--json", "status")
        assert status.json()["revision"] == 2
        saved = (box.root / ".shipit" / "deploy-receipt.json").read_text(encoding="utf-8")
        assert '"outcome": "unchanged"' in saved

        human = box.cli("deploy", "--tag", "v2")
        assert human.exit_code == 0, human.stderr
        assert "outcome      unchanged" in human.stdout

        forced = box.cli("--json", "deploy", "--tag", "v2", "--force")
        assert forced.exit_code == 0, forced.stderr
        rolled = forced.json()
        assert (rolled["outcome"], rolled["revision"]) == ("success", 2)
        assert rolled["deployment_id"] not in deployments  # a new deployment
        assert box.revisions() == revisions  # of the same revision
        assert box.running_revisions() == {2}
        assert box.health() == 200
    finally:
        stop_sandbox(tmp_path)
