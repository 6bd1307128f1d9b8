"""shipit.toml: find it, load it (with limits), validate it into ``Settings``, and say where a
problem is (file, key, line).

    locate      where shipit.toml is; which environment a command is for (--env, SHIPIT_ENV)
    load        read and parse a file and its local overlays, limits first
    models      the pydantic models: one section per table, value types, ``Settings``
    values      what a value may be beyond its type (DNS names, repository paths, characters)
    overlays    ``[env.<name>]`` tables deep-merged over the base
    project     ``Config``: a loaded file, its environments, and located errors
    line_index  the line of every key of a TOML text (errors say ``shipit.toml:41``)
    origins     the browser origins a service allows, and the task variables derived from them
    view        flatten, diff and format settings for people (``shipit config show|diff``)

A file has base sections (``[aws]``, ``[image]``, ``[ecs]`` ...) and ``[env.<name>]`` overlays.
"""

from shipit.config.line_index import find_line
from shipit.config.load import MAX_DEPTH, load_config
from shipit.config.locate import CONFIG_FILENAME, ENV_VAR, find_config, select_env
from shipit.config.models import (
    AwsSection,
    DnsSection,
    EcsSection,
    HttpSection,
    ImageSection,
    RdsSection,
    Settings,
    WebSection,
)
from shipit.config.overlays import deep_merge
from shipit.config.project import Config
from shipit.project_paths import LOCAL_ENVS_DIR

__all__ = [
    "CONFIG_FILENAME",
    "ENV_VAR",
    "LOCAL_ENVS_DIR",
    "MAX_DEPTH",
    "AwsSection",
    "Config",
    "DnsSection",
    "EcsSection",
    "HttpSection",
    "ImageSection",
    "RdsSection",
    "Settings",
    "WebSection",
    "deep_merge",
    "find_config",
    "find_line",
    "load_config",
    "select_env",
]
