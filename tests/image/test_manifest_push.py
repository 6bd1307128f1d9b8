"""One `buildah manifest push` command line for the build (export and --push) and `shipit push`,
without --digestfile (buildah 1.28 exits 0 on a refused push when it is given). The real pushes
are in tests/image/test_buildah_real.py and tests/push; here a FAKE runner records argv."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipit.aws.ecr import RegistryLogin
from shipit.errors import Failed, RegistryUnreachable
from shipit.image.buildah import manifest_push_argv, push_manifest_list
from shipit.image.storage import BuildahStorage
from shipit.push.builder import BuildahPusher
from shipit.push.target import Destination
from tests.fakes.runner import FakeRunner

STORAGE = BuildahStorage("overlay", Path("/s/root"), Path("/s/run"))


@pytest.mark.parametrize(("destination", "tls_verify", "tls_flag"), [
    ("docker://127.0.0.1:5000/articles:abc", False, "--tls-verify=false"),
    ("docker://123456789012.dkr.ecr.us-east-1.amazonaws.com/articles:abc", True,
     "--tls-verify=true"),
    ("oci:/p/.shipit/oci:abc", True, None),
])
def test_one_command_line_without_digestfile(destination: str, tls_verify: bool,
                                              tls_flag: str | None) -> None:
    argv = manifest_push_argv(STORAGE, "localhost/articles:abc", destination,
                              tls_verify=tls_verify)
    prefix = ["buildah", *STORAGE.flags(), "manifest", "push"]
    assert argv[:len(prefix)] == prefix
    assert "--all" in argv
    assert not any(a.startswith("--digestfile") for a in argv)
    assert argv[-2:] == ["localhost/articles:abc", destination]
    assert (tls_flag in argv) if tls_flag else not any(a.startswith("--tls") for a in argv)


@pytest.mark.parametrize(("host", "tls_verify"), [
    ("127.0.0.1:5000", False),
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com", True),
])
def test_build_and_push_run_the_same_command_line(host: str, tls_verify: bool) -> None:
    built, pushed = FakeRunner(), FakeRunner()
    push_manifest_list(built, STORAGE, "localhost/a:v1", f"docker://{host}/a:v1",
                       tls_verify=tls_verify)
    pusher = BuildahPusher(runner=pushed, storage=STORAGE)
    pusher.login(Destination(host, "a"), RegistryLogin("AWS", "s3cret", ""))
    pusher.push("localhost/a:v1", Destination(host, "a"), "v1")
    assert built.calls == [manifest_push_argv(STORAGE, "localhost/a:v1", f"docker://{host}/a:v1",
                                              tls_verify=tls_verify)]
    # the same command line, plus the login's temporary authfile
    assert pushed.calls[-1] == manifest_push_argv(
        STORAGE, "localhost/a:v1", f"docker://{host}/a:v1", tls_verify=tls_verify,
        authfile=pusher.authfile)
    pusher.close()


@pytest.mark.parametrize(("stderr", "error"), [
    ("dial tcp 127.0.0.1:5000: connection refused", RegistryUnreachable),
    ("manifest invalid: tag already exists", Failed),
])
def test_a_failed_push_is_an_error_not_an_empty_digest(stderr: str,
                                                       error: type[Exception]) -> None:
    with pytest.raises(error):
        push_manifest_list(FakeRunner(125, stderr), STORAGE, "localhost/a:v1",
                           "docker://127.0.0.1:5000/a:v1", tls_verify=False)
