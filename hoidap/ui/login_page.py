"""Gradio's login page in Vietnamese: its HTML gets `login.js`, which translates the form's words.

Gradio renders the login form from its own English strings; the app's i18n and `head` reach only the
app behind it. An ASGI wrapper adds the script to the HTML of the page's address (the same document
serves the login form and the app; the script does nothing where there is no password field)."""

from __future__ import annotations

from importlib import resources

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOGIN_SCRIPT = (
    "<script>" + resources.files("hoidap.ui").joinpath("login.js").read_text(encoding="utf-8") + "</script>"
).encode("utf-8")


class LoginPageScript:
    """Adds `LOGIN_SCRIPT` before `</head>` of the HTML served at `paths` (GET)."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message["headers"]))
                html = headers.get("content-type", "").startswith("text/html")
                if not html or "content-encoding" in headers:
                    start = None
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            at = body.find(b"</head>")
            if at >= 0:
                body = body[:at] + LOGIN_SCRIPT + body[at:]
            headers = MutableHeaders(raw=list(start["headers"]))
            headers["content-length"] = str(len(body))
            await send({**start, "headers": headers.raw})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)
