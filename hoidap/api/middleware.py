"""The app's middleware, innermost first: compression; the page's file guard, login guard and body
limits; allowed hosts; the schema for key holders only; the "index reloading" header."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.gzip import GZipMiddleware

from hoidap.api.guards import FileGuard, HostGuard, LoginGuard, csv_setting
from hoidap.api.limits import BodyLimitMiddleware
from hoidap.api.routers.health import UI_PATH
from hoidap.settings import Settings

# Responses smaller than this go out as they are (compressing them saves less than it costs).
GZIP_MIN_BYTES = 1024


def _upload_folder() -> Path:
    """Gradio's upload folder (read when a page event arrives: Gradio is imported only with the page)."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder())


def install(app: FastAPI, limits: Settings | None) -> None:
    """`limits`: the served settings (request limits, hosts, keys); None: the defaults of `Settings`."""

    def limit(name: str) -> Any:
        return getattr(limits, name) if limits is not None else Settings.model_fields[name].default

    # Innermost first: answers, the page and its scripts compressed (a chat turn's HTML shrinks about
    # sixfold; event streams are left alone); the file guard reads bodies the limit below has bounded.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)
    app.add_middleware(
        FileGuard,
        prefix=UI_PATH + "/",
        upload_root=_upload_folder,
        upload_quota_bytes=limit("upload_quota_bytes"),
    )
    app.add_middleware(
        LoginGuard, paths=(UI_PATH + "/login", UI_PATH + "/login/"), limiter=app.state.key_failures
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=limit("max_body_bytes"),
        max_upload_bytes=limit("max_upload_bytes"),
        timeout_seconds=limit("body_timeout_seconds"),
        upload_prefix=UI_PATH + "/",
    )
    app.add_middleware(
        HostGuard,
        hosts=csv_setting(limit("allowed_hosts")),
        origins=csv_setting(limit("allowed_origins")),
    )

    @app.middleware("http")
    async def _schema_needs_key(request: Request, call_next: Callable[[Request], Any]) -> Any:
        # With keys configured the schema and its pages are for key holders: the schema lists every
        # served document id (issue 22 §2).
        if (
            request.url.path in ("/openapi.json", "/docs", "/redoc")
            and limits is not None
            and limits.access_control
        ):
            key = request.headers.get("x-api-key")
            if limits.role_of(key) is None:
                return JSONResponse(
                    {"error": "Cần khóa API hợp lệ trong tiêu đề X-API-Key."}, status_code=401
                )
        return await call_next(request)

    @app.middleware("http")
    async def _reloading_notice(request: Request, call_next: Callable[[Request], Any]) -> Any:
        # Every read route, not only /ask (whose answer says it in words), tells the client that a
        # newer index is being loaded and this response still comes from the one being replaced.
        svc = request.app.state.service
        reloading = bool(getattr(svc, "reloading", False))
        response = await call_next(request)
        if reloading or getattr(svc, "reloading", False):
            response.headers["x-index-reloading"] = "1"
        return response
