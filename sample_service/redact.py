"""Hide secret values before anything leaves shipit: terminal, --json, receipts, diffs, logs.

Three layers, all pure, all linear in the length of their input (no pattern here can re-scan
a run of text from each of its positions; bench/redact.py measures 1 MB inputs):

- by name: a variable or key whose name marks a secret (``DB_PASSWORD``, ``GITHUB_PAT``,
  ``SLACK_WEBHOOK``) has its whole value hidden: ``DB_PW=x``, TOML's ``DB_PW = "x"`` (the
  quotes stay, so hidden TOML is still TOML), a query parameter ``?token=x&page=2``;
- by shape: URL user-info (the password runs to the LAST ``@`` that a host follows, so ``/``,
  ``@``, ``%`` or a space in a raw password hide it all; a user name that is a key, as in
  ``https://KEY@sentry.example/1``, is hidden too) and well-known token formats (``AKIA...``,
  ``sk_live_...``, ``ghp_...``, ``xoxb-...``, JWTs, ECR's base64 ``AWS:...`` login, PEM keys);
- by value: a ``Redactor`` also knows the exact secret values of the loaded config and hides
  them wherever they appear (quoted in an error message, echoed in a log line).

ARNs of secrets are references, not values, and are kept. Words that merely contain a secret
word (``secretsmanager``, ``PIP_CERT``, ``KEYBOARD``) are not secret names.

This module uses the standard library only: sample_service/redact.py is a byte-identical copy
(the service's image installs only its own requirements), kept identical by
tests/core/test_redact_twin.py.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

REDACTED = "***"
CHANGED = f"{REDACTED} (changed)"
MIN_KNOWN_LENGTH = 4
"""Known values shorter than this are not replaced in free text (``a`` would hit every word);
they are still hidden wherever their name is known."""
KEY_USER_LENGTH = 16
"""A URL user name this long with a digit in it is a key (Sentry's DSN, a token as user)."""

# Whole words of a variable name (split on _ - . and camelCase) that mark it secret.
_SECRET_WORDS = frozenset(
    {
        "PASSWORD", "PASSWD", "PASS", "PWD", "PW", "PGPASS", "PGPASSWORD", "SECRET", "SECRETS",
        "TOKEN", "TOKENS", "KEY", "KEYS", "APIKEY", "PRIVATE", "CREDENTIAL", "CREDENTIALS",
        "CREDS", "AUTH", "AUTHORIZATION", "SIGNATURE", "SIG", "SALT", "COOKIE", "PASSPHRASE",
        "DSN", "PAT", "WEBHOOK", "WEBHOOKS", "JWT", "BEARER", "SESSIONID",
    }
)  # fmt: skip
# Fragments that mark it secret even inside a word: DBPASSWORD, GITHUBTOKEN, MYAPIKEY.
_SECRET_FRAGMENTS = ("PASSWORD", "PASSWD", "TOKEN", "APIKEY", "PRIVATEKEY", "WEBHOOK", "PGPASS",
                     "CREDENTIAL")
# "SECRET" inside a word only where it ends one (CLIENTSECRET, AWSSECRETACCESSKEY), never as a
# mere prefix (SECRETSMANAGER, SECRETARY).
_SECRET_ENDING = re.compile(r"SECRET(?:S|KEY|ACCESSKEY|VALUE|STRING)?$")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_NAME_WORDS = re.compile(r"[^A-Z0-9]+")

# -- URL user-info ----------------------------------------------------------------------------
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_SCHEME_MAX = 32
# A host (name, IPv4 or [IPv6]) and optional port, then the end of the authority. Both classes
# exclude '@', so the matches tried from each '@' of one URL never overlap.
_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9_.-]++)(?::(\d{1,5}))?"
                   r"(?=[/?#\s\"'<>)\],;]|$)")
_AUTHORITY_END = re.compile(r"[/?#\s]")
# In free text a URL's user-info ends at a line break, a double quote (the end of a JSON or TOML
# string) or the next URL; a raw password may hold anything else, spaces included.
_TEXT_STOP = re.compile(r"[\n\r\"]|://")

