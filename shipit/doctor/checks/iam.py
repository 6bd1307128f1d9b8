"""iam.execution_role: ECS can assume it, pull from ECR, write the log group, read the secrets."""

from __future__ import annotations

from fnmatch import fnmatchcase

from shipit.arn import account_of, parse_secret_source, partition_of
from shipit.doctor.facts import Role, Snapshot, Statement
from shipit.doctor.finding import Verdict, failed, passed
from shipit.image_ref import split_image


def permits(statements: tuple[Statement, ...], action: str, resource: str) -> bool:
    """Identity-policy evaluation without conditions: an explicit Deny wins, else any Allow."""

    def matches(statement: Statement) -> bool:
        return any(fnmatchcase(action.lower(), a.lower()) for a in statement.actions) and any(
            fnmatchcase(resource, r) for r in statement.resources
        )

    if any(st.effect == "Deny" and matches(st) for st in statements):
        return False
    return any(st.effect == "Allow" and matches(st) for st in statements)


def _account(role: Role) -> str:
    return account_of(role.arn) or "*"


def required(s: Snapshot, role: Role) -> list[tuple[str, str]]:
    """The (action, resource) pairs the task's execution role must allow."""
    task = s.task_definition.need()
    account = _account(role)
    needs: list[tuple[str, str]] = []
    for container in task.containers:
        image = split_image(container.image)
        if image.ecr is not None:
            ecr = image.ecr
            repo_arn = (f"arn:{partition_of(ecr.region)}:ecr:{ecr.region}:{ecr.account}"
                        f":repository/{image.repository}")
            needs += [
                ("ecr:GetAuthorizationToken", "*"),
                ("ecr:BatchGetImage", repo_arn),
                ("ecr:GetDownloadUrlForLayer", repo_arn),
            ]
        if container.log_driver == "awslogs":
            group = container.log_options.get("awslogs-group", "")
            region = container.log_options.get("awslogs-region", s.region)
            group_arn = f"arn:{partition_of(region)}:logs:{region}:{account}:log-group:{group}"
            needs += [
                ("logs:CreateLogStream", f"{group_arn}:log-stream:app"),
                ("logs:PutLogEvents", f"{group_arn}:log-stream:app"),
            ]
        for _, source in container.secrets:
            secret = parse_secret_source(source)
            # IAM grants on the secret's own ARN; a JSON key or version after it is not part of it
            needs.append((secret.action, secret.in_region(s.region, account)))
    return list(dict.fromkeys(needs))


FIX_TRUST = (
    "aws iam update-assume-role-policy --role-name ROLE --policy-document"
    " '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
    "{\"Service\":\"ecs-tasks.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}'"
)
FIX_POLICY = (
    "aws iam attach-role-policy --role-name ROLE --policy-arn"
    " arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy (and allow"
    " secretsmanager:GetSecretValue on the task's secrets); `shipit iam-policy` prints a"
    " least-privilege policy"
)


def execution_role(s: Snapshot) -> Verdict:
    task = s.task_definition.need()
    if not task.execution_role_arn:
        return failed(
            f"{task.family}:{task.revision} has no execution role",
            "Fargate needs one to pull from ECR, write awslogs and read secrets",
            "create ecsTaskExecutionRole (console: IAM > Roles > Create role > Elastic Container"
            " Service Task) and set executionRoleArn in the task definition",
        )
    if s.execution_role.state == "absent":
        return failed(
            "the execution role does not exist", task.execution_role_arn,
            "create it: console IAM > Roles > Create role > Elastic Container Service Task, with"
            " AmazonECSTaskExecutionRolePolicy",
        )
    role = s.execution_role.need()
    if "ecs-tasks.amazonaws.com" not in role.trusted_services:
        return failed(
            f"role {role.name} does not trust ecs-tasks.amazonaws.com",
            f"trusted: {', '.join(role.trusted_services) or 'no service'}",
            FIX_TRUST.replace("ROLE", role.name),
        )
    gone = [ref for ref in s.secrets.value or () if not ref.found]
    if gone:
        return failed(
            f"secret {gone[0].name} does not exist: {gone[0].arn}",
            "tasks stop with ResourceInitializationError (unable to retrieve secret)"
            + "".join(f"; {ref.name}: {ref.arn} missing too" for ref in gone[1:]),
            "create it (aws secretsmanager create-secret --name NAME --secret-string ...) or fix"
            " its ARN under [env.NAME.secrets] in shipit.toml, then `shipit deploy`",
        )
    missing = [
        f"{action} on {resource}"
        for action, resource in required(s, role)
        if not permits(role.statements, action, resource)
    ]
    if missing:
        unread = (
            f" (could not read: {', '.join(role.unreadable_policies)})"
            if role.unreadable_policies else ""
        )
        return failed(
            f"role {role.name} lacks {len(missing)} permission(s): {missing[0]}",
            "; ".join(missing[1:]) + unread,
            FIX_POLICY.replace("ROLE", role.name),
        )
    return passed(f"{role.name}: trusted by ecs-tasks, can pull, log and read its secrets")
