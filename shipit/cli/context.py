"""The per-run application context: global options, the loaded config, AWS and output.

Everything is loaded lazily so ``shipit --help`` stays fast (no pydantic, no AWS SDK) and a
command that needs no AWS never builds a session.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from shipit.output import Output

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Config, Settings


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
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)
    _config: Config | None = None
    _aws: AwsSession | None = None

    @property
    def env(self) -> str | None:
        """The selected environment: --env, else SHIPIT_ENV, else None (the base)."""
        from shipit.config import select_env

        return select_env(self.env_option, self.environ)

    @property
    def env_source(self) -> str | None:
        """Where the environment name came from ("--env" or "SHIPIT_ENV"), for messages."""
        if self.env_option:
            return "--env"
        return "SHIPIT_ENV" if self.env else None

    @property
    def config(self) -> Config:
        if self._config is None:
            from shipit.config import find_config, load_config

            path = find_config(self.cwd, self.config_option)
            self.output.debug(f"config: {path}")
            self._config = load_config(path)
            for env in [None, *self._config.environments]:
                # every environment's secrets, so none is printed whichever one runs
                self.output.redactor.learn_settings(self._config.raw(env))
        return self._config

    @property
    def settings(self) -> Settings:
        """Validated settings of the selected environment (an unknown one is exit 2)."""
        return self.config.settings(self.env, source=self.env_source)

    @property
    def aws(self) -> AwsSession:
        """The AWS session of the selected environment.

        Outside a project (no shipit.toml, no --config, no environment) it still works, from
        the options and the standard AWS variables alone: ``shipit whoami`` anywhere.
        """
        if self._aws is None:
            from shipit.aws.session import AwsSession, resolve_target
            from shipit.config import AwsSection

            aws = self.settings.aws if self._uses_config() else AwsSection()
            self._aws = AwsSession(
                resolve_target(
                    region_option=self.region,
                    profile_option=self.profile,
                    config_region=aws.region,
                    config_profile=aws.profile,
                    config_endpoint=aws.endpoint_url,
                    credentials_file=(self.config.root / aws.credentials_file
                                      if aws.credentials_file else None),
                    environ=self.environ,
                ),
                environ=self.environ,
            )
            target = self._aws.target
            self.output.debug(
                f"aws: region {target.region or '(from the profile)'}"
                f" ({target.region_source or 'profile'}), profile {target.profile or '(default)'},"
                f" endpoint {target.endpoint_url or '(AWS_ENDPOINT_URL* or AWS default)'}"
            )
        return self._aws

    def _uses_config(self) -> bool:
        if self._config is not None or self.config_option is not None or self.env:
            return True
        from shipit.config import find_config
        from shipit.errors import ConfigError

        try:
            find_config(self.cwd)
        except ConfigError:
            return False
        return True

    def use(self, *, env: str | None = None, json_output: bool = False) -> AppContext:
        """Apply a command's own ``--env`` / ``--json`` (same meaning as the global ones)."""
        if env and env != self.env_option:
            self._aws = None  # the session depends on the environment's aws.* settings
            self.env_option = env
        if json_output:
            self.json_mode = True
            self.output.json_mode = True
        return self


def get_context(
    ctx: typer.Context, *, env: str | None = None, json_output: bool = False
) -> AppContext:
    """The AppContext stored by the root callback (a default one outside the full app).

    A command with its own ``--env``/``--json`` options passes them here; see shipit/cli/options.py.
    """
    root = ctx.find_root()
    if not isinstance(root.obj, AppContext):
        root.obj = AppContext()
    return root.obj.use(env=env, json_output=json_output)
