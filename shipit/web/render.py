"""`shipit web deploy` for people: the page, the website endpoint, what was uploaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from shipit.web.deploy import WebResult


def print_result(console: Console, result: WebResult) -> None:
    from rich.markup import escape

    t = result.plan.target
    console.print(f"page:    {escape(t.page_url)}")
    console.print(f"website: {escape(t.website_endpoint)}")
