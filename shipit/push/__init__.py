"""`shipit push`: put the built image in ECR under its sha tag and ``latest``, and prove it.

Library entry point: ``run(settings, aws, PushOptions(...), progress=...)``; the steps are in
``steps.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shipit.errors import ConfigError
from shipit.image.receipt import RECEIPT_PATH
from shipit.push.receipt import BuiltImage, load_built_image
from shipit.push.steps import Progress, PushReport, PushRequest, push

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings
    from shipit.push.builder import Pusher

__all__ = ["RECEIPT_PATH", "BuiltImage", "PushOptions", "PushReport", "PushRequest", "push",
           "run"]


@dataclass(frozen=True)
class PushOptions:
    """What `shipit push` is asked: which build, under which tag, for real or as a plan."""

    receipt: Path
    """The build receipt (``RECEIPT_PATH`` under the project's root)."""
    tag: str | None = None
    """The immutable tag (default: the receipt's, the git sha)."""
    dry_run: bool = False


def run(
    settings: Settings, aws: AwsSession, options: PushOptions, *, progress: Progress,
    pusher: Pusher | None = None,
) -> PushReport:
    """Push what the build receipt describes, as configured in ``settings``."""
    import httpx

    from shipit.push.builder import BuildahPusher, receipt_storage
    from shipit.push.layers import LayerInventory

    repository = settings.image.repository
    if not repository:
        raise ConfigError("image.repository is not set", key="image.repository",
                          hint='add repository = "NAME" under [image] in shipit.toml')
    image = load_built_image(options.receipt)
    request = PushRequest(repository=repository, region=aws.region, image=image,
                          tag=options.tag or image.tag, registry=settings.image.registry,
                          dry_run=options.dry_run)
    with httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)) as http:
        inventory = LayerInventory.of_build(image.oci_layout, image.pushed_ref, image.tag, http)
        if pusher is not None:
            return push(request, aws=aws, pusher=pusher, progress=progress, inventory=inventory)
        with BuildahPusher(storage=receipt_storage(image.storage)) as own:  # removes the login
            return push(request, aws=aws, pusher=own, progress=progress, inventory=inventory)