# -- NAME=value, NAME = "value", ?name=value ----------------------------------------------------
# Tried only where a name starts (the look-behind), so each word is scanned once.
# A value is quoted ("..." or '...'), quoted inside a JSON string (\"...\", what a --json
# document holds), or bare (up to a space, quote, backslash or delimiter: nothing is eaten).
# Possessive quantifiers (*+, ++): a run is taken whole and never given back, so a failed
# attempt costs one scan of its word, never a backtrack through it.
_ASSIGNMENT = re.compile(
    r"(?<![\w.-])(?P<name>[A-Za-z_][\w.-]*+)(?P<eq>[ \t]*+=[ \t]*+)"
    r"(?:(?P<q>[\"'])(?P<quoted>(?:[^\"'\\\n]++|\\.|(?!(?P=q))[\"'])*+)(?P<close>(?P=q)?)"
    r"|(?P<jq>\\\")(?P<jquoted>(?:[^\"\\\n]++|\\[^\"\n])*+)(?P<jclose>(?:\\\")?)"
    r"|(?P<bare>[^\s\"',;&#<>\\]++))"
)
# Placeholders in usage text ("--build-arg KEY=VALUE"), not values.
_PLACEHOLDERS = frozenset({REDACTED, "VALUE", "VAL", "KEY", "NAME", "SECRET", "TOKEN",
                           "PASSWORD", "ARN", "...", "<value>", "$VALUE"})

# -- well-known token formats --------------------------------------------------------------------
# Each shape starts where no token character precedes it, so a run such as "eyJa-eyJa-..." is
# tried once, not from each of its positions.
_T = r"(?<![A-Za-z0-9_+/.-])"
_TOKEN_SHAPES = re.compile(
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b"  # AWS access key ids, session keys
    rf"|{_T}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{{8,}}+"  # Stripe secret / restricted keys
    rf"|{_T}whsec_[A-Za-z0-9+/]{{8,}}+={{0,2}}"  # Stripe webhook signing secrets
    rf"|{_T}gh[pousr]_[A-Za-z0-9]{{20,}}+"  # GitHub tokens
    rf"|{_T}github_pat_[A-Za-z0-9_]{{20,}}+"  # GitHub fine-grained tokens
    rf"|{_T}glpat-[A-Za-z0-9_-]{{20,}}+"  # GitLab personal access tokens
    rf"|{_T}xox[abposr]-[A-Za-z0-9-]{{10,}}+"  # Slack tokens
    # JWTs (base64url of {"), then a long base64 of a JSON object (ECR's login password)
    rf"|{_T}eyJ[A-Za-z0-9_-]{{4,}}+\.[A-Za-z0-9_-]{{4,}}+\.[A-Za-z0-9_-]*+"
    rf"|{_T}eyJ[A-Za-z0-9+/_-]{{40,}}+={{0,2}}"
    rf"|{_T}QVdTO[A-Za-z0-9+/]{{8,}}+={{0,2}}"  # base64 of "AWS:..." (ECR's basic-auth token)
    r"|(?i:\b(?:bearer|basic)[ \t]++)[A-Za-z0-9._~+/-]{16,}+=*+"  # Authorization header values
    r"|-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[A-Za-z0-9+/=\s\\]*+"  # a PEM private key, or its
    r"(?:-----END [A-Z ]{0,40}PRIVATE KEY-----)?"  # start when cut
    r"|(?P<slack>hooks\.slack\.com/services/)[A-Za-z0-9/_-]++"  # a Slack webhook's secret path
)

# A literal every shape above starts with (bearer/basic aside, checked case-insensitively).
_TOKEN_MARKS = ("AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ANPA", "sk_", "rk_", "whsec_", "gh",
                "glpat-", "xox", "eyJ", "QVdTO", "-----BEGIN ", "hooks.slack.com/services/")


