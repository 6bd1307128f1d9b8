"""CoalescingTransport: writes within one event-loop turn leave as one write, in order."""

from __future__ import annotations

import asyncio
from typing import Any

from sample_service.http_protocol import CoalescingTransport


class RecordingTransport:
    """Stands in for uvloop's socket transport: records what reaches it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert not self.closed
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5)}.get(name, default)


def run(scenario: Any) -> RecordingTransport:
    async def main() -> RecordingTransport:
        real = RecordingTransport()
        await scenario(CoalescingTransport(real, asyncio.get_running_loop()), real)  # type: ignore[arg-type]
        return real

    return asyncio.run(main())


def test_head_and_body_written_back_to_back_leave_together() -> None:
    async def scenario(transport: CoalescingTransport, real: RecordingTransport) -> None:
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"body")
        assert real.writes == []  # nothing yet: the writing task has not yielded
        await asyncio.sleep(0)
        transport.write(b"next")
        await asyncio.sleep(0)

    assert run(scenario).writes == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"next"]


def test_close_sends_what_is_pending_first_and_nothing_after() -> None:
    async def scenario(transport: CoalescingTransport, real: RecordingTransport) -> None:
        transport.write(b"408 ...")
        transport.close()
        transport.write(b"late")
        await asyncio.sleep(0)

    real = run(scenario)
    assert real.writes == [b"408 ..."]
    assert real.closed


def test_everything_else_is_the_wrapped_transports() -> None:
    async def scenario(transport: CoalescingTransport, real: RecordingTransport) -> None:
        assert transport.get_extra_info("peername") == ("127.0.0.1", 5)
        assert transport.is_closing() is False

    run(scenario)
