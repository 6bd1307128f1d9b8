"""A hand-made execution role that may only write logs; ECR pull rights sit on the task role:
the image cannot be pulled (CannotPullContainerError)."""

from __future__ import annotations

from tests.stacks.console import Console
from tests.stacks.webapp import Shape
from tests.stacks.webapp import build as build_web

PULL = [{"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage",
                                       "ecr:GetDownloadUrlForLayer",
                                       "ecr:BatchCheckLayerAvailability"], "Resource": "*"}]
LOGS = [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": "*"}]


def build(c: Console) -> None:
    role = c.role("orders-exec", inline={"logs-only": LOGS})
    shape = Shape("pullless", secrets=(), rds=False, task_role_statements=PULL)
    build_web(c, shape)
    ecs = c.client("ecs")
    current = ecs.describe_task_definition(taskDefinition=shape.name)["taskDefinition"]
    keep = ("family", "networkMode", "requiresCompatibilities", "cpu", "memory", "taskRoleArn",
            "runtimePlatform", "containerDefinitions")
    arn = ecs.register_task_definition(executionRoleArn=role,
                                       **{k: current[k] for k in keep if k in current})
    ecs.update_service(cluster=shape.cluster, service=shape.service,
                       taskDefinition=arn["taskDefinition"]["taskDefinitionArn"])
