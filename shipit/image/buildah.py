"""The daemonless builder: buildah, one build per platform, joined under one manifest list.

Works around two buildah 1.28 defects (docs/commands/build-push.md): it does not define
BUILDPLATFORM, TARGETPLATFORM, TARGETOS, TARGETARCH for FROM lines, so they are passed as build
args; and a plain final ``FROM ${BASE_IMAGE}`` may reuse the build platform's base (caught by
verification).
Storage flags are always explicit (buildah ignores STORAGE_DRIVER): shipit.image.storage.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from shipit.errors import EnvironmentProblem, Failed, RegistryUnreachable, ShipitError
from shipit.image.backend import (
    BuildOutcome,
    BuildRequest,
    ImageLocation,
    LayoutLocation,
    RegistryLocation,
)
from shipit.image.manifest import ImageIndex, ImageManifest, parse_manifest
from shipit.image.oci_layout import OciLayoutSource
from shipit.image.platforms import Platform
from shipit.image.runner import Completed, LineSink, Runner
from shipit.image.storage import BuildahStorage
from shipit.image.unchanged import inputs_digest, resolve_bases


def platform_build_args(target: Platform, host: Platform) -> dict[str, str]:
    """The automatic platform ARGs BuildKit defines, which buildah 1.28 leaves empty."""
    return {
        "BUILDPLATFORM": str(host),
        "BUILDOS": host.os,
        "BUILDARCH": host.architecture,
        "TARGETPLATFORM": str(target),
        "TARGETOS": target.os,
        "TARGETARCH": target.architecture,
    }


def build_argv(storage: BuildahStorage, request: BuildRequest, target: Platform,
               iidfile: Path) -> list[str]:
    argv = ["buildah", *storage.flags(), "build", "--isolation", "chroot", "--layers",
            "--platform", str(target), "--iidfile", str(iidfile), "-f", str(request.dockerfile)]
    if request.source_date_epoch is not None:
        # Every created time and every file time in the new layers become the commit's time;
        # no io.buildah.version label (the builder's version is a fact of the build host) and
        # no history (it names intermediate image ids). buildah 1.28's layer cache ignores
        # --timestamp: a step cached by another commit's build would bring that commit's time
        # with it, so every step runs (RUN downloads stay cached in their cache mounts).
        argv += ["--timestamp", str(request.source_date_epoch), "--identity-label=false",
                 "--omit-history", "--no-cache"]
    elif request.no_cache:
        argv.append("--no-cache")
    args = {**platform_build_args(target, request.host), **request.build_args}
    for key, value in args.items():
        argv += ["--build-arg", f"{key}={value}"]
    for key, value in request.labels.items():
        argv += ["--label", f"{key}={value}"]
    for secret_id, path in request.secrets.items():
        argv += ["--secret", f"id={secret_id},src={path}"]
    return [*argv, str(request.context)]


def manifest_push_argv(storage: BuildahStorage, list_name: str, destination: str, *,
                       tls_verify: bool = True, authfile: Path | None = None) -> list[str]:
    """The one ``buildah manifest push --all`` command line (build's export/push and ``push``).

    ``destination`` is e.g. ``docker://127.0.0.1:5000/articles:<sha>`` or ``oci:/dir:tag``.
    Credentials come from ``authfile`` or ``buildah login``, never from arguments.
    No ``--digestfile``: buildah 1.28 writes it over the push's error, so a push the registry
    refused (an immutable tag taken) exits 0 with an empty file. The exit status is trusted,
    and the digest is read back from where the list went (the build verifies; push asks ECR).
    """
    argv = ["buildah", *storage.flags(), "manifest", "push", "--all", "--quiet"]
    if destination.startswith("docker://"):
        argv.append(f"--tls-verify={'true' if tls_verify else 'false'}")
    if authfile is not None:
        argv += ["--authfile", str(authfile)]
    return [*argv, list_name, destination]


def push_manifest_list(runner: Runner, storage: BuildahStorage, list_name: str,
                       destination: str, *, tls_verify: bool = True,
                       authfile: Path | None = None) -> None:
    """Run ``manifest_push_argv``; a non-zero exit is RegistryUnreachable or Failed."""
    done = runner.run(manifest_push_argv(storage, list_name, destination,
                                         tls_verify=tls_verify, authfile=authfile))
    if not done.ok:
        raise _push_error(destination, done)


BUILD_ATTEMPTS = 3
"""A build that failed for a transient cause (``transient_failure``) runs again, up to this."""

_TRANSIENT = {
    # containers/storage's re-exec of buildah (every RUN step with chroot isolation, when it
    # cannot bind-mount its own binary) copies the binary into a memfd and seals it; the kernel
    # refuses the seal with EBUSY while another user briefly pins the pages. Seen on CI here.
    "sealing memfd copy": "the kernel refused to seal buildah's copy of itself (EBUSY)",
}


def transient_failure(done: Completed) -> str | None:
    """Why a failed build may succeed when run again unchanged, or None (then it won't)."""
    if done.ok:
        return None
    text = done.stdout + done.stderr
    return next((cause for marker, cause in _TRANSIENT.items() if marker in text), None)


class BuildahBuilder:
    name = "buildah"

    def __init__(self, runner: Runner, storage: BuildahStorage | None = None) -> None:
        self.runner = runner
        self.storage = storage or BuildahStorage.from_env()

    def available(self) -> bool:
        return shutil.which("buildah") is not None

    def build(self, request: BuildRequest, log: LineSink) -> BuildOutcome:
        images, timings = self.build_images(request, log)
        return self.finish(request, images, timings)

    def inputs(self, request: BuildRequest, git_sha: str) -> str | None:
        """The digest of what this build is made from (shipit.image.unchanged): the commit,
        the command line per platform, the base images as local storage holds them now.
        None when a base is not in local storage (the build would pull it)."""
        bases = resolve_bases(request, self._identify)
        if bases is None:
            return None
        argv = {str(target): build_argv(self.storage, request, target, Path("/iidfile"))
                for target in request.platforms}
        return inputs_digest(git_sha, argv, bases, hidden={str(request.context): "<context>"})

    def _identify(self, name: str) -> str | None:
        """What ``name`` is in local storage now (never asks a registry), or None."""
        bh = ["buildah", *self.storage.flags()]
        listed = self.runner.run([*bh, "images", "--no-trunc", "--format", "{{.ID}}", name])
        ids = listed.stdout.split()
        if not listed.ok or len(ids) != 1:
            return None
        identity = f"image {ids[0]}"
        if self.runner.run([*bh, "manifest", "exists", name]).ok:  # a list: every platform
            inspected = self.runner.run([*bh, "manifest", "inspect", name])
            if not inspected.ok:
                return None
            digest = hashlib.sha256(inspected.stdout.encode("utf-8")).hexdigest()
            identity += f", list sha256:{digest}"
        return identity

    def reuse(self, request: BuildRequest, images: Mapping[str, str]) -> BuildOutcome | None:
        """The last build's outcome when its images are all still in local storage and the
        OCI layout holds them under the tag (an unpushed build); else None."""
        if request.push or set(images) != {str(t) for t in request.platforms}:
            return None
        bh = ["buildah", *self.storage.flags()]
        list_name = request.local_name or request.image.refs[0]
        if not self.runner.run([*bh, "manifest", "exists", list_name]).ok:
            return None
        for image_id in images.values():
            inspect = [*bh, "inspect", "--type", "image", "--format", "{{.FromImageID}}"]
            if not self.runner.run([*inspect, image_id]).ok:
                return None
        if not layout_holds(request.layout_dir, request.image.primary, images):
            return None
        location = LayoutLocation(request.layout_dir, request.image.primary)
        return BuildOutcome(self.name, location, None, [], list_name, dict(images), {})

    def build_images(self, request: BuildRequest, log: LineSink
                     ) -> tuple[dict[str, str], dict[str, float]]:
        """One image per platform in local storage: platform -> image id (its config digest).

        The platforms are built at the same time: each build mostly waits (on its RUN steps'
        cache mounts, on commits to storage), so two at once take about as long as one.
        """
        images: dict[str, str] = {}
        timings: dict[str, float] = {}
        with tempfile.TemporaryDirectory(prefix="shipit-build-") as tmp, \
                ThreadPoolExecutor(max_workers=max(1, len(request.platforms))) as pool:
            futures = [(target, pool.submit(self._build_one, request, target, Path(tmp), log))
                       for target in request.platforms]
            failures = []
            for target, future in futures:
                done, image_id = future.result()
                if not done.ok:
                    failures.append(Failed(f"buildah could not build {target} from"
                                           f" {request.dockerfile}:\n{done.tail()}"))
                    continue
                images[str(target)] = image_id
                timings[f"build {target}"] = round(done.seconds, 2)
        if failures:
            raise failures[0]
        return images, timings

    def _build_one(self, request: BuildRequest, target: Platform, tmp: Path, log: LineSink
                   ) -> tuple[Completed, str]:
        iidfile = tmp / f"iid-{target.architecture}"
        log(f"building {target} with buildah (RUN steps on {request.host})")
        prefix = f"[{target.architecture}] " if len(request.platforms) > 1 else ""
        for attempt in range(1, BUILD_ATTEMPTS + 1):
            done = self.runner.run(build_argv(self.storage, request, target, iidfile),
                                   on_line=lambda line: log(prefix + line))
            cause = transient_failure(done)
            if cause is None or attempt == BUILD_ATTEMPTS:
                break
            log(f"{prefix}buildah failed before the step ran ({cause}); building {target}"
                f" again, attempt {attempt + 1} of {BUILD_ATTEMPTS}")
        image_id = iidfile.read_text(encoding="utf-8").strip() if done.ok else ""
        return done, image_id

    def finish(self, request: BuildRequest, images: dict[str, str],
               timings: dict[str, float] | None = None) -> BuildOutcome:
        """Join the images under one manifest list, then push it or export it."""
        timings = dict(timings or {})
        list_name = request.local_name or request.image.refs[0]
        self._make_list(list_name, images)
        started = time.monotonic()
        location: ImageLocation
        if request.push:
            location, digest, pushed = self._push(request, list_name)
            timings["push"] = round(time.monotonic() - started, 2)
        else:
            (location, digest), pushed = self._export(request, list_name, images), []
            timings["export"] = round(time.monotonic() - started, 2)
        return BuildOutcome(self.name, location, digest or None, pushed, list_name, images,
                            timings)

    def _make_list(self, list_name: str, images: Mapping[str, str]) -> None:
        bh = ["buildah", *self.storage.flags()]
        self.runner.run([*bh, "manifest", "rm", list_name])  # a rebuild of the same commit
        created = self.runner.run([*bh, "manifest", "create", list_name])
        if not created.ok:
            raise EnvironmentProblem(f"buildah manifest create {list_name} failed:\n"
                                     f"{created.tail()}")
        for image_id in images.values():
            added = self.runner.run([*bh, "manifest", "add", list_name, image_id])
            if not added.ok:
                raise EnvironmentProblem(f"buildah manifest add failed:\n{added.tail()}")

    def _push(self, request: BuildRequest, list_name: str
              ) -> tuple[RegistryLocation, None, list[str]]:
        registry = request.image.registry
        assert registry is not None
        for ref in request.image.refs:  # every tag is read back and compared by the verifier
            push_manifest_list(self.runner, self.storage, list_name, f"docker://{ref}",
                               tls_verify=request.tls_verify())
        location = RegistryLocation(registry, request.image.repository, request.image.primary)
        return location, None, list(request.image.refs)

    def _export(self, request: BuildRequest, list_name: str, images: Mapping[str, str]
                ) -> tuple[LayoutLocation, None]:
        tag = request.image.primary
        if layout_holds(request.layout_dir, tag, images):
            # The same configs (so the same layers): compressing ~100 MB again would only
            # write the same blobs. The verifier still reads the layout back.
            return LayoutLocation(request.layout_dir, tag), None
        shutil.rmtree(request.layout_dir, ignore_errors=True)
        request.layout_dir.parent.mkdir(parents=True, exist_ok=True)
        push_manifest_list(self.runner, self.storage, list_name,
                           f"oci:{request.layout_dir}:{tag}")
        return LayoutLocation(request.layout_dir, tag), None


def layout_holds(layout: Path, tag: str, images: Mapping[str, str]) -> bool:
    """Whether the OCI layout's ``tag`` is an index of exactly these images (by config digest,
    which is what buildah's image ids are)."""
    if not (layout / "index.json").is_file():
        return False
    try:
        source = OciLayoutSource(layout)
        index = parse_manifest(source.manifest(tag))
        if not isinstance(index, ImageIndex):
            return False
        configs = {}
        for entry in index.images:
            manifest = parse_manifest(source.manifest(entry.digest))
            if not isinstance(manifest, ImageManifest) or not all(
                    source.has_blob(layer.digest) for layer in manifest.layers):
                return False
            configs[entry.platform_text] = manifest.config.digest
    except (ShipitError, OSError, ValueError):
        return False
    return configs == dict(images)


def _push_error(destination: str, done: Completed) -> Exception:
    text = done.tail()
    unreachable = ("connection refused", "no such host", "i/o timeout", "server gave http response")
    if any(marker in text.lower() for marker in unreachable):
        return RegistryUnreachable(f"could not push to {destination}: {text}",
                                   hint="start the registry, or fix image.registry in shipit.toml")
    return Failed(f"buildah manifest push to {destination} failed:\n{text}")
