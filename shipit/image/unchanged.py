"""A build of an unchanged commit is not built again.

A clean tree is built reproducibly (shipit.image.reproducible): the same commit, base image,
builder command line and arguments give the same image, byte for byte. So when the last build's
receipt says it was made from exactly the same inputs, and its images are still where that build
left them (buildah's local storage and the OCI layout), building again could only produce what
is already there: ``shipit build`` reads the layout back and verifies it instead (what a build
ends with anyway), and says so. ``--rebuild`` builds anyway; ``--check-reproducible`` always
builds (twice).

The inputs are one digest (``BuildInputs.digest``, kept in the receipt as ``inputs``) over the
commit, the builder's whole command line for each platform (temporary paths aside: it carries
the platforms, build arguments, labels, tags, the commit's time and the store), and what each
``FROM`` of the Dockerfile names in local storage now (a base image imported again is another
input). A base that is not in local storage (buildah would pull it: a tag may have moved) makes
the inputs unknown, and the build runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from shipit.image.backend import BuildRequest

_FROM = re.compile(r"^\s*FROM\s+(?P<rest>.+)$", re.IGNORECASE)
_ARG = re.compile(r"^\s*ARG\s+(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:=(?P<default>\S*))?\s*$",
                  re.IGNORECASE)
_VARIABLE = re.compile(
    r"\$\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?P<plain>[A-Za-z_][A-Za-z0-9_]*)")


def base_images(dockerfile: str, build_args: Mapping[str, str]) -> list[str] | None:
    """The images the Dockerfile's FROM lines name (stages it builds itself and ``scratch``
    aside), with ARGs declared before the first FROM and ``build_args`` filled in; None when
    a name is left with a variable nobody set."""
    defaults: dict[str, str] = {}
    stages: set[str] = set()
    found: list[str] = []
    seen_from = False
    for line in _joined(dockerfile):
        argument = _ARG.match(line)
        if argument and not seen_from and argument["default"] is not None:
            defaults[argument["name"]] = argument["default"].strip("\"'")
        match = _FROM.match(line)
        if match is None:
            continue
        seen_from = True
        words = [w for w in match["rest"].split() if not w.startswith("--")]
        if not words:
            return None
        image = _substitute(words[0], {**defaults, **build_args})
        if "\0" in image or not image:
            return None
        if len(words) >= 3 and words[1].lower() == "as":
            stages.add(words[2].lower())
        if image.lower() not in stages and image.lower() != "scratch":
            found.append(image)
    return list(dict.fromkeys(found))


def _substitute(word: str, values: Mapping[str, str]) -> str:
    """``$NAME`` and ``${NAME}`` filled in; a NUL marks a variable nobody set."""
    return _VARIABLE.sub(lambda m: values.get(m["braced"] or m["plain"], "\0"), word)


def _joined(text: str) -> list[str]:
    """Lines with backslash continuations joined, comments dropped."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        if raw.lstrip().startswith("#") and not current:
            continue
        if raw.rstrip().endswith("\\"):
            current += raw.rstrip()[:-1] + " "
            continue
        lines.append(current + raw)
        current = ""
    if current:
        lines.append(current)
    return lines


def inputs_digest(git_sha: str, argv_by_platform: Mapping[str, list[str]],
                  bases: Mapping[str, str], *, hidden: Mapping[str, str]) -> str:
    """One digest over everything a reproducible build is made from (see the module's doc).
    ``hidden`` maps paths that differ between runs (the exported source, temporary files) to
    stable names before hashing."""

    def stable(word: str) -> str:
        for path, name in hidden.items():
            word = word.replace(path, name)
        return word

    document = {
        "git_sha": git_sha,
        "argv": {platform: [stable(w) for w in argv]
                 for platform, argv in sorted(argv_by_platform.items())},
        "bases": dict(sorted(bases.items())),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def resolve_bases(request: BuildRequest, identify: Callable[[str], str | None]
                  ) -> dict[str, str] | None:
    """Each base image name -> what it is in local storage now (``identify``); None when the
    Dockerfile's bases cannot be named or one is not in local storage."""
    try:
        text = Path(request.dockerfile).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    names = base_images(text, request.build_args)
    if names is None:
        return None
    resolved: dict[str, str] = {}
    for name in names:
        identity = identify(name)
        if identity is None:
            return None
        resolved[name] = identity
    return resolved
