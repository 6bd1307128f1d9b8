"""Clients of one AWS-compatible endpoint (the sandbox's moto), each made on first use.

The sandbox talks to its own moto with these, outside any user's profile or credentials.
"""

from __future__ import annotations

import threading
from typing import Any


class EndpointClients:
    """boto3 clients bound to the sandbox's moto, each made on first use (they cost ~40 ms)."""

    def __init__(self, endpoint: str, region: str) -> None:
        self._endpoint, self._region = endpoint, region
        self._made: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._session: Any = None

    def __getitem__(self, name: str) -> Any:
        with self._lock:
            if name not in self._made:
                if self._session is None:
                    import boto3

                    self._session = boto3.Session(region_name=self._region)
                self._made[name] = self._session.client(name, endpoint_url=self._endpoint)
            return self._made[name]