@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """True for names that usually hold secrets: ``DB_PASSWORD``, ``apiKey``, ``GITHUB_PAT``."""
    upper = _CAMEL.sub(r"\1_\2", urllib.parse.unquote(name)).upper()
    words = [word for word in _NAME_WORDS.split(upper) if word]
    return (
        not _SECRET_WORDS.isdisjoint(words)
        or any(part in upper for part in _SECRET_FRAGMENTS)
        or any(_SECRET_ENDING.search(word) for word in words)
    )


# -- URLs ------------------------------------------------------------------------------------
class _UserInfo:
    """Where one URL's user-info lies in a text: ``text[user:user_end]`` is the user name,
    ``text[password:at]`` the password (``password`` is None without one)."""

    __slots__ = ("at", "password", "user", "user_end")

    def __init__(self, user: int, user_end: int, password: int | None, at: int) -> None:
        self.user, self.user_end, self.password, self.at = user, user_end, password, at


def _userinfos(text: str, whole: bool) -> Iterator[_UserInfo]:
    """Every URL user-info in ``text``, left to right, in one pass over it.

    ``whole``: ``text`` is one value (only a next ``://`` ends a user-info), not free text.
    """
    position = 0
    while (mark := text.find("://", position)) != -1:
        start = mark + 3
        stop, position = _region_end(text, start, whole)
        found = _last_userinfo(text, start, stop)
        if found is not None:
            yield found


def _region_end(text: str, start: int, whole: bool) -> tuple[int, int]:
    """Where the user-info that may begin at ``start`` must end, and where to look on from."""
    if whole:
        following = text.find("://", start)
        if following == -1:
            return len(text), len(text)
        return _scheme_start(text, following), following
    stop = _TEXT_STOP.search(text, start)
    if stop is None:
        return len(text), len(text)
    if stop.group(0) == "://":
        return _scheme_start(text, stop.start()), stop.start()
    return stop.start(), stop.start()


def _scheme_start(text: str, mark: int) -> int:
    """Where the scheme of the URL whose ``://`` is at ``mark`` begins (a bounded walk back)."""
    begin = mark
    while begin > 0 and mark - begin < _SCHEME_MAX and text[begin - 1] in _SCHEME_CHARS:
        begin -= 1
    return begin


def _last_userinfo(text: str, start: int, stop: int) -> _UserInfo | None:
    """The user-info of the URL whose authority starts at ``start``: up to the last ``@`` in
    ``[start, stop)`` that a host follows. A password may hold ``/ ? # @`` and spaces; a user
    name without a password may not (``http://host/a@b`` has none)."""
    end = _AUTHORITY_END.search(text, start, stop)
    authority_end = end.start() if end else stop
    colon = text.find(":", start, authority_end)
    floor = colon if colon != -1 else start
    limit = stop if colon != -1 else authority_end
    at = limit
    while (at := text.rfind("@", floor, at)) != -1:
        host = _HOST.match(text, at + 1, len(text))
        if host and host.end() > at + 1 and (not host[1] or int(host[1]) <= 65535):
            if colon != -1:
                return _UserInfo(start, colon, colon + 1, at)
            return _UserInfo(start, at, None, at)
    return None


def _is_key(user: str) -> bool:
    return len(user) >= KEY_USER_LENGTH and any(c.isdigit() for c in user)


def _redact_userinfo(text: str, whole: bool) -> str:
    parts: list[str] = []
    done = 0
    for info in _userinfos(text, whole):
        user = text[info.user:info.user_end]
        if _is_key(user):
            parts += [text[done:info.user], REDACTED]
            done = info.user_end
        if info.password is not None and info.at > info.password:
            parts += [text[done:info.password], REDACTED]
            done = info.at
    return "".join(parts) + text[done:] if parts else text


def split_userinfo(url: str) -> tuple[str, str, str | None, str] | None:
    """``(scheme://, user, password, rest)`` of a whole URL value, or None without user-info.

    urllib.parse ends the authority at the first ``/``, which cuts a password such as
    ``p/ss@word`` in two; the user-info here runs to the last ``@`` that a valid host follows.
    """
    for info in _userinfos(url, whole=True):
        if info.user != url.find("://") + 3:
            return None  # the first URL has none; a later one's is not this value's
        password = url[info.password:info.at] if info.password is not None else None
        return url[:info.user], url[info.user:info.user_end], password, url[info.at + 1:]
    return None


