"""`shipit init --from-aws --explain` for people: where each adopted value came from."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from shipit.adopt.model import Discovery


def print_explain(console: Console, found: Discovery) -> None:
    from rich.markup import escape
    from rich.table import Table

    from shipit.adopt.overlay import shown

    table = Table(title="where each value came from", title_justify="left")
    for column in ("key", "value", "source"):
        table.add_column(column)
    for f in found.values:
        table.add_row(f.key, escape(str(shown(f.key, f.value))), escape(f.source))
    for f in found.notes:
        table.add_row(f"({f.key})", escape(str(shown(f.key, f.value))),
                      escape(f"not written: {f.source}"))
    console.print(table)
