"""Request body limits as a plain ASGI middleware: size (declared and streamed) and a read timeout.

Without them a client could send a 200 MB body, or declare a `Content-Length` it never sends and hold
a worker until it gives up. The page under `/ui` gets the upload limit (documents travel there as
multipart bodies); every other path gets the JSON limit.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from time import monotonic
from typing import Any

import anyio
from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_OVERHEAD = 256 * 1024  # multipart headers and form fields around the file
MIN_BODY_RATE = 1024  # bytes a second, on average, once a body has taken longer than the read timeout


def size_text(n: int) -> str:
    """1048576 -> '1 MB', 65536 -> '64 KB' (for messages)."""
    return f"{n / 2**20:g} MB" if n >= 2**20 else f"{max(1, n // 1024)} KB"


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Nội dung yêu cầu quá lớn (tối đa {size_text(limit)}).")


class BodyTimeout(HTTPException):
    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"Quá {seconds:g} giây mà chưa nhận đủ nội dung yêu cầu; hãy gửi lại.")


class BodyLimitMiddleware:
    """Refuse bodies over the limit (413) and bodies that stop arriving (408), in Vietnamese JSON."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int,
        timeout_seconds: float,
        upload_prefix: str = "/ui/",
    ) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_upload = max_upload_bytes + UPLOAD_OVERHEAD
        self.timeout = timeout_seconds
        self.upload_prefix = upload_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_upload if scope.get("path", "").startswith(self.upload_prefix) else self.max_body
        declared = next((v for k, v in scope.get("headers", ()) if k == b"content-length"), None)
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = False  # the server itself refuses a malformed length
            if too_big:
                await _send_error(send, BodyTooLarge(limit))
                return
        received = 0
        body_done = False
        started = False
        began = monotonic()

        async def limited_receive() -> Message:
            nonlocal received, body_done
            if body_done:
                return await receive()  # waiting for a disconnect (streams) must not time out
            try:
                with anyio.fail_after(self.timeout):
                    message = await receive()
            except TimeoutError:
                raise BodyTimeout(self.timeout) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
                body_done = not message.get("more_body", False)
                # A byte every few seconds never trips the per-read timeout: past the timeout, the body
                # must arrive at MIN_BODY_RATE on average (a 20 MB upload over a slow link still does).
                elapsed = monotonic() - began
                if not body_done and elapsed > self.timeout and received < MIN_BODY_RATE * elapsed:
                    raise BodyTimeout(self.timeout)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except (BodyTooLarge, BodyTimeout) as exc:
            # Raised inside an app that did not turn it into a response (e.g. the mounted page).
            if not started:
                await _send_error(send, exc)


async def _send_error(send: Send, exc: HTTPException) -> None:
    body = json.dumps({"error": exc.detail}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": exc.status_code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
