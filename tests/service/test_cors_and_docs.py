"""CORS for listed origins only; /openapi.json and the offline /docs explorer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sample_service.app import create_app
from tests.service.conftest import settings_for

ALLOWED = "https://app.example.com"


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = settings_for(
        f"sqlite:///{tmp_path / 'a.db'}", CORS_ALLOWED_ORIGINS=f"{ALLOWED},http://localhost:3000"
    )
    with TestClient(create_app(settings)) as client:
        yield client


def preflight(client: TestClient, origin: str) -> tuple[int, dict[str, str], str]:
    response = client.options(
        "/api/articles",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    return response.status_code, dict(response.headers), response.text


def test_preflight_from_an_allowed_origin(app_client: TestClient) -> None:
    status, headers, _ = preflight(app_client, ALLOWED)
    assert status == 204
    assert headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"]
    assert "Origin" in headers["vary"]


def test_preflight_from_a_foreign_origin_is_refused(app_client: TestClient) -> None:
    status, headers, text = preflight(app_client, "https://evil.example.net")
    assert status == 403
    assert "access-control-allow-origin" not in headers
    assert '"code":"origin_not_allowed"' in text


def test_simple_requests_get_the_header_only_for_allowed_origins(app_client: TestClient) -> None:
    allowed = app_client.get("/api/health", headers={"Origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in allowed.headers["access-control-expose-headers"]
    foreign = app_client.get("/api/health", headers={"Origin": "https://app.example.com.evil.io"})
    assert foreign.status_code == 200
    assert "access-control-allow-origin" not in foreign.headers
    no_origin = app_client.get("/api/health")
    assert "access-control-allow-origin" not in no_origin.headers


@pytest.mark.parametrize(
    ("path", "origin"),
    [
        ("/api/health", ALLOWED),
        ("/api/health", "https://evil.example.net"),
        ("/api/health", None),
        ("/no/such/route", "https://evil.example.net"),
        ("/api/articles/1", None),
    ],
)
def test_every_response_varies_on_origin(
    app_client: TestClient, path: str, origin: str | None
) -> None:
    # Allowed, refused and absent origins get different headers: a shared cache must key on it.
    response = app_client.get(path, headers={"Origin": origin} if origin else {})
    assert "origin" in [v.strip().lower() for v in response.headers["vary"].split(",")]


def test_no_origins_configured_means_none_allowed(tmp_path: Path) -> None:
    with TestClient(create_app(settings_for(f"sqlite:///{tmp_path / 'a.db'}"))) as client:
        assert preflight(client, ALLOWED)[0] == 403
        response = client.get("/api/health", headers={"Origin": ALLOWED})
        assert "access-control-allow-origin" not in response.headers


def test_openapi_lists_every_operation(app_client: TestClient) -> None:
    document = app_client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    operations = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert operations == {
        ("POST", "/api/articles"),
        ("GET", "/api/articles"),
        ("GET", "/api/articles/{article_id}"),
        ("DELETE", "/api/articles/{article_id}"),
        ("GET", "/api/search"),
        ("GET", "/api/health"),
    }
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', str(document).replace("'", '"'))
    assert refs
    assert set(refs) <= set(document["components"]["schemas"])


def test_docs_work_offline(app_client: TestClient) -> None:
    page = app_client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert set(assets) == {"/docs/explorer.js", "/docs/explorer.css", "/openapi.json"}
    for asset in ("/docs/explorer.js", "/docs/explorer.css"):
        response = app_client.get(asset)
        assert response.status_code == 200
        assert len(response.content) > 500
        # No CDN, no remote font, no remote anything.
        assert not re.search(r"https?://", response.text), asset
    script = app_client.get("/docs/explorer.js").text
    assert "/openapi.json" in script
    assert "fetch(" in script
    assert ".innerHTML" not in script  # schema and response text never become markup


def test_docs_are_package_data() -> None:
    from importlib import resources

    static = resources.files("sample_service").joinpath("static")
    assert {p.name for p in static.iterdir()} >= {"explorer.html", "explorer.js", "explorer.css"}
