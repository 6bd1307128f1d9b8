"""Credentials of a local AWS endpoint (the sandbox's moto): a JSON file, mode 0600.

The sandbox makes a random pair per start and checks every request against it (its moto
refuses any other signature); ``aws.credentials_file`` in its environment file points here, and
the session signs with them for that loopback endpoint only, never for AWS itself.

    {"aws_access_key_id": "SBX...", "aws_secret_access_key": "..."}
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from shipit.errors import ConfigError
from shipit.private_files import write_private


@dataclass(frozen=True)
class LocalCredentials:
    access_key_id: str
    secret_access_key: str

    @classmethod
    def generate(cls) -> LocalCredentials:
        """A fresh random pair (the key id is not an AWS shape: it never works on AWS)."""
        return cls("SBX" + secrets.token_hex(10).upper(), secrets.token_urlsafe(30))

    def write(self, path: Path) -> None:
        """Write the pair to ``path``, readable by its owner only (created 0600, never wider)."""
        write_private(path, json.dumps({"aws_access_key_id": self.access_key_id,
                                        "aws_secret_access_key": self.secret_access_key}))


def read_local_credentials(path: Path) -> LocalCredentials:
    """The pair in ``path``; a missing or malformed file is a ConfigError naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return LocalCredentials(str(data["aws_access_key_id"]),
                                str(data["aws_secret_access_key"]))
    except FileNotFoundError:
        raise ConfigError(f"aws.credentials_file {path} does not exist",
                          hint="is the sandbox running? `shipit sandbox up` writes it") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"aws.credentials_file {path} is not a credentials file"
                          f" ({type(exc).__name__})",
                          hint="`shipit sandbox up` writes it; do not edit it") from None
