"""Which builder the demo can use here, and a base image it can build on without a registry.

No image can be pulled on many machines (air-gapped, proxies, rate limits). buildah builds on
a base image already in its local storage: the configured one (``image.build_args.BASE_IMAGE``,
else the Dockerfile's ``ARG BASE_IMAGE=`` default) when present, else the Debian-made one of
scripts/make-base-image (debootstrap, cached). When neither works the demo builds nothing and
says why; the sandbox then runs the sample service from source anyway.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from shipit.config import ImageSection
from shipit.image.buildah import BuildahBuilder
from shipit.image.buildx import BuildxBuilder
from shipit.image.runner import LineSink, Runner
from shipit.image.storage import BuildahStorage

BUILDERS = ("auto", "buildah", "buildx", "none")
SCRIPT = Path("scripts") / "make-base-image"
_ARG = re.compile(r"^\s*ARG\s+BASE_IMAGE=(\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class BuilderChoice:
    name: str
    """buildah | buildx | none"""
    base_image: str | None = None
    """BASE_IMAGE to pass (None: the configured one, as is)."""
    reason: str = ""
    """Why this builder (or why none): said to the user."""
    failed: bool = False
    """True when the builder was asked for by name and cannot work: the build step fails."""


def configured_base(image: ImageSection, dockerfile: Path) -> str | None:
    if image.build_args.get("BASE_IMAGE"):
        return image.build_args["BASE_IMAGE"]
    try:
        match = _ARG.search(dockerfile.read_text(encoding="utf-8"))
    except OSError:
        return None
    return match.group(1) if match else None


def in_local_storage(runner: Runner, storage: BuildahStorage, name: str) -> bool:
    """Is ``name`` an image or a manifest list in buildah's storage (no pull attempted)?"""
    # `inspect --type`, not `manifest inspect`: the latter asks the remote registry when absent.
    base = ["buildah", *storage.flags(), "inspect", "--type"]
    return runner.run([*base, "manifest", name]).ok or runner.run([*base, "image", name]).ok


def make_base_image(script: Path, runner: Runner, log: LineSink) -> tuple[str | None, str]:
    """Run scripts/make-base-image; (image name, "") or (None, why it failed)."""
    if not script.is_file():
        return None, f"{script} is not there (run the demo from a clone of the repository)"
    if os.geteuid() != 0:
        return None, "scripts/make-base-image needs root (debootstrap, buildah mount)"
    if shutil.which("debootstrap") is None:
        return None, "debootstrap is not installed (apt-get install debootstrap)"
    lines: list[str] = []

    def keep(line: str) -> None:
        lines.append(line)
        if line.startswith("make-base-image:"):
            log(line)

    done = runner.run([str(script)], on_line=keep)
    names = [ln for ln in lines if ln.startswith("localhost/")]
    if not done.ok or not names:
        last = next((ln for ln in reversed(lines) if ln.strip()), f"exit {done.returncode}")
        return None, f"scripts/make-base-image failed (no Debian mirror reachable?): {last}"
    return names[-1].strip(), ""


def choose(
    wanted: str, image: ImageSection, root: Path, runner: Runner, storage: BuildahStorage,
    log: LineSink,
) -> BuilderChoice:
    """buildx where it works, else buildah with a local base image, else none (said why)."""
    if wanted == "none":
        return BuilderChoice("none", reason="--builder none")
    if wanted in ("auto", "buildx") and BuildxBuilder(runner).available():
        return BuilderChoice("buildx", reason="docker buildx is available")
    if wanted == "buildx":
        return BuilderChoice("buildx", reason="docker buildx is not available here", failed=True)
    if not BuildahBuilder(runner, storage).available():
        return BuilderChoice("none", reason="neither docker buildx nor buildah is installed",
                             failed=wanted == "buildah")
    base = configured_base(image, (root / image.dockerfile).resolve())
    if base and in_local_storage(runner, storage, base):
        return BuilderChoice("buildah", None, f"buildah, base image {base} (local)")
    log(f"base image {base or '(none configured)'} is not in buildah's local storage and cannot"
        " be pulled here: using scripts/make-base-image's instead (Debian bookworm via"
        " debootstrap: made once, ~1-2 min, then found in local storage at once)")
    made, why = make_base_image(root / SCRIPT, runner, log)
    if made is None:
        return BuilderChoice("none", reason=f"no base image: {why}", failed=wanted == "buildah")
    return BuilderChoice("buildah", made, f"buildah, base image {made} (scripts/make-base-image)")
