"""The registry data plane: the builder logs in and pushes, as a subprocess (argument lists only).

The registry password goes to the builder on stdin (``--password-stdin``), never in argv,
never in a message: every text that comes back from the builder is scrubbed of it first.
buildah's storage is the one the build used: the receipt's ``local.storage``, else
SHIPIT_BUILDAH_ROOT/RUNROOT and SHIPIT_STORAGE_DRIVER (shipit.image.buildah.BuildahStorage).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from shipit.aws.ecr import RegistryLogin
from shipit.errors import AccessDenied, EnvironmentProblem, Failed, RegistryUnreachable
from shipit.image.runner import Completed, Runner, SubprocessRunner
from shipit.image.storage import BuildahStorage
from shipit.push.target import Target

_UNREACHABLE = ("connection refused", "no such host", "i/o timeout", "dial tcp",
                "network is unreachable", "connection reset", "tls handshake timeout")
_DENIED = ("unauthorized", "authentication required", "denied", "403 forbidden")
_TAG_TAKEN = ("tag invalid", "already exists", "cannot be overwritten", "tag_invalid")
_NO_IMAGE = ("image not known", "no such image", "not a manifest list", "locating image")


class Pusher(Protocol):
    """A builder that can log in to a registry and push a multi-platform image to it."""

    def login(self, target: Target, login: RegistryLogin) -> None: ...

    def push(self, source: str, target: Target, tag: str) -> None:
        """Push ``source`` (every platform) as ``target:tag``."""
        ...


class BuildahPusher:
    """buildah: ``login --password-stdin`` and ``manifest push --all``."""

    def __init__(self, *, runner: Runner | None = None, storage: BuildahStorage | None = None
                 ) -> None:
        self._runner = runner or SubprocessRunner()
        self._base = ["buildah", *(storage or BuildahStorage.from_env()).flags()]
        self._secrets: list[str] = []

    def login(self, target: Target, login: RegistryLogin) -> None:
        self._secrets.append(login.password)
        argv = [*self._base, "login", "--username", login.username, "--password-stdin",
                *self._tls(target), target.host]
        done = self._runner.run(argv, stdin=login.password + "\n")
        if done.returncode != 0:
            raise self._error("log in to", target.ref("*"), done)

    def push(self, source: str, target: Target, tag: str) -> None:
        # No --digestfile: with it, buildah 1.28's `manifest push` exits 0 even when the
        # registry refuses the manifest (seen here with an immutable tag). The digest is read
        # back from the ECR API instead, which is where push verifies anyway.
        ref = target.ref(tag)
        argv = [*self._base, "manifest", "push", "--all", "--quiet", *self._tls(target),
                source, f"docker://{ref}"]
        done = self._runner.run(argv)
        if done.returncode != 0:
            raise self._error("push to", ref, done, source=source)

    @staticmethod
    def _tls(target: Target) -> list[str]:
        return ["--tls-verify=false"] if target.insecure else []

    def _error(self, verb: str, ref: str, done: Completed, *, source: str | None = None
               ) -> Exception:
        detail = scrub((done.stderr or done.stdout).strip(), self._secrets)
        last = detail.splitlines()[-1] if detail else f"exit status {done.returncode}"
        low = detail.lower()
        host = ref.split("/", 1)[0]
        if any(s in low for s in _UNREACHABLE):
            return RegistryUnreachable(
                f"cannot reach the registry {host}: {last}",
                hint="check image.registry (or the network / proxy to ECR); for a local"
                " registry, is it running?")
        if any(s in low for s in _TAG_TAKEN):
            return Failed(
                f"{ref} already exists with another digest and the registry refused to"
                f" overwrite it: {last}",
                hint="sha tags are immutable; rebuild from a new commit, or pass --tag")
        if any(s in low for s in _DENIED):
            return AccessDenied(
                f"the registry refused to let shipit {verb} {ref}: {last}",
                hint="`shipit iam-policy push` prints the ECR permissions a push needs")
        if source is not None and any(s in low for s in _NO_IMAGE):
            return EnvironmentProblem(
                f"the built image {source} is not in the builder's storage: {last}",
                hint="run `shipit build` again; SHIPIT_BUILDAH_ROOT must match the build's")
        return EnvironmentProblem(f"buildah could not {verb} {ref}: {last}")


def receipt_storage(pairs: Sequence[tuple[str, str]]) -> BuildahStorage | None:
    """The storage a build receipt records (``local.storage``), or None to use the environment."""
    given: Mapping[str, str] = dict(pairs)
    if not given:
        return None
    root, runroot = given.get("root"), given.get("runroot")
    return BuildahStorage(driver=given.get("driver") or "vfs",
                          root=Path(root) if root else None,
                          runroot=Path(runroot) if runroot else None)


def scrub(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
