"""botocore's data (service models, endpoint rules, partitions) read from a local cache.

Creating a client loads its service model: ec2's is 4 MB of gzipped JSON that botocore parses
into OrderedDicts on every run, after listing every service folder to check the name; a dozen
clients cost doctor ~0.15 s before its first request. ``CachedLoader`` is botocore's Loader with
a cache in front of its two entry points (``load_service_model`` and
``load_data_with_path``): each result
is kept as ``marshal`` data under ``$XDG_CACHE_HOME/shipit/botocore`` (else
``~/.cache/shipit/botocore``), in folders only the user can write.

An entry records what it was made from: every file botocore read for it (path, size,
modification time) and the search-path folders it looked in (their modification times, which
change when a model folder is added). It is used only when all of them are unchanged, and only by
the same Python (marshal's format is Python's own); an upgraded botocore, a model dropped into
``~/.aws/models`` or AWS_DATA_PATH give a new entry. A service model's operations and shapes are
kept one marshal blob each and decoded on first use: a run touches a handful of ec2's 830
operations. The data is what botocore's own loader returns (dicts in the same order instead of
OrderedDicts). A cache that cannot be read or written is skipped, silently.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.loaders import JSONFileLoader, Loader

if TYPE_CHECKING:
    from botocore.session import Session

_FORMAT = "2"  # bump when the layout of an entry changes
_LAZY_KEYS = ("operations", "shapes")
Check = tuple[str, int, int]  # path, size (-1 for a folder, -2 when absent), mtime_ns


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "shipit" / "botocore"


class LazyEntries(Mapping[str, Any]):
    """A model's operations or shapes: each decoded from its marshal blob when first read."""

    def __init__(self, blobs: dict[str, bytes]) -> None:
        self._blobs = blobs
        self._decoded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        try:
            return self._decoded[name]
        except KeyError:
            # KeyError for an unknown name, as a dict; the blob came from _read's checked file
            value = marshal.loads(self._blobs[name])  # noqa: S302
            self._decoded[name] = value
            return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._blobs)

    def __len__(self) -> int:
        return len(self._blobs)

    def __contains__(self, name: object) -> bool:
        return name in self._blobs


class _RecordingFileLoader(JSONFileLoader):
    """botocore's JSON file loader, noting each file it read (for an entry's checks)."""

    def __init__(self) -> None:
        self.read: list[str] = []

    def load_file(self, file_path: str) -> Any:
        data = super().load_file(file_path)
        if data is not None:
            for extension in (".json", ".json.gz"):  # the order JSONFileLoader tries
                if os.path.isfile(file_path + extension):
                    self.read.append(file_path + extension)
                    break
        return data


class CachedLoader(Loader):
    """botocore's Loader, its results cached on disk (see the module's docstring)."""

    def __init__(self, search_paths: list[str], root: Path | None = None) -> None:
        self._recorder = _RecordingFileLoader()
        super().__init__(extra_search_paths=search_paths, include_default_search_paths=False,
                         file_loader=self._recorder)
        self.root = cache_root() if root is None else root
        self._lock = threading.RLock()
        self._memo: dict[tuple[str, ...], Any] = {}

    @classmethod
    def install(cls, session: Session) -> None:
        """Make ``session`` (botocore's) read its data through the cache (a session made after
        ``cache_every_session`` already does: its loader, shared, is kept)."""
        loader = session.get_component("data_loader")
        if not isinstance(loader, CachedLoader):
            session.register_component("data_loader", cls.replacing(loader))

    @classmethod
    def replacing(cls, loader: Loader) -> CachedLoader:
        """A cached loader that searches where ``loader`` (botocore's, as configured) does."""
        return cls(list(loader.search_paths))

    def load_service_model(self, service_name: str, type_name: str,
                           api_version: str | None = None) -> Any:
        key = ("service", service_name, type_name, api_version or "")
        folders = [os.path.join(path, service_name) for path in self.search_paths]
        return self._cached(key, folders, lambda: super(CachedLoader, self).load_service_model(
            service_name, type_name, api_version=api_version))

    def load_data_with_path(self, name: str) -> Any:
        """(data, path) of a top-level data file (endpoints, partitions ...); load_data and
        botocore's endpoint resolver both come here."""
        if "/" in name or os.sep in name:  # a service's file: load_service_model caches it
            return super().load_data_with_path(name)
        data, path = self._cached(
            ("data", name), [], lambda: list(super(CachedLoader, self).load_data_with_path(name)))
        return data, path

    def regions(self) -> list[str]:
        """Every region of every partition in botocore's endpoint data (no network), kept as
        its own small entry: the endpoint data itself is ~1 MB."""

        def compute() -> list[str]:
            endpoints, _ = super(CachedLoader, self).load_data_with_path("endpoints")
            return sorted({region for partition in endpoints["partitions"]
                           for region in partition.get("regions", {})})

        return list(self._cached(("regions",), [], compute))

    def _cached(self, key: tuple[str, ...], folders: list[str], load: Any) -> Any:
        with self._lock:
            if key in self._memo:
                return self._memo[key]
            entry = self._entry(key)
            stored = _read(entry)
            if stored is None or not _unchanged(stored["checks"]):
                before = len(self._recorder.read)
                data = load()  # botocore's own errors (UnknownServiceError ...) pass through
                read = self._recorder.read[before:]
                parents = dict.fromkeys(os.path.dirname(path) for path in read)
                checks = [_check(path) for path in [*self.search_paths, *folders, *parents, *read]]
                stored = {"checks": checks, **_pack(data, lazy=key[0] == "service")}
                _write(entry, marshal.dumps(stored))
            self._memo[key] = value = _unpack(stored)
            return value

    def _entry(self, key: tuple[str, ...]) -> Path:
        text = "\0".join((_FORMAT, sys.version, *self.search_paths, *key))
        digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
        return self.root / digest[:2] / digest[2:34]


