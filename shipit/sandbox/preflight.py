"""What Fargate does before a container starts: pull the image, fetch the secrets.

Each check returns None when it passes, or the ``Stop`` ECS would report, with the
stoppedReason text ECS uses so that shipit's classifier meets the real wording.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shipit.arn import SecretSource, parse_secret_source
from shipit.image_ref import ImageRef, split_image

INDEX_TYPES = {
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
}
_ARCH = {"X86_64": "amd64", "ARM64": "arm64"}


@dataclass(frozen=True)
class Stop:
    """Why a task stopped before (or while) running, in ECS's words."""

    reason: str
    code: str  # TaskFailedToStart | EssentialContainerExited | ServiceSchedulerInitiated
    container_reason: str | None = None
    exit_code: int | None = None


def task_platform(definition: dict[str, Any]) -> str:
    """``linux/amd64`` (Fargate's default) or ``linux/arm64`` from runtimePlatform."""
    arch = (definition.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64"
    return f"linux/{_ARCH.get(arch, arch.lower())}"


def ecr_image(image: str) -> ImageRef | None:
    """The parts of an image reference whose host is an ECR registry, else None."""
    parsed = split_image(image)
    return parsed if parsed.ecr is not None else None


def check_image(ecr: Any, image: str, platform: str, region: str) -> Stop | None:
    """Is ``image`` in the sandbox's ECR, and does its manifest have ``platform``?"""
    parsed = ecr_image(image)
    if parsed is None or parsed.ecr is None or parsed.ecr.region != region:
        return pull_error(
            f"failed to resolve ref {image}: failed to do request: dial tcp: lookup"
            f" {image.split('/', 1)[0]}: no such host"
        )
    image_id: dict[str, str] = {}
    if parsed.digest:
        image_id["imageDigest"] = parsed.digest
    else:
        image_id["imageTag"] = parsed.tag or "latest"
    try:
        found = ecr.batch_get_image(
            repositoryName=parsed.repository, imageIds=[image_id],
            acceptedMediaTypes=sorted(INDEX_TYPES | {
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.docker.distribution.manifest.v2+json",
            }),
        )
    except Exception as exc:  # RepositoryNotFoundException and friends
        return pull_error(f"failed to resolve ref {image}: {exc}")
    images = found.get("images") or []
    if not images:
        return pull_error(f"failed to resolve ref {image}: {image}: not found")
    return _platform_stop(images[0].get("imageManifest", "{}"), platform)


def _platform_stop(manifest_text: str, platform: str) -> Stop | None:
    try:
        manifest = json.loads(manifest_text)
    except ValueError:
        return None
    media_type = manifest.get("mediaType")
    if media_type not in INDEX_TYPES and "manifests" not in manifest:
        return None  # a single-platform manifest: its config is not readable here
    wanted_os, wanted_arch = platform.split("/", 1)
    for entry in manifest.get("manifests", []):
        entry_platform = entry.get("platform") or {}
        if entry_platform.get("os") == wanted_os and entry_platform.get("architecture") == (
            wanted_arch
        ):
            return None
    # The image holds no build for the task's CPU: the runtime execs a foreign binary.
    return Stop(
        reason="CannotStartContainerError: Error response from daemon: failed to create shim"
        " task: OCI runtime create failed: runc create failed: unable to start container"
        ' process: exec: "python": exec format error: unknown',
        code="TaskFailedToStart",
        container_reason="CannotStartContainerError: exec format error",
        exit_code=None,
    )


def pull_error(detail: str) -> Stop:
    return Stop(
        reason=f"CannotPullContainerError: pull image manifest has been retried 5 time(s):"
        f" {detail}",
        code="TaskFailedToStart",
        container_reason="CannotPullContainerError",
    )


def resolve_secrets(
    secretsmanager: Any, ssm: Any, secrets: list[dict[str, str]]
) -> dict[str, str] | Stop:
    """Each ``{"name", "valueFrom"}`` resolved from the sandbox, or the stop ECS would give."""
    values: dict[str, str] = {}
    for secret in secrets:
        source = secret["valueFrom"]
        ref = parse_secret_source(source)
        try:
            if ref.kind == "ssm":
                values[secret["name"]] = ssm.get_parameter(Name=ref.name, WithDecryption=True)[
                    "Parameter"
                ]["Value"]
            else:
                values[secret["name"]] = _secret_value(secretsmanager, ref)
        except Exception as exc:
            kind = "ssm" if ref.kind == "ssm" else "asm"
            return Stop(
                reason="ResourceInitializationError: unable to pull secrets or registry auth:"
                f" execution resource retrieval failed: unable to retrieve secret from {kind}:"
                f" service call has been retried 1 time(s): failed to fetch secret {source}"
                f" from secrets manager: {exc}",
                code="TaskFailedToStart",
            )
    return values


def _secret_value(client: Any, ref: SecretSource) -> str:
    """The value ECS would inject: the whole secret, or one JSON key, at a stage or version."""
    asked: dict[str, str] = {"SecretId": ref.arn or ref.source}
    if ref.version_stage:
        asked["VersionStage"] = ref.version_stage
    if ref.version_id:
        asked["VersionId"] = ref.version_id
    value = str(client.get_secret_value(**asked)["SecretString"])
    if ref.json_key:
        return str(json.loads(value)[ref.json_key])
    return value