def url_password(url: str) -> str | None:
    """The password of a URL value (``scheme://user:password@host``), or None."""
    parts = split_userinfo(url)
    return parts[2] if parts and parts[2] else None


def redact_url(url: str) -> str:
    """A whole URL value with its password, key user name and secret query parameters hidden."""
    return _redact_assignments(_redact_userinfo(url, whole=True))


# -- free text -----------------------------------------------------------------------------
def redact_text(text: str) -> str:
    """``text`` with URL passwords and keys, secret assignments and parameters, tokens hidden."""
    return _redact_tokens(_redact_assignments(_redact_userinfo(text, whole=False)))


def _redact_assignments(text: str) -> str:
    if "=" not in text:
        return text
    return _ASSIGNMENT.sub(_assignment, text)


def _value_of(match: re.Match[str]) -> tuple[str, str, str]:
    """(opening quote, value, closing quote) of an assignment; quotes are "" when bare."""
    if match["bare"] is not None:
        return "", match["bare"], ""
    if match["jq"] is not None:
        return match["jq"], match["jquoted"], match["jclose"]
    return match["q"], match["quoted"], match["close"]


def _assignment(match: re.Match[str]) -> str:
    opening, value, closing = _value_of(match)
    if opening and not is_secret_name(match["name"]):
        if "=" not in value:
            return match[0]
        # A quoted value may hold assignments of its own: CB = "https://x/?token=t".
        inner = _redact_assignments(value)
        return f"{match['name']}{match['eq']}{opening}{inner}{closing}"
    if (not value or value in _PLACEHOLDERS or value.startswith("arn:")
            or not is_secret_name(match["name"])):
        return match[0]
    return f"{match['name']}{match['eq']}{opening}{REDACTED}{closing}"


def _redact_tokens(text: str) -> str:
    if not any(mark in text for mark in _TOKEN_MARKS):
        lower = text.lower()
        if "bearer" not in lower and "basic" not in lower:
            return text  # no shape can start here: skip the per-position scan
    return _TOKEN_SHAPES.sub(_token, text)


def _token(match: re.Match[str]) -> str:
    return (match["slack"] or "") + REDACTED


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
    return _redact_tokens(redact_url(value))


def secret_reason(name: str, value: str) -> str | None:
    """Why ``name = value`` looks like a secret (never quoting the value), or None."""
    if not value:
        return None
    if is_secret_name(name):
        return "its name says it is a secret"
    if any(info.password is not None and info.at > info.password
           for info in _userinfos(value, whole=True)):
        return "its URL carries a password"
    if redact_value("", value) != value:
        return "it holds a key, token or secret parameter"
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
    """Every secret value in a settings-like mapping: values of secret names, URL passwords and
    key user names, secret query parameters, token shapes."""
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
        found |= _secrets_in(data)
    return found


def _secrets_in(value: str) -> set[str]:
    found: set[str] = set()
    for info in _userinfos(value, whole=True):
        if info.password is not None and info.at > info.password:
            found.add(value[info.password:info.at])
        if _is_key(value[info.user:info.user_end]):
            found.add(value[info.user:info.user_end])
    found |= _assigned_secrets(value)
    found.update(match[0].removeprefix(match["slack"] or "")
                 for match in _TOKEN_SHAPES.finditer(value))
    return found | {urllib.parse.unquote(item) for item in found}


def _assigned_secrets(text: str) -> set[str]:
    found: set[str] = set()
    for match in _ASSIGNMENT.finditer(text):
        opening, value, _ = _value_of(match)
        if not is_secret_name(match["name"]):
            if opening:
                found |= _assigned_secrets(value)
        elif value and value not in _PLACEHOLDERS and not value.startswith("arn:"):
            found.add(value)
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
        """Free text with known values, secret assignments, URL user-info and tokens hidden."""
        return redact_text(self._known_in(text))

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
