"""Running the app under uvicorn with connection-level limits uvicorn lacks (issue 22 §4).

uvicorn arms its idle timer only after a response, so a connection that never finishes its request
headers is held for ever: about 21,000 such connections exhausted the descriptors and the log grew by
hundreds of MB of "Too many open files". Here each connection must complete its headers within a
deadline, connections beyond the cap are closed at once, and repeated log lines are throttled.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from hoidap.settings import Settings


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline for request headers and a hard connection cap."""

    header_timeout: float = 10.0
    max_connections: int = 512

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        if len(self.connections) > self.max_connections:
            transport.close()  # beyond the cap: refused before it holds anything for long
            return
        self._arm()

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        super().data_received(data)
        if self.cycle is not cycle:  # a request's headers are complete
            self._disarm()
        elif self._waiting_for_headers():  # bytes of the next request's headers: the clock runs
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


class RepeatFilter(logging.Filter):
    """Let the same message through at most `burst` times per `window` seconds (a flood of refused
    connections must not fill the disk with one line)."""

    def __init__(self, burst: int = 5, window: float = 60.0, max_keys: int = 1000) -> None:
        super().__init__()
        self.burst, self.window, self.max_keys = burst, window, max_keys
        self._seen: dict[str, tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = f"{record.name}:{record.msg}"
        now = time.monotonic()
        start, count = self._seen.get(key, (now, 0))
        if now - start > self.window:
            start, count = now, 0
        if len(self._seen) >= self.max_keys and key not in self._seen:
            self._seen.clear()
        self._seen[key] = (start, count + 1)
        return count < self.burst


def _raise_descriptor_limit() -> None:
    """Use the hard limit on open files: the cap above then leaves room for the index and uploads."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def serve(app: Any, settings: Settings, host: str, port: int, log_level: str = "info") -> None:
    """Run `app` with the settings' connection limits; returns when the server stops."""
    _raise_descriptor_limit()
    protocol = type(
        "Protocol",
        (GuardedH11Protocol,),
        {"header_timeout": settings.header_timeout_seconds, "max_connections": settings.max_connections},
    )
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        workers=1,
        log_level=log_level,
        http=protocol,
        # Requests beyond this many at once get 503 at once; idle keep-alive connections close after a
        # few seconds.
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=settings.keep_alive_seconds,
    )
    repeat = RepeatFilter()  # after the config: it sets up uvicorn's loggers
    for name in ("uvicorn.error", "asyncio"):
        logging.getLogger(name).addFilter(repeat)
    uvicorn.Server(config).run()
