"""``shipit build`` as named steps: check inputs, build, read back and verify, smoke, receipt.

``build_image`` is the whole command without the CLI; every dependency that touches the outside
(processes, HTTP, clocks, the container runtime) is passed in through ``BuildDeps``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from shipit.config import ImageSection
from shipit.defaults import DEFAULT_HEALTH_PATH
from shipit.errors import ConfigError, EnvironmentProblem, Failed, UsageError
from shipit.image.backend import (
    Builder,
    BuildOutcome,
    BuildRequest,
    open_source,
)
from shipit.image.buildah import BuildahBuilder
from shipit.image.buildx import BuildxBuilder
from shipit.image.checks import Finding, check_tags
from shipit.image.emulated import EMULATORS, EmulatedRuntime, find_emulator
from shipit.image.git import GitInfo, read_commit, read_git_info, require_clean
from shipit.image.layers import LayerCache
from shipit.image.platforms import Platform, host_platform, parse_platform, parse_platforms
from shipit.image.receipt import (
    RECEIPT_PATH,
    BuildReceipt,
    ReceiptBaseImage,
    ReceiptGit,
    ReceiptLocal,
    ReceiptPlatform,
    ReceiptReproducible,
    read_receipt,
    write_receipt,
)
from shipit.image.registry import RegistryClient
from shipit.image.registry_auth import registry_login
from shipit.image.reproducible import (
    CommitsDiffer,
    NotReproducible,
    base_images,
    export_commit,
    judge,
)
from shipit.image.reproducible_check import again, against_request, check_reproducible, stamp
from shipit.image.runner import LineSink, Runner
from shipit.image.smoke import (
    ContainerRuntime,
    DockerRuntime,
    PodmanRuntime,
    SmokeResult,
    run_smoke,
    smoke_env,
)
from shipit.image.storage import BuildahStorage
from shipit.image.tags import ImageName, image_name
from shipit.image.verify import Verification, require_verified, verify_image
from shipit.net import free_port
from shipit.project_paths import OCI_LAYOUT
from shipit.types import Clock, Sleep

CA_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
              "/etc/ssl/cert.pem")
"""Where the system CA bundle lives (Debian, Fedora, Alpine/macOS): it carries any proxy CA."""
LAYOUT_DIR = OCI_LAYOUT


@dataclass(frozen=True)
class BuildOptions:
    platforms: Sequence[str] | None = None
    push: bool = False
    builder: str | None = None
    extra_tags: Sequence[str] = ()
    allow_dirty: bool = False
    smoke: bool = False
    ca_bundle: Path | None = None
    """Handed to the build as secret ``ca`` (pip's CA). None: the system bundle if there is one."""
    health_path: str = DEFAULT_HEALTH_PATH
    service_vars: Mapping[str, str] = field(default_factory=dict)
    build_args: Mapping[str, str] = field(default_factory=dict)
    """--build-arg values; they win over image.build_args."""
    check_reproducible: bool = False
    """Build a second time without cache and compare (exit 1 naming the first difference)."""
    against: str | None = None
    """With check_reproducible: build this commit-ish second, not the same tree again."""
    rebuild: bool = False
    """Build even when the last build had the same inputs (shipit.image.unchanged)."""


@dataclass
class BuildDeps:
    runner: Runner
    http: httpx.Client
    log: LineSink
    """Progress for people (stderr)."""
    tool_log: LineSink
    """Every line a builder prints (shown with -v)."""
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    clock: Clock = time.monotonic
    sleep: Sleep = time.sleep
    storage: BuildahStorage = field(default_factory=BuildahStorage.from_env)
    docker: Callable[[], ContainerRuntime | None] = DockerRuntime.connect
    host: Platform = field(default_factory=host_platform)
    layer_cache: LayerCache | None = field(default_factory=LayerCache.default)
    """Parsed layers by digest (~/.cache/shipit/layers); None reads every layer every time."""


def build_image(image: ImageSection, root: Path, options: BuildOptions,
                deps: BuildDeps) -> BuildReceipt:
    """Build, verify and (optionally) push and smoke-test; write and return the receipt."""
    started = deps.clock()
    if options.against is not None and not options.check_reproducible:
        raise UsageError(f"--against {options.against} needs --check-reproducible",
                         hint="shipit build --check-reproducible --against REF builds this"
                         " commit, then REF, and compares the two images")
    platforms = parse_platforms(options.platforms or image.platforms)
    sources = context, dockerfile = _inputs(image, root)
    git = read_git_info(deps.runner, context, ignore=[root / RECEIPT_PATH.parent])
    require_clean(git, options.allow_dirty)
    against = (read_commit(deps.runner, git, options.against)
               if options.against is not None else None)
    if options.push and not image.registry:
        raise UsageError("--push needs image.registry (a registry host such as 127.0.0.1:5000)",
                         hint="set [image] registry in shipit.toml; `shipit push` pushes to ECR")
    name = image_name(image.repository, git, registry=image.registry if options.push else None,
                      extra_tags=options.extra_tags)
    if name.registry:
        login = registry_login(name.registry)
        RegistryClient(name.registry, deps.http, login).ping()  # fail in a second, not later
    builder = choose_builder(options.builder or image.builder, deps)
    built_at = deps.now()
    repro = judge(git)
    if not repro.reproducible:
        deps.log("not reproducible: " + "; ".join(repro.reasons))
    user_args = {**image.build_args, **options.build_args}
    labels, build_args = stamp(git, repro, name, built_at, user_args)
    with tempfile.TemporaryDirectory(prefix="shipit-source-") as exported:
        if repro.reproducible:
            # The commit's files with normalised modes, not the work tree (umask, ignored files)
            context, dockerfile = export_commit(git, context, dockerfile, Path(exported))
        request = BuildRequest(
            context=context, dockerfile=dockerfile, platforms=platforms, host=deps.host,
            image=name, labels=labels, build_args=build_args,
            secrets=_secrets(options.ca_bundle), push=options.push,
            layout_dir=root / LAYOUT_DIR, source_date_epoch=repro.source_date_epoch,
        )
        inputs = (builder.inputs(request, git.sha)
                  if repro.reproducible and not options.push else None)
        previous = _previous(root) if inputs is not None else None
        reused = (builder.reuse(request, previous.local.images)
                  if previous is not None and previous.inputs == inputs
                  and not (options.rebuild or options.check_reproducible) else None)
        if reused is not None and previous is not None:
            deps.log(f"unchanged: {name.refs[0]} was built at {previous.created} from the same"
                     " commit, base image, builder command and arguments, and is still in"
                     " local storage: not built again (--rebuild builds it anyway)")
            outcome, built_at = reused, _parse_time(previous.created, built_at)
        else:
            deps.log(f"building {name.refs[0]} for {', '.join(map(str, platforms))} with "
                     f"{builder.name}" + (f" (SOURCE_DATE_EPOCH={repro.source_date_epoch})"
                                          if repro.reproducible else ""))
            outcome = builder.build(request, deps.tool_log)
        verification = _verify(outcome, name, platforms, options, deps)
        check = None
        if options.check_reproducible:
            second = (again(request) if against is None else against_request(
                request, against, sources, Path(exported) / "against", user_args))
            check = check_reproducible(builder, second, outcome, verification.digest, against,
                                       log=deps.log, tool_log=deps.tool_log, clock=deps.clock,
                                       http=deps.http)
    smoke = _smoke(outcome, verification, options, deps) if options.smoke else None
    outcome.timings["total"] = round(deps.clock() - started, 2)
    source = open_source(outcome.location, deps.http)
    base = ReceiptBaseImage(name=build_args.get("BASE_IMAGE"), digests=base_images(
        source, {i.platform: i.digest for i in verification.images}))
    receipt = _receipt(builder.name, git, name, labels, built_at, outcome, verification, smoke,
                       request, deps)
    receipt = receipt.model_copy(update={
        "source_date_epoch": repro.source_date_epoch,
        "reproducible": ReceiptReproducible(**repro.to_dict()), "base_image": base,
        "reproducibility_check": check.to_dict() if check else None,
        "inputs": inputs, "reused": reused is not None})
    write_receipt(receipt, root / RECEIPT_PATH)
    if check is not None and check.difference is not None:
        if against is not None:
            raise CommitsDiffer(check.difference, (git.sha, receipt.digest),
                                (against.sha, check.second_digest))
        raise NotReproducible(check.difference, receipt.digest, check.second_digest)
    return receipt


def _previous(root: Path) -> BuildReceipt | None:
    """The last build's receipt, or None when there is none that this shipit can read."""
    try:
        return read_receipt(root / RECEIPT_PATH)
    except UsageError:
        return None


def _parse_time(text: str, default: datetime) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return default


def _verify(outcome: BuildOutcome, name: ImageName, platforms: Sequence[Platform],
            options: BuildOptions, deps: BuildDeps) -> Verification:
    """Read the build back from where it went; every finding is logged; any failure raises."""
    deps.log(f"verifying {outcome.location} layer by layer")
    started = deps.clock()
    source = open_source(outcome.location, deps.http)
    verification = verify_image(source, outcome.location.reference, platforms,
                                cache=deps.layer_cache)
    if options.push:
        verification.findings.extend(_pushed_tags(name, verification.digest, deps.http))
    outcome.timings["verify"] = round(deps.clock() - started, 2)
    for finding in verification.findings:
        deps.log(("ok    " if finding.ok else "FAIL  ") + finding.message)
    require_verified(verification)
    if outcome.digest and outcome.digest != verification.digest:
        raise Failed(f"{outcome.builder} reported {outcome.digest} but {outcome.location} "
                     f"holds {verification.digest}")
    return verification


def _receipt(builder: str, git: GitInfo, name: ImageName, labels: dict[str, str],
             created: datetime, outcome: BuildOutcome, verification: Verification,
             smoke: list[SmokeResult] | None, request: BuildRequest,
             deps: BuildDeps) -> BuildReceipt:
    return BuildReceipt(
        created=created.strftime("%Y-%m-%dT%H:%M:%SZ"), builder=builder,
        git_sha=git.sha, tag=name.primary, digest=verification.digest,
        media_type=verification.media_type,
        platforms=[ReceiptPlatform(**i.to_dict()) for i in verification.images],
        local_image=outcome.local_list, registry=name.registry, repository=name.repository,
        name=name.name, tags=list(name.tags), refs=name.refs, pushed=request.push,
        git=ReceiptGit(**git.to_dict()), labels=labels,
        local=ReceiptLocal(
            oci_layout=None if request.push else str(request.layout_dir),
            images=outcome.local_images,
            storage=deps.storage.to_dict() if builder == "buildah" else None),
        verification={"ok": verification.ok,
                      "findings": [f.to_dict() for f in verification.findings]},
        smoke=[s.to_dict() for s in smoke] if smoke is not None else None,
        timings=outcome.timings,
    )


def parse_build_args(items: Sequence[str]) -> dict[str, str]:
    """``["BASE_IMAGE=debian:12", ...]`` -> dict; UsageError for an item without ``=``."""
    result: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"--build-arg {item!r} is not KEY=VALUE",
                             hint="e.g. --build-arg BASE_IMAGE=python:3.11-slim")
        result[key.strip()] = value
    return result


