"""Hide secret values before anything is printed: secret-looking names, passwords in URLs.

Pure functions, shared by ``config show``/``diff`` and any command that prints environment
variables (a task definition, a container's env). ARNs of secrets are references, not values,
and are never redacted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "***"

# Whole words of a variable name (split on _ - .) that mark it secret: DB_PASSWORD, API_KEY.
_SECRET_WORDS = frozenset(
    {
        "PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "SECRETS", "TOKEN", "TOKENS", "KEY",
        "KEYS", "APIKEY", "PRIVATE", "CREDENTIAL", "CREDENTIALS", "CREDS", "AUTH", "SIGNATURE",
        "SALT", "COOKIE", "PASSPHRASE", "CERT", "DSN",
    }
)  # fmt: skip
# Fragments that mark it secret even inside a word: DBPASSWORD, GITHUBTOKEN, MYAPIKEY.
_SECRET_FRAGMENTS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "PRIVATEKEY")
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:/@\s]*):[^@/\s]*@")
_QUERY_PARAM = re.compile(r"(?P<sep>[?&;])(?P<name>[^=&;#\s]+)=(?P<value>[^&;#\s]*)")


def is_secret_name(name: str) -> bool:
    """True for names that usually hold secrets: ``DB_PASSWORD``, ``apiKey``, ``JWT_SECRET``."""
    upper = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).upper()
    words = set(re.split(r"[^A-Z0-9]+", upper))
    return bool(words & _SECRET_WORDS) or any(part in upper for part in _SECRET_FRAGMENTS)


def redact_text(value: str) -> str:
    """Hide the password of every ``scheme://user:password@host`` and secret query parameters."""
    value = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{REDACTED}@", value)
    if "://" not in value:
        return value

    def _param(match: re.Match[str]) -> str:
        if not is_secret_name(match["name"]) or not match["value"]:
            return match[0]
        return f"{match['sep']}{match['name']}={REDACTED}"

    return _QUERY_PARAM.sub(_param, value)


def redact_value(name: str, value: Any) -> Any:
    """``value`` as it may be shown, given the variable (or key) ``name`` it belongs to."""
    if is_secret_name(name) and value not in (None, ""):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list):
        return [redact_value(name, item) for item in value]
    return value


def redact_env(variables: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an environment-variable mapping with secret values hidden."""
    return {name: redact_value(name, value) for name, value in variables.items()}


def redact_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a settings mapping (``Settings.model_dump()``) safe to print.

    ``vars`` values are redacted by name and URL; ``secrets`` (ARNs) are kept; every other
    string has URL passwords hidden.
    """
    shown: dict[str, Any] = {}
    for key, value in data.items():
        if key == "vars" and isinstance(value, Mapping):
            shown[key] = redact_env(value)
        elif key == "secrets":
            shown[key] = value
        else:
            shown[key] = _redact_urls(value)
    return shown


def _redact_urls(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {key: redact_value(str(key), _redact_urls(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_urls(item) for item in value]
    return value
