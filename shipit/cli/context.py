"""The per-run application context: global options, the loaded config, AWS and output.

Everything is loaded lazily so ``shipit --help`` stays fast and a command that needs no AWS
never builds a session.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from shipit.config import Config, Settings, find_config, load_config, select_env
from shipit.output import Output

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession


@dataclass
class AppContext:
    env_option: str | None = None
    config_option: Path | None = None
    profile: str | None = None
    region: str | None = None
    json_mode: bool = False
    verbose: int = 0
    cwd: Path = field(default_factory=Path.cwd)
    output: Output = field(default_factory=Output)
    _config: Config | None = None
    _aws: AwsSession | None = None

    @property
    def env(self) -> str | None:
        """The selected environment: --env, else SHIPIT_ENV, else None (the base)."""
        return select_env(self.env_option)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(find_config(self.cwd, self.config_option))
        return self._config

    @property
    def settings(self) -> Settings:
        return self.config.settings(self.env)

    @property
    def aws(self) -> AwsSession:
        if self._aws is None:
            from shipit.aws.session import AwsSession, AwsTarget

            settings = self.settings
            self._aws = AwsSession(
                AwsTarget(
                    region=self.region or os.environ.get("AWS_REGION") or settings.aws.region,
                    profile=self.profile or settings.aws.profile,
                    endpoint_url=settings.aws.endpoint_url,
                )
            )
        return self._aws


def get_context(ctx: typer.Context) -> AppContext:
    """The AppContext stored by the root callback (a default one outside the full app)."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppContext):
        root.obj = AppContext()
    return root.obj
