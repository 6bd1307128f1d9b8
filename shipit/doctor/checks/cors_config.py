"""http.cors_config: the deployed task allows exactly the origins shipit.toml derives.

One source: http.cors_origins plus the web origin become the task's origins variable
(http.cors_variable, CORS_ALLOWED_ORIGINS by default) at deploy time (shipit/config/origins.py).
A task definition that says otherwise was deployed from another config, by hand, or before the
frontend's origin was added. Live evidence wins over this inference: when the preflights of
http.cors show the service allows exactly the configured origins, a differing variable is drift
(warn), never a failure; a service that configures CORS itself (http.cors_variable = "") is
judged by the live preflight alone.
"""

from __future__ import annotations

from shipit.config.origins import parse_origins
from shipit.doctor.checks.http import live_cors_agrees
from shipit.doctor.facts import Snapshot
from shipit.doctor.finding import Verdict, failed, passed, skipped
from shipit.doctor.probe import Prober


def _fix(variable: str) -> str:
    return (
        f"`shipit deploy` registers a task definition whose {variable} is http.cors_origins"
        " + the web origin (see the plan with `shipit deploy --dry-run`); do not set it in vars."
        " If the service reads its origins elsewhere, set http.cors_variable to that variable's"
        " name, or to \"\" when it configures CORS itself"
    )


def cors_config(s: Snapshot, probe: Prober) -> Verdict:
    if not s.cors_origins:
        return skipped("no http.cors_origins and no web origin configured; nothing to compare")
    if not s.cors_variable:
        return skipped('http.cors_variable = "": the service configures CORS itself;'
                       " http.cors judges it live")
    definition = s.task_definition.need()
    container = definition.container(s.container_name)
    if container is None:
        return skipped(f"the task definition has no container {s.container_name!r} (ecs.ports)")
    variable = s.cors_variable
    where = f"{definition.family}:{definition.revision}"
    deployed = dict(container.environment).get(variable)
    wanted = ", ".join(s.cors_origins)
    have = parse_origins(deployed) if deployed is not None else ()
    missing = [o for o in s.cors_origins if o not in have]
    extra = [o for o in have if o not in s.cors_origins]
    if deployed is not None and not (missing or extra):
        return passed(f"the task ({where}) allows exactly {wanted}")
    if deployed is None:
        said = f"sets no {variable}; shipit.toml allows {wanted}"
        detail = "without it the service refuses every browser origin, unless it reads them"
        detail += " elsewhere"
    else:
        parts = []
        if missing:
            parts.append(f"does not allow {', '.join(missing)}")
        if extra:
            parts.append(f"also allows {', '.join(extra)}, which shipit.toml does not")
        said = " and ".join(parts)
        detail = (f"task: {variable}={deployed}; shipit.toml (http.cors_origins + web origin):"
                  f" {wanted}")
    if live_cors_agrees(s, probe):
        return Verdict(
            "warn", f"drift: the task ({where}) {said}; the service allows them anyway",
            f"{detail}. The live preflight (http.cors) allows every configured origin and"
            " refuses a foreign one, so browsers work; the next deploy from shipit.toml changes"
            f" {variable}", _fix(variable), hop="browser -> service",
            component=f"{where} {variable}")
    if deployed is None:
        return failed(f"the task ({where}) {said}", detail, _fix(variable))
    return failed(f"the deployed task ({where}) {said}", detail, _fix(variable))
