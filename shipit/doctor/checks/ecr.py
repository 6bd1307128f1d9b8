"""ecr.region, ecr.repository, ecr.image: the image lives where the task will pull it from."""

from __future__ import annotations

from shipit.doctor.facts import Snapshot
from shipit.doctor.finding import Verdict, failed, passed, skipped, warned
from shipit.image_ref import split_image


def _image_reference(s: Snapshot) -> str | None:
    if s.task_definition.state == "ok":
        container = s.task_definition.need().container(s.container_name)
        if container is not None:
            return container.image
    if s.repository.state == "ok":
        return s.repository.need().uri
    return None


def region(s: Snapshot) -> Verdict:
    reference = _image_reference(s)
    if reference is None:
        s.task_definition.need()
        return skipped("no image reference to inspect")
    image = split_image(reference)
    host = image.host or "docker.io"
    if s.image_registry and host == s.image_registry:
        return passed(f"registry override {host}", f"image {reference}")
    where = image.ecr.region if image.ecr else None
    if where is None:
        return warned(
            f"{host} is not an ECR registry",
            f"the task pulls {reference}; ECR checks do not apply",
            "push to ECR with `shipit build --push`, or set image.registry in shipit.toml",
        )
    if where != s.region:
        return failed(
            f"the image's registry is in {where}, shipit is configured for {s.region}",
            f"image {reference}. A repository in another region looks missing to every call made"
            " in the configured one, and pulls cross regions.",
            f"set aws.region = \"{where}\" in shipit.toml (or --region {where}), or push the image"
            f" to ECR in {s.region} with `shipit build --push --region {s.region}`",
        )
    return passed(f"ECR in {where}, as configured", f"image {reference}")


def tag_rule(mutability: str, filters: tuple[str, ...]) -> str:
    """What the repository's tag mutability means, exactly: which tags can move."""
    shown = ", ".join(filters)
    if mutability == "IMMUTABLE_WITH_EXCLUSION" and filters:
        return f"tags immutable except those matching {shown} (these stay mutable)"
    if mutability == "MUTABLE_WITH_EXCLUSION" and filters:
        return f"tags mutable except those matching {shown} (only these are immutable)"
    if mutability in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
        return "all tags immutable"
    return "all tags mutable"


def repository(s: Snapshot) -> Verdict:
    fact = s.repository
    if fact.state == "absent":
        return failed(
            f"ECR repository not found in {s.region}",
            fact.reason,
            "aws ecr create-repository --repository-name NAME --image-tag-mutability IMMUTABLE"
            " --image-scanning-configuration scanOnPush=true  (or console: ECR > Create"
            " repository)",
        )
    repo = fact.need()
    tags = tag_rule(repo.tag_mutability, repo.mutable_tag_filters)
    problems: list[str] = []
    if repo.tag_mutability not in ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"):
        problems.append(f"{tags}: a sha tag can be overwritten")
    if not repo.scan_on_push:
        problems.append("scan on push is off")
    if problems:
        return warned(
            f"repository {repo.name}: " + "; ".join(problems),
            f"{repo.uri}",
            f"aws ecr put-image-tag-mutability --repository-name {repo.name}"
            " --image-tag-mutability IMMUTABLE; aws ecr put-image-scanning-configuration"
            f" --repository-name {repo.name} --image-scanning-configuration scanOnPush=true",
        )
    return passed(f"repository {repo.name}: {tags}, scan on push", repo.uri)


def image(s: Snapshot) -> Verdict:
    task = s.task_definition.need()
    container = task.container(s.container_name)
    if container is None:
        return skipped(f"no container {s.container_name!r} in {task.family}:{task.revision}")
    if s.image.state == "unset":
        return skipped(s.image.reason)
    if s.image.state == "absent":
        return failed(
            "the running task definition's image is not in the registry",
            f"{container.image} ({task.family}:{task.revision}): {s.image.reason}. Tasks stop"
            " with CannotPullContainerError.",
            "push it with `shipit build --push`, then `shipit deploy`; list what exists with"
            " `aws ecr describe-images --repository-name NAME`",
        )
    found = s.image.need()
    return passed(f"{container.image} exists", f"digest {found.digest}")
