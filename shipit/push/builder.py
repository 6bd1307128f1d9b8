"""The registry data plane: the builder logs in and pushes, as a subprocess (argument lists only).

The registry password goes to the builder on stdin (``--password-stdin``), never in argv,
never in a message: every text that comes back from the builder is scrubbed of it (and of every
token shape, shipit.redact) first. The login lands in a temporary authfile (``--authfile``,
0600 in a 0700 directory of its own), never in the user's default auth.json, and ``close()``
removes it: after a push, also a failed one, the ECR token is on disk nowhere.
buildah's storage is the one the build used: the receipt's ``local.storage``, else
SHIPIT_BUILDAH_ROOT/RUNROOT and SHIPIT_STORAGE_DRIVER (shipit.image.buildah.BuildahStorage).
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol

from shipit.aws.ecr import RegistryLogin
from shipit.errors import AccessDenied, EnvironmentProblem, Failed, RegistryUnreachable
from shipit.image.buildah import manifest_push_argv
from shipit.image.runner import Completed, Runner, SubprocessRunner
from shipit.image.storage import BuildahStorage
from shipit.push.target import Destination
from shipit.redact import redact_text

_UNREACHABLE = ("connection refused", "no such host", "i/o timeout", "dial tcp",
                "network is unreachable", "connection reset", "tls handshake timeout")
_DENIED = ("unauthorized", "authentication required", "denied", "403 forbidden")
_TAG_TAKEN = ("tag invalid", "already exists", "cannot be overwritten", "tag_invalid")
_NO_IMAGE = ("image not known", "no such image", "not a manifest list", "locating image")


class Pusher(Protocol):
    """A builder that can log in to a registry and push a multi-platform image to it."""

    def login(self, target: Destination, login: RegistryLogin) -> None: ...

    def push(self, source: str, target: Destination, tag: str) -> None:
        """Push ``source`` (every platform) as ``target:tag``."""
        ...


class BuildahPusher:
    """buildah: ``login --password-stdin`` and ``manifest push --all``, with a temporary
    authfile; use it as a context manager (or call ``close()``) to remove the login."""

    def __init__(self, *, runner: Runner | None = None, storage: BuildahStorage | None = None
                 ) -> None:
        self._runner = runner or SubprocessRunner()
        self._storage = storage or BuildahStorage.from_env()
        self._base = ["buildah", *self._storage.flags()]
        self._secrets: list[str] = []
        self._auth_dir: Path | None = None

    def __enter__(self) -> BuildahPusher:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    @property
    def authfile(self) -> Path | None:
        """The temporary auth file of the current login (None before login and after close)."""
        return self._auth_dir / "auth.json" if self._auth_dir else None

    def close(self) -> None:
        """Forget the login: remove the temporary authfile and its directory."""
        if self._auth_dir is not None:
            shutil.rmtree(self._auth_dir, ignore_errors=True)
            self._auth_dir = None

    def login(self, target: Destination, login: RegistryLogin) -> None:
        basic = f"{login.username}:{login.password}".encode()
        self._secrets += [login.password, base64.b64encode(basic).decode()]
        argv = [*self._base, "login", "--authfile", str(self._new_authfile()), "--username",
                login.username, "--password-stdin", *self._tls(target), target.host]
        try:
            done = self._runner.run(argv, stdin=login.password + "\n")
        except BaseException:
            self.close()
            raise
        if done.returncode != 0:
            self.close()
            raise self._error("log in to", target.ref("*"), done)

    def _new_authfile(self) -> Path:
        self.close()
        self._auth_dir = Path(tempfile.mkdtemp(prefix="shipit-auth-"))  # mode 0700
        path = self._auth_dir / "auth.json"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write('{"auths": {}}\n')
        return path

    def push(self, source: str, target: Destination, tag: str) -> None:
        # The one command line (shipit.image.buildah), whose exit status can be trusted; the
        # digest is read back from the ECR API, which is where push verifies anyway.
        ref = target.ref(tag)
        argv = manifest_push_argv(self._storage, source, f"docker://{ref}",
                                  tls_verify=not target.insecure, authfile=self.authfile)
        done = self._runner.run(argv)
        if done.returncode != 0:
            raise self._error("push to", ref, done, source=source)

    @staticmethod
    def _tls(target: Destination) -> list[str]:
        return ["--tls-verify=false"] if target.insecure else []

    def _error(self, verb: str, ref: str, done: Completed, *, source: str | None = None
               ) -> Exception:
        detail = redact_text(scrub((done.stderr or done.stdout).strip(), self._secrets))
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
