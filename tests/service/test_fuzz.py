"""A bounded property-based fuzz of /openapi.json (schemathesis) against a real process: no 5xx."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.service.service_process import ServiceProcess

# Per operation; with the stateful phase about 750 requests, ~10 s per backend here.
MAX_EXAMPLES = 50
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


def test_fuzzing_the_openapi_schema_finds_no_server_error(
    make_service: Callable[..., ServiceProcess], database_url: str, tmp_path: Path
) -> None:
    service = make_service(database_url, LOG_LEVEL="warning")
    service.start().wait_healthy()
    report = tmp_path / "schemathesis.txt"
    with report.open("w") as out:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{service.url}/openapi.json",
                "--checks",
                CHECKS,
                "--max-examples",
                str(MAX_EXAMPLES),
                "--seed",
                "20261127",
                "--generation-database",
                "none",
                "--no-color",
                "--output-truncate",
                "true",
            ],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=120,
            check=False,
        )
    text = report.read_text(errors="replace")
    assert result.returncode == 0, text[-4000:]
    assert " passed" in text
    assert service.terminate() == 0
    # Nothing escaped as an unhandled error either (a 500 the checks could have missed).
    assert not [line for line in service.log_lines() if line["msg"] == "unhandled error"]
