"""Small real multi-platform images, made by a real builder (buildah) without any base image.

Each platform's image is ``buildah from scratch`` + one tiny file + ``buildah config --arch``,
joined in one local manifest list: the same kind of artefact `shipit build` leaves in buildah's
storage. ``publish`` pushes the list to a registry the way `shipit build --push` does, which
gives the digest a build receipt records.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from shipit.image.storage import BuildahStorage
from tests.fixtures.receipts import write_build_receipt


@dataclass(frozen=True)
class Buildah:
    """buildah with the storage shipit's BuildahPusher uses (the same SHIPIT_* variables)."""

    environ: Mapping[str, str]
    workdir: Path

    def __call__(self, *args: str) -> str:
        argv = ["buildah", *BuildahStorage.from_env(self.environ).flags(), *args]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr}")
        return done.stdout.strip()

    def make_list(self, name: str, platforms: Sequence[str], content: str) -> str:
        """A local manifest list ``localhost/<name>`` with one tiny image per platform."""
        payload = self.workdir / f"{name.replace('/', '_')}.txt"
        payload.write_text(content, encoding="utf-8")
        ref = f"localhost/{name}"
        self("manifest", "create", ref)
        for platform in platforms:
            os_name, arch = platform.split("/")[:2]
            container = self("from", "scratch")
            self("copy", container, str(payload), "/hello.txt")
            self("config", "--os", os_name, "--arch", arch, "--cmd", "/hello", container)
            image = self("commit", "--quiet", container, f"{ref}-{arch}")
            self("rm", container)
            self("manifest", "add", ref, image)
        return ref

    def publish(self, ref: str, destination: str) -> str:
        """Push the list to ``destination`` (host/repo:tag, plain HTTP); return its digest."""
        digest_file = self.workdir / "digest"
        self("manifest", "push", "--all", "--tls-verify=false",
             "--digestfile", str(digest_file), ref, f"docker://{destination}")
        digest = digest_file.read_text(encoding="utf-8").strip()
        assert digest.startswith("sha256:"), f"buildah pushed {ref} but wrote no digest"
        return digest


def write_receipt(path: Path, *, source: str, tag: str, digest: str | None,
                  platforms: Sequence[str], refs: Sequence[str] = ()) -> Path:
    """``refs``: where the build pushed it (push reads the layers there to count uploads)."""
    assert digest is not None, "a build receipt always records the pushed list's digest"
    return write_build_receipt(path, tag=tag, local_image=source, digest=digest,
                               platforms=platforms, refs=refs)
