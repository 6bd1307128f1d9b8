"""Hide secret values before anything leaves shipit: terminal, --json, receipts, diffs, errors.

Three layers, all pure:

- by name: a variable or key whose name marks a secret (``DB_PASSWORD``, ``GITHUB_PAT``,
  ``SLACK_WEBHOOK``) has its whole value hidden;
- by shape: passwords in URLs (parsed whole, so ``/``, ``@`` or a space in a password hide it
  all), secret query parameters (``token=``, ``sig=``, ``X-Amz-Signature=``), ``NAME=value``
  with a secret NAME, and well-known token formats (``AKIA...``, ``sk_live_...``, ``ghp_...``,
  ``xoxb-...``, JWTs, ECR's base64 ``AWS:...`` login);
- by value: a ``Redactor`` also knows the exact secret values of the loaded config and hides
  them wherever they appear (quoted in an error message, echoed in a log line).

ARNs of secrets are references, not values, and are kept.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "***"
CHANGED = f"{REDACTED} (changed)"
MIN_KNOWN_LENGTH = 4
"""Known values shorter than this are not replaced in free text (``a`` would hit every word);
they are still hidden wherever their name is known."""

# Whole words of a variable name (split on _ - .) that mark it secret: DB_PASSWORD, API_KEY.
_SECRET_WORDS = frozenset(
    {
        "PASSWORD", "PASSWD", "PASS", "PWD", "PW", "PGPASS", "PGPASSWORD", "SECRET", "SECRETS",
        "TOKEN", "TOKENS", "KEY", "KEYS", "APIKEY", "PRIVATE", "CREDENTIAL", "CREDENTIALS",
        "CREDS", "AUTH", "AUTHORIZATION", "SIGNATURE", "SIG", "SALT", "COOKIE", "PASSPHRASE",
        "CERT", "DSN", "PAT", "WEBHOOK", "WEBHOOKS", "JWT", "BEARER", "SESSIONID",
    }
)  # fmt: skip
# Fragments that mark it secret even inside a word: DBPASSWORD, GITHUBTOKEN, MYAPIKEY.
_SECRET_FRAGMENTS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "PRIVATEKEY", "WEBHOOK",
                     "PGPASS", "CREDENTIAL")

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HOST_PORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::\d{1,5})?(?=[/?#]|$)")
# In free text a URL ends at whitespace; its userinfo is everything up to its last '@'.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_QUERY_PARAM = re.compile(r"(?P<sep>[?&;])(?P<name>[^=&;#\s]+)=(?P<value>[^&;#\s]*)")
_ASSIGNMENT = re.compile(
    r"(?<![A-Za-z0-9_.-])(?P<name>[A-Za-z_][A-Za-z0-9_-]*)=(?P<quote>[\"']?)"
    r"(?P<value>[^\s\"',;&]+)"
)
# Well-known token formats, hidden wherever they appear.
_TOKEN_SHAPES = re.compile(
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b"  # AWS access key ids, session keys
    r"|\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,}"  # Stripe secret / restricted keys
    r"|\bwhsec_[A-Za-z0-9+/=]{8,}"  # Stripe webhook signing secrets
    r"|\bgh[pousr]_[A-Za-z0-9]{20,}"  # GitHub tokens
    r"|\bgithub_pat_[A-Za-z0-9_]{20,}"  # GitHub fine-grained tokens
    r"|\bglpat-[A-Za-z0-9_-]{20,}"  # GitLab personal access tokens
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}"  # Slack tokens
    r"|\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"  # JWTs (base64url of {")
    r"|\beyJ[A-Za-z0-9+/_-]{40,}={0,2}"  # long base64 of a JSON object (ECR's login password)
    r"|\bQVdTO[A-Za-z0-9+/]{8,}={0,2}"  # base64 of "AWS:..." (ECR's basic-auth token)
    r"|(?i:\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/-]{16,}=*"  # Authorization header values
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"
    r"|[A-Za-z0-9+/=\s\\]*)"  # a PEM private key (or its start, when cut)
    r"|(?<=hooks\.slack\.com/services/)[A-Za-z0-9/_-]+"  # the secret path of a Slack webhook
)


def is_secret_name(name: str) -> bool:
    """True for names that usually hold secrets: ``DB_PASSWORD``, ``apiKey``, ``GITHUB_PAT``."""
    upper = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).upper()
    words = set(re.split(r"[^A-Z0-9]+", upper))
    return bool(words & _SECRET_WORDS) or any(part in upper for part in _SECRET_FRAGMENTS)


# -- URLs ------------------------------------------------------------------------------------
def split_userinfo(url: str) -> tuple[str, str, str | None, str] | None:
    """``(scheme://, user, password, rest)`` of a whole URL value, or None if it has no userinfo.

    urllib.parse ends the authority at the first ``/``, which cuts a password such as
    ``p/ss@word`` in two; the userinfo here runs to the last ``@`` that a valid host follows.
    The host part (``rest``) must then parse with urllib.parse.
    """
    scheme = _SCHEME.match(url)
    if scheme is None:
        return None
    body = url[scheme.end():]
    at = len(body)
    while (at := body.rfind("@", 0, at)) != -1:
        rest = body[at + 1:]
        user, sep, password = body[:at].partition(":")
        if _HOST_PORT.match(rest) and not re.search(r"[/?#\s]", user) and _parses(rest):
            return scheme.group(0), user, password if sep else None, rest
    return None


def _parses(rest: str) -> bool:
    try:
        urllib.parse.urlsplit("x://" + rest).port  # noqa: B018 -- a bad port raises
    except ValueError:
        return False
    return True


def url_password(url: str) -> str | None:
    """The password of a URL value (``scheme://user:password@host``), or None."""
    parts = split_userinfo(url)
    return parts[2] if parts and parts[2] else None


def redact_url(url: str) -> str:
    """A whole URL value with its password and secret query parameters hidden."""
    parts = split_userinfo(url)
    if parts is not None and parts[2]:
        scheme, user, _, rest = parts
        url = f"{scheme}{user}:{REDACTED}@{rest}"
    return _redact_query(url)


def _redact_query(text: str) -> str:
    if "://" not in text:
        return text

    def _param(match: re.Match[str]) -> str:
        name = urllib.parse.unquote(match["name"])
        if not is_secret_name(name) or not match["value"]:
            return match[0]
        return f"{match['sep']}{match['name']}={REDACTED}"

    return _QUERY_PARAM.sub(_param, text)


# -- free text -----------------------------------------------------------------------------
def redact_text(text: str) -> str:
    """``text`` with URL passwords, secret parameters, ``SECRET=value`` and tokens hidden."""
    text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    text = _ASSIGNMENT.sub(_assignment, text)
    return _TOKEN_SHAPES.sub(REDACTED, text)


# Placeholders in usage text ("--build-arg KEY=VALUE"), not values.
_PLACEHOLDERS = frozenset({REDACTED, "VALUE", "VAL", "KEY", "NAME", "SECRET", "TOKEN",
                           "PASSWORD", "ARN", "...", "<value>", "$VALUE"})


def _assignment(match: re.Match[str]) -> str:
    if not is_secret_name(match["name"]) or match["value"] in _PLACEHOLDERS:
        return match[0]
    return f"{match['name']}={match['quote']}{REDACTED}"


def redact_value(name: str, value: Any) -> Any:
    """``value`` as it may be shown, given the variable (or key) ``name`` it belongs to.

    Under a secret name a string is hidden whole (an ARN is a reference and stays); numbers,
    booleans and nested tables are not secrets by themselves (``{"pass": 19}`` is a count).
    """
    if isinstance(value, Mapping):
        return redact_data(value)
    if isinstance(value, (list, tuple)):
        return [redact_value(name, item) for item in value]
    if not isinstance(value, str):
        return value
    if is_secret_name(name) and value not in ("", REDACTED) and not _is_arn(value):
        return REDACTED
    return redact_text(redact_url(value))


def secret_reason(name: str, value: str) -> str | None:
    """Why ``name = value`` looks like a secret (never quoting the value), or None."""
    if not value:
        return None
    if is_secret_name(name):
        return "its name says it is a secret"
    if url_password(value) or any(url_password(u) for u in _URL_IN_TEXT.findall(value)):
        return "its URL carries a password"
    if redact_text(value) != value:
        return "it holds a token, key or secret parameter"
    return None


def _is_arn(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("arn:")


def redact_env(variables: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an environment-variable mapping with secret values hidden."""
    return {name: redact_value(name, value) for name, value in variables.items()}


def redact_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a settings mapping (``Settings.model_dump()``) safe to print.

    ``vars`` values are redacted by name and shape; ``secrets`` (ARNs) are kept; every other
    string has URL passwords and tokens hidden.
    """
    shown: dict[str, Any] = {}
    for key, value in data.items():
        if key == "secrets":
            shown[key] = value
        else:
            shown[key] = redact_data(value)
    return shown


# Field names of shipit's own documents that only look secret: {"key": "ecs.cluster"} is a
# config key path, not an API key.
_DOCUMENT_FIELDS = frozenset({"key", "keys", "pass"})


def redact_data(value: Any) -> Any:
    """A JSON-like structure safe to print: keys by name, ``{"name", "value"}`` pairs (ECS
    environment entries) by their name, every string by shape."""
    if isinstance(value, str):
        return redact_value("", value)
    if isinstance(value, Mapping):
        pair_name = value.get("name")
        shown: dict[str, Any] = {}
        for key, item in value.items():
            if key == "value" and isinstance(pair_name, str):
                shown[key] = redact_value(pair_name, item)
            else:
                field = "" if str(key) in _DOCUMENT_FIELDS else str(key)
                shown[key] = redact_value(field, item)
        return shown
    if isinstance(value, (list, tuple)):
        return [redact_data(item) for item in value]
    return value


def show_change(name: str, old: str, new: str) -> tuple[str, str] | str:
    """How a changed value is shown: ``(old, new)`` redacted, or ``*** (changed)`` when the
    redacted forms are the same (the change itself is all that may be said)."""
    shown_old, shown_new = redact_value(name, old), redact_value(name, new)
    if shown_old == shown_new:
        return CHANGED
    return shown_old, shown_new


# -- known values --------------------------------------------------------------------------
def secret_values(data: Any, name: str = "") -> set[str]:
    """Every secret value in a settings-like mapping: values of secret names, URL passwords."""
    found: set[str] = set()
    if isinstance(data, Mapping):
        for key, item in data.items():
            found |= secret_values(item, str(key))
    elif isinstance(data, (list, tuple)):
        for item in data:
            found |= secret_values(item, name)
    elif isinstance(data, str) and data:
        if is_secret_name(name) and not _is_arn(data):
            found.add(data)
        whole = url_password(data)
        passwords = [whole] if whole else [url_password(u) for u in _URL_IN_TEXT.findall(data)]
        for password in filter(None, passwords):
            found.update({password, urllib.parse.unquote(password)})
        found.update(match.group(0) for match in _TOKEN_SHAPES.finditer(data))
    return found


class Redactor:
    """Redaction by name and shape plus the exact secret values it has been told about."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self._known: set[str] = set()
        self._ordered: list[str] = []
        self.learn(known)

    def learn(self, values: Iterable[str]) -> None:
        """Remember secret values to hide wherever they appear (very short ones are skipped)."""
        self._known.update(v for v in values if len(v) >= MIN_KNOWN_LENGTH)
        self._ordered = sorted(self._known, key=len, reverse=True)  # longest first

    def learn_settings(self, data: Any) -> None:
        """Remember every secret value of a settings mapping (see ``secret_values``)."""
        self.learn(secret_values(data))

    def text(self, text: str) -> str:
        for value in self._ordered:
            if value in text:
                text = text.replace(value, REDACTED)
        return redact_text(text)

    def data(self, value: Any) -> Any:
        """A JSON-like structure with known values, secret names and shapes hidden."""
        return self._known_in(redact_data(value))

    def _known_in(self, value: Any) -> Any:
        if isinstance(value, str):
            for known in self._ordered:
                if known in value:
                    value = value.replace(known, REDACTED)
            return value
        if isinstance(value, Mapping):
            return {key: self._known_in(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._known_in(item) for item in value]
        return value
