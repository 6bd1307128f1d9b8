"""http.cors_config: the deployed task allows exactly the origins shipit.toml derives.

One source: http.cors_origins plus the web origin become the task's CORS_ALLOWED_ORIGINS at
deploy time (shipit/config/origins.py). A task definition that says otherwise was deployed from
another config, by hand, or before the frontend's origin was added.
"""

from __future__ import annotations

from shipit.config.origins import CORS_VARIABLE, parse_origins
from shipit.doctor.facts import Snapshot
from shipit.doctor.finding import Verdict, failed, passed, skipped

FIX = (
    "`shipit deploy` registers a task definition whose CORS_ALLOWED_ORIGINS is http.cors_origins"
    " + the web origin (see the plan with `shipit deploy --dry-run`); do not set it in vars"
)


def cors_config(s: Snapshot) -> Verdict:
    if not s.cors_origins:
        return skipped("no http.cors_origins and no web origin configured; nothing to compare")
    definition = s.task_definition.need()
    container = definition.container(s.container_name)
    if container is None:
        return skipped(f"the task definition has no container {s.container_name!r} (ecs.ports)")
    where = f"{definition.family}:{definition.revision}"
    deployed = dict(container.environment).get(CORS_VARIABLE)
    wanted = ", ".join(s.cors_origins)
    if deployed is None:
        return failed(f"the task ({where}) sets no {CORS_VARIABLE}; shipit.toml allows {wanted}",
                      "the service then refuses every browser origin", FIX)
    have = parse_origins(deployed)
    missing = [o for o in s.cors_origins if o not in have]
    extra = [o for o in have if o not in s.cors_origins]
    if not (missing or extra):
        return passed(f"the task ({where}) allows exactly {wanted}")
    said = []
    if missing:
        said.append(f"does not allow {', '.join(missing)}")
    if extra:
        said.append(f"also allows {', '.join(extra)}, which shipit.toml does not")
    return failed(f"the deployed task ({where}) {' and '.join(said)}",
                  f"task: {CORS_VARIABLE}={deployed}; shipit.toml (http.cors_origins + web"
                  f" origin): {wanted}", FIX)
