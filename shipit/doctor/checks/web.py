"""Helpers shared by the checks that probe over HTTP: where to send a request, and how."""

from __future__ import annotations

import urllib.parse

from shipit.doctor.facts import Snapshot
from shipit.doctor.probe import ProbeRequest


def request(
    s: Snapshot,
    url: str,
    *,
    method: str = "GET",
    headers: tuple[tuple[str, str], ...] = (),
    verify_tls: bool = True,
) -> ProbeRequest:
    """A probe for ``url``, routed to an explicit address when the snapshot says its host
    cannot resolve (an emulated AWS)."""
    host = urllib.parse.urlsplit(url).hostname or ""
    return ProbeRequest(
        url, method=method, headers=headers, connect_to=s.route_for(host), verify_tls=verify_tls
    )


def join(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")


def alb_base(s: Snapshot) -> str | None:
    """The service's ALB by its own DNS name, with the scheme of http.url (http by default)."""
    if s.load_balancer.state != "ok":
        return None
    scheme = urllib.parse.urlsplit(s.http_url).scheme if s.http_url else "http"
    return f"{scheme}://{s.load_balancer.need().dns_name}"
