"""A buildah build that failed for a transient cause runs again; any other failure does not
(a FAKE runner stands in for buildah: the cause cannot be provoked on purpose with the real one,
whose builds run in tests/image/test_buildah_real.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit.image.buildah import BUILD_ATTEMPTS, BuildahBuilder
from tests.fakes.runner import FakeRunner
from tests.image.test_unchanged import request, storage

SEAL_REFUSED = ("[1/2] STEP 5/7: RUN set -eu; pip install ...\n"
                "Close_Fd sealing memfd copy: Device or resource busy\n"
                "error building at STEP \"RUN ...\": exit status 1")


def flaky_buildah(failures: dict[str, list[str]]) -> FakeRunner:
    """buildah as a FAKE: each platform's builds fail with the next text in ``failures[arch]``
    until that list is empty, then succeed and write the iidfile."""

    def rule(argv: list[str]) -> tuple[int, str]:
        assert "build" in argv
        arch = argv[argv.index("--platform") + 1].split("/")[1]
        if failures[arch]:
            return 1, failures[arch].pop(0)
        Path(argv[argv.index("--iidfile") + 1]).write_text(f"sha256:{arch}\n", encoding="utf-8")
        return 0, ""

    return FakeRunner(rule=rule)


def test_a_refused_seal_is_built_again_and_says_so(tmp_path: Path) -> None:
    runner = flaky_buildah({"amd64": [SEAL_REFUSED], "arm64": []})
    lines: list[str] = []
    images, _ = BuildahBuilder(runner, storage()).build_images(request(tmp_path), lines.append)
    assert images == {"linux/amd64": "sha256:amd64", "linux/arm64": "sha256:arm64"}
    assert len(runner.calls) == 3
    again = [line for line in lines if "again" in line]
    assert again == [f"[amd64] buildah failed before the step ran (the kernel refused to seal"
                     f" buildah's copy of itself (EBUSY)); building linux/amd64 again, attempt 2"
                     f" of {BUILD_ATTEMPTS}"]


def test_a_seal_refused_every_time_fails_after_the_last_attempt(tmp_path: Path) -> None:
    runner = flaky_buildah({"amd64": [SEAL_REFUSED] * BUILD_ATTEMPTS, "arm64": []})
    with pytest.raises(Exception, match="sealing memfd copy"):
        BuildahBuilder(runner, storage()).build_images(request(tmp_path), lambda line: None)
    assert len(runner.calls) == BUILD_ATTEMPTS + 1


def test_any_other_failure_is_not_built_again(tmp_path: Path) -> None:
    broken = "error building at STEP \"RUN pip install\": exit status 1"
    runner = flaky_buildah({"amd64": [broken, broken], "arm64": []})
    with pytest.raises(Exception, match="could not build linux/amd64"):
        BuildahBuilder(runner, storage()).build_images(request(tmp_path), lambda line: None)
    assert len(runner.calls) == 2
