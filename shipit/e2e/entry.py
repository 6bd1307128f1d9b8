"""`shipit e2e`'s entries: the URL, origin, health path and page resolved from shipit.toml once,
for the CLI, the demo and the report alike.

    report = run(settings, E2eOptions(url=..., origin=...))          # the HTTP path
    report = run_browser(settings, BrowserOptions(root, page=...))    # through the page

No AWS session: the path is proven from outside, as a user's browser would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from shipit.defaults import DEFAULT_HEALTH_PATH
from shipit.e2e.path import E2eReport, run_path
from shipit.errors import UsageError
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    from shipit.config import Settings
    from shipit.e2e.browser import BrowserReport


@dataclass(frozen=True)
class E2eOptions:
    """What `shipit e2e` is asked."""

    url: str | None = None
    """The service's base URL (default: http.url)."""
    origin: str | None = None
    """The Origin of the CORS preflight (default: the first of http.cors_origins)."""


def run(settings: Settings | None, options: E2eOptions, *, clock: Clock | None = None,
        sleep: Sleep | None = None) -> E2eReport:
    """The path against the service; ``settings`` None: no shipit.toml (``options.url`` only)."""
    http = settings.http if settings is not None else None
    base = options.url or (http.url if http else None)
    if not base:
        raise UsageError("no URL to test", hint="pass --url URL or set http.url in shipit.toml")
    origin = options.origin or (next(iter(http.cors_origins), None) if http else None)
    return run_path(base, origin=origin,
                    health_path=http.health_path if http else DEFAULT_HEALTH_PATH,
                    clock=clock, sleep=sleep)


@dataclass(frozen=True)
class BrowserOptions:
    """What `shipit e2e --browser` is asked."""

    root: Path
    """The project's folder: screenshots go to its .shipit/e2e/."""
    url: str | None = None
    """The API's base URL (default: http.url)."""
    page: str | None = None
    """The page to open (default: web.origin, else http://web.name)."""


def run_browser(settings: Settings, options: BrowserOptions) -> BrowserReport:
    """The path through the deployed page in headless Chromium."""
    from shipit.config.origins import allowed_origins, web_origin
    from shipit.e2e import browser
    from shipit.project_paths import ProjectPaths

    api = options.url or settings.http.url
    page = options.page or web_origin(settings)
    if not api:
        raise UsageError("no API URL to test", hint="pass --url URL or set http.url")
    if not page:
        raise UsageError("no page to open", hint="pass --page URL or set web.origin / web.name"
                         " (`shipit web deploy` puts the page there)")
    return browser.run(page, api, shots_dir=ProjectPaths(options.root).e2e_screenshots,
                       allowed_origins=allowed_origins(settings))
