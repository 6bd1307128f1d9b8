"""`shipit e2e --browser` in a real headless Chromium against services that are wrong in the
ways only a browser shows: a disallowed origin, a wildcard, no Vary: Origin, a wrong config.js."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shipit.e2e.browser import cors_problems, run
from shipit.net import free_port
from tests.fixtures.browser import Headers, page_and_api, serve_api, serve_page

pytestmark = pytest.mark.browser


def origin(url: str) -> str:
    return url.rstrip("/")


def test_happy_path_in_a_real_browser(tmp_path: Path) -> None:
    with page_and_api(tmp_path) as (page, api):
        report = run(page, api, shots_dir=tmp_path / "shots", allowed_origins=(origin(page),))
    assert report.ok, report.to_dict()
    assert [s.name for s in report.steps] == ["open", "create", "stored", "search", "cors"]
    for step in report.steps:
        assert step.screenshot
        assert Path(step.screenshot).stat().st_size > 1000
    assert report.console_errors == []
    assert report.network_errors == []


def test_a_disallowed_origin_fails_with_the_browsers_cors_message_and_the_fix(
    tmp_path: Path,
) -> None:
    with serve_api(tmp_path, "https://app.example.com") as api, \
            serve_page(tmp_path / "site", api) as page:
        report = run(page, api, shots_dir=tmp_path / "shots",
                     allowed_origins=("https://app.example.com",))
    failed = report.failed_step
    assert failed is not None
    assert failed.name == "open"
    assert "blocked by CORS policy: No 'Access-Control-Allow-Origin' header" in failed.detail
    assert f"from origin '{origin(page)}'" in failed.detail
    assert failed.fix is not None
    assert f"add {origin(page)} to http.cors_origins" in failed.fix
    assert failed.screenshot
    assert Path(failed.screenshot).exists()
    assert any("net::ERR_FAILED" in e for e in report.network_errors)


def _drop_vary(headers: Headers) -> Headers:
    return [(k, v) for k, v in headers if k.lower() != b"vary"]


def _wildcard(headers: Headers) -> Headers:
    kept = [(k, v) for k, v in headers if k.lower() != b"access-control-allow-origin"]
    return [*kept, (b"access-control-allow-origin", b"*")]


@pytest.mark.parametrize(("rewrite", "words"), [
    (_drop_vary, "without 'Vary: Origin'"),
    (_wildcard, "Access-Control-Allow-Origin is '*'"),
])
def test_a_service_without_vary_or_with_a_wildcard_is_flagged(
    tmp_path: Path, rewrite: Callable[[Headers], Headers], words: str,
) -> None:
    with page_and_api(tmp_path, rewrite) as (page, api):
        report = run(page, api, shots_dir=tmp_path / "shots", allowed_origins=(origin(page),))
    failed = report.failed_step
    assert failed is not None, report.to_dict()
    assert failed.name == "cors"
    assert words in failed.detail
    # The page itself worked: the browser accepted these answers, which is the danger.
    assert [s.name for s in report.steps if s.ok] == ["open", "create", "stored", "search"]


def test_config_js_with_a_wrong_api_url_fails_at_the_first_step(tmp_path: Path) -> None:
    wrong = f"http://127.0.0.1:{free_port()}"
    with page_and_api(tmp_path, None, page_api=wrong) as (page, api):
        report = run(page, api, shots_dir=tmp_path / "shots", allowed_origins=(origin(page),))
    failed = report.failed_step
    assert failed is not None
    assert failed.name == "open"
    assert len(report.steps) == 1
    assert f"config.js says the API is {wrong}" in failed.detail
    assert failed.fix is not None
    assert "shipit web deploy" in failed.fix


@pytest.mark.parametrize(("headers", "problems"), [
    ([("http://a/api/x", {"access-control-allow-origin": "http://p", "vary": "Origin"})], 0),
    ([("http://a/api/x", {"access-control-allow-origin": "http://p",
                          "vary": "Accept-Encoding, origin"})], 0),
    ([("http://a/api/x", {"access-control-allow-origin": "http://p"})], 1),
    ([("http://a/api/x", {"access-control-allow-origin": "*", "vary": "Origin"})], 1),
    ([("http://a/api/x", {})], 0),  # blocked answers are the open/create steps' business
])
def test_cors_problems_table(headers: list[tuple[str, dict[str, str]]], problems: int) -> None:
    assert len(cors_problems("http://p", headers)) == problems


def test_the_page_shows_markup_in_an_article_as_text(tmp_path: Path) -> None:
    """The snippet's <mark> becomes an element; anything else in an article stays text."""
    import httpx
    from playwright.sync_api import sync_playwright

    with page_and_api(tmp_path) as (page, api):
        body = 'Fargate runs <img src=x onerror="document.title=1"> & "more"'
        assert httpx.post(f"{api}/api/articles",
                          json={"title": "Hello", "body": body}).status_code == 201
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox"])
            tab = browser.new_page(viewport={"width": 375, "height": 800})  # a phone's width
            tab.goto(page)
            tab.wait_for_selector("body[data-state=ready]")
            tab.fill("#q", "fargate")
            tab.click("#search-form button[type=submit]")
            tab.wait_for_selector("body[data-state=searched]")
            snippet = tab.locator("#result-list p")
            text, marks, images = (snippet.text_content(), snippet.locator("mark").count(),
                                   snippet.locator("img").count())
            title = tab.title()
            browser.close()
    assert text == 'Fargate runs <img src=x onerror="document.title=1"> & "more"'
    assert marks == 1
    assert images == 0
    assert title == "Articles"
