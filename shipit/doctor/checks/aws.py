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
    return passed(f"account {who.account} in {who.region}", f"calling as {who.arn}")
