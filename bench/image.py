"""Image benchmark: build time of both platforms and image size per platform.

Usage (from the repository root, as root, after scripts/bootstrap):

    .venv/bin/python bench/image.py            # measure and print the section
    .venv/bin/python bench/image.py --record   # ... and write the "image" section of
                                               # docs/benchmarks.md (other sections are kept)

What it does: clones HEAD into a temporary directory (a clean work tree), makes a fresh buildah
storage with the local base image (scripts/make-base-image; not timed), starts a docker-registry
on 127.0.0.1, then runs the same command twice:

    shipit --json build --platform linux/amd64,linux/arm64 --builder buildah --push

first with empty caches ("cold": every stage built, every layer read back for verification;
only pip's download cache under /var/tmp/buildah-cache may be warm), then after a one-line change
to the service's code ("warm": the dependency layers come from buildah's cache, and verification
reads only the new layers). Sizes come from the build receipt:
compressed is what a registry stores and a task pulls, uncompressed the layers' tar size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import record_section  # noqa: E402 - after the path setup
from shipit.net import free_port  # noqa: E402

SECTION = "## image"
SHIPIT_ARGS = ["--json", "build", "--platform", "linux/amd64,linux/arm64", "--builder", "buildah",
               "--push"]



def run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def start_registry(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    config = workdir / "registry.yml"
    config.write_text(f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
                      f"    rootdirectory: {workdir / 'data'}\nhttp:\n  addr: 127.0.0.1:{port}\n",
                      encoding="utf-8")
    process = subprocess.Popen(["docker-registry", "serve", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("docker-registry did not start")


def build(project: Path, env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    started = time.monotonic()
    output = run([sys.executable, "-m", "shipit", *SHIPIT_ARGS], cwd=project, env=env)
    seconds = time.monotonic() - started
    receipt: dict[str, Any] = json.loads(output)["receipt"]
    return seconds, receipt


def commit(project: Path, message: str) -> None:
    run(["git", "-C", str(project), "add", "-A"])
    run(["git", "-C", str(project), "-c", "user.name=bench", "-c", "user.email=bench@example.com",
         "commit", "-q", "-m", message])


def measure(driver: str) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="shipit-bench-image-", dir="/var/tmp"))
    storage = {"SHIPIT_BUILDAH_ROOT": str(workdir / "storage"),
               "SHIPIT_BUILDAH_RUNROOT": str(workdir / "run"), "SHIPIT_STORAGE_DRIVER": driver}
    # An empty layer cache too: "cold" verification reads every layer from the registry.
    env = {**os.environ, **storage, "XDG_CACHE_HOME": str(workdir / "cache")}
    registry, host = start_registry(workdir)
    try:
        base = run([str(ROOT / "scripts" / "make-base-image")], env=env).strip().splitlines()[-1]
        project = workdir / "project"
        run(["git", "clone", "-q", "--depth", "1", f"file://{ROOT}", str(project)])
        (project / "shipit.toml").write_text(
            f'project = "articles"\n[image]\nrepository = "articles"\n'
            f'dockerfile = "sample_service/Dockerfile"\ncontext = "."\nregistry = "{host}"\n'
            f'build_args = {{ BASE_IMAGE = "{base}" }}\n', encoding="utf-8")
        commit(project, "bench config")
        cold_seconds, cold = build(project, env)
        with (project / "sample_service" / "__init__.py").open("a", encoding="utf-8") as file:
            file.write("# bench: a one-line code change\n")
        commit(project, "bench change")
        warm_seconds, warm = build(project, env)
        return {"cold": (cold_seconds, cold), "warm": (warm_seconds, warm), "base": base,
                "driver": driver}
    finally:
        registry.terminate()
        registry.wait()
        subprocess.run(["buildah", "--root", storage["SHIPIT_BUILDAH_ROOT"], "--runroot",
                        storage["SHIPIT_BUILDAH_RUNROOT"], "--storage-driver", driver, "rmi",
                        "--all", "--force"], capture_output=True, check=False)
        shutil.rmtree(workdir, ignore_errors=True)


def mb(size: int | None) -> str:
    return f"{size / 1e6:.1f} MB" if size else "?"


def format_section(result: dict[str, Any]) -> str:
    cold_seconds, cold = result["cold"]
    warm_seconds, warm = result["warm"]
    rows = ["| platform | compressed (pulled) | uncompressed |", "|---|---|---|"]
    for image in cold["platforms"]:
        rows.append(f"| {image['platform']} | {mb(image['compressed_size'])} | "
                    f"{mb(image['uncompressed_size'])} |")
    timing_rows = ["| build | both platforms, whole command | per platform (buildah) | "
                   "push | verify (layers read back) |", "|---|---|---|---|---|"]
    for label, seconds, receipt in (("cold", cold_seconds, cold), ("warm", warm_seconds, warm)):
        timings = receipt["timings"]
        per = ", ".join(f"{k.split()[1]} {v:.1f} s" for k, v in timings.items()
                        if k.startswith("build "))
        timing_rows.append(f"| {label} | {seconds:.1f} s | {per} | {timings.get('push', 0):.1f} s"
                           f" | {timings.get('verify', 0):.1f} s |")
    load = os.getloadavg()[0]
    return "\n".join([
        SECTION, "",
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()} Linux "
        f"({os.cpu_count()} CPUs, load average {load:.1f} at the end), buildah 1.28, "
        f"storage driver {result['driver']}, base image {result['base']} (Debian bookworm, "
        "python3.11, from scripts/make-base-image). Command:", "",
        "```sh", ".venv/bin/python bench/image.py --record", "# which runs, in a clean clone of "
        "HEAD, twice (cold layer cache, then after a one-line code change):",
        "shipit " + " ".join(SHIPIT_ARGS), "```", "",
        "Image size per platform (the sample service on the Debian base; with "
        "`python:3.11-slim` as BASE_IMAGE the base differs):", "", *rows, "",
        "Build time, both platforms (every RUN on the build machine, arm64 without emulation):",
        "", *timing_rows, "",
        "\"whole command\" includes git, the registry ping, verification (cold: every layer of "
        "both platforms read back from the registry and checked down to the ELF header of "
        "`python3`; warm: only the new layers, the others' parsed form is cached by digest), "
        "tags and the receipt. Cold starts with an empty layer cache and an empty buildah "
        "storage (the base image imported, not timed); pip's download cache may be warm.", "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--record", action="store_true", help="write docs/benchmarks.md")
    parser.add_argument("--driver", default="overlay", choices=["overlay", "vfs"],
                        help="containers-storage driver (default overlay)")
    options = parser.parse_args()
    section = format_section(measure(options.driver))
    print(section)
    if options.record:
        record_section(SECTION, section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
