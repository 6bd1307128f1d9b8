"""shipit.aws.model_cache: botocore's data through a disk cache, equal to botocore's own loads."""

from __future__ import annotations

import json
import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore.loaders import Loader, create_loader
from botocore.session import get_session

from shipit.aws.model_cache import CachedLoader, LazyEntries, cache_root

DATA = Path(botocore.__file__).parent / "data"


def plain(value: Any) -> Any:
    """A loaded structure as JSON-comparable data (lazy mappings decoded, OrderedDicts as dicts)."""
    if isinstance(value, (dict, LazyEntries)):
        return {key: plain(value[key]) for key in value}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def fresh(root: Path) -> CachedLoader:
    return CachedLoader(list(create_loader().search_paths), root=root)


@pytest.mark.parametrize("service", ["ecs", "ec2", "rds", "secretsmanager"])
def test_a_cached_model_equals_botocores_own_load(tmp_path: Path, service: str) -> None:
    # rds and secretsmanager have sdk-extras merged into their model: the cache keeps the merge.
    expected = plain(Loader().load_service_model(service, "service-2"))
    first = fresh(tmp_path).load_service_model(service, "service-2")  # writes the entry
    second = fresh(tmp_path).load_service_model(service, "service-2")  # reads it
    assert isinstance(second["shapes"], LazyEntries)
    assert plain(first) == expected
    assert plain(second) == expected
    assert list(second["operations"]) == list(expected["operations"])  # order kept


def test_top_level_data_and_regions_come_from_the_cache(tmp_path: Path) -> None:
    endpoints, path = Loader().load_data_with_path("endpoints")
    assert fresh(tmp_path).load_data_with_path("endpoints") == (plain(endpoints), path)
    assert fresh(tmp_path).load_data_with_path("endpoints") == (plain(endpoints), path)
    regions = {r for p in endpoints["partitions"] for r in p.get("regions", {})}
    assert set(fresh(tmp_path).regions()) == regions
    assert {"us-east-1", "cn-north-1"} <= regions


def test_an_entry_is_used_only_while_its_files_are_unchanged(tmp_path: Path) -> None:
    """A model folder on AWS_DATA_PATH (as `aws configure add-model` makes): its edit is seen."""
    models = tmp_path / "models" / "ecs" / "2014-11-13"
    models.mkdir(parents=True)
    shutil.copy(next((DATA / "ecs").glob("*/service-2.json.gz")), models / "service-2.json.gz")
    own = tmp_path / "models"
    cache = tmp_path / "cache"
    loader = CachedLoader([str(own), *create_loader().search_paths], root=cache)
    assert "DescribeServices" in loader.load_service_model("ecs", "service-2")["operations"]

    edited = plain(Loader().load_service_model("ecs", "service-2"))
    edited["metadata"]["serviceFullName"] = "edited by hand"
    (models / "service-2.json.gz").unlink()
    (models / "service-2.json").write_text(json.dumps(edited), encoding="utf-8")
    again = CachedLoader([str(own), *create_loader().search_paths], root=cache)
    assert again.load_service_model("ecs", "service-2")["metadata"]["serviceFullName"] == (
        "edited by hand")

    stamp = os.stat(models / "service-2.json").st_mtime_ns + 10**9
    edited["metadata"]["serviceFullName"] = "edited again"
    (models / "service-2.json").write_text(json.dumps(edited), encoding="utf-8")
    os.utime(models / "service-2.json", ns=(stamp, stamp))
    third = CachedLoader([str(own), *create_loader().search_paths], root=cache)
    assert third.load_service_model("ecs", "service-2")["metadata"]["serviceFullName"] == (
        "edited again")


def test_an_unwritable_or_corrupt_cache_is_skipped(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    model = fresh(blocked / "botocore").load_service_model("ecs", "service-2")
    assert "DescribeServices" in model["operations"]

    fresh(tmp_path / "cache").load_service_model("ecs", "service-2")
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"\x00not marshal")
    model = fresh(tmp_path / "cache").load_service_model("ecs", "service-2")
    assert plain(model) == plain(Loader().load_service_model("ecs", "service-2"))


def test_an_entry_others_could_write_is_not_read(tmp_path: Path) -> None:
    cache = tmp_path / "home" / ".cache" / "shipit" / "botocore"
    fresh(cache).load_service_model("ecs", "service-2")
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert entries, "the first load writes an entry"
    assert all(p.parent.stat().st_mode & 0o777 == 0o700 for p in entries)
    planted = marshal.dumps({"checks": [], "plain": {"planted": True}})  # valid, always fresh
    for entry in entries:
        entry.write_bytes(planted)
        entry.chmod(0o666)
    model = fresh(cache).load_service_model("ecs", "service-2")  # not read: rebuilt instead
    assert plain(model) == plain(Loader().load_service_model("ecs", "service-2"))


def test_unknown_services_fail_as_botocore_says(tmp_path: Path) -> None:
    from botocore.exceptions import UnknownServiceError

    with pytest.raises(UnknownServiceError):
        fresh(tmp_path).load_service_model("no-such-service", "service-2")


def test_the_cache_lives_under_xdg_cache_home() -> None:
    assert cache_root({"XDG_CACHE_HOME": "/x/cache"}) == Path("/x/cache/shipit/botocore")
    assert cache_root({}) == Path(os.path.expanduser("~")) / ".cache" / "shipit" / "botocore"


def test_a_client_built_on_the_cached_loader_serialises_as_botocores(tmp_path: Path) -> None:
    """The same request bytes from a client on either loader (a model read lazily is whole)."""
    bodies = []
    for loader in (Loader(), fresh(tmp_path), fresh(tmp_path)):
        session = get_session()
        session.register_component("data_loader", loader)
        session.set_credentials("AKIDEXAMPLE", "secret")
        client: Any = session.create_client("ec2", region_name="us-east-1",
                                       endpoint_url="http://127.0.0.1:9")
        seen: list[Any] = []

        def stop(request: Any, seen: list[Any] = seen, **_: Any) -> Any:
            seen.append(request.body)
            raise RuntimeError("stop before sending")

        client.meta.events.register("before-send.ec2.DescribeSubnets", stop)
        with pytest.raises(RuntimeError, match="stop before sending"):
            client.describe_subnets(Filters=[{"Name": "vpc-id", "Values": ["vpc-1"]}])
        bodies.append(seen[0])
    assert bodies[0] == bodies[1] == bodies[2]
    assert "Action=DescribeSubnets" in str(bodies[0])


EVERY_SESSION = """
import json, sys
import botocore.session
from shipit.aws.model_cache import CachedLoader, cache_every_session

before = botocore.session.Session().get_available_regions("ec2")
cache_every_session()
first, second = botocore.session.Session(), botocore.session.Session()
loader = first.get_component("data_loader")
CachedLoader.install(first)  # as the sandbox's own clients do: the shared loader is kept
print(json.dumps({
    "kept": first.get_component("data_loader") is loader,
    "cached": isinstance(loader, CachedLoader),
    "shared": loader is second.get_component("data_loader"),
    "same": first.get_available_regions("ec2") == before,
}))
"""


def test_every_session_made_after_the_switch_reads_through_the_cache(tmp_path: Path) -> None:
    """What the sandbox daemon turns on before importing moto: sessions made by anyone get the
    cached loader (one per data path), and answer as before. In a process of its own: the
    switch is process-wide."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", EVERY_SESSION], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == {"kept": True, "cached": True, "shared": True,
                                       "same": True}
