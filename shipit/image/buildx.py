"""The Docker builder: one ``docker buildx build`` for every platform, with a registry cache.

BuildKit defines BUILDPLATFORM/TARGETARCH itself and builds the platforms in one go. The
manifest list digest comes from ``--metadata-file`` (``containerimage.digest``). Unpushed
builds are written as an OCI layout directory; pushed builds share a registry build cache at
``<repository>:buildcache``.

``--cache-from``, ``--cache-to``, ``--output`` and ``--secret`` take comma-separated
``key=value`` fields that buildx reads as CSV: an image name outside the OCI grammar is refused
here (a registry ``host,type=local,dest=/x`` would add fields of its own), and every other
field that holds a comma or a quote (a path) is quoted the CSV way.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shipit.errors import Failed, RegistryUnreachable, UsageError
from shipit.image.backend import BuildOutcome, BuildRequest, LayoutLocation, RegistryLocation
from shipit.image.runner import LineSink, Runner
from shipit.oci_grammar import registry_problem, repository_problem

CACHE_TAG = "buildcache"
DIGEST_KEY = "containerimage.digest"


def csv_fields(*fields: str) -> str:
    """One buildx option value: fields joined by commas, quoted as CSV where they need it."""
    return ",".join(f'"{f.replace(chr(34), chr(34) * 2)}"' if any(c in f for c in ',"\r\n')
                    else f for f in fields)


def checked_name(request: BuildRequest) -> str:
    """The image name, refused unless registry and repository follow the OCI grammar."""
    image = request.image
    problem = (registry_problem(image.registry) if image.registry else None) or (
        repository_problem(image.repository))
    if problem:
        raise UsageError(f"image name {image.name!r} cannot be handed to docker buildx: {problem}",
                         hint="fix image.registry / image.repository in shipit.toml")
    return image.name


def buildx_argv(request: BuildRequest, metadata_file: Path) -> list[str]:
    name = checked_name(request)
    argv = ["docker", "buildx", "build",
            "--platform", ",".join(str(p) for p in request.platforms),
            "-f", str(request.dockerfile), "--metadata-file", str(metadata_file)]
    args = dict(request.build_args)
    rewrite: tuple[str, ...] = ()
    if request.source_date_epoch is not None:
        # BuildKit stamps the image config and history with SOURCE_DATE_EPOCH, and
        # rewrite-timestamp clamps the layers' file times to it (BuildKit 0.13+).
        args["SOURCE_DATE_EPOCH"] = str(request.source_date_epoch)
        rewrite = ("rewrite-timestamp=true",)
    if request.no_cache:
        argv.append("--no-cache")
    for key, value in args.items():
        argv += ["--build-arg", f"{key}={value}"]
    for key, value in request.labels.items():
        argv += ["--label", f"{key}={value}"]
    for secret_id, path in request.secrets.items():
        argv += ["--secret", csv_fields(f"id={secret_id}", f"src={path}")]
    if request.push:
        for ref in request.image.refs:
            argv += ["--tag", ref]
        cache = f"ref={name}:{CACHE_TAG}"
        argv += ["--cache-from", csv_fields("type=registry", cache),
                 "--cache-to", csv_fields("type=registry", cache, "mode=max",
                                          "image-manifest=true", "oci-mediatypes=true"),
                 "--output", csv_fields("type=image", "push=true", *rewrite,
                                        *_registry_insecure(request))]
    else:
        argv += ["--output", csv_fields("type=oci", f"dest={request.layout_dir}", "tar=false",
                                        f"name={request.local_name or request.image.refs[0]}",
                                        *rewrite)]
    return [*argv, str(request.context)]


def read_metadata(path: Path) -> str:
    """The manifest list digest from buildx's metadata file; Failed if it is not there."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Failed("docker buildx wrote no metadata file; cannot tell what it built") from None
    except json.JSONDecodeError as exc:
        raise Failed(f"docker buildx's metadata file is not JSON: {exc}") from None
    digest = data.get(DIGEST_KEY) if isinstance(data, dict) else None
    if not isinstance(digest, str) or not digest.startswith("sha256:"):
        raise Failed(f"docker buildx's metadata file has no {DIGEST_KEY}")
    return digest


class BuildxBuilder:
    name = "buildx"

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def available(self) -> bool:
        if shutil.which("docker") is None:
            return False
        return self.runner.run(["docker", "buildx", "version"]).ok

    def inputs(self, request: BuildRequest, git_sha: str) -> None:
        """Not known: BuildKit's own cache decides what runs again (every build runs)."""
        return

    def reuse(self, request: BuildRequest, images: Mapping[str, str]) -> None:
        return None

    def build(self, request: BuildRequest, log: LineSink) -> BuildOutcome:
        log(f"building {', '.join(map(str, request.platforms))} with docker buildx")
        if not request.push:
            shutil.rmtree(request.layout_dir, ignore_errors=True)
            request.layout_dir.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="shipit-buildx-") as tmp:
            metadata = Path(tmp) / "metadata.json"
            done = self.runner.run(buildx_argv(request, metadata), on_line=log)
            if not done.ok:
                text = done.tail()
                if request.push and _looks_unreachable(text):
                    raise RegistryUnreachable(f"docker buildx could not push: {text}",
                                              hint="start the registry or fix image.registry")
                raise Failed(f"docker buildx build failed:\n{text}")
            digest = read_metadata(metadata)
        timings = {"build": round(done.seconds, 2)}
        if request.push:
            assert request.image.registry is not None
            location: RegistryLocation | LayoutLocation = RegistryLocation(
                request.image.registry, request.image.repository, digest)
            return BuildOutcome(self.name, location, digest, list(request.image.refs),
                                timings=timings)
        return BuildOutcome(self.name, LayoutLocation(request.layout_dir, digest), digest,
                            timings=timings)


def _registry_insecure(request: BuildRequest) -> list[str]:
    return [] if request.tls_verify() else ["registry.insecure=true"]


def _looks_unreachable(text: str) -> bool:
    lowered = text.lower()
    return any(m in lowered for m in ("connection refused", "no such host", "i/o timeout"))
