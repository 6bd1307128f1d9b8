"""The sample service redacts its logs with shipit's redactor: its image installs only
sample_service/requirements.txt, so sample_service/redact.py is a byte-identical twin of
shipit/redact.py (standard library only), and both pass the same table."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

import sample_service.redact
import shipit.redact
from sample_service.logging import redact as service_log_redact
from tests.core.test_redact import ISSUE_17, SHAPES

ROOT = Path(__file__).resolve().parents[2]
TWINS = [shipit.redact, sample_service.redact]


def test_the_service_twin_is_byte_identical() -> None:
    ours = (ROOT / "shipit" / "redact.py").read_bytes()
    twin = (ROOT / "sample_service" / "redact.py").read_bytes()
    assert twin == ours, "copy shipit/redact.py to sample_service/redact.py (they must not drift)"


def test_the_twin_imports_only_the_standard_library() -> None:
    text = (ROOT / "sample_service" / "redact.py").read_text(encoding="utf-8")
    imports = {line.split()[1].split(".")[0] for line in text.splitlines()
               if line.startswith(("import ", "from "))}
    assert imports <= {"__future__", "functools", "re", "urllib", "collections", "typing"}


@pytest.mark.parametrize("module", TWINS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(("text", "planted", "kept"), [s[1:] for s in SHAPES + ISSUE_17],
                         ids=[s[0] for s in SHAPES + ISSUE_17])
def test_both_twins_hide_every_shape(module: ModuleType, text: str, planted: str,
                                     kept: str) -> None:
    shown = module.Redactor().text(text)
    assert planted not in shown
    assert kept.replace("***", "") in shown.replace("***", "")


@pytest.mark.parametrize(("text", "planted", "kept"), [s[1:] for s in SHAPES + ISSUE_17],
                         ids=[s[0] for s in SHAPES + ISSUE_17])
def test_the_service_log_redaction_hides_every_shape(text: str, planted: str, kept: str) -> None:
    assert planted not in service_log_redact(text)
