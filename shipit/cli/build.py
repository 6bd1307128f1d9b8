"""``shipit build``: one manifest list for every platform, verified down to the ELF headers."""

from __future__ import annotations

from pathlib import Path

import typer

from shipit.cli.context import get_context
from shipit.image_ref import check_tag


def build_command(
    ctx: typer.Context,
    platform: str | None = typer.Option(
        None, "--platform",
        help="Comma list, e.g. linux/amd64,linux/arm64 (default: image.platforms).",
    ),
    push: bool = typer.Option(False, "--push", help="Push every tag to image.registry."),
    builder: str | None = typer.Option(
        None, "--builder",
        help="buildx or buildah (default: image.builder, else buildx if present).",
    ),
    tag: list[str] = typer.Option([], "--tag", help="An extra tag (repeatable)."),
    allow_dirty: bool = typer.Option(
        False, "--allow-dirty", help="Build uncommitted changes; the tag then ends in -dirty."
    ),
    smoke: bool = typer.Option(
        False, "--smoke", help="Run the local platform's image and wait for its health URL."
    ),
    build_arg: list[str] = typer.Option(
        [], "--build-arg", help="KEY=VALUE for the Dockerfile, over image.build_args (repeatable)."
    ),
    check_reproducible: bool = typer.Option(
        False, "--check-reproducible",
        help="Build a second time without cache and compare; exit 1 naming the first "
        "differing platform, layer and file.",
    ),
    against: str | None = typer.Option(
        None, "--against", metavar="REF",
        help="With --check-reproducible: build commit REF second (any commit-ish, e.g. HEAD~1)"
        " and compare; exit 1 naming the first file whose content differs.",
    ),
    rebuild: bool = typer.Option(
        False, "--rebuild",
        help="Build even when the last build was made from the same commit and inputs.",
    ),
    ca_bundle: Path | None = typer.Option(
        None, "--ca-bundle", envvar="SHIPIT_CA_BUNDLE",
        help="CA bundle handed to the build as secret 'ca' (default: the system bundle).",
    ),
) -> None:
    """Build the image for every platform, verify it layer by layer, optionally push and smoke.

    Tags: the full git commit sha and latest. Verification fails the build when a platform is
    missing or when the program the image runs is an ELF binary for another CPU.
    The receipt is written to .shipit/build-receipt.json (push and deploy read it).
    A clean tree is built from its commit, stamped with the commit's time: the same commit
    and base image give the same digest (a dirty tree is built as is, and says so). So a
    commit already built from the same inputs, still in local storage, is verified again
    instead of built again (--rebuild builds anyway).

    Example: shipit build --platform linux/amd64,linux/arm64 --push --smoke

    Example: shipit build --build-arg BASE_IMAGE=$(scripts/make-base-image) --smoke

    Example: shipit build --check-reproducible

    Example: shipit build --check-reproducible --against HEAD~1 --platform linux/amd64
    """
    import httpx

    from shipit.config.origins import task_environment
    from shipit.image.pipeline import BuildDeps, BuildOptions, build_image, parse_build_args
    from shipit.image.render import render_receipt
    from shipit.image.runner import SubprocessRunner

    app = get_context(ctx)
    for extra in tag:
        check_tag(extra)
    settings = app.settings
    out = app.output
    options = BuildOptions(
        platforms=[platform] if platform else None, push=push, builder=builder,
        extra_tags=tag, allow_dirty=allow_dirty, smoke=smoke, ca_bundle=ca_bundle,
        health_path=settings.http.health_path, service_vars=task_environment(settings),
        build_args=parse_build_args(build_arg), check_reproducible=check_reproducible,
        rebuild=rebuild, against=against,
    )
    with httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)) as http:
        deps = BuildDeps(runner=SubprocessRunner(), http=http, log=out.step, tool_log=out.debug)
        receipt = build_image(settings.image, app.config.root, options, deps)
    done = "unchanged since " + receipt.created + ", verified" if receipt.reused else \
        "built and verified"
    out.success(f"{done} {receipt.refs[0]} ({receipt.digest})")
    out.result({"ok": True, "receipt": receipt.to_dict()},
               human=lambda console: render_receipt(console, receipt))


def register(app: typer.Typer) -> None:
    app.command("build")(build_command)
