"""image.platform: the image's manifest holds the platform the task runs on (exec format error)."""

from __future__ import annotations

from shipit.doctor.facts import Snapshot
from shipit.doctor.finding import Verdict, failed, passed, warned

FIX = (
    "build for the task's platform: set image.platforms to include it in shipit.toml and run"
    " `shipit build --push` (docker buildx build --platform linux/amd64,linux/arm64 --push),"
    " or set the task definition's runtimePlatform.cpuArchitecture to match the image"
)


def platform(s: Snapshot) -> Verdict:
    task = s.task_definition.need()
    found = s.image.need()
    wanted = task.platform
    if found.platforms is None:
        return warned(
            f"cannot read the platform of {found.reference}",
            f"{found.media_type} manifest without a platform list; the task runs {wanted}",
            FIX,
        )
    listed = ", ".join(found.platforms) or "none"
    if wanted not in found.platforms:
        return failed(
            f"the image has no {wanted} variant (it has {listed})",
            f"task {task.family}:{task.revision} runs {wanted}; its containers would stop with"
            " `exec format error` (the checklist's M1/M2 trap).",
            FIX,
        )
    return passed(
        f"{wanted} is in the image ({listed})",
        "checked from the manifest; a foreign binary inside a correctly labelled image shows up"
        " only at run time (deploy classifies it as exec format error)",
    )
