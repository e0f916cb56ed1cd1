"""HTTP API over the service facade (FastAPI): routes of a few lines each over one `QAService`.

    hoidap serve          # or: uvicorn --factory hoidap.api.app:create_app

`create_app()` loads nothing by itself: the service is loaded once, at start-up (lifespan), unless a
ready `QAService` is passed in (tests share one). It wires the parts: the middleware
(`api.middleware`), the error handlers (`api.errors`) and the routes (`api.routers`). Endpoints are
plain `def` functions run in the thread pool; the service is thread-safe.

Every error is JSON `{"error": "<Vietnamese message>"}` (validation errors add `details`), never a
bare 500 page.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI

from hoidap.api import errors, middleware
from hoidap.api.deps import reader
from hoidap.api.guards import FailureLimiter
from hoidap.api.routers import ask, documents, health, search, tasks
from hoidap.indexer.store import IndexLoadError
from hoidap.service.qa import QAService
from hoidap.settings import AnswerThresholds, Settings

log = logging.getLogger(__name__)


def _lifespan(loader: Callable[[], QAService] | None) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.service is None and loader is not None:
            from anyio import to_thread

            try:
                app.state.service = await to_thread.run_sync(loader)
                app.state.load_error = None
            except IndexLoadError as exc:
                # Stay up and say why on every request (and in /health) rather than crash-looping.
                app.state.load_error = str(exc)
                log.error("Không nạp được chỉ mục: %s", exc)
        yield

    return lifespan


def create_app(
    service: QAService | None = None,
    *,
    loader: Callable[[], QAService] | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """Build the API.

    Args:
        service: a ready service (shared by tests and by the web page); when None, `loader` is called
            once at start-up.
        loader: how to load the service when none is given.
        settings: request limits (body size, upload size, body timeout); default: the service's
            settings, else the defaults of `Settings`.

    Returns:
        The FastAPI app. `GET /` redirects to the web page when one is mounted (`app.state.ui_mounted`),
        else to `/docs`.
    """
    if service is None and loader is None:
        raise ValueError("create_app needs a service or a loader")
    app = FastAPI(
        title="Hỏi đáp văn bản chính sách",
        description=(
            "Hỏi đáp dựa trên truy hồi (không dùng mô hình sinh) trên các văn bản chính sách. "
            "Mỗi câu trả lời kèm trích dẫn nguyên văn và vị trí ký tự trong văn bản gốc."
        ),
        version="0.2.0",
        lifespan=_lifespan(loader),
    )
    app.state.service = service
    app.state.load_error = None
    app.state.ui_mounted = False
    app.state.key_failures = FailureLimiter()
    limits = settings or getattr(service, "settings", None)
    app.state.settings = limits
    middleware.install(app, limits)
    errors.install(app)
    # Declared (and in OpenAPI) only when keys are configured: a schema that asks for a key the
    # server never checks would be a lie to its clients.
    read = [Depends(reader)] if limits is not None and limits.access_control else []
    answer = limits.answer if limits is not None else AnswerThresholds()  # question and top_k limits
    app.include_router(health.root_router())
    for router in (ask.router(answer), search.router(answer), tasks.router(), documents.router()):
        app.include_router(router, dependencies=read)
    app.include_router(health.router())
    _document_ids_in_schema(app)
    return app


def _document_ids_in_schema(app: FastAPI) -> None:
    """List the served document ids as the enum of every doc-id input of the OpenAPI schema.

    Unknown ids are refused (422), so the schema says which exist: a client (or a fuzzer) that follows
    the schema is then never refused. Computed per call, as documents come and go at run time.
    """
    base = app.openapi

    def openapi() -> dict[str, Any]:
        schema = copy.deepcopy(base())
        svc = getattr(app.state, "service", None)
        ids = sorted(getattr(svc, "docs", None) or {})
        if not ids:
            return schema
        for name, comp in schema.get("components", {}).get("schemas", {}).items():
            if name == "AskRequest":
                for option in comp["properties"]["doc_ids"].get("anyOf", []):
                    if option.get("type") == "array":
                        option["items"]["enum"] = ids
        for route in ("/search", "/tasks"):
            for param in schema["paths"].get(route, {}).get("get", {}).get("parameters", []):
                if param["name"] == "doc":
                    for option in param["schema"].get("anyOf", []):
                        if option.get("type") == "array":
                            option["items"]["enum"] = ids
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
