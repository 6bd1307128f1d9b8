"""`shipit push` as named steps: region check, repository, tag state, login, push, verify, latest.

The registry data plane (the builder's push) and ECR's control plane (the API that creates the
repository and reports images) are separate steps; every verdict is read from the ECR API.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from shipit.aws import ecr
from shipit.aws.ecr import RegistryLogin, Repository, StoredImage
from shipit.errors import Failed
from shipit.image_ref import ecr_host
from shipit.push.builder import Pusher
from shipit.push.judge import (
    PushedImageCheck,
    TagState,
    judge_image,
    repository_warnings,
    tag_is_mutable,
)
from shipit.push.judge import tag_state as judge_tag_state
from shipit.push.layers import LayerCount, LayerInventory, count
from shipit.push.receipt import BuiltImage
from shipit.push.target import LATEST, Destination, check_registry_region

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession


class Progress(Protocol):
    def step(self, message: str) -> None: ...
    def success(self, message: str) -> None: ...
    def warn(self, message: str) -> None: ...


@dataclass(frozen=True)
class PushRequest:
    repository: str
    region: str
    image: BuiltImage
    tag: str
    registry: str | None = None
    """image.registry: a registry host to push to instead of the repository's ECR host."""
    moving_tag: str = LATEST
    dry_run: bool = False


@dataclass
class PushReport:
    repository: str
    ref: str
    status: str
    """pushed | unchanged | planned"""
    latest: str
    """moved | unchanged | skipped | planned"""
    digest: str | None
    platforms: list[str] | None
    repository_status: str = "exists"
    """exists | created | planned"""
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    layers_uploaded: int | None = None
    """Layers the push uploaded (the rest were in the repository); None: not counted."""
    layers_total: int | None = None
    uploaded_bytes: int | None = None

    def count_layers(self, counted: LayerCount) -> None:
        self.layers_uploaded, self.layers_total = counted.uploaded, counted.total
        self.uploaded_bytes = counted.uploaded_bytes

    def to_dict(self) -> dict[str, Any]:
        return {"ok": True, **asdict(self)}


def push(request: PushRequest, *, aws: AwsSession, pusher: Pusher, progress: Progress,
         inventory: LayerInventory | None = None) -> PushReport:
    """Push the built image under its sha tag and ``latest``; verify both through the ECR API.

    What the repository holds under both tags is read once (one BatchGetImage): when it is
    this image already, that read is the verification and nothing else is done. Otherwise
    ``inventory`` (the build's layers) says how many layers the push really uploads.
    """
    if request.registry:
        check_registry_region(request.registry, request.region)
    image = request.image
    repo, repo_status, warnings = _ensure_repository(request, aws, progress)
    host = request.registry or (repo.host if repo else ecr_host("<account>", request.region))
    target = Destination(host=host, repository=request.repository)
    ref = target.ref(request.tag)
    held = ecr.stored_images(aws, request.repository, (request.tag, request.moving_tag)) \
        if repo is not None else {}
    state = _sha_tag_state(request, held.get(request.tag), ref)
    latest_state = _latest_state(request, repo, held.get(request.moving_tag), image.digest)
    report = PushReport(repository=request.repository, ref=ref, status="planned",
                        latest=latest_state, digest=image.digest,
                        platforms=list(image.platforms), repository_status=repo_status,
                        warnings=warnings)
    if image.digest is None:
        report.notes.append("the build receipt records no digest: the pushed image is checked"
                            " for its platforms only")
    if request.dry_run:
        report.latest = "planned" if latest_state == "move" else latest_state
        report.status = "unchanged" if state is TagState.SAME else "planned"
        return report
    if state is TagState.SAME and latest_state != "move":
        if inventory is not None:
            report.count_layers(count(inventory.layers, []))
        progress.success(f"{ref} already holds {image.digest}: nothing to push"
                         + (" (0 layers uploaded)" if inventory is not None else ""))
        verdict = judge_image(held.get(request.tag), ref=ref, digest=image.digest,
                              platforms=image.platforms)
        return _verified(report, verdict, "unchanged")
    progress.step(f"logging in to {target.host} (token from ecr:GetAuthorizationToken, on stdin)")
    login = ecr.login(aws)
    pusher.login(target, login)
    if state is not TagState.SAME:
        missing = inventory.missing(target, login) if inventory is not None else None
        if inventory is not None and missing == [] and inventory.digest == image.digest:
            progress.step(f"{target.host}/{target.repository} holds every layer: writing the"
                          f" manifests of {image.source} to {ref}")
            inventory.put_manifests(target, login, request.tag)
        else:
            progress.step(f"pushing {image.source} to {ref}")
            pusher.push(image.source, target, request.tag)
        if inventory is not None and missing is not None:
            report.count_layers(count(inventory.layers, missing))
            progress.step(report_layers(report))
    elif inventory is not None:
        report.count_layers(count(inventory.layers, []))
    verdict = _verify(request, aws, ref, request.tag, image.digest)
    if not verdict.ok:
        raise Failed("; ".join(verdict.problems) + f"; {request.moving_tag} was not moved",
                     hint="rebuild with every platform (`shipit build`) and push a new sha tag")
    progress.success(f"{ref} is {verdict.digest} in ECR with {', '.join(verdict.platforms or ())}")
    report.latest = _move_latest(request, aws, pusher, target, latest_state, verdict.digest,
                                 progress, inventory, login)
    return _verified(report, verdict, "unchanged" if state is TagState.SAME else "pushed")