def choose_builder(preferred: str | None, deps: BuildDeps) -> Builder:
    """``--builder``/``image.builder`` if given, else buildx where it works, else buildah."""
    builders: dict[str, Builder] = {
        "buildx": BuildxBuilder(deps.runner),
        "buildah": BuildahBuilder(deps.runner, deps.storage),
    }
    if preferred is not None:
        if preferred not in builders:
            raise UsageError(f"unknown builder {preferred!r}; use buildx or buildah")
        chosen = builders[preferred]
        if not chosen.available():
            raise EnvironmentProblem(
                f"the {preferred} builder is not available on this machine",
                hint="install it (docker buildx plugin, or apt-get install buildah) "
                "or pick the other with --builder")
        return chosen
    for candidate in builders.values():
        if candidate.available():
            return candidate
    raise EnvironmentProblem("neither docker buildx nor buildah is available",
                             hint="apt-get install buildah, or install Docker with buildx")


def _pushed_tags(name: ImageName, digest: str, http: httpx.Client) -> list[Finding]:
    assert name.registry is not None
    client = RegistryClient(name.registry, http, registry_login(name.registry))
    found = {}
    for tag in name.tags:
        manifest = client.find_manifest(name.repository, tag)
        found[tag] = manifest.digest if manifest else None
    return check_tags(name.name, found, digest)


