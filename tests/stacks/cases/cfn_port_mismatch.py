"""CloudFormation: the load balancer was wired to port 80 of the container, which listens on
3000 (the target group and the task say 3000). Applied with the API afterwards, since moto's
CloudFormation drops the service's LoadBalancers."""

from __future__ import annotations

from tests.stacks import cfn
from tests.stacks.console import Console


def build(c: Console) -> None:
    image, _ = c.ecr_image("mismatch", "v7")
    outputs = cfn.create(c, "fargate_service.yaml", "mismatch", Image=image)
    cfn.finish(c, outputs, service="web", container="web", port=80)
