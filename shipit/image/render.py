"""`shipit build` for people: the receipt's summary on stdout (refs, digest, platforms, smoke)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from shipit.image.receipt import BuildReceipt


def render_receipt(console: Console, receipt: BuildReceipt) -> None:
    """The human summary on stdout: refs, digest, one line per platform."""
    console.print(f"digest    {receipt.digest}")
    if receipt.reproducible is not None:
        console.print("reproducible  " + (
            f"yes (SOURCE_DATE_EPOCH={receipt.source_date_epoch})"
            if receipt.reproducible.reproducible else
            "no: " + "; ".join(receipt.reproducible.reasons)))
    for ref in receipt.refs:
        console.print(f"{'pushed' if receipt.pushed else 'local ':<9} {ref}")
    for image in receipt.platforms:
        size = image.compressed_size / 1e6
        console.print(f"{image.platform:<9} {image.digest}  {size:.1f} MB compressed")
    if receipt.smoke:
        for result in receipt.smoke:
            console.print(f"smoke     {result['platform']} with {result['runtime']}: "
                          f"{result['message']}")
