"""Which containers-storage store and driver shipit uses: one decision for the whole tool.

buildah (build, push), podman (smoke, the sandbox's tasks) and scripts/make-base-image all open
the same store with the same flags, decided here, in this order:

1. ``SHIPIT_STORAGE_DRIVER`` (and ``SHIPIT_BUILDAH_ROOT`` / ``SHIPIT_BUILDAH_RUNROOT``): explicit
   settings win;
2. the store's own driver, when the store exists: a store remembers the driver it was created
   with (its ``<driver>-layers`` folder, and podman's database refuses another one);
3. ``driver = "..."`` in containers' storage.conf, when the machine's administrator set one;
4. a new store: ``overlay`` where the kernel has it and the store's file system can hold it,
   else ``vfs``, the last resort (it copies every layer on every container create: ~7.5 s for
   the 180 MB sample image, against well under a second on overlay).

The decision carries its reason, which the build receipt, the demo and ``sandbox status`` show.
``python -m shipit.image.storage`` prints the flags (``--flags``) or the decision as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DRIVERS = ("overlay", "vfs")
ROOT_STORE = Path("/var/lib/containers/storage")
STORAGE_CONF = (Path("/etc/containers/storage.conf"), Path("/usr/share/containers/storage.conf"))
OVERLAYFS_MAGIC_TYPES = ("overlay", "aufs")
"""File systems on which the kernel's overlay cannot put its upper layer (a store inside a
container whose / is overlayfs): vfs there."""


@dataclass(frozen=True)
class BuildahStorage:
    """containers-storage options shared by buildah and podman, and why they were chosen."""

    driver: str = "vfs"
    root: Path | None = None
    """None: the builder's default store (``ROOT_STORE`` as root)."""
    runroot: Path | None = None
    reason: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BuildahStorage:
        """The decision of this module for this environment (see ``decide``)."""
        return decide(environ)

    def flags(self) -> list[str]:
        flags = ["--storage-driver", self.driver]
        if self.root:
            flags += ["--root", str(self.root)]
        if self.runroot:
            flags += ["--runroot", str(self.runroot)]
        return flags

    def to_dict(self) -> dict[str, str | None]:
        return {"driver": self.driver, "root": str(self.root) if self.root else None,
                "runroot": str(self.runroot) if self.runroot else None,
                "reason": self.reason}


@dataclass(frozen=True)
class Machine:
    """What the decision reads from the machine; tests hand in their own."""

    filesystems: frozenset[str]
    """Kernel file systems (/proc/filesystems)."""
    mounts: Sequence[tuple[str, str]]
    """(mount point, file system type), from /proc/self/mountinfo."""
    conf_driver: str | None
    """``[storage] driver`` of storage.conf, if set."""
    default_root: Path

    @classmethod
    def here(cls) -> Machine:
        return cls(_kernel_filesystems(), _mounts(), _conf_driver(), _default_root())


def decide(environ: Mapping[str, str] | None = None, machine: Machine | None = None
           ) -> BuildahStorage:
    """The store and driver every builder and runtime of shipit uses here."""
    env = os.environ if environ is None else environ
    root = Path(env["SHIPIT_BUILDAH_ROOT"]) if env.get("SHIPIT_BUILDAH_ROOT") else None
    runroot = Path(env["SHIPIT_BUILDAH_RUNROOT"]) if env.get("SHIPIT_BUILDAH_RUNROOT") else None
    explicit = env.get("SHIPIT_STORAGE_DRIVER")
    if explicit:
        return BuildahStorage(explicit, root, runroot, f"SHIPIT_STORAGE_DRIVER={explicit}")
    here = machine or Machine.here()
    store = root or here.default_root
    found = existing_drivers(store)
    if found:
        driver = found[0]
        also = f" (it also holds {', '.join(found[1:])}; the newest is used)" if found[1:] else ""
        return BuildahStorage(driver, root, runroot,
                               f"the store {store} was created with {driver}{also}")
    if here.conf_driver:
        return BuildahStorage(here.conf_driver, root, runroot,
                               f"storage.conf sets driver = {here.conf_driver!r}")
    if "overlay" not in here.filesystems:
        return BuildahStorage("vfs", root, runroot,
                               "new store; the kernel has no overlay file system, so vfs (slow:"
                               " it copies every layer on each container create)")
    fstype = filesystem_of(store, here.mounts)
    if fstype in OVERLAYFS_MAGIC_TYPES:
        return BuildahStorage("vfs", root, runroot,
                               f"new store on {fstype} (overlay cannot stack on it), so vfs")
    return BuildahStorage("overlay", root, runroot,
                           f"new store {store}; the kernel has overlay")


def existing_drivers(store: Path) -> list[str]:
    """Drivers that already hold layers in ``store``, most recently used first."""
    found: list[tuple[float, str]] = []
    for driver in DRIVERS:
        layers = store / f"{driver}-layers"
        try:
            found.append((layers.stat().st_mtime, driver))
        except OSError:
            continue
    return [driver for _, driver in sorted(found, reverse=True)]


def filesystem_of(path: Path, mounts: Sequence[tuple[str, str]]) -> str | None:
    """The type of the file system that holds ``path`` (or would, once created)."""
    target = str(path if path.is_absolute() else path.resolve())
    best: tuple[int, str] | None = None
    for point, fstype in mounts:
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) > best[0]):
            best = (len(point), fstype)
    return best[1] if best else None


def _kernel_filesystems() -> frozenset[str]:
    try:
        text = Path("/proc/filesystems").read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(line.split()[-1] for line in text.splitlines() if line.strip())


def _mounts() -> list[tuple[str, str]]:
    try:
        text = Path("/proc/self/mountinfo").read_text(encoding="utf-8")
    except OSError:
        return []
    mounts = []
    for line in text.splitlines():
        left, _, right = line.partition(" - ")
        fields, rest = left.split(), right.split()
        if len(fields) > 4 and rest:
            mounts.append((fields[4].replace("\\040", " "), rest[0]))
    return mounts


def _conf_driver() -> str | None:
    for path in STORAGE_CONF:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        storage = data.get("storage")
        driver = storage.get("driver") if isinstance(storage, dict) else None
        return driver if isinstance(driver, str) and driver else None
    return None


def _default_root() -> Path:
    if os.geteuid() == 0:
        return ROOT_STORE
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "containers" / "storage"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    decision = decide()
    if args == ["--flags"]:
        print("\n".join(decision.flags()))  # one per line: safe for `mapfile` in bash
    else:
        print(json.dumps(decision.to_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
