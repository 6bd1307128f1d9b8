"""Which image to deploy, pinned by digest: ``--image REF``, ``--tag T``, or the build receipt."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shipit.aws.ecr import resolve_image
from shipit.errors import RegionProblem, UsageError
from shipit.image_ref import ImageRef, ecr_host, parse_image

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession

__all__ = ["ImageChoice", "ImageRef", "choose_image", "parse_image"]


@dataclass(frozen=True)
class ImageChoice:
    ref: str
    """``host/repository@sha256:...``: what the task definition gets."""
    repository: str
    digest: str
    tag: str | None
    source: str


def choose_image(
    aws: AwsSession, *, image: str | None, tag: str | None, repository: str | None,
    receipt: Path,
) -> ImageChoice:
    """Resolve the image to a digest in ECR; an image that is not there is an error."""
    if image and tag:
        raise UsageError("--image and --tag are exclusive", hint="pass one of them")
    if image:
        parsed = parse_image(image)
        if (ecr := parsed.ecr) is not None:
            if ecr.region != aws.region:
                raise RegionProblem(
                    f"the image is in region {ecr.region} but the service is in"
                    f" {aws.region}", hint="Fargate pulls from the service's region: push the"
                    f" image to ECR in {aws.region} (`shipit push`), or fix aws.region",
                )
            return _lookup(aws, parsed.repository, parsed.tag, parsed.digest, "--image")
        if parsed.digest is None:
            raise UsageError(f"{image!r} is not pinned by digest and not in ECR",
                             hint="pass REF@sha256:..., or push it to ECR with `shipit push`")
        return ImageChoice(image, parsed.repository, parsed.digest, parsed.tag, "--image")
    if not repository:
        raise UsageError("no image repository configured",
                         hint="set image.repository in shipit.toml, or pass --image")
    if tag:
        return _lookup(aws, repository, tag, None, "--tag")
    from shipit.image.receipt import read_receipt

    built = read_receipt(receipt)
    choice = _lookup(aws, repository, built.tag, None, "build receipt")
    if built.digest and built.digest != choice.digest:
        raise UsageError(
            f"{repository}:{built.tag} in ECR is {choice.digest}, but the build receipt says"
            f" {built.digest}", hint="push the build you mean to deploy (`shipit push`)",
        )
    return choice


def _lookup(
    aws: AwsSession, repository: str, tag: str | None, digest: str | None, source: str
) -> ImageChoice:
    found = resolve_image(aws, repository, tag=tag, digest=digest)
    host = ecr_host(found.registry_id, aws.region)
    return ImageChoice(f"{host}/{repository}@{found.digest}", repository, found.digest, tag,
                       source)