def cache_every_session() -> None:
    """Every botocore session this process makes from now on reads through the cache, whoever
    makes it (the sandbox daemon calls this before importing moto, whose modules make their own
    sessions while they are imported). Each distinct data path gets one shared loader."""
    import botocore.session
    from botocore.loaders import create_loader

    loaders: dict[str | None, CachedLoader] = {}

    def cached_loader(search_path_string: str | None = None) -> CachedLoader:
        if search_path_string not in loaders:
            loaders[search_path_string] = CachedLoader.replacing(create_loader(search_path_string))
        return loaders[search_path_string]

    setattr(botocore.session, "create_loader", cached_loader)  # noqa: B010


def _check(path: str) -> Check:
    try:
        stat = os.stat(path)
    except OSError:
        return (path, -2, 0)
    return (path, -1 if os.path.isdir(path) else stat.st_size, stat.st_mtime_ns)


def _unchanged(checks: list[Check]) -> bool:
    return all(_check(path) == (path, size, mtime) for path, size, mtime in checks)


def _pack(data: Any, *, lazy: bool) -> dict[str, Any]:
    """What an entry stores: a service model's operations and shapes one blob each."""
    data = _plain(data)
    if lazy and isinstance(data, dict) and all(isinstance(data.get(k), dict) for k in _LAZY_KEYS):
        return {"lazy": {k: {name: marshal.dumps(v) for name, v in data[k].items()}
                         for k in _LAZY_KEYS},
                "rest": {k: v for k, v in data.items() if k not in _LAZY_KEYS}}
    return {"plain": data}


def _unpack(stored: dict[str, Any]) -> Any:
    if "plain" in stored:
        return stored["plain"]
    model = dict(stored["rest"])
    for key, blobs in stored["lazy"].items():
        model[key] = LazyEntries(blobs)
    return model


def _plain(value: Any) -> Any:
    """OrderedDicts as dicts (marshal stores only built-in types); order is kept."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _read(entry: Path) -> dict[str, Any] | None:
    """An entry written by this user in a folder only this user can write (marshal data is
    trusted: the cache holds nothing but what this module wrote there), else None."""
    try:
        with entry.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            if stat.st_uid != os.getuid() or stat.st_mode & 0o022:
                return None
            folder = os.stat(entry.parent)
            if folder.st_uid != os.getuid() or folder.st_mode & 0o022:
                return None
            stored = marshal.loads(handle.read())  # noqa: S302 - see above
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return stored if isinstance(stored, dict) and "checks" in stored else None


def _write(entry: Path, payload: bytes) -> None:
    """Write atomically; a cache that cannot be written is no error."""
    try:
        entry.parents[3].mkdir(parents=True, exist_ok=True)  # ~/.cache
        for folder in reversed(entry.parents[:3]):  # shipit/botocore/<xx>: private to the user
            folder.mkdir(exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(payload)
            os.replace(temporary, entry)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass
