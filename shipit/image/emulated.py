"""Start a foreign-CPU image without binfmt_misc: qemu-user inside a chroot of its root.

buildah mounts the image as a working container, ``qemu-<cpu>-static`` is copied into it, and
the image's ENTRYPOINT+CMD runs under the emulator as the image's user, in its working
directory, with its environment, on the host network. Slower than native, but it proves that
the arm64 image really starts. Needs root and Debian's qemu-user-static (no binfmt needed).
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from shipit.errors import EnvironmentProblem
from shipit.image.platforms import Platform
from shipit.image.resolve import DEFAULT_PATH
from shipit.image.runner import Runner
from shipit.image.storage import BuildahStorage

EMULATORS = {"arm64": "qemu-aarch64-static", "amd64": "qemu-x86_64-static"}
_IN_ROOT = "/.shipit-qemu"


def find_emulator(platform: Platform) -> Path | None:
    """The user-mode emulator for ``platform`` if installed (and we are root), else None."""
    found = shutil.which(EMULATORS[platform.architecture])
    return Path(found) if found and os.geteuid() == 0 else None


@dataclass
class _Started:
    process: subprocess.Popen[bytes]
    log: Path
    log_file: IO[bytes]


class EmulatedRuntime:
    """A ContainerRuntime for images in buildah's storage, run under qemu-user."""

    def __init__(self, runner: Runner, storage: BuildahStorage, emulator: Path,
                 log_dir: Path) -> None:
        self.runner = runner
        self.storage = storage
        self.emulator = emulator
        self.log_dir = log_dir
        self.name = f"{emulator.name} in a chroot"
        self._started: dict[str, _Started] = {}

    def _buildah(self, *args: str) -> str:
        done = self.runner.run(["buildah", *self.storage.flags(), *args])
        if not done.ok:
            raise EnvironmentProblem(f"buildah {args[0]} failed: {done.tail(5)}")
        return done.stdout.strip()

    def start(self, image: str, env: Mapping[str, str]) -> str:
        inspected = json.loads(self._buildah("inspect", "--type", "image", image))
        config: dict[str, Any] = (inspected.get("OCIv1") or {}).get("config") or {}
        container = self._buildah("from", "--pull-never", "--quiet", image).splitlines()[-1]
        try:
            self._started[container] = self._start(container, config, env)
        except BaseException:
            self.remove(container)
            raise
        return container

    def _start(self, container: str, config: Mapping[str, Any], env: Mapping[str, str]
               ) -> _Started:
        root = Path(self._buildah("mount", container))
        shutil.copy2(self.emulator, root / _IN_ROOT.lstrip("/"))  # keeps its 0755 mode
        image_env = dict(item.split("=", 1) for item in config.get("Env") or [] if "=" in item)
        full_env = {**image_env, **env}
        argv = [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]
        if not argv:
            raise EnvironmentProblem("the image has neither ENTRYPOINT nor CMD")
        program = _lookup(root, argv[0], full_env.get("PATH", DEFAULT_PATH))
        log = self.log_dir / f"{container}.log"
        log_file = log.open("wb")
        uid, gid = _user(str(config.get("User") or "0"))
        workdir = str(config.get("WorkingDir") or "/")

        def enter() -> None:  # runs in the child, before exec
            os.chroot(root)
            os.chdir(workdir)
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)

        process = subprocess.Popen(
            [_IN_ROOT, program, *argv[1:]], env=full_env, stdout=log_file,
            stderr=subprocess.STDOUT, preexec_fn=enter, start_new_session=True,
        )
        return _Started(process, log, log_file)

    def running(self, container: str) -> bool:
        return self._started[container].process.poll() is None

    def logs(self, container: str) -> str:
        started = self._started[container]
        started.log_file.flush()
        return started.log.read_text(encoding="utf-8", errors="replace")

    def remove(self, container: str) -> None:
        started = self._started.pop(container, None)
        if started is not None:
            if started.process.poll() is None:
                os.killpg(started.process.pid, signal.SIGTERM)
                try:
                    started.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(started.process.pid, signal.SIGKILL)
                    started.process.wait()
            started.log_file.close()
        self.runner.run(["buildah", *self.storage.flags(), "umount", container])
        self.runner.run(["buildah", *self.storage.flags(), "rm", container])


def _lookup(root: Path, name: str, search: str) -> str:
    """argv[0] as a path inside the image (qemu-user does no PATH lookup of its own)."""
    if "/" in name:
        return name
    for folder in search.split(":"):
        candidate = posixpath.join(folder or "/", name)
        if os.path.lexists(root / candidate.lstrip("/")):
            return candidate
    raise EnvironmentProblem(f"{name!r} is not on the image's PATH ({search})")


def _user(user: str) -> tuple[int, int]:
    """``10001:10001`` or ``10001``; names would need the image's /etc/passwd: refused."""
    name, _, group = user.partition(":")
    if not name.isdigit() or (group and not group.isdigit()):
        raise EnvironmentProblem(f"emulated smoke tests need a numeric USER, not {user!r}")
    return int(name), int(group or name)