def _inputs(image: ImageSection, root: Path) -> tuple[Path, Path]:
    context = (root / image.context).resolve()
    dockerfile = (root / image.dockerfile).resolve()
    # The config refuses '..' and absolute paths; a symlink can still lead out, so check the
    # resolved paths too: a build reads nothing from outside the repository.
    home = root.resolve()
    for key, path in (("image.context", context), ("image.dockerfile", dockerfile)):
        if not path.is_relative_to(home):
            raise ConfigError(f"{key} resolves to {path}, outside the repository {home}",
                              key=key, hint="build inputs must be inside the folder of"
                              " shipit.toml; replace the symlink with the file itself")
    if not context.is_dir():
        raise ConfigError(f"build context {context} is not a directory", key="image.context",
                          hint="image.context is relative to shipit.toml")
    if not dockerfile.is_file():
        raise ConfigError(f"Dockerfile {dockerfile} does not exist", key="image.dockerfile",
                          hint="image.dockerfile is relative to shipit.toml")
    return context, dockerfile


def _secrets(ca_bundle: Path | None) -> dict[str, Path]:
    if ca_bundle is not None:
        if not ca_bundle.is_file():
            raise UsageError(f"CA bundle {ca_bundle} does not exist")
        return {"ca": ca_bundle}
    for candidate in CA_BUNDLES:
        if Path(candidate).is_file():
            return {"ca": Path(candidate)}
    return {}


