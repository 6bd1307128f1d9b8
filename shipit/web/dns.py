"""The frontend's DNS name: an alias A record to the S3 website endpoint of its bucket's region.

Route53 can alias a name to an S3 website only when the bucket is named like the record
(shipit/config/models.py enforces web.bucket == web.name). Same rules as the API's record:
UPSERT, wait for INSYNC, read back; a record that is not an alias is replaced only with --force.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shipit.aws import route53
from shipit.aws.route53 import HostedZone, RecordSet, same_alias_target
from shipit.errors import Failed, ResourceNotFound, UsageError
from shipit.s3_website import website_host
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings

S3_WEBSITE_ZONES = {
    "us-east-1": "Z3AQBSTGFYJSTF", "us-east-2": "Z2O1EMRO9K5GLX", "us-west-1": "Z2F56UZL2M1ACD",
    "us-west-2": "Z3BJ6K6RIION7M", "ca-central-1": "Z1QDHH18159H29",
    "eu-west-1": "Z1BKCTXD74EZPE", "eu-west-2": "Z3GKZC51ZF0DB4", "eu-west-3": "Z3R1K369G5AVDG",
    "eu-central-1": "Z21DNDUVLTQW6Q", "eu-north-1": "Z3BAZG2TWCNX0D",
    "ap-south-1": "Z11RGJOFQNVJUP", "ap-northeast-1": "Z2M4EHUR26P7ZW",
    "ap-northeast-2": "Z3W03O7B5YMIYP", "ap-southeast-1": "Z3O0J2DXBE1FTB",
    "ap-southeast-2": "Z1WCIGYICN2BYD", "sa-east-1": "Z7KQH4QJS55SO",
    "us-gov-west-1": "Z31GFT0UA1I2HV",
}  # fmt: skip
"""Route53's hosted zone of each region's S3 website endpoints (AWS General Reference)."""


@dataclass(frozen=True)
class WebRecordPlan:
    name: str
    zone: HostedZone
    target: str
    """The region's website endpoint, e.g. s3-website-us-east-1.amazonaws.com."""
    target_zone_id: str
    existing: tuple[RecordSet, ...]

    @property
    def conflicts(self) -> tuple[RecordSet, ...]:
        return tuple(r for r in self.existing if r.type in ("A", "CNAME") and not r.is_alias)

    @property
    def up_to_date(self) -> bool:
        return any(r.type == "A" and r.is_alias and same_alias_target(r.alias_dns_name or "",
                                                                       self.target)
                   for r in self.existing)

    def describe(self) -> str:
        return f"{self.name} A alias -> {self.target} (S3 website)"


@dataclass(frozen=True)
class WebRecordResult:
    """The frontend's alias after `shipit dns`: planned, made, or found in place."""

    plan: WebRecordPlan
    changed: bool
    dry_run: bool = False
    waited: float = 0.0
    records: tuple[RecordSet, ...] | None = None
    """Read back after the change (None: the plan's view of the records)."""

    def to_dict(self) -> dict[str, Any]:
        shown = self.plan.existing if self.records is None else self.records
        return {"name": self.plan.name, "zone": self.plan.zone.name, "target": self.plan.target,
                "changed": self.changed, "dry_run": self.dry_run,
                "insync_after_s": round(self.waited, 3),
                "records": [r.describe() for r in shown if r.type in ("A", "CNAME")]}


def website_target(bucket: str, region: str) -> tuple[str, str]:
    """(alias DNS name, alias hosted zone id) of the website endpoint of ``region``."""
    if region not in S3_WEBSITE_ZONES:
        raise UsageError(f"shipit does not know the S3 website hosted zone of {region}",
                         hint="see 'Amazon S3 website endpoints' in the AWS General Reference")
    host = website_host(bucket, region)
    return host.removeprefix(f"{bucket}."), S3_WEBSITE_ZONES[region]


def plan(aws: AwsSession, name: str, bucket: str, zone_name: str | None) -> WebRecordPlan:
    zone = route53.find_zone(aws, name, zone_name)
    if zone is None:
        raise ResourceNotFound(
            f"no hosted zone holds {name} (web.name)"
            + (f" (dns.zone = {zone_name})" if zone_name else ""),
            hint="create one (console: Route 53 > Hosted zones > Create), or fix web.name")
    target, target_zone = website_target(bucket, aws.region)
    return WebRecordPlan(route53.norm(name), zone, target, target_zone,
                         route53.read_records(aws, zone.id, name))


def apply(aws: AwsSession, web_plan: WebRecordPlan, *, force: bool,
          clock: Clock, sleep: Sleep) -> WebRecordResult:
    """UPSERT the alias (no-op when in place), wait for INSYNC, read it back."""
    if web_plan.up_to_date:
        return WebRecordResult(web_plan, changed=False)
    if web_plan.conflicts and not force:
        shown = "; ".join(r.describe() for r in web_plan.conflicts)
        raise Failed(f"{web_plan.name} already has a record that is not an alias: {shown}",
                     hint="rerun with --force to replace it by the alias")
    change = route53.upsert_aliases(aws, web_plan.zone.id, web_plan.name, ["A"],
                                    web_plan.target, web_plan.target_zone_id,
                                    replace_types=("CNAME",), existing=web_plan.conflicts)
    waited = route53.wait_insync(aws, change, clock=clock, sleep=sleep)
    records = route53.read_records(aws, web_plan.zone.id, web_plan.name)
    if not any(r.type == "A" and r.is_alias and same_alias_target(r.alias_dns_name or "",
                                                                   web_plan.target)
               for r in records):
        raise Failed(f"read back after the change, {web_plan.name} has no alias A",
                     hint="check the zone in the console: Route 53 > Hosted zones")
    return WebRecordResult(web_plan, changed=True, waited=waited, records=records)


def frontend_alias(settings: Settings, aws: AwsSession, *, dry_run: bool, force: bool,
                   clock: Clock, sleep: Sleep) -> WebRecordResult | None:
    """The frontend's alias (web.name -> its bucket's S3 website endpoint) when web.name and
    web.bucket are configured: plan, then apply unless a dry run. Part of ``shipit.dns.run``."""
    if not (settings.web.name and settings.web.bucket):
        return None
    web_plan = plan(aws, settings.web.name, settings.web.bucket, settings.dns.zone)
    if dry_run or web_plan.up_to_date:
        return WebRecordResult(web_plan, changed=False, dry_run=dry_run)
    return apply(aws, web_plan, force=force, clock=clock, sleep=sleep)
