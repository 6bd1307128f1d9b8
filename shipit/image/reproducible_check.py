"""``--check-reproducible``: the second build, and where it differs from the first.

The second build is the same request again without cache, or (``--against REF``) what
``shipit build`` at commit REF would build: REF's files exported as the first build's are,
stamped with REF's time, labelled with REF's commit, with this build's builder, platforms and
arguments. Either goes to its own OCI layout (.shipit/oci-check) and is compared with the first
by ``compare_images``, which names a file whose content differs before one whose time differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx

from shipit.errors import EnvironmentProblem
from shipit.image.backend import Builder, BuildOutcome, BuildRequest, LayoutLocation, open_source
from shipit.image.buildah import BuildahBuilder
from shipit.image.compare import compare_images
from shipit.image.git import GitInfo
from shipit.image.labels import oci_labels
from shipit.image.oci_layout import OciLayoutSource
from shipit.image.reproducible import (
    Reproducibility,
    ReproducibilityCheck,
    export_commit,
    judge,
)
from shipit.image.runner import LineSink
from shipit.image.tags import ImageName, image_name
from shipit.project_paths import OCI_CHECK_LAYOUT
from shipit.types import Clock


def stamp(git: GitInfo, repro: Reproducibility, name: ImageName, built_at: datetime,
          user_args: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """A build's labels and build args: its commit's, with the commit's time when the build is
    reproducible (else ``built_at``), and APP_VERSION its commit tag over ``user_args``."""
    created = (datetime.fromtimestamp(repro.source_date_epoch, UTC)
               if repro.source_date_epoch is not None else built_at)
    return oci_labels(git, created), {"APP_VERSION": name.primary, **user_args}


def again(request: BuildRequest) -> BuildRequest:
    """The same request again, without cache, into the check layout."""
    return replace(request, push=False, no_cache=True, layout_dir=request.layout_dir.parent /
                   OCI_CHECK_LAYOUT.name, local_name=f"{request.image.refs[0]}-check")


def against_request(request: BuildRequest, against: GitInfo, sources: tuple[Path, Path],
                    into: Path, user_args: Mapping[str, str]) -> BuildRequest:
    """``again(request)`` made from commit ``against``: its files (``sources``, the work tree's
    context and Dockerfile, exported from it under ``into``), its time, labels and APP_VERSION."""
    repro = judge(against)
    if repro.source_date_epoch is None:
        raise EnvironmentProblem(f"--against: {'; '.join(repro.reasons)}",
                                 hint="check the commit with `git log -1 --format=%ct REF`")
    name = image_name(request.image.repository, against)
    when = datetime.fromtimestamp(repro.source_date_epoch, UTC)  # reproducible: its own time
    labels, build_args = stamp(against, repro, name, when, user_args)
    context, dockerfile = export_commit(against, *sources, into)
    return replace(again(request), context=context, dockerfile=dockerfile, image=name,
                   labels=labels, build_args=build_args, local_name=f"{name.refs[0]}-check",
                   source_date_epoch=repro.source_date_epoch)


@dataclass(frozen=True)
class _Words:
    """What the check says, building the same commit again or another commit (``against``)."""

    start: str
    same_ids: str
    """With ``{}`` for the digest: buildah built the same image ids."""
    same_digest: str
    """With ``{}`` for the second build's digest: the layouts compared equal."""
    differs: str
    """Followed by the first difference."""

    @classmethod
    def of(cls, second: BuildRequest, against: GitInfo | None) -> _Words:
        if against is None:
            same = "ok    reproducible: the second build"
            return cls("--check-reproducible: building again without cache",
                       same + " has the same image ids ({})", same + " is {} too",
                       "FAIL  not reproducible: ")
        short = against.short_sha
        same = f"ok    this commit and commit {short} build the same image:"
        return cls(f"--check-reproducible: building commit {short}"
                   f" (SOURCE_DATE_EPOCH={second.source_date_epoch}) to compare",
                   same + " the same image ids ({})", same + " {}",
                   f"FAIL  commit {short} builds another image: ")


def check_reproducible(builder: Builder, second: BuildRequest, first: BuildOutcome,
                       first_digest: str, against: GitInfo | None, *, log: LineSink,
                       tool_log: LineSink, clock: Clock,
                       http: httpx.Client) -> ReproducibilityCheck:
    """Build ``second`` (from ``again`` or ``against_request``) and compare it with ``first``.

    buildah: the same image ids (config digests) on every platform are the same image, with
    nothing to export; otherwise (and with buildx) the second build is written to its own OCI
    layout and compared file by file.
    """
    sha = against.sha if against is not None else None
    words = _Words.of(second, against)
    log(words.start)
    started = clock()
    if isinstance(builder, BuildahBuilder):
        images, _ = builder.build_images(second, tool_log)
        if images == first.local_images:
            first.timings["check"] = round(clock() - started, 2)
            log(words.same_ids.format(first_digest))
            return ReproducibilityCheck(first_digest, None, sha)
        outcome = builder.finish(second, images)
    else:
        outcome = builder.build(second, tool_log)
    assert isinstance(outcome.location, LayoutLocation)
    layout = OciLayoutSource(outcome.location.path)
    difference = compare_images(open_source(first.location, http), first.location.reference,
                                layout, outcome.location.reference)
    second_digest = layout.manifest(outcome.location.reference).digest
    first.timings["check"] = round(clock() - started, 2)
    if difference is None:
        log(words.same_digest.format(second_digest))
    else:
        log(words.differs + difference.message)
    return ReproducibilityCheck(second_digest, difference, sha)
