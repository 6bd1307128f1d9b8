"""shipit e2e: the checklist's demo path against any URL, step by step, with each step's latency.

    health -> create (unique marker) -> read -> search until found -> delete -> gone -> cors

A step that fails ends the path (the article is still deleted when it was created); the report
names it. The HTTP client, the clock and the sleep are passed in.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from shipit.defaults import DEFAULT_HEALTH_PATH
from shipit.net import is_loopback_url
from shipit.types import Clock, Sleep

if TYPE_CHECKING:
    import httpx

TAG = "shipit-e2e"


class _Step(Protocol):
    @property
    def ok(self) -> bool: ...


StepT = TypeVar("StepT", bound=_Step)


class StepsReport(Generic[StepT]):
    """A run of steps that ends at the first failure: which one, and whether all passed."""

    steps: list[StepT]

    @property
    def failed_step(self) -> StepT | None:
        return next((step for step in self.steps if not step.ok), None)

    @property
    def ok(self) -> bool:
        return self.failed_step is None


@dataclass(frozen=True)
class Step:
    name: str
    ok: bool
    seconds: float
    detail: str
    status: int | None = None
    skipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.name, "ok": self.ok, "skipped": self.skipped, "status": self.status,
                "latency_ms": round(self.seconds * 1000, 1), "detail": self.detail}


@dataclass
class E2eReport(StepsReport[Step]):
    url: str
    marker: str
    steps: list[Step] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        failed = self.failed_step
        return {"url": self.url, "marker": self.marker, "ok": self.ok,
                "failed_step": failed.name if failed else None,
                "steps": [step.to_dict() for step in self.steps]}


class StepFailed(Exception):
    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


@dataclass
class E2eRun:
    """One run of the path; ``client`` has ``base_url`` set to the service's URL."""

    client: httpx.Client
    clock: Clock
    sleep: Sleep
    origin: str | None = None
    health_path: str = DEFAULT_HEALTH_PATH
    search_attempts: int = 20
    search_interval: float = 0.5
    marker: str = field(default_factory=lambda: "e2e" + secrets.token_hex(6))

    def run(self) -> E2eReport:
        report = E2eReport(str(self.client.base_url), self.marker)
        article_id: int | None = None
        with contextlib.suppress(StepFailed):
            self._step(report, "health", self._health)
            article_id = self._step(report, "create", self._create)
            self._step(report, "read", lambda: self._read(article_id))
            self._step(report, "search", lambda: self._search(article_id))
        if article_id is not None:
            with contextlib.suppress(StepFailed):
                self._step(report, "delete", lambda: self._delete(article_id))
                self._step(report, "gone", lambda: self._gone(article_id))
        if report.ok:
            self._cors(report)
        return report

    def _step(self, report: E2eReport, name: str, action: Callable[[], Any]) -> Any:
        start = self.clock()
        try:
            value, status, detail = action()
        except StepFailed as failure:
            report.steps.append(Step(name, False, self.clock() - start, failure.detail,
                                     failure.status))
            raise
        except Exception as exc:  # httpx transport errors and malformed answers alike
            report.steps.append(Step(name, False, self.clock() - start,
                                     f"{type(exc).__name__}: {exc}"))
            raise StepFailed(str(exc)) from None
        report.steps.append(Step(name, True, self.clock() - start, detail, status))
        return value

    def _health(self) -> tuple[None, int, str]:
        answer = self.client.get(self.health_path)
        _expect(answer, 200)
        return None, answer.status_code, answer.text[:120]

    def _create(self) -> tuple[int, int, str]:
        answer = self.client.post("/api/articles", json={
            "title": f"shipit e2e {self.marker}",
            "body": f"End-to-end check {self.marker}: create, read, search, delete.",
            "tags": [TAG],
        })
        _expect(answer, 201)
        article_id = answer.json().get("id")
        if not isinstance(article_id, int):
            raise StepFailed(f"201 without an id: {answer.text[:200]}", answer.status_code)
        return article_id, answer.status_code, f"article {article_id}"

    def _read(self, article_id: int | None) -> tuple[None, int, str]:
        answer = self.client.get(f"/api/articles/{article_id}")
        _expect(answer, 200)
        if self.marker not in answer.text:
            raise StepFailed(f"article {article_id} came back without the marker",
                             answer.status_code)
        return None, answer.status_code, f"article {article_id} has the marker"

    def _search(self, article_id: int | None) -> tuple[None, int, str]:
        for attempt in range(1, self.search_attempts + 1):
            answer = self.client.get("/api/search", params={"q": self.marker})
            _expect(answer, 200)
            body = answer.json()
            items: list[Any] = []
            if isinstance(body, dict):
                items = body.get("items") or body.get("results") or []
            if any(isinstance(i, dict) and i.get("id") == article_id for i in items):
                return None, answer.status_code, f"found after {attempt} attempt(s)"
            if attempt < self.search_attempts:
                self.sleep(self.search_interval)
        raise StepFailed(
            f"article {article_id} not found by ?q={self.marker} after {self.search_attempts}"
            " attempts (is the search index fed on write?)", 200,
        )

    def _delete(self, article_id: int) -> tuple[None, int, str]:
        answer = self.client.delete(f"/api/articles/{article_id}")
        _expect(answer, 204)
        return None, answer.status_code, f"article {article_id} deleted"

    def _gone(self, article_id: int) -> tuple[None, int, str]:
        answer = self.client.get(f"/api/articles/{article_id}")
        _expect(answer, 404)
        return None, answer.status_code, "reads 404 after delete"

    def _cors(self, report: E2eReport) -> None:
        if not self.origin:
            report.steps.append(Step("cors", True, 0.0, "no allowed origin configured",
                                     skipped=True))
            return

        def preflight() -> tuple[None, int, str]:
            answer = self.client.options("/api/articles", headers={
                "Origin": self.origin or "", "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            })
            allowed = answer.headers.get("access-control-allow-origin")
            if answer.status_code >= 400 or allowed != self.origin:
                raise StepFailed(f"preflight from {self.origin}: HTTP {answer.status_code},"
                                 f" allow-origin {allowed}", answer.status_code)
            return None, answer.status_code, f"allowed for {self.origin}"

        with contextlib.suppress(StepFailed):
            self._step(report, "cors", preflight)


def _expect(answer: httpx.Response, status: int) -> None:
    if answer.status_code != status:
        raise StepFailed(
            f"{answer.request.method} {answer.request.url.path} answered {answer.status_code},"
            f" expected {status}: {answer.text[:200]}",
            answer.status_code,
        )


def run_path(url: str, *, origin: str | None, health_path: str = DEFAULT_HEALTH_PATH,
             clock: Clock | None = None, sleep: Sleep | None = None) -> E2eReport:
    """The path against ``url``: the one place the HTTP client is set up (CLI, demo, report).
    A loopback URL (the sandbox) never goes through a proxy from the environment."""
    import time

    import httpx

    with httpx.Client(base_url=url, timeout=10.0, trust_env=not is_loopback_url(url)) as client:
        return E2eRun(client, clock or time.monotonic, sleep or time.sleep, origin=origin,
                      health_path=health_path).run()
