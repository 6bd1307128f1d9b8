"""http.health, http.cors: the service answers through its name and its ALB; CORS is exact."""

from __future__ import annotations

from shipit.doctor.checks import web
from shipit.doctor.facts import Snapshot
from shipit.doctor.finding import Verdict, failed, passed, skipped, warned
from shipit.doctor.probe import Prober, ProbeResponse

FOREIGN_ORIGIN = "https://shipit-doctor.invalid"


def health(s: Snapshot, probe: Prober) -> Verdict:
    alb = web.alb_base(s)
    if s.http_url is None and alb is None:
        s.load_balancer.need()
        return skipped("no http.url and no ALB to probe")
    by_name = probe(web.request(s, web.join(s.http_url, s.health_path))) if s.http_url else None
    by_alb = (
        probe(web.request(s, web.join(alb, s.health_path), verify_tls=False)) if alb else None
    )
    seen = "; ".join(answer.describe() for answer in (by_name, by_alb) if answer is not None)
    name_ok = by_name is not None and by_name.ok
    alb_ok = by_alb is not None and by_alb.ok
    if name_ok or (by_name is None and alb_ok):
        return passed(f"{s.health_path} answers 200", seen)
    if alb_ok:
        return failed(
            f"{s.http_url} does not answer, but the ALB does: a DNS problem",
            seen + ". The application is fine; the name does not lead to the ALB (yet).",
            "`shipit dns` creates the alias record; check it with `dig +short NAME` and mind the"
            " previous record's TTL (`shipit doctor --check dns.alias`)",
        )
    return failed(
        f"{s.health_path} does not answer 200 through the name or the ALB",
        seen + ". An application (or ALB) problem, not DNS.",
        "`shipit status` and `shipit logs` show why; check lb.targets and ecs.service",
    )


def _preflight(s: Snapshot, probe: Prober, base: str, origin: str) -> ProbeResponse:
    headers = (
        ("Origin", origin),
        ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", "content-type"),
    )
    url = web.join(base, s.health_path)
    return probe(web.request(s, url, method="OPTIONS", headers=headers))


def live_cors_agrees(s: Snapshot, probe: Prober) -> bool | None:
    """Whether the live service allows every configured origin and refuses a foreign one;
    None when it cannot be asked (no URL, no origin, no answer). Probes are cached per run,
    so this costs nothing after http.cors."""
    base = s.http_url or web.alb_base(s)
    if base is None or not s.cors_origins:
        return None
    for origin in s.cors_origins:
        answer = _preflight(s, probe, base, origin)
        if answer.status is None:
            return None
        if answer.status >= 400 or answer.headers.get("access-control-allow-origin") != origin:
            return False
    foreign = _preflight(s, probe, base, FOREIGN_ORIGIN)
    if foreign.status is None:
        return None
    return foreign.headers.get("access-control-allow-origin") not in (FOREIGN_ORIGIN, "*")


def cors(s: Snapshot, probe: Prober) -> Verdict:
    base = s.http_url or web.alb_base(s)
    if base is None:
        return skipped("no http.url or ALB to send a preflight to")
    if not s.cors_origins:
        return skipped("no http.cors_origins configured; nothing to check")
    where = (f"the task's {s.cors_variable} (http.cors_variable), comma-separated, no '*'"
             if s.cors_variable else "the service's own CORS settings (http.cors_variable = \"\")")
    fix = (
        f"set the service's allowed origins to exactly http.cors_origins ({where}), then"
        " `shipit deploy`"
    )
    problems: list[str] = []
    seen: list[str] = []
    for origin in s.cors_origins:
        answer = _preflight(s, probe, base, origin)
        seen.append(f"{origin}: {answer.describe()}")
        allowed = answer.headers.get("access-control-allow-origin")
        methods = answer.headers.get("access-control-allow-methods", "POST")
        if answer.status is None:
            return skipped(f"no answer to the preflight from {origin} (see http.health)",
                           "; ".join(seen))
        if answer.status >= 400 or allowed not in (origin, "*"):
            problems.append(f"{origin} is refused (HTTP {answer.status}, allow-origin {allowed})")
        elif "POST" not in methods.upper() and methods != "*":
            problems.append(f"{origin}: POST not in allow-methods {methods!r}")
    foreign = _preflight(s, probe, base, FOREIGN_ORIGIN)
    leaked = foreign.headers.get("access-control-allow-origin")
    if leaked in (FOREIGN_ORIGIN, "*"):
        problems.append(f"a foreign origin {FOREIGN_ORIGIN} is allowed (allow-origin {leaked})")
    if problems:
        return failed(f"CORS: {problems[0]}", "; ".join(problems[1:] + seen), fix)
    if foreign.status is None:
        return warned("the foreign-origin preflight got no answer", foreign.describe(), fix)
    return passed(
        f"preflight allowed for {len(s.cors_origins)} origin(s), refused for a foreign one",
        "; ".join(seen),
    )
