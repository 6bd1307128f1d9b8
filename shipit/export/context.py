"""What the template's parts share while building: the snapshot, the template, and the logical
ids given to physical ones (a security group, a subnet, a target group) so later parts refer
to resources of the template instead of ids of the source account."""

from __future__ import annotations

from dataclasses import dataclass, field

from shipit.export.model import Json, Template, ref
from shipit.export.snapshot import StackSnapshot


@dataclass(frozen=True)
class Options:
    include_network: bool = False
    for_import: bool = False


@dataclass
class Build:
    snapshot: StackSnapshot
    template: Template
    options: Options
    groups: dict[str, str] = field(default_factory=dict)
    """security group id -> logical id"""
    subnets: dict[str, str] = field(default_factory=dict)
    """subnet id -> logical id (--include-network)"""
    subnet_lists: dict[str, Json] = field(default_factory=dict)
    """role (alb, tasks, database) -> the template value listing its subnets"""
    target_groups: dict[str, str] = field(default_factory=dict)
    load_balancer: str | None = None
    database: str | None = None
    vpc: Json = None
    replacements: dict[str, tuple[str, Json]] = field(default_factory=dict)
    """A literal in a variable's value -> the Fn::Sub variable standing for it in this template
    and that variable's value (the database's address: its GetAtt)."""
    secret_parameters: dict[str, str] = field(default_factory=dict)
    """A secret's ARN (or SSM name) -> the parameter holding it."""

    def source(self, physical: str, fallback: str) -> str:
        return self.snapshot.sources.get(physical, fallback)

    def group(self, group_id: str) -> Json:
        logical_id = self.groups.get(group_id)
        return {"Fn::GetAtt": [logical_id, "GroupId"]} if logical_id else group_id

    def vpc_ref(self) -> Json:
        return self.vpc if self.vpc is not None else ref("VpcId")
