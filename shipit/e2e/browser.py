"""shipit e2e --browser: the demo path through the deployed page, in a real headless Chromium.

    open     the page loads config.js, which must name the environment's API, and lists the newest
    create   an article typed into the form; the page says it was published
    stored   the API reads it back (no browser involved)
    search   a word of it searched through the page comes back highlighted
    cors     every API answer the page got allows exactly its origin and varies on Origin

Console errors, failed requests and a screenshot per step are kept. A CORS fault is reported as
the browser said it, with the fix (which origin to allow where). Playwright drives the system's
Chromium (never its own download).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shipit.e2e.path import StepsReport
from shipit.errors import EnvironmentProblem
from shipit.types import Clock

if TYPE_CHECKING:
    import httpx
    from playwright.sync_api import Page, Response

CHROMIUM_ENV = "SHIPIT_CHROMIUM"
TAG = "shipit-e2e"
CORS_BLOCKED = "blocked by CORS policy"


@dataclass(frozen=True)
class BrowserStep:
    name: str
    ok: bool
    seconds: float
    detail: str
    screenshot: str | None = None
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.name, "ok": self.ok, "latency_ms": round(self.seconds * 1000, 1),
                "detail": self.detail, "screenshot": self.screenshot, "fix": self.fix}


@dataclass
class BrowserReport(StepsReport[BrowserStep]):
    page_url: str
    api_url: str
    marker: str
    steps: list[BrowserStep] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    network_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed_step
        return {"page_url": self.page_url, "api_url": self.api_url, "marker": self.marker,
                "ok": self.ok, "failed_step": failed.name if failed else None,
                "fix": failed.fix if failed else None, "seconds": round(self.seconds, 3),
                "steps": [step.to_dict() for step in self.steps],
                "console_errors": self.console_errors, "network_errors": self.network_errors}


class StepFailed(Exception):
    def __init__(self, detail: str, fix: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fix = fix


def origin_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def find_chromium(environ: dict[str, str] | None = None) -> str:
    """SHIPIT_CHROMIUM, else chromium on the PATH; exit 3 saying how to get one."""
    environ = dict(os.environ) if environ is None else environ
    chosen = environ.get(CHROMIUM_ENV)
    if chosen:
        if not Path(chosen).is_file():
            raise EnvironmentProblem(f"{CHROMIUM_ENV}={chosen} is not a file",
                                     hint="point it at a Chromium binary, or unset it")
        return chosen
    found = shutil.which("chromium", path=environ.get("PATH")) or shutil.which(
        "chromium-browser", path=environ.get("PATH"))
    if not found:
        raise EnvironmentProblem(
            "no Chromium to drive: `shipit e2e --browser` needs a headless Chromium",
            hint="apt-get install chromium (scripts/bootstrap does), or set SHIPIT_CHROMIUM to"
            " a Chromium binary",
        )
    return found


def cors_problems(page_origin: str, answers: list[tuple[str, dict[str, str]]]) -> list[str]:
    """What is wrong in the CORS headers of the API answers a page received (pure)."""
    problems: list[str] = []
    for url, headers in answers:
        allowed = headers.get("access-control-allow-origin")
        vary = {v.strip().lower() for v in headers.get("vary", "").split(",")}
        path = urllib.parse.urlsplit(url).path
        if allowed == "*":
            problems.append(f"{path}: Access-Control-Allow-Origin is '*': any site may read"
                            " the API's answers; allow exact origins")
        elif allowed == page_origin and "origin" not in vary:
            problems.append(f"{path}: allows {page_origin} without 'Vary: Origin': a cache"
                            " (CDN, proxy, browser) may serve this answer to another origin,"
                            " which the browser then blocks")
    return problems


def cors_fix(page_origin: str, configured: tuple[str, ...]) -> str:
    """Which origin to allow where, knowing what shipit.toml allows."""
    if page_origin in configured:
        return (f"shipit.toml already allows {page_origin} (http.cors_origins + web.origin),"
                " but the running task does not: `shipit deploy` sets the task's"
                " CORS_ALLOWED_ORIGINS from it (`shipit doctor --check http.cors_config`)")
    return (f"add {page_origin} to http.cors_origins of this environment in shipit.toml (or"
            " set web.origin to it when it is the frontend's origin), then `shipit deploy`:"
            " the task's CORS_ALLOWED_ORIGINS is derived from them")


@dataclass
class BrowserRun:
    page_url: str
    api: httpx.Client
    """An httpx client with base_url = the API (the read-back and the clean-up)."""
    shots_dir: Path
    chromium: str
    allowed_origins: tuple[str, ...] = ()
    timeout: float = 15.0
    search_attempts: int = 10
    clock: Clock = time.monotonic
    marker: str = field(default_factory=lambda: "browser" + secrets.token_hex(5))

    def run(self) -> BrowserReport:
        api_url = str(self.api.base_url).rstrip("/")
        report = BrowserReport(self.page_url, api_url, self.marker)
        began = self.clock()
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise EnvironmentProblem(
                "Playwright for Python is not installed",
                hint="pip install playwright (the dev extra has it); never `playwright"
                " install`: shipit drives the system's Chromium") from None
        self.shots_dir.mkdir(parents=True, exist_ok=True)
        article_id: int | None = None
        with sync_playwright() as p:
            # Chromium refuses to start its sandbox as root (CI containers): only then without.
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            browser = p.chromium.launch(executable_path=self.chromium, args=args)
            try:
                page = browser.new_page(viewport={"width": 1000, "height": 900})
                page.set_default_timeout(self.timeout * 1000)
                answers: list[Response] = []
                self._listen(page, report, answers)
                with contextlib.suppress(StepFailed):
                    self._step(report, page, "open", lambda: self._open(page))
                    article_id = self._step(report, page, "create", lambda: self._create(page))
                    self._step(report, page, "stored", lambda: self._stored(article_id))
                    self._step(report, page, "search", lambda: self._search(page, article_id))
                    self._step(report, page, "cors", lambda: self._cors(answers))
            finally:
                browser.close()
        if article_id is not None:
            with contextlib.suppress(Exception):  # best effort: the article is the run's own
                self.api.delete(f"/api/articles/{article_id}")
        report.seconds = self.clock() - began
        return report

    # -- plumbing ---------------------------------------------------------------------------
    def _listen(self, page: Page, report: BrowserReport, answers: list[Response]) -> None:
        api_origin = origin_of(str(self.api.base_url))

        def console(message: Any) -> None:
            if message.type == "error":
                report.console_errors.append(message.text)

        def failed(request: Any) -> None:
            report.network_errors.append(f"{request.method} {request.url}: {request.failure}")

        def response(answer: Response) -> None:
            if origin_of(answer.url) == api_origin and answer.request.method != "OPTIONS":
                answers.append(answer)
            if answer.status >= 400:
                report.network_errors.append(
                    f"{answer.request.method} {answer.url}: HTTP {answer.status}")

        page.on("console", console)
        page.on("pageerror", lambda error: report.console_errors.append(f"page error: {error}"))
        page.on("requestfailed", failed)
        page.on("response", response)

    def _step(self, report: BrowserReport, page: Page, name: str,
              action: Callable[[], tuple[Any, str]]) -> Any:
        start = self.clock()
        shot = self.shots_dir / f"{len(report.steps) + 1:02d}-{name}.png"
        try:
            value, detail = action()
        except StepFailed as failure:
            detail, fix = self._diagnose(report, failure)
            report.steps.append(BrowserStep(name, False, self.clock() - start, detail,
                                            self._shoot(page, shot), fix))
            raise
        except Exception as exc:  # a Playwright timeout, an httpx error: the step failed
            detail, fix = self._diagnose(report, StepFailed(f"{type(exc).__name__}: "
                                                            f"{str(exc).splitlines()[0]}"))
            report.steps.append(BrowserStep(name, False, self.clock() - start, detail,
                                            self._shoot(page, shot), fix))
            raise StepFailed(detail) from None
        report.steps.append(BrowserStep(name, True, self.clock() - start, detail,
                                        self._shoot(page, shot)))
        return value

    def _shoot(self, page: Page, path: Path) -> str | None:
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception:  # a crashed page cannot be photographed; the step still reports
            return None
        return str(path)

    def _diagnose(self, report: BrowserReport, failure: StepFailed) -> tuple[str, str | None]:
        """The failure as the browser saw it: a CORS block is quoted, with its fix."""
        blocked = next((m for m in report.console_errors if CORS_BLOCKED in m), None)
        if blocked is None:
            return failure.detail, failure.fix
        page_origin = origin_of(self.page_url)
        return (f"{failure.detail}. The browser: {blocked}",
                cors_fix(page_origin, self.allowed_origins))

    def _wait_state(self, page: Page, *states: str) -> str:
        wanted = ", ".join(f"body[data-state='{s}']" for s in (*states, "error"))
        page.wait_for_selector(wanted, state="attached")
        state = page.get_attribute("body", "data-state") or ""
        if state == "error":
            raise StepFailed("the page says: " + (page.text_content("#error") or "").strip())
        return state

    # -- the steps --------------------------------------------------------------------------
    def _open(self, page: Page) -> tuple[None, str]:
        page.goto(self.page_url, wait_until="load")
        configured = page.evaluate(
            "() => (window.SHIPIT_CONFIG || {}).apiBaseUrl || null")
        expected = str(self.api.base_url).rstrip("/")
        if configured is None:
            script = urllib.parse.urljoin(self.page_url, "config.js")
            raise StepFailed(f"{script} sets no apiBaseUrl (missing or not loaded)",
                             "run `shipit web deploy`: it writes config.js")
        if str(configured).rstrip("/") != expected:
            raise StepFailed(
                f"config.js says the API is {configured}, but this environment's API is"
                f" {expected}", "run `shipit web deploy` for this environment: config.js is"
                " written from http.url")
        self._wait_state(page, "ready")
        return None, (page.text_content("#status") or "").strip()

    def _create(self, page: Page) -> tuple[int, str]:
        page.fill("#title", f"Browser check {self.marker}")
        page.fill("#body", f"Typed into the page by shipit e2e --browser: {self.marker}.")
        page.fill("#tags", TAG)
        page.click("#create-form button[type=submit]")
        self._wait_state(page, "created")
        raw = page.get_attribute("#status", "data-article-id") or ""
        if not raw.isdigit():
            raise StepFailed(f"the page published no article id: {page.text_content('#status')}")
        return int(raw), (page.text_content("#status") or "").strip()

    def _stored(self, article_id: int | None) -> tuple[None, str]:
        answer = self.api.get(f"/api/articles/{article_id}")
        if answer.status_code != 200 or self.marker not in answer.text:
            raise StepFailed(f"GET /api/articles/{article_id} answered {answer.status_code}:"
                             f" {answer.text[:200]}")
        return None, f"article {article_id} read back from the API"

    def _search(self, page: Page, article_id: int | None) -> tuple[None, str]:
        hit = f"#result-list li[data-id='{article_id}'] mark"
        for attempt in range(1, self.search_attempts + 1):
            page.fill("#q", self.marker)
            page.click("#search-form button[type=submit]")
            self._wait_state(page, "searched")
            page.wait_for_function("() => document.querySelector('#results')"
                                   ".getAttribute('aria-busy') === 'false'")
            if page.query_selector(hit) is not None:
                marked = page.text_content(hit) or ""
                return None, f"found after {attempt} search(es), highlighted {marked!r}"
            page.evaluate("() => { document.body.dataset.state = 'ready'; }")
            page.wait_for_timeout(300)
        raise StepFailed(f"article {article_id} is not among the page's results for"
                         f" {self.marker!r} after {self.search_attempts} searches")

    def _cors(self, answers: list[Response]) -> tuple[None, str]:
        page_origin = origin_of(self.page_url)
        seen = [(answer.url, answer.headers) for answer in answers]
        problems = cors_problems(page_origin, seen)
        if problems:
            raise StepFailed(f"CORS: {problems[0]}" + (f" (and {len(problems) - 1} more)"
                                                        if len(problems) > 1 else ""),
                             "answer with Access-Control-Allow-Origin set to the request's"
                             " exact Origin when allowed, and always 'Vary: Origin' (the"
                             " sample service's cors.py does both)")
        return None, f"{len(seen)} API answer(s) allow exactly {page_origin}, Vary: Origin"


def run(
    page_url: str, api_url: str, *, shots_dir: Path, allowed_origins: tuple[str, ...] = (),
    chromium: str | None = None, timeout: float = 15.0,
) -> BrowserReport:
    """The whole browser e2e as a library call (the CLI, the demo and the benchmark use it)."""
    import httpx

    with httpx.Client(base_url=api_url, timeout=10.0) as client:
        return BrowserRun(page_url, client, shots_dir, chromium or find_chromium(),
                          allowed_origins=allowed_origins, timeout=timeout).run()


def unavailable(environ: dict[str, str] | None = None) -> str | None:
    """Why the browser e2e cannot run here (no Chromium, no Playwright), or None when it can.
    The demo asks this first and says so instead of failing."""
    try:
        find_chromium(environ)
    except EnvironmentProblem as problem:
        return f"{problem.message} ({problem.hint})"
    import importlib.util

    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is not installed (pip install playwright; the dev extra)"
    return None
