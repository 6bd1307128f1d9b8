"""The one containers-storage decision (shipit/image/storage.py), as a table over made-up machines.

Each case is a machine (kernel file systems, mounts, storage.conf) and a store folder in some
state; the decision must pick the driver a user's store can really be opened with, and say why.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from shipit.image.storage import BuildahStorage, Machine, decide, existing_drivers, filesystem_of

WITH_OVERLAY = frozenset({"ext4", "overlay", "tmpfs"})
WITHOUT_OVERLAY = frozenset({"ext4", "tmpfs"})


def machine(store: Path, *, filesystems: frozenset[str] = WITH_OVERLAY,
            fstype: str = "ext4", conf: str | None = None) -> Machine:
    return Machine(filesystems, [("/", "ext4"), (str(store.parent), fstype)], conf, store)


def make_store(store: Path, *drivers: str) -> None:
    for age, driver in enumerate(drivers):  # the first named is the newest
        layers = store / f"{driver}-layers"
        layers.mkdir(parents=True)
        moment = time.time() - 100 * age
        os.utime(layers, (moment, moment))


@pytest.mark.parametrize(("existing", "fs", "fstype", "conf", "driver", "why"), [
    ((), WITH_OVERLAY, "ext4", None, "overlay", "new store"),
    ((), WITHOUT_OVERLAY, "ext4", None, "vfs", "no overlay"),
    ((), WITH_OVERLAY, "overlay", None, "vfs", "overlay cannot stack"),
    (("vfs",), WITH_OVERLAY, "ext4", None, "vfs", "created with vfs"),
    (("overlay",), WITH_OVERLAY, "ext4", None, "overlay", "created with overlay"),
    (("overlay", "vfs"), WITH_OVERLAY, "ext4", None, "overlay", "also holds vfs"),
    (("vfs", "overlay"), WITH_OVERLAY, "ext4", None, "vfs", "also holds overlay"),
    ((), WITH_OVERLAY, "ext4", "vfs", "vfs", "storage.conf"),
    (("overlay",), WITH_OVERLAY, "ext4", "vfs", "overlay", "created with overlay"),
], ids=["new-store-overlay", "no-kernel-overlay", "store-on-overlayfs", "existing-vfs",
        "existing-overlay", "both-overlay-newest", "both-vfs-newest", "conf-on-new-store",
        "store-beats-conf"])
def test_decision(tmp_path: Path, existing: tuple[str, ...], fs: frozenset[str], fstype: str,
                  conf: str | None, driver: str, why: str) -> None:
    store = tmp_path / "storage"
    make_store(store, *existing)

    decided = decide({}, machine(store, filesystems=fs, fstype=fstype, conf=conf))

    assert decided.driver == driver
    assert why in decided.reason
    assert decided.root is None  # the machine's default store: no --root flag
    assert decided.flags() == ["--storage-driver", driver]


def test_explicit_settings_win(tmp_path: Path) -> None:
    store = tmp_path / "storage"
    make_store(store, "overlay")
    env = {"SHIPIT_STORAGE_DRIVER": "vfs", "SHIPIT_BUILDAH_ROOT": str(store),
           "SHIPIT_BUILDAH_RUNROOT": str(tmp_path / "run")}

    decided = decide(env, machine(store))

    assert decided == BuildahStorage("vfs", store, tmp_path / "run",
                                     "SHIPIT_STORAGE_DRIVER=vfs")
    assert decided.flags() == ["--storage-driver", "vfs", "--root", str(store),
                               "--runroot", str(tmp_path / "run")]


def test_an_explicit_root_is_decided_like_the_default_one(tmp_path: Path) -> None:
    private = tmp_path / "private"
    decided = decide({"SHIPIT_BUILDAH_ROOT": str(private)}, machine(tmp_path / "unused"))
    assert decided.driver == "overlay"
    assert decided.root == private
    make_store(private, "vfs")
    assert decide({"SHIPIT_BUILDAH_ROOT": str(private)}, machine(private)).driver == "vfs"


def test_the_decision_is_recorded_with_its_reason() -> None:
    decided = BuildahStorage("overlay", None, None, "new store; the kernel has overlay")
    assert decided.to_dict() == {"driver": "overlay", "root": None, "runroot": None,
                                 "reason": "new store; the kernel has overlay"}


def test_filesystem_of_picks_the_deepest_mount() -> None:
    mounts = [("/", "ext4"), ("/var", "xfs"), ("/var/lib/containers", "overlay")]
    assert filesystem_of(Path("/var/lib/containers/storage"), mounts) == "overlay"
    assert filesystem_of(Path("/var/lib/other"), mounts) == "xfs"
    assert filesystem_of(Path("/home/x"), mounts) == "ext4"
    assert filesystem_of(Path("/variable"), mounts) == "ext4"  # not inside /var


def test_existing_drivers_of_a_missing_store(tmp_path: Path) -> None:
    assert existing_drivers(tmp_path / "nothing") == []


def test_this_machine_decides_something_it_can_explain() -> None:
    decided = decide({})
    assert decided.driver in ("overlay", "vfs")
    assert decided.reason
