"""`shipit e2e` against a real sample-service process, and failing paths that name their step."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import httpx

from shipit.e2e import E2eRun
from shipit.net import free_port
from tests.fixtures.cli import run_cli
from tests.fixtures.reference_stack import ALLOWED_ORIGIN
from tests.service.service_process import ServiceProcess

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route
    from starlette.testclient import TestClient


def test_the_demo_path_is_green_against_the_service(article_service: ServiceProcess) -> None:
    result = run_cli(["--json", "e2e", "--url", article_service.url, "--origin", ALLOWED_ORIGIN])
    report = result.json()
    assert result.exit_code == 0, result.stderr
    assert [s["step"] for s in report["steps"]] == [
        "health", "create", "read", "search", "delete", "gone", "cors"]
    assert all(s["ok"] and not s["skipped"] for s in report["steps"])
    assert all(s["latency_ms"] >= 0 for s in report["steps"])
    found = httpx.get(f"{article_service.url}/api/search", params={"q": report["marker"]}).json()
    assert found["items"] == []  # the article is gone from the index too


def test_a_refused_origin_fails_the_cors_step(article_service: ServiceProcess) -> None:
    result = run_cli(["e2e", "--url", article_service.url, "--origin", "https://evil.test"])
    assert result.exit_code == 1
    assert "e2e failed at step cors" in result.stderr
    assert "HTTP 403" in result.stderr


def test_nothing_listening_fails_the_health_step(tmp_path: Path) -> None:
    # no shipit.toml anywhere: --url is all e2e needs
    result = run_cli(["--json", "e2e", "--url", f"http://127.0.0.1:{free_port()}"], cwd=tmp_path)
    assert result.exit_code == 1
    report = result.json()
    assert report["failed_step"] == "health"
    assert [s["step"] for s in report["steps"]] == ["health"]


def forgetful_service() -> tuple[Starlette, dict[int, dict[str, Any]]]:
    """Articles that the search never finds (an index that is not fed on write)."""
    store: dict[int, dict[str, Any]] = {}

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def create(request: Request) -> Response:
        article = {**(await request.json()), "id": len(store) + 1}
        store[article["id"]] = article
        return JSONResponse(article, status_code=201)

    async def one(request: Request) -> Response:
        article_id = int(request.path_params["id"])
        if article_id not in store:
            return JSONResponse({"error": "not found"}, status_code=404)
        if request.method == "DELETE":
            del store[article_id]
            return Response(status_code=204)
        return JSONResponse(store[article_id])

    async def search(request: Request) -> Response:
        return JSONResponse({"query": request.query_params["q"], "items": []})

    app = Starlette(routes=[
        Route("/api/health", health), Route("/api/articles", create, methods=["POST"]),
        Route("/api/articles/{id}", one, methods=["GET", "DELETE"]),
        Route("/api/search", search),
    ])
    return app, store


def test_a_search_that_never_finds_fails_that_step_and_still_cleans_up() -> None:
    app, store = forgetful_service()
    slept: list[float] = []
    ticks = iter(range(1000))
    with TestClient(app, base_url="http://service.test") as client:
        report = E2eRun(client, clock=lambda: float(next(ticks)), sleep=slept.append,
                        search_attempts=4, search_interval=0.25).run()
    assert report.failed_step is not None
    assert report.failed_step.name == "search"
    assert "not found by ?q=" in report.failed_step.detail
    assert slept == [0.25, 0.25, 0.25]
    assert [s.name for s in report.steps] == ["health", "create", "read", "search", "delete",
                                              "gone"]
    assert store == {}
