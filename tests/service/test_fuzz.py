"""A bounded property-based fuzz of /openapi.json (schemathesis, every check) against a real
process: no 5xx, every answer as documented, schema-valid data accepted and schema-invalid data
refused (the two rules a schema cannot state are listed in schemathesis.toml beside this file)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.service.service_process import ServiceProcess

# Per operation; with the stateful phase about 750 requests, ~10 s per backend here.
MAX_EXAMPLES = 50
CONFIG = Path(__file__).with_name("schemathesis.toml")


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
                "--config-file",
                str(CONFIG),
                "run",
                f"{service.url}/openapi.json",
                "--checks",
                "all",
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
