"""What the sandbox needs from moto's internals is still there (fails loudly on a moto upgrade).

shipit/sandbox/moto_world.py patches two moto methods and reads moto's backends; its
``MOTO_CONTRACT`` lists each name and the parameters of each patched method. Each entry is
imported and inspected here, so an upgrade that renames or reshapes one fails with its name,
instead of a sandbox whose deployments silently never move.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shipit.sandbox.moto_world import MOTO_CONTRACT, new_deployment_id


def resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(dotted)


@pytest.mark.parametrize(("name", "parameters"), sorted(MOTO_CONTRACT.items()))
def test_moto_still_has_what_the_sandbox_patches_and_reads(name: str,
                                                           parameters: tuple[str, ...]) -> None:
    try:
        found = resolve(name)
    except (ImportError, AttributeError) as error:
        pytest.fail(f"moto no longer has {name} ({error}): update shipit/sandbox/moto_world.py")
    if parameters:
        assert callable(found)
        assert tuple(inspect.signature(found).parameters) == parameters, (
            f"{name} changed its parameters: update the patch in shipit/sandbox/moto_world.py")


def test_moto_target_groups_keep_the_health_check_attributes() -> None:
    """The scheduler reads the target group's health check from these attribute names."""
    from moto.elbv2.models import FakeTargetGroup

    source = inspect.getsource(FakeTargetGroup.__init__)
    for attribute in ("health_check_path", "health_check_interval_seconds",
                      "health_check_timeout_seconds", "healthy_threshold_count",
                      "unhealthy_threshold_count", "matcher"):
        assert f"self.{attribute}" in source, f"moto's FakeTargetGroup lost {attribute}"


def test_deployment_ids_look_like_ecs_ones() -> None:
    ids = {new_deployment_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(i.startswith("ecs-svc/") and len(i) == len("ecs-svc/") + 18 for i in ids)


MODELS_THROUGH_THE_CACHE = """
import hashlib, json, sys
from moto.core import utils
from shipit.sandbox import moto_world

def digest(service):
    def plain(x):
        if hasattr(x, "items"):
            return {k: plain(v) for k, v in x.items()}
        return [plain(v) for v in x] if isinstance(x, list) else x
    text = json.dumps(plain(utils._load_service_model(service, "service-2")), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()

def regions():
    import botocore.session
    return botocore.session.Session().get_available_regions("ec2")

services = ("ec2", "ecs", "elbv2", "route53")  # ec2's carries moto's own extras
before = [digest(s) for s in services], regions()
moto_world._start_faster()
print(json.dumps({"same": before == ([digest(s) for s in services], regions()),
                  "operations": len(utils.get_service_model("ecs").operation_names) > 0}))
"""


def test_moto_reads_the_same_models_through_the_cache(tmp_path: Path) -> None:
    """The start-up patch changes where moto's models come from, never what they say; the
    second process finds them in the cache (its entries under XDG_CACHE_HOME)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    for run in ("first", "second"):
        done = subprocess.run([sys.executable, "-c", MODELS_THROUGH_THE_CACHE], env=env,
                              capture_output=True, text=True, check=False, timeout=120,
                              cwd=Path(__file__).resolve().parents[2])
        assert done.returncode == 0, done.stderr[-3000:]
        assert json.loads(done.stdout) == {"same": True, "operations": True}, run
        assert list((tmp_path / "shipit" / "botocore").rglob("*")), run
