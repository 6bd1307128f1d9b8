"""One source for the browser origins a service allows: http.cors_origins plus the web origin.

The task's CORS_ALLOWED_ORIGINS is derived from these when the config is loaded (see
``Settings``), so it is never written twice; doctor's ``http.cors_config`` compares the deployed
task definition with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shipit.config import Settings

CORS_VARIABLE = "CORS_ALLOWED_ORIGINS"
"""The default of http.cors_variable, the variable the sample service reads: exact origins,
comma-separated, no '*'."""

_OLD_STYLE_REGIONS = frozenset({
    "us-east-1", "us-west-1", "us-west-2", "ap-southeast-1", "ap-southeast-2",
    "ap-northeast-1", "eu-west-1", "sa-east-1", "us-gov-west-1",
})  # fmt: skip
"""Regions whose website endpoint is s3-website-REGION (a dash); newer ones use a dot."""


def website_host(bucket: str, region: str) -> str:
    """The S3 website endpoint's host name of ``bucket`` in ``region``."""
    sep = "-" if region in _OLD_STYLE_REGIONS else "."
    return f"{bucket}.s3-website{sep}{region}.amazonaws.com"


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


def parse_origins(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def same_origins(value: str, origins: tuple[str, ...]) -> bool:
    """Whether a comma-separated list names exactly ``origins`` (order and repeats aside)."""
    return set(parse_origins(value)) == set(origins)


def written_variable_names(settings: Settings, raw_vars: object) -> frozenset[str]:
    """The variable names an environment writes itself: the derived CORS variable counts only
    when vars names it (config.convergence compares what people write)."""
    names = frozenset(settings.vars)
    variable = settings.http.cors_variable
    if not variable or (isinstance(raw_vars, dict) and variable in raw_vars):
        return names
    return names - {variable}
