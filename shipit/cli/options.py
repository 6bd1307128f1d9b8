"""Options shared by commands, written once. The global ones live on the root callback.

A command that accepts ``--env``/``--json`` after its name (``shipit config show --env prod
--json``) declares them with these types and passes them to ``get_context``::

    def show(ctx: typer.Context, env: EnvOption = None, json_output: JsonOption = False) -> None:
        app_ctx = get_context(ctx, env=env, json_output=json_output)
"""

from __future__ import annotations

from typing import Annotated

import typer

EnvOption = Annotated[
    str | None,
    typer.Option(
        "--env",
        "-e",
        metavar="NAME",
        help="Environment from shipit.toml [env.NAME] (default: SHIPIT_ENV, else the base).",
    ),
]
JsonOption = Annotated[
    bool,
    typer.Option(
        "--json", help="Print exactly one JSON document on stdout; logs go to stderr."
    ),
]
