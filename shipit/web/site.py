"""The files of a static site as they will be stored: key, bytes, content type, cache header.

Pure apart from reading the folder. config.js is generated (the API's URL of the environment),
and index.html's references to the site's own assets get ``?v=<md5>``, so assets can be cached
for a year while a new deploy is seen at once (index.html and config.js are ``no-cache``).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from shipit.errors import ConfigError, UsageError

INDEX = "index.html"
CONFIG_JS = "config.js"
NO_CACHE = "no-cache"
TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json",
    ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8", ".webmanifest": "application/manifest+json",
}  # fmt: skip
_REFERENCE = re.compile(r'''(?P<attr>\b(?:src|href))="(?P<path>[^"?#:]+)"''')


@dataclass(frozen=True)
class SiteFile:
    key: str
    body: bytes
    content_type: str
    cache_control: str

    @property
    def md5(self) -> str:
        return hashlib.md5(self.body, usedforsecurity=False).hexdigest()


def content_type(key: str) -> str:
    suffix = Path(key).suffix.lower()
    if suffix in TYPES:
        return TYPES[suffix]
    guessed, _ = mimetypes.guess_type(key)
    return guessed or "application/octet-stream"


def cache_control(key: str, asset_max_age: int) -> str:
    """index.html and config.js must be revalidated; every other asset is versioned."""
    if key in (INDEX, CONFIG_JS):
        return NO_CACHE
    return f"public, max-age={asset_max_age}"


def config_js(api_url: str) -> bytes:
    """The page's configuration: where the API is. The page reads window.SHIPIT_CONFIG."""
    config = json.dumps({"apiBaseUrl": api_url.rstrip("/")})
    return (
        "// Written by `shipit web deploy`; do not edit (it is replaced on every deploy).\n"
        f"window.SHIPIT_CONFIG = {config};\n"
    ).encode()


def collect(folder: Path, api_url: str, asset_max_age: int) -> list[SiteFile]:
    """Every file of ``folder`` (hidden ones skipped) plus the generated config.js."""
    if not folder.is_dir():
        raise UsageError(
            f"web.folder {folder} does not exist" if not folder.exists()
            else f"web.folder {folder} is not a folder",
            hint="set [web] folder in shipit.toml to the page's files (relative to shipit.toml)",
        )
    paths = sorted(
        p for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )
    home = folder.resolve()
    for path in paths:  # a symlink to a file outside the folder is never published
        if not path.resolve().is_relative_to(home):
            raise ConfigError(
                f"web.folder: {path.relative_to(folder)} is a symlink to {path.resolve()},"
                f" outside {folder}", key="web.folder",
                hint="a website publishes only its folder's own files; copy the file in")
    bodies = {p.relative_to(folder).as_posix(): p.read_bytes() for p in paths}
    if INDEX not in bodies:
        raise UsageError(f"{folder} has no {INDEX}",
                         hint="the folder's index.html is the website's index document")
    bodies[CONFIG_JS] = config_js(api_url)  # never a checked-in one: the environment decides
    bodies[INDEX] = versioned(bodies[INDEX], bodies)
    return [SiteFile(key, body, content_type(key), cache_control(key, asset_max_age))
            for key, body in sorted(bodies.items())]


def versioned(index: bytes, bodies: dict[str, bytes]) -> bytes:
    """index.html with ``?v=<md5 prefix>`` on each reference to a long-cached file of the site."""
    def stamp(match: re.Match[str]) -> str:
        path = match["path"].removeprefix("./")
        if path not in bodies or path in (INDEX, CONFIG_JS):
            return match[0]
        digest = hashlib.md5(bodies[path], usedforsecurity=False).hexdigest()[:12]
        return f'{match["attr"]}="{match["path"]}?v={digest}"'

    return _REFERENCE.sub(stamp, index.decode("utf-8")).encode("utf-8")
