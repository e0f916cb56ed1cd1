"""ASGI guards in front of the API and the mounted page: client-named server files, hosts, origins, headers.

The page's events carry files as Gradio `FileData` objects whose `path` the client writes. Gradio
checks that path only once `blocks.has_launched`, and it copies (and hashes, on the event loop) the
named file before any handler runs: `/etc/passwd` would be read and `/dev/zero` would stop the server.
`FileGuard` reads every JSON event body under the page's prefix first and refuses (403) any file
reference that is not a regular file inside the upload folder, before Gradio touches it.

`HostGuard` answers only the configured host names (a DNS-rebinding page names its own), withholds
CORS grants from origins other than the page's own or the configured ones, and adds the security
headers a page holding an admin session needs (no framing, no sniffing, no referrer).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio

from hoidap.api.limits import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    # Only what cannot break Gradio's inline scripts and styles: no framing, no plugins, no <base>.
    (b"content-security-policy", b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'"),
]
_CORS = (b"access-control-allow-origin", b"access-control-allow-credentials")


def file_references(data: Any) -> Iterator[str]:
    """Every `path` a JSON value names the way Gradio reads a file object (a dict with a string path)."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            path = item.get("path")
            if isinstance(path, str):
                yield path
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def is_uploaded_file(path: str, upload_root: Path) -> bool:
    """A regular file (no device, FIFO or /proc entry) inside `upload_root`, symlinks resolved."""
    try:
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(upload_root.resolve()):
            return False
        return stat.S_ISREG(os.stat(resolved).st_mode)
    except (OSError, ValueError, RuntimeError):
        return False


async def _json_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class FileGuard:
    """Refuse page events that name a server file the client did not upload."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        upload_root: Callable[[], Path],
        upload_quota_bytes: int | None = None,
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.upload_root = upload_root
        self.quota = upload_quota_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope.get("method") != "POST"
            or not scope.get("path", "").startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        content_type = next((v for k, v in scope.get("headers", ()) if k == b"content-type"), b"")
        if content_type.startswith(b"multipart/"):  # the upload route itself writes into the folder
            if (
                self.quota is not None
                and await anyio.to_thread.run_sync(folder_bytes, self.upload_root()) >= self.quota
            ):
                # Uploads are removed an hour after they arrive; until then the folder stays bounded.
                await _json_error(send, 507, "Thư mục tải lên đã đầy; hãy thử lại sau ít phút.")
                return
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        messages: list[Message] = []
        while True:  # size and time are bounded by BodyLimitMiddleware outside this guard
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        try:
            data = json.loads(b"".join(chunks) or b"null")
        except (ValueError, UnicodeDecodeError):
            data = None  # not JSON: Gradio refuses it itself, and it names no file
        root = self.upload_root()
        if any(not is_uploaded_file(p, root) for p in file_references(data)):
            await _json_error(send, 403, "Tệp tải lên không hợp lệ hoặc đã hết hạn; hãy chọn lại tệp.")
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def folder_bytes(root: Path) -> int:
    """Bytes of the regular files under `root` (0 when it does not exist yet)."""
    total = 0
    for folder, _, names in os.walk(root):
        for name in names:
            with contextlib.suppress(OSError):  # removed meanwhile by the hourly clean-up
                st = os.lstat(os.path.join(folder, name))
                if stat.S_ISREG(st.st_mode):
                    total += st.st_size
    return total


class LoginGuard:
    """The page's login shares the API's lockout: `limit` wrong keys in a minute shut the client out
    (429) for a minute instead of allowing hundreds of guesses a second."""

    def __init__(self, app: ASGIApp, *, paths: tuple[str, ...], limiter: FailureLimiter) -> None:
        self.app = app
        self.paths = set(paths)
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?",))[0]
        if self.limiter.locked(client):
            await _json_error(send, 429, "Quá nhiều lần đăng nhập sai; hãy đợi một phút rồi thử lại.")
            return

        async def watching_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    self.limiter.succeeded(client)
                elif 400 <= message["status"] < 500:
                    self.limiter.failed(client)
            await send(message)

        await self.app(scope, receive, watching_send)


def _host_of(value: str) -> str:
    """'example.org:8000' -> 'example.org', '[::1]:8000' -> '::1'."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostGuard:
    """Trusted hosts, CORS grants only to allowed origins, security headers on every response."""

    def __init__(self, app: ASGIApp, *, hosts: list[str], origins: list[str]) -> None:
        self.app = app
        self.any_host = "*" in hosts
        self.hosts = {_host_of(h) for h in hosts if h != "*"}
        self.origins = {o.rstrip("/").lower() for o in origins}

    def _origin_allowed(self, origin: str, host: str) -> bool:
        parts = urlsplit(origin)
        return origin.rstrip("/").lower() in self.origins or parts.netloc.lower() == host.lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        host = headers.get(b"host", b"").decode("latin-1")
        if not self.any_host and _host_of(host) not in self.hosts:
            if scope["type"] == "http":
                await _json_error(send, 400, "Tên máy chủ không được phép (HOIDAP_ALLOWED_HOSTS).")
            return
        origin = headers.get(b"origin", b"").decode("latin-1")
        foreign = bool(origin) and not self._origin_allowed(origin, host)
        if scope["type"] == "websocket":
            if foreign:
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        if foreign and scope.get("method") == "OPTIONS":
            await _json_error(send, 403, "Nguồn gọi (Origin) không được phép.")
            return

        async def guarded_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not (foreign and k.lower() in _CORS)
                    and k.lower() not in {name for name, _ in SECURITY_HEADERS}
                ]
                message = {**message, "headers": kept + SECURITY_HEADERS}
            await send(message)

        await self.app(scope, receive, guarded_send)


class FailureLimiter:
    """Lock a client out after repeated wrong keys: `limit` failures within `window` seconds shut it out
    for `window` seconds (hundreds of guesses a second otherwise). Thread-safe; memory bounded."""

    def __init__(self, limit: int = 10, window: float = 60.0, max_clients: int = 10_000) -> None:
        self.limit, self.window, self.max_clients = limit, window, max_clients
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> list[float]:
        times = [t for t in self._fails.get(client, []) if now - t < self.window]
        if times:
            self._fails[client] = times
        else:
            self._fails.pop(client, None)
        return times

    def locked(self, client: str) -> bool:
        with self._lock:
            return len(self._recent(client, time.monotonic())) >= self.limit

    def failed(self, client: str) -> None:
        with self._lock:
            now = time.monotonic()
            if len(self._fails) >= self.max_clients:  # forget the oldest rather than grow without bound
                self._fails.pop(next(iter(self._fails)))
            self._fails[client] = [*self._recent(client, now), now]

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._fails.pop(client, None)


def csv_setting(value: str) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()]
