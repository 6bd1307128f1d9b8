"""The browser origins the service allows: which variable carries them, the origins it names
(in the schema's spelling), and the frontend among them (an S3 website bucket -> [web])."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shipit.adopt import normalise
from shipit.adopt.emulated import LocalAddresses
from shipit.adopt.model import Discovery
from shipit.aws.route53 import zone_matches
from shipit.config.origins import CORS_VARIABLE

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings


def _defaults() -> Settings:
    from shipit.config import Settings

    return Settings()


def cors_variable(variables: dict[str, str], preferred: str = CORS_VARIABLE) -> str | None:
    """The variable that carries the origins: ``preferred`` (the base's http.cors_variable),
    CORS_ALLOWED_ORIGINS, else the one variable whose name speaks of origins or CORS and whose
    value is a list of origins (or ``*``)."""
    for name in (preferred, CORS_VARIABLE):
        if name and name in variables:
            return name
    named = [name for name, value in variables.items()
             if ("ORIGIN" in name.upper() or "CORS" in name.upper())
             and normalise.looks_like_origins(value)]
    if len(named) > 1:
        named = [name for name in named if "ORIGIN" in name.upper()]
    return named[0] if len(named) == 1 else None


def adopt_origins(aws: AwsSession, variables: dict[str, str], found: Discovery,
                  local: LocalAddresses | None, *, task_src: str, base: Settings | None
                  ) -> set[str]:
    """Writes http.cors_origins (and [web], http.cors_variable where they apply); returns the
    variable shipit derives from them, which is not written under vars."""
    inherited = (base or _defaults()).http.cors_variable
    name = cors_variable(variables, inherited)
    if name is None:
        found.note("http.cors_variable", None, f"{task_src}: no variable names the origins; the"
                   " service configures CORS itself or allows none (if it does it itself, set"
                   ' http.cors_variable = "": doctor then judges CORS by the live preflight)')
        return set()
    spelled = normalise.origins(variables[name])
    source = f"{task_src}: variable {name}, split on commas"
    if spelled.respelled:
        source += f"; written without the trailing '/' of {', '.join(spelled.respelled)}"
    if spelled.wildcard:
        found.note("http.cors_origins", "*", f"{task_src}: {name} allows every origin ('*'),"
                   " which http.cors_origins cannot say: kept as vars." + name + ", as it is")
        return set()
    if name != inherited:
        found.add("http.cors_variable", name, f"{task_src}: the variable holding the origins")
    origins = _web(aws, list(spelled.origins), found, local, name)
    if origins:
        found.add("http.cors_origins", origins, source)
    return {name}


def _web(aws: AwsSession, origins: list[str], found: Discovery,
         local: LocalAddresses | None, variable: str) -> list[str]:
    """The frontend: a website bucket whose origin the task allows becomes [web] (shipit derives
    that origin again at deploy time); the other origins stay http.cors_origins."""
    from shipit.aws import s3
    from shipit.s3_website import website_host

    if not origins:
        return origins
    if local is not None and local.website_url in origins and local.website_bucket:
        found.add("web.bucket", local.website_bucket,
                  f"emulated AWS: the bucket the sandbox's S3 website stand-in serves"
                  f" ({local.state_file})")
        found.add("web.name", local.website_bucket, "the bucket's name, a DNS name")
        found.add("web.origin", local.website_url,
                  f"emulated AWS: the stand-in's origin ({local.state_file}), allowed by the"
                  f" task's {variable}")
        return [o for o in origins if o != local.website_url]
    try:
        buckets = s3.website_buckets(aws)
    except Exception as exc:  # no s3:ListAllMyBuckets: the origins stay as they are
        found.note("web", None, f"website buckets not read ({exc})")
        return origins
    for bucket in buckets:
        by_name, endpoint = f"http://{bucket}", f"http://{website_host(bucket, aws.region)}"
        origin = next((o for o in origins if o in (by_name, endpoint)), None)
        if origin is None:
            continue
        found.add("web.bucket", bucket, "s3:ListBuckets + GetBucketWebsite (website hosting on)")
        zone = found.value("dns.zone")
        if origin == by_name and (not zone or zone_matches(zone, bucket)):
            found.add("web.name", bucket, f"the bucket's name, a DNS name ({origin} is allowed)")
        elif origin == by_name:
            found.add("web.origin", origin, f"allowed by {variable}; the bucket's name is outside"
                      f" dns.zone {zone}, so it is the origin, not web.name")
        return [o for o in origins if o != origin]
    return origins
