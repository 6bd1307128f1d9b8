"""Everything shipit keeps under a project's ``.shipit/`` folder: the one home of each path.

    .shipit/build-receipt.json   the last build (push and deploy read it)
    .shipit/deploy-receipt.json  the last deploy (report reads it)
    .shipit/oci/                 unpushed builds, exported as an OCI layout
    .shipit/oci-check/           the second build of `shipit build --check-reproducible`
    .shipit/envs/<name>.toml     local environment overlays (the sandbox writes sandbox.toml)
    .shipit/e2e/                 browser screenshots of e2e runs
    .shipit/demo-report.json     the last demo run; report.md and report.html beside it
    .shipit/stack.yaml           the demo's export of the sandbox's stack (CloudFormation)
    .shipit/sandbox/             the sandbox's own store (see shipit/sandbox/state.py)

Each constant is relative to the project's root (the folder of shipit.toml); ``ProjectPaths``
anchors them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SHIPIT_DIR = Path(".shipit")
BUILD_RECEIPT = SHIPIT_DIR / "build-receipt.json"
DEPLOY_RECEIPT = SHIPIT_DIR / "deploy-receipt.json"
OCI_LAYOUT = SHIPIT_DIR / "oci"
OCI_CHECK_LAYOUT = SHIPIT_DIR / "oci-check"
LOCAL_ENVS_DIR = SHIPIT_DIR / "envs"
E2E_SCREENSHOTS = SHIPIT_DIR / "e2e"
DEMO_REPORT = SHIPIT_DIR / "demo-report.json"
ACCEPTANCE_MARKDOWN = SHIPIT_DIR / "report.md"
ACCEPTANCE_HTML = SHIPIT_DIR / "report.html"
SANDBOX_DIR = SHIPIT_DIR / "sandbox"
DEMO_TEMPLATE = SHIPIT_DIR / "stack.yaml"


@dataclass(frozen=True)
class ProjectPaths:
    """The ``.shipit/`` paths of the project whose shipit.toml lives in ``root``."""

    root: Path

    @property
    def folder(self) -> Path:
        return self.root / SHIPIT_DIR

    @property
    def build_receipt(self) -> Path:
        return self.root / BUILD_RECEIPT

    @property
    def deploy_receipt(self) -> Path:
        return self.root / DEPLOY_RECEIPT

    @property
    def oci_layout(self) -> Path:
        return self.root / OCI_LAYOUT

    @property
    def envs(self) -> Path:
        return self.root / LOCAL_ENVS_DIR

    def env_file(self, name: str) -> Path:
        return self.root / LOCAL_ENVS_DIR / f"{name}.toml"

    @property
    def e2e_screenshots(self) -> Path:
        return self.root / E2E_SCREENSHOTS

    @property
    def demo_report(self) -> Path:
        return self.root / DEMO_REPORT

    @property
    def acceptance_markdown(self) -> Path:
        return self.root / ACCEPTANCE_MARKDOWN

    @property
    def acceptance_html(self) -> Path:
        return self.root / ACCEPTANCE_HTML

    @property
    def demo_template(self) -> Path:
        return self.root / DEMO_TEMPLATE

    @property
    def sandbox(self) -> Path:
        return self.root / SANDBOX_DIR
