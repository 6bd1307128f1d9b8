"""`shipit push`: put the built image in ECR under its sha tag and ``latest``, and prove it.

Library entry point: ``push_configured(settings, aws, ...)``; the steps are in ``run.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from shipit.errors import ConfigError
from shipit.image.receipt import RECEIPT_PATH
from shipit.push.receipt import BuiltImage, load_built_image
from shipit.push.run import Progress, PushReport, PushRequest, push

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings
    from shipit.push.builder import Pusher

__all__ = ["RECEIPT_PATH", "BuiltImage", "PushReport", "PushRequest", "push", "push_configured"]


def push_configured(
    settings: Settings,
    aws: AwsSession,
    *,
    receipt: Path,
    progress: Progress,
    tag: str | None = None,
    dry_run: bool = False,
    pusher: Pusher | None = None,
) -> PushReport:
    """Push what the build receipt at ``receipt`` describes, as configured in ``settings``."""
    import httpx

    from shipit.push.builder import BuildahPusher, receipt_storage
    from shipit.push.layers import LayerInventory

    repository = settings.image.repository
    if not repository:
        raise ConfigError("image.repository is not set", key="image.repository",
                          hint='add repository = "NAME" under [image] in shipit.toml')
    image = load_built_image(receipt)
    request = PushRequest(repository=repository, region=aws.region, image=image,
                          tag=tag or image.tag, registry=settings.image.registry,
                          dry_run=dry_run)
    with httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)) as http:
        inventory = LayerInventory.of_build(image.oci_layout, image.pushed_ref, image.tag, http)
        if pusher is not None:
            return push(request, aws=aws, pusher=pusher, progress=progress, inventory=inventory)
        with BuildahPusher(storage=receipt_storage(image.storage)) as own:  # removes the login
            return push(request, aws=aws, pusher=own, progress=progress, inventory=inventory)
