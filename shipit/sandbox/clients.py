"""The sandbox's own AWS clients: botocore bound to its moto, each made on first use, and the
one error type its stand-ins catch. The only place under shipit/sandbox that imports boto3 or
botocore (tests/core/test_aws_boundary.py): product code talks to AWS through shipit/aws.

The sandbox talks to its own moto with these, outside any user's profile.
"""

from __future__ import annotations

import threading
from typing import Any


class EndpointClients:
    """botocore clients bound to the sandbox's moto, each made on first use (~5-30 ms each with
    the model cache, ~40 ms without)."""

    def __init__(self, endpoint: str, region: str) -> None:
        self._endpoint, self._region = endpoint, region
        self._made: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._session: Any = None

    def __getitem__(self, name: str) -> Any:
        with self._lock:
            if name not in self._made:
                if self._session is None:
                    import botocore.session

                    from shipit.aws.model_cache import CachedLoader

                    session = botocore.session.get_session()
                    session.set_config_variable("region", self._region)
                    CachedLoader.install(session)  # as the product's session reads them
                    self._session = session
                self._made[name] = self._session.create_client(
                    name, region_name=self._region, endpoint_url=self._endpoint)
            return self._made[name]


def error_code(exc: BaseException, default: str) -> str | None:
    """The AWS error code of a botocore ClientError; None for any other exception."""
    import botocore.exceptions

    if not isinstance(exc, botocore.exceptions.ClientError):
        return None
    return str(exc.response.get("Error", {}).get("Code", default))
