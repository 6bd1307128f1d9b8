"""Pure judgements of push: repository settings, the state of a tag, and the pushed image."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from enum import StrEnum

from shipit.aws.ecr import Repository, StoredImage
from shipit.push.manifest import ManifestError, manifest_platforms


class TagState(StrEnum):
    ABSENT = "absent"
    """The tag is new: push."""
    SAME = "same"
    """The tag already points at this digest: nothing to do."""
    OTHER = "other"
    """The tag points at another digest: refuse; immutable tags are never overwritten."""
    UNKNOWN = "unknown"
    """The tag exists but the build recorded no digest to compare: let the registry decide."""


def tag_state(existing: StoredImage | None, digest: str | None) -> TagState:
    if existing is None:
        return TagState.ABSENT
    if digest is None:
        return TagState.UNKNOWN
    return TagState.SAME if existing.digest == digest else TagState.OTHER


def tag_is_mutable(repository: Repository, tag: str) -> bool:
    """Whether ECR lets ``tag`` move in this repository (exclusion filters use * wildcards)."""
    matches = any(fnmatch.fnmatchcase(tag, f) for f in repository.mutable_tag_filters)
    if repository.tag_mutability == "MUTABLE":
        return True
    if repository.tag_mutability == "MUTABLE_WITH_EXCLUSION":
        return not matches
    if repository.tag_mutability == "IMMUTABLE_WITH_EXCLUSION":
        return matches
    return False


def repository_warnings(repository: Repository, *, sha_tag: str, moving_tag: str) -> list[str]:
    """What is wrong with an existing repository's settings (reported, never changed)."""
    name = repository.name
    fix = (f"aws ecr put-image-tag-mutability --repository-name {name} --image-tag-mutability"
           f" IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters"
           f" filterType=WILDCARD,filter={moving_tag}")
    warnings: list[str] = []
    if tag_is_mutable(repository, sha_tag):
        warnings.append(f"repository {name}: tags are mutable ({repository.tag_mutability}), so a"
                        f" pushed sha tag could later be overwritten; fix: {fix}")
    if not tag_is_mutable(repository, moving_tag):
        warnings.append(f"repository {name}: {moving_tag!r} is immutable here, so it cannot"
                        f" follow new pushes; fix: {fix}")
    if not repository.scan_on_push:
        warnings.append(f"repository {name}: scan on push is off; fix: aws ecr"
                        f" put-image-scanning-configuration --repository-name {name}"
                        " --image-scanning-configuration scanOnPush=true")
    return warnings


@dataclass(frozen=True)
class PushedImageCheck:
    """The pushed image as ECR reports it, against what was built."""

    digest: str | None
    platforms: tuple[str, ...] | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def judge_image(
    stored: StoredImage | None, *, ref: str, digest: str | None, platforms: tuple[str, ...]
) -> PushedImageCheck:
    """Does ``ref`` in ECR resolve to ``digest`` and list every platform that was built?"""
    if stored is None:
        return PushedImageCheck(None, None, [f"{ref} is not in ECR after the push"])
    problems: list[str] = []
    notes: list[str] = []
    if digest is not None and stored.digest != digest:
        problems.append(f"{ref} resolves to {stored.digest} in ECR, not the built {digest}")
    try:
        found = manifest_platforms(stored.manifest, stored.media_type)
    except ManifestError as exc:
        return PushedImageCheck(stored.digest, None,
                                [*problems, f"{ref}: unreadable manifest ({exc})"])
    if found is None:
        if len(platforms) > 1:
            problems.append(f"{ref} is a single-platform image, but {', '.join(platforms)} were"
                            " built: the manifest list was not pushed (use --all)")
        else:
            notes.append(f"{ref} is a single-platform manifest; its architecture is in the"
                         " image config, which the ECR API does not serve")
        return PushedImageCheck(stored.digest, found, problems, notes)
    missing = [p for p in platforms if p not in found]
    extra = [p for p in found if p not in platforms]
    if missing:
        problems.append(f"{ref} is missing platform{'s' if len(missing) > 1 else ''}"
                        f" {', '.join(missing)} (it lists {', '.join(found) or 'none'})")
    if extra:
        notes.append(f"{ref} also lists {', '.join(extra)}, which the build did not record")
    return PushedImageCheck(stored.digest, found, problems, notes)
