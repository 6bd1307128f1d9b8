"""Push tests: moto's ECR API + an emulated ECR data plane over a real docker-registry, and
small real multi-platform images made with buildah."""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.ecr_registry import EcrDataPlane, ecr_data_plane, ecr_registry
from tests.fixtures.registry import Registry
from tests.push.images import Buildah, write_receipt

__all__ = ["ecr_data_plane", "ecr_registry"]
_NAMES = itertools.count(1)
BOTH = ("linux/amd64", "linux/arm64")


@pytest.fixture(scope="session")
def buildah_storage(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("buildah")
    return {"SHIPIT_BUILDAH_ROOT": str(base / "root"),
            "SHIPIT_BUILDAH_RUNROOT": str(base / "runroot")}  # the driver: shipit's decision


@pytest.fixture
def buildah(buildah_storage: dict[str, str], monkeypatch: pytest.MonkeyPatch,
            tmp_path: Path) -> Buildah:
    for name, value in buildah_storage.items():
        monkeypatch.setenv(name, value)
    auth = tmp_path / "auth.json"  # buildah refuses an auth file that does not exist
    auth.write_text("{}", encoding="utf-8")
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(auth))
    return Buildah(environ=dict(os.environ), workdir=tmp_path)


@dataclass(frozen=True)
class Project:
    root: Path
    config: Path
    repository: str
    registry_host: str

    @property
    def receipt(self) -> Path:
        return self.root / ".shipit" / "build-receipt.json"


def write_project(root: Path, *, repository: str, registry: str | None,
                  region: str = "us-east-1") -> Path:
    config = root / "shipit.toml"
    lines = ['project = "articles"', "[aws]", f'region = "{region}"', "[image]",
             f'repository = "{repository}"', 'platforms = ["linux/amd64", "linux/arm64"]']
    if registry:
        lines.append(f'registry = "{registry}"')
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


@pytest.fixture
def project(tmp_path: Path, ecr_registry: EcrDataPlane) -> Project:
    """shipit.toml for a fresh repository whose image.registry is the emulated ECR host."""
    repository = f"articles-{next(_NAMES)}"
    config = write_project(tmp_path, repository=repository, registry=ecr_registry.host)
    return Project(tmp_path, config, repository, ecr_registry.host)


@dataclass(frozen=True)
class Built:
    source: str
    tag: str
    digest: str
    platforms: tuple[str, ...]


BuildImage = Callable[..., Built]


@pytest.fixture
def build_image(buildah: Buildah, registry: Registry, project: Project) -> BuildImage:
    """Like `shipit build --push`: a local manifest list, pushed to the registry, a receipt."""

    def build(platforms: Sequence[str] = BOTH, *, content: str = "v1",
              receipt_platforms: Sequence[str] | None = None, tag: str | None = None) -> Built:
        name = f"{project.repository}-{next(_NAMES)}"
        tag = tag or hashlib.sha256(f"{name}{content}".encode()).hexdigest()[:40]
        source = buildah.make_list(name, platforms, content)
        published = f"{registry.host}/build-cache/{name}:{tag}"
        digest = buildah.publish(source, published)
        recorded = tuple(receipt_platforms or platforms)
        write_receipt(project.receipt, source=source, tag=tag, digest=digest, platforms=recorded,
                      refs=[published])
        return Built(source, tag, digest, recorded)

    return build
