"""`shipit config show|diff|validate`: the merged settings, what differs, and whether it holds."""

from __future__ import annotations

from typing import Annotated

import typer

from shipit.cli.context import AppContext, get_context
from shipit.cli.options import EnvOption, JsonOption

config_app = typer.Typer(
    name="config",
    help="Inspect and check shipit.toml and its environments.\n\n"
    "Example: shipit config diff staging prod",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")


@config_app.command("show")
def show(ctx: typer.Context, env: EnvOption = None, json_output: JsonOption = False) -> None:
    """Print the merged settings of an environment (base + overlay), secrets redacted.

    Values of secret-looking variables (PASSWORD, SECRET, TOKEN, KEY ...) and passwords in URLs
    are shown as ***; `secrets` holds ARNs (references, not values) and is shown as is.

    Example: shipit config show --env prod
    """
    from shipit.config.view import format_settings
    from shipit.redact import redact_settings

    app = get_context(ctx, env=env, json_output=json_output)
    settings = redact_settings(app.settings.model_dump(mode="json"))
    sources = _sources(app)
    title = f"environment: {app.env or '(base)'}; from {' + '.join(sources)}; secrets redacted"
    app.output.result(
        {"env": app.env, "config": str(app.config.path), "sources": sources, "settings": settings},
        human=lambda console: console.print(format_settings(settings, title=title), markup=False),
    )


@config_app.command("diff")
def diff(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(metavar="A", help="First environment.", show_default=False)],
    b: Annotated[str, typer.Argument(metavar="B", help="Second environment.", show_default=False)],
    json_output: JsonOption = False,
) -> None:
    """Print exactly the keys whose values differ between environments A and B (exit 0).

    Example: shipit config diff staging prod
    """
    from shipit.config.view import Difference, flatten, format_diff
    from shipit.config.view import diff as diff_settings
    from shipit.redact import redact_settings

    app = get_context(ctx, json_output=json_output)
    dumps = [app.config.settings(name).model_dump(mode="json") for name in (a, b)]
    shown = [flatten(redact_settings(dump)) for dump in dumps]
    # compare real values, show redacted ones: a changed password is listed as *** -> ***
    visible = [
        Difference(d.key, shown[0].get(d.key), shown[1].get(d.key))
        for d in diff_settings(*dumps)
    ]
    app.output.info(f"{len(visible)} key(s) differ between {a} and {b}")
    text = format_diff(visible, a, b)
    app.output.result(
        {
            "a": a,
            "b": b,
            "differences": [{"key": d.key, "a": d.left, "b": d.right} for d in visible],
        },
        human=(lambda console: console.print(text, markup=False)) if text else None,
    )


@config_app.command("validate")
def validate(
    ctx: typer.Context,
    env: EnvOption = None,
    check_aws: Annotated[
        bool,
        typer.Option(
            "--aws", help="Also check in AWS that the environment's secrets exist (no values read)."
        ),
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Check shipit.toml and every environment: unknown keys, wrong types, bad values.

    Errors name the file, line and key path, and exit 2. With --aws, a referenced secret that
    does not exist is exit 3.

    Example: shipit config validate --env prod --aws
    """
    app = get_context(ctx, env=env, json_output=json_output)
    config = app.config  # loading validates the base and every environment
    settings = app.settings
    app.output.success(
        f"{config.path}: valid ({len(config.environments)} environments:"
        f" {', '.join(config.environments) or 'none'})"
    )
    secrets: list[dict[str, object]] = []
    if check_aws:
        secrets = _check_secrets(app, settings.secrets)
    app.output.result(
        {"config": str(config.path), "environments": config.environments, "env": app.env,
         "secrets": secrets},
    )  # fmt: skip


def _check_secrets(app: AppContext, secrets: dict[str, str]) -> list[dict[str, object]]:
    from shipit.aws.secrets import check_secrets
    from shipit.errors import ResourceNotFound

    refs = check_secrets(app.aws, secrets)
    for ref in refs:
        if ref.found:
            app.output.success(f"secret {ref.name}: {ref.arn}")
        else:
            app.output.fail(f"secret {ref.name}: {ref.arn} does not exist")
    missing = [ref for ref in refs if not ref.found]
    if missing:
        names = ", ".join(ref.name for ref in missing)
        raise ResourceNotFound(
            f"{len(missing)} secret(s) referenced by {app.env or 'the base'} do not exist: {names}",
            hint="create them (aws secretsmanager create-secret / aws ssm put-parameter) or fix"
            " the ARNs under secrets in shipit.toml",
            operation="secretsmanager:DescribeSecret",
        )
    return [ref.to_dict() for ref in refs]


def _sources(app: AppContext) -> list[str]:
    config = app.config
    sources = [config.path.name]
    env = app.env
    if env:
        source = config.source(env)
        sources.append(f"[env.{env}]" if source == config.path else str(source))
    return sources
