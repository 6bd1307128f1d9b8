"""The sandbox environment file, .shipit/envs/sandbox.toml: `--env sandbox` for every command."""

from __future__ import annotations

import json

from shipit.errors import EnvironmentProblem
from shipit.private_files import write_private
from shipit.project_paths import SANDBOX_DIR
from shipit.sandbox.names import ACCOUNT_ID, StackNames
from shipit.sandbox.state import SandboxPaths, SandboxState
from shipit.sandbox.website import web_bucket


def render(names: StackNames, state: SandboxState, app_env: str) -> str:
    stack = state.stack
    if stack is None:  # the daemon creates the stack before it says ready
        raise EnvironmentProblem("the sandbox says it is ready, but its state holds no stack",
                                 hint="see .shipit/sandbox/daemon.log; `shipit sandbox down`,"
                                 " then `shipit sandbox up`")
    database_url = stack["vars"]["DATABASE_URL"]
    origins = [o.strip() for o in stack["vars"]["CORS_ALLOWED_ORIGINS"].split(",") if o.strip()]
    # The task's CORS_ALLOWED_ORIGINS is derived from http.cors_origins + web.origin
    # (shipit/config/origins.py): the website's origin is written once, as web.origin.
    website = state.website_url if state.website_port else None
    origins = [o for o in origins if o != website]
    bucket = web_bucket(names)
    paths_credentials = (SANDBOX_DIR / "credentials.json").as_posix()  # relative to the root
    lines = [
        "# Written by `shipit sandbox up`, removed by `shipit sandbox down`; do not edit.",
        "# Every command targets the local sandbox with --env sandbox.",
        "",
        "[aws]",
        f"endpoint_url = {_q(state.endpoint_url)}",
        f"region = {_q(names.region)}",
        f"account_id = {_q(ACCOUNT_ID)}",
        f"credentials_file = {_q(paths_credentials)}",
        "",
        *(["[image]", f"registry = {_q(state.registry_host)}", ""]
          if state.registry_host else []),
        "[ecs]",
        f"cluster = {_q(names.cluster)}",
        f"service = {_q(names.service)}",
        f"container = {_q(names.container)}",
        "desired_count = 1",
        "",
        "[rds]",
        f"instance = {_q(names.db_instance)}",
        "",
        "[dns]",
        f"zone = {_q(names.zone)}",
        f"name = {_q(names.dns_name)}",
        "",
        "[http]",
        f"url = {_q(state.proxy_url)}",
        f"cors_origins = [{', '.join(_q(o) for o in origins)}]",
        "",
        *(["[web]", f"bucket = {_q(bucket)}", f"name = {_q(bucket)}",
           f"origin = {_q(website)}", ""] if website else []),
        "[vars]",
        f"APP_ENV = {_q(app_env)}",
        f"DATABASE_URL = {_q(database_url)}",
        "",
        "[secrets]",
        f"DB_PASSWORD = {_q(stack['secret_arn'])}",
        "",
    ]
    return "\n".join(lines)


def write(paths: SandboxPaths, text: str) -> None:
    write_private(paths.env_file, text)  # 0600: it holds the sandbox database's URL


def _q(value: str) -> str:
    return json.dumps(value)  # a TOML basic string is a JSON string for these values
