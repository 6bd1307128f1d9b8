"""One source for the browser origins a service allows: http.cors_origins plus the web origin.

The task's CORS_ALLOWED_ORIGINS is derived from these (``task_environment``), so it is never
written twice; doctor's ``http.cors_config`` compares the deployed task definition with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shipit.s3_website import website_host

if TYPE_CHECKING:
    from shipit.config.models import Settings

CORS_VARIABLE = "CORS_ALLOWED_ORIGINS"
"""The default of http.cors_variable, the variable the sample service reads: exact origins,
comma-separated, no '*'."""


def web_origin(settings: Settings) -> str | None:
    """The page's origin: web.origin, else http://web.name, else the bucket's website endpoint."""
    web = settings.web
    if web.origin:
        return web.origin
    if web.name:
        return f"http://{web.name.rstrip('.').lower()}"
    if web.bucket and settings.aws.region:
        return f"http://{website_host(web.bucket, settings.aws.region)}"
    return None


def allowed_origins(settings: Settings) -> tuple[str, ...]:
    """http.cors_origins, then the web origin when it is not among them; order kept."""
    origins = list(settings.http.cors_origins)
    page = web_origin(settings)
    if page and page not in origins:
        origins.append(page)
    return tuple(origins)


def task_environment(settings: Settings) -> dict[str, str]:
    """The task's plain variables: ``vars`` plus the derived CORS variable (http.cors_variable,
    when origins exist and the service reads them from a variable)."""
    origins, variable = allowed_origins(settings), settings.http.cors_variable
    if not (origins and variable):
        return dict(settings.vars)
    return {**settings.vars, variable: ",".join(origins)}


def parse_origins(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def same_origins(value: str, origins: tuple[str, ...]) -> bool:
    """Whether a comma-separated list names exactly ``origins`` (order and repeats aside)."""
    return set(parse_origins(value)) == set(origins)
