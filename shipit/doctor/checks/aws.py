"""aws.identity: the credentials work, and which account and region doctor is looking at."""

from __future__ import annotations

from shipit.doctor.facts import Snapshot
from shipit.doctor.finding import Verdict, failed, passed

FIX_IDENTITY = (
    "run `aws configure` (or `aws sso login --profile NAME`), then check with"
    " `aws sts get-caller-identity`; select the profile with --profile or aws.profile"
)


def identity(s: Snapshot) -> Verdict:
    if s.identity.state == "error":
        return failed("the AWS credentials do not work", s.identity.reason, FIX_IDENTITY)
    who = s.identity.need()
    if s.account_id and who.account != s.account_id:
        return failed(
            f"the credentials are for account {who.account}, shipit.toml expects"
            f" {s.account_id}",
            f"calling as {who.arn}: every other check would look at the wrong account",
            "select the right profile (--profile NAME or aws.profile) or fix aws.account_id;"
            " check with `shipit whoami`",
        )
    return passed(f"account {who.account} in {who.region}", f"calling as {who.arn}")