def _smoke(outcome: BuildOutcome, verification: Verification, options: BuildOptions,
           deps: BuildDeps) -> list[SmokeResult]:
    """The local platform's image natively; every other one under qemu-user where possible."""
    platform = str(deps.host)
    if platform not in {i.platform for i in verification.images}:
        raise UsageError(f"--smoke runs the {platform} image, which this build does not include",
                         hint=f"add {platform} to --platform")
    runtime, image = _smoke_runtime(outcome, verification, platform, deps)
    results = [_smoke_one(runtime, image, platform, options, deps, timeout=60.0)]
    for other in (i.platform for i in verification.images if i.platform != platform):
        emulator = find_emulator(parse_platform(other))
        if emulator is None or other not in outcome.local_images:
            deps.log(f"smoke {other}: not started (needs the buildah builder, root and "
                     f"{EMULATORS[parse_platform(other).architecture]})")
            continue
        with tempfile.TemporaryDirectory(prefix="shipit-emulated-") as logs:
            emulated = EmulatedRuntime(deps.runner, deps.storage, emulator, Path(logs))
            results.append(_smoke_one(emulated, outcome.local_images[other], other, options,
                                      deps, timeout=180.0))
    for result in results:
        if not result.ok:
            raise Failed(f"smoke test of {result.platform} with {result.runtime} failed: "
                         f"{result.message}" + (f"\n{result.logs}" if result.logs else ""),
                         hint="run the image yourself with the same variables to see why")
    return results


def _smoke_one(runtime: ContainerRuntime, image: str, platform: str, options: BuildOptions,
               deps: BuildDeps, *, timeout: float) -> SmokeResult:
    port = free_port()
    url = f"http://127.0.0.1:{port}{options.health_path}"
    deps.log(f"smoke test: starting {platform} with {runtime.name}, waiting for {url}")

    def get_status(target: str) -> int:
        return deps.http.get(target, timeout=2.0).status_code

    result = run_smoke(runtime, image, platform, smoke_env(options.service_vars, port), url,
                       get_status, deps.clock, deps.sleep, timeout=timeout)
    deps.log(("ok    " if result.ok else "FAIL  ") +
             f"smoke {platform} ({runtime.name}): {result.message}")
    return result


def _smoke_runtime(outcome: BuildOutcome, verification: Verification, platform: str,
                   deps: BuildDeps) -> tuple[ContainerRuntime, str]:
    digest = next(i.digest for i in verification.images if i.platform == platform)
    if outcome.pushed_refs:
        docker = deps.docker()
        if docker is not None:
            name = outcome.pushed_refs[0].rsplit(":", 1)[0]
            return docker, f"{name}@{digest}"
    if platform in outcome.local_images:
        return PodmanRuntime(deps.runner, deps.storage), outcome.local_images[platform]
    raise UsageError("--smoke needs a Docker daemon and --push, or the buildah builder",
                     hint="add --push, or use --builder buildah")
