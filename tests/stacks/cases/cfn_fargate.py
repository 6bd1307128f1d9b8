"""CloudFormation: a Fargate service in public subnets (public IPs, no NAT), an ECR image, a
secret by JSON key, a /healthz check matching 200-299, an alias in example.net.
The ECS service's LoadBalancers and DeploymentConfiguration are applied with the API
afterwards (moto's CloudFormation drops them)."""

from __future__ import annotations

from tests.stacks import cfn
from tests.stacks.console import Console


def build(c: Console) -> None:
    image, _ = c.ecr_image("storefront", "2026.12.01")
    outputs = cfn.create(c, "fargate_service.yaml", "storefront", Image=image)
    cfn.finish(c, outputs, service="web", container="web", port=3000)
