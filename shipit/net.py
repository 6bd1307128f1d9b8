"""Addresses on this machine: where plain HTTP and placeholder credentials are acceptable."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_loopback(host: str | None) -> bool:
    """A bare host name or address: ``localhost``, ``::1`` or anything in 127.0.0.0/8."""
    if not host:
        return False
    host = host.lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def is_loopback_hostport(hostport: str) -> bool:
    """``127.0.0.1:5000`` / ``localhost`` / ``[::1]:5000``."""
    if hostport.startswith("["):
        return is_loopback(hostport[1:].partition("]")[0])
    return is_loopback(hostport.partition(":")[0])


def is_loopback_url(url: str | None) -> bool:
    """``http://127.0.0.1:4566`` and the like."""
    return bool(url) and is_loopback(urlsplit(url or "").hostname)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
