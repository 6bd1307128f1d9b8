"""The names and fixed facts of a sandbox's reference stack, derived from the project."""

from __future__ import annotations

from dataclasses import dataclass

from shipit.defaults import DEFAULT_HEALTH_PATH
from shipit.image_ref import ecr_host

ACCOUNT_ID = "123456789012"
"""moto's default account: every ARN in the sandbox carries it."""
REGION = "us-east-1"
ENV_NAME = "sandbox"
CONTAINER_PORT = 8000
CORS_ORIGIN = "http://localhost:5173"
"""The sandbox's allowed browser origin (a local frontend dev server) unless vars name others."""


@dataclass(frozen=True)
class StackNames:
    """Every name the reference stack uses; one project gives one set of names."""

    project: str
    container: str = "app"
    repository: str = "articles"
    health_path: str = DEFAULT_HEALTH_PATH
    region: str = REGION

    @property
    def prefix(self) -> str:
        return f"{self.project}-{ENV_NAME}"

    @property
    def cluster(self) -> str:
        return self.prefix

    @property
    def service(self) -> str:
        return self.prefix

    @property
    def family(self) -> str:
        return self.prefix

    @property
    def log_group(self) -> str:
        return f"/ecs/{self.prefix}"

    @property
    def log_stream_prefix(self) -> str:
        return "ecs"

    @property
    def target_group(self) -> str:
        return f"{self.prefix}-tg"[:32]

    @property
    def load_balancer(self) -> str:
        return f"{self.prefix}-alb"[:32]

    @property
    def db_instance(self) -> str:
        return self.prefix

    @property
    def db_name(self) -> str:
        return self.project.replace("-", "_")

    @property
    def execution_role(self) -> str:
        return f"{self.prefix}-execution"

    @property
    def secret_name(self) -> str:
        return f"{self.project}/{ENV_NAME}/db-password"

    @property
    def zone(self) -> str:
        return f"{ENV_NAME}.{self.project}.test"

    @property
    def dns_name(self) -> str:
        return f"api.{self.zone}"

    @property
    def registry(self) -> str:
        return ecr_host(ACCOUNT_ID, self.region)

    @property
    def initial_tag(self) -> str:
        return "sandbox-initial"