def _ensure_repository(
    request: PushRequest, aws: AwsSession, progress: Progress
) -> tuple[Repository | None, str, list[str]]:
    repo = ecr.find_repository(aws, request.repository)
    if repo is not None:
        warnings = repository_warnings(repo, sha_tag=request.tag, moving_tag=request.moving_tag)
        for warning in warnings:
            progress.warn(warning)
        return repo, "exists", warnings
    if request.dry_run:
        progress.step(f"would create ECR repository {request.repository} (immutable tags except"
                      f" {request.moving_tag!r}, scan on push, AES256 encryption)")
        return None, "planned", []
    progress.step(f"creating ECR repository {request.repository}")
    repo, exclusions = ecr.create_repository(aws, request.repository,
                                             mutable_tags=(request.moving_tag,))
    warnings = []
    if not exclusions:
        warnings.append(f"this ECR endpoint does not support tag-mutability exclusion filters:"
                        f" {repo.name} was created IMMUTABLE, so {request.moving_tag!r} cannot"
                        " move (set IMMUTABLE_WITH_EXCLUSION once the endpoint supports it)")
        progress.warn(warnings[-1])
    return repo, "created", warnings


def report_layers(report: PushReport) -> str:
    """``3 of 9 layers uploaded, 12.4 MB`` (empty when the layers were not counted)."""
    if report.layers_total is None:
        return ""
    return LayerCount(report.layers_uploaded or 0, report.layers_total,
                      report.uploaded_bytes or 0).text


def _sha_tag_state(request: PushRequest, existing: StoredImage | None, ref: str) -> TagState:
    state = judge_tag_state(existing, request.image.digest)
    if state is TagState.OTHER:
        assert existing is not None
        raise Failed(
            f"{ref} already exists as {existing.digest}, but this build is"
            f" {request.image.digest}; nothing was pushed or overwritten",
            hint="sha tags are immutable: commit and rebuild (a new sha), or pass --tag NEW",
        )
    return state


def _latest_state(request: PushRequest, repo: Repository | None, current: StoredImage | None,
                  digest: str | None) -> str:
    """move | unchanged | skipped (the moving tag is immutable in this repository)."""
    if repo is None:
        return "move"
    if not tag_is_mutable(repo, request.moving_tag):
        return "skipped"
    if current is not None and digest is not None and current.digest == digest:
        return "unchanged"
    return "move"


def _move_latest(request: PushRequest, aws: AwsSession, pusher: Pusher, target: Destination,
                 state: str, digest: str | None, progress: Progress,
                 inventory: LayerInventory | None, login: RegistryLogin | None) -> str:
    tag = request.moving_tag
    if state != "move":
        if state == "skipped":
            progress.warn(f"{target.ref(tag)} is immutable in this repository: not moved")
        return state
    progress.step(f"pointing {target.ref(tag)} at {digest}")
    if inventory is not None and login is not None and inventory.digest == digest:
        # every blob is in the repository by now: the manifests are all that is left
        inventory.put_manifests(target, login, tag)
    else:
        pusher.push(request.image.source, target, tag)
    moved = _verify(request, aws, target.ref(tag), tag, digest)
    if not moved.ok:
        raise Failed("; ".join(moved.problems))
    return "moved"


def _verify(request: PushRequest, aws: AwsSession, ref: str, tag: str, digest: str | None
            ) -> PushedImageCheck:
    stored = ecr.stored_image(aws, request.repository, tag)
    return judge_image(stored, ref=ref, digest=digest, platforms=request.image.platforms)


def _verified(report: PushReport, verdict: PushedImageCheck, status: str) -> PushReport:
    if not verdict.ok:
        raise Failed("; ".join(verdict.problems),
                     hint="this sha tag holds a bad image: rebuild and push a new sha tag")
    report.status = status
    report.digest = verdict.digest
    report.platforms = list(verdict.platforms) if verdict.platforms is not None else None
    report.notes.extend(verdict.notes)
    return report
