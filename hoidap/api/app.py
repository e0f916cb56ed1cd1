"""HTTP API over the service facade (FastAPI): routes of a few lines each over one `QAService`.

    hoidap serve          # or: uvicorn --factory hoidap.api.app:create_app

`create_app()` loads nothing by itself: the service is loaded once, at start-up (lifespan), unless a
ready `QAService` is passed in (tests share one). Endpoints are plain `def` functions run in the
thread pool; the service is thread-safe.

Every error is JSON `{"error": "<Vietnamese message>"}` (validation errors add `details`), never a
bare 500 page.
"""

from __future__ import annotations

import copy
import errno
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path as PathLib
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from hoidap.api.guards import FailureLimiter, FileGuard, HostGuard, LoginGuard, csv_setting
from hoidap.api.limits import BodyLimitMiddleware
from hoidap.api.schemas import (
    ERRORS,
    FILTER_PATTERN,
    MAX_DOC_IDS,
    MAX_FILTER_CHARS,
    NOT_FOUND,
    TEXT_PATTERN,
    AskRequest,
    AskResponse,
    DocumentDetailOut,
    DocumentOut,
    ErrorOut,
    HealthErrorOut,
    HealthOut,
    SearchHitOut,
    SearchMode,
    TaskOut,
    ask_request,
    error_details,
    vietnamese_error,
)
from hoidap.indexer.store import IndexLoadError
from hoidap.service.filters import TaskFilter
from hoidap.service.qa import QAService
from hoidap.service.records import NotFoundError, QuestionError, os_error_message
from hoidap.settings import AnswerThresholds, Settings

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

#: Where the web page is mounted; `/` redirects there when it is.
UI_PATH = "/ui"
# Responses smaller than this go out as they are (compressing them saves less than it costs).
GZIP_MIN_BYTES = 1024


class ApiError(Exception):
    """An error answered as `{"error": message}` with the given status."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


_API_KEY = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="Khóa API, khi máy chủ bật kiểm soát truy cập (HOIDAP_API_KEYS_READ/_ADMIN).",
)


def _reader(request: Request, key: Annotated[str | None, Security(_API_KEY)] = None) -> None:
    """Reading routes need a read or admin key once keys are configured."""
    settings: Settings | None = request.app.state.settings
    if settings is None or not settings.access_control:
        return
    limiter: FailureLimiter = request.app.state.key_failures
    client = request.client.host if request.client else "?"
    if limiter.locked(client):
        raise ApiError(429, "Quá nhiều lần thử khóa API sai; hãy đợi một phút rồi thử lại.")
    if settings.role_of(key) is None:
        limiter.failed(client)
        raise ApiError(401, "Cần khóa API hợp lệ trong tiêu đề X-API-Key.")
    limiter.succeeded(client)


AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Thiếu khóa API hoặc khóa không đúng"}
}


def _service(request: Request) -> QAService:
    svc = getattr(request.app.state, "service", None)
    if svc is None:
        reason = getattr(request.app.state, "load_error", None) or "Dịch vụ đang khởi động."
        raise ApiError(503, f"Chưa sẵn sàng trả lời: {reason}")
    return svc


def _param_types(**types: Any) -> Callable[[F], F]:
    """Give a route's parameters types built from this app's settings (its limits). The annotations
    written in this module are strings that FastAPI resolves in the module's globals, where no app's
    settings are."""

    def apply(route: F) -> F:
        route.__annotations__.update(types)
        return route

    return apply


def _upload_folder() -> PathLib:
    """Gradio's upload folder (read when a page event arrives: Gradio is imported only with the page)."""
    from gradio.utils import get_upload_folder

    return PathLib(get_upload_folder())


# --- the app ------------------------------------------------------------------------------------


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

    app = FastAPI(
        title="Hỏi đáp văn bản chính sách",
        description=(
            "Hỏi đáp dựa trên truy hồi (không dùng mô hình sinh) trên các văn bản chính sách. "
            "Mỗi câu trả lời kèm trích dẫn nguyên văn và vị trí ký tự trong văn bản gốc."
        ),
        version="0.2.0",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.load_error = None
    app.state.ui_mounted = False
    app.state.key_failures = FailureLimiter()
    limits = settings or getattr(service, "settings", None)
    app.state.settings = limits
    defaults = Settings.model_fields
    answer = limits.answer if limits is not None else AnswerThresholds()  # question and top_k limits
    # Innermost first: answers, the page and its scripts compressed (a chat turn's HTML shrinks about
    # sixfold; event streams are left alone); the file guard reads bodies the limit below has bounded.
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)
    app.add_middleware(
        FileGuard,
        prefix=UI_PATH + "/",
        upload_root=_upload_folder,
        upload_quota_bytes=limits.upload_quota_bytes if limits else defaults["upload_quota_bytes"].default,
    )
    app.add_middleware(
        LoginGuard, paths=(UI_PATH + "/login", UI_PATH + "/login/"), limiter=app.state.key_failures
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=limits.max_body_bytes if limits else defaults["max_body_bytes"].default,
        max_upload_bytes=limits.max_upload_bytes if limits else defaults["max_upload_bytes"].default,
        timeout_seconds=limits.body_timeout_seconds if limits else defaults["body_timeout_seconds"].default,
        upload_prefix=UI_PATH + "/",
    )
    app.add_middleware(
        HostGuard,
        hosts=csv_setting(limits.allowed_hosts if limits else defaults["allowed_hosts"].default),
        origins=csv_setting(limits.allowed_origins if limits else defaults["allowed_origins"].default),
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

    # --- error handlers -------------------------------------------------------------------

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)

    @app.exception_handler(QuestionError)
    async def _question_error(request: Request, exc: QuestionError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=422)

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        judged = [vietnamese_error(e) for e in errors] or [("Dữ liệu yêu cầu không hợp lệ.", 422)]
        content_type = request.headers.get("content-type", "")
        if request.method == "POST" and content_type and "json" not in content_type:
            judged = [("Hãy gửi nội dung dạng JSON (Content-Type: application/json).", 422)]
        status = 400 if any(s == 400 for _, s in judged) else 422
        message = " ".join(dict.fromkeys(m for m, _ in judged))
        return JSONResponse({"error": message, "details": error_details(errors)}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        path = request.url.path if len(request.url.path) <= 120 else request.url.path[:120] + "…"
        messages = {
            404: f"Không có đường dẫn {path}. Xem danh sách tại /docs.",
            405: f"Phương thức {request.method[:20]} không dùng được cho {path}.",
        }
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            # FastAPI's own words for a body it could not decode (e.g. bytes that are not UTF-8).
            detail = "Không đọc được nội dung yêu cầu: hãy gửi JSON hợp lệ, mã hóa UTF-8."
        message = messages.get(exc.status_code) or detail or "Yêu cầu không hợp lệ."
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(OSError)
    async def _os_error(request: Request, exc: OSError) -> JSONResponse:
        # A full disk or a read-only data folder is the operator's to fix: said with its cause, not a 500.
        log.error("Lỗi hệ thống tệp khi xử lý %s %s: %s", request.method, request.url.path, exc)
        status = 507 if exc.errno in (errno.ENOSPC, errno.EDQUOT) else 503
        return JSONResponse({"error": os_error_message(exc)}, status_code=status)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("Lỗi không mong đợi khi xử lý %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": f"Lỗi nội bộ khi xử lý yêu cầu ({type(exc).__name__}). Vui lòng thử lại."},
            status_code=500,
        )

    # --- endpoints ------------------------------------------------------------------------

    # Declared (and in OpenAPI) only when keys are configured: a schema that asks for a key the
    # server never checks would be a lie to its clients.
    READ = [Depends(_reader)] if limits is not None and limits.access_control else []  # noqa: N806

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(UI_PATH if app.state.ui_mounted else "/docs")

    @app.post(
        "/ask",
        response_model=AskResponse,
        responses={**ERRORS, **AUTH_ERRORS},
        dependencies=READ,
    )
    @_param_types(body=ask_request(answer))
    def ask(body: AskRequest, request: Request) -> dict[str, Any]:
        """Trả lời một câu hỏi.

        `citations[0]` là căn cứ của câu trả lời; `found=false` (kèm `related`) khi không đủ căn cứ.
        """
        svc = _service(request)
        return svc.ask(body.question, doc_ids=body.doc_ids or None, top_k=body.top_k).to_dict()

    @app.get(
        "/search",
        response_model=list[SearchHitOut],
        responses={**ERRORS, **AUTH_ERRORS},
        dependencies=READ,
    )
    @_param_types(
        q=Annotated[
            str,
            Query(
                description="Nội dung tìm (có hoặc không dấu).",
                min_length=1,
                max_length=answer.max_question_chars,
                pattern=TEXT_PATTERN,
            ),
        ],
        k=Annotated[int, Query(ge=1, le=answer.max_top_k)],
    )
    def search(
        request: Request,
        q: str,
        k: int = 10,
        doc: Annotated[
            list[str] | None,
            Query(description="Giới hạn văn bản (lặp lại được).", max_length=MAX_DOC_IDS),
        ] = None,
        mode: SearchMode = SearchMode.hybrid,
    ) -> list[dict[str, Any]]:
        """Các điều khoản xếp hạng, kèm trích dẫn nguyên văn, vị trí, điểm và từ khóa khớp."""
        return _service(request).search(q, k=k, doc_ids=doc, mode=mode.value)

    @app.get(
        "/tasks",
        response_model=list[TaskOut],
        responses={**ERRORS, **AUTH_ERRORS},
        dependencies=READ,
    )
    def tasks(
        request: Request,
        doc: Annotated[
            list[str] | None, Query(description="Mã văn bản (lặp lại được).", max_length=MAX_DOC_IDS)
        ] = None,
        id: Annotated[
            str | None,
            Query(
                description="Số hiệu nhiệm vụ, ví dụ 5.4 hoặc II.2.đ-1.",
                max_length=MAX_FILTER_CHARS,
                pattern=FILTER_PATTERN,
            ),
        ] = None,
        agency: Annotated[
            str | None,
            Query(
                description="Cơ quan chủ trì hoặc phối hợp (không phân biệt dấu, viết tắt được).",
                max_length=MAX_FILTER_CHARS,
                pattern=FILTER_PATTERN,
            ),
        ] = None,
        deadline: Annotated[
            str | None,
            Query(
                description="Thời hạn chứa chuỗi này, hoặc năm (2020), hoặc khoảng năm (2025-2027).",
                max_length=MAX_FILTER_CHARS,
                pattern=FILTER_PATTERN,
            ),
        ] = None,
    ) -> list[dict[str, Any]]:
        """Danh sách nhiệm vụ (cơ quan chủ trì, phối hợp, thời hạn) kèm trích dẫn nguyên văn."""
        flt = TaskFilter(doc_ids=tuple(doc or ()), task_id=id, agency=agency, deadline=deadline)
        return [t.to_dict(d.original) for d, t in _service(request).tasks(flt)]

    @app.get(
        "/tasks/{doc_id}/{task_id:path}",
        response_model=TaskOut,
        responses={**NOT_FOUND, **ERRORS, **AUTH_ERRORS},
        dependencies=READ,
    )
    def task(
        request: Request,
        doc_id: str,
        task_id: Annotated[str, Path(description="Số hiệu nhiệm vụ (mã hóa URL), ví dụ II.2.%C4%91-1")],
    ) -> dict[str, Any]:
        """Một nhiệm vụ; 404 nếu không có (nói rõ khi số hiệu rơi vào khoảng trống đánh số)."""
        doc, found = _service(request).task(doc_id, task_id)
        return found.to_dict(doc.original)

    @app.get(
        "/documents",
        response_model=list[DocumentOut],
        responses={**ERRORS, **AUTH_ERRORS},
        dependencies=READ,
    )
    def documents(request: Request) -> list[dict[str, Any]]:
        """Các văn bản: thông tin manifest, số điều khoản, số nhiệm vụ, khoảng trống đánh số."""
        svc = _service(request)
        return [svc.document_summary(d) for d in svc.docs.values()]

    @app.get(
        "/documents/{doc_id}",
        response_model=DocumentDetailOut,
        responses={**NOT_FOUND, **ERRORS, **AUTH_ERRORS},
        dependencies=READ,
    )
    def document(request: Request, doc_id: str) -> dict[str, Any]:
        """Một văn bản: thông tin, dữ kiện in ở phần đầu/chữ ký, dàn ý điều khoản (không kèm nội dung)."""
        return _service(request).document_detail(doc_id)

    @app.get("/health", response_model=HealthOut, responses={503: {"model": HealthErrorOut}})
    def health(request: Request) -> Any:
        """Trạng thái: chỉ mục đã nạp chưa, số văn bản/mục/điều khoản/nhiệm vụ, mô hình nhúng."""
        svc = getattr(request.app.state, "service", None)
        if svc is None:
            reason = request.app.state.load_error or "Dịch vụ đang khởi động."
            return JSONResponse({"status": "error", "index_loaded": False, "error": reason}, status_code=503)
        return {**svc.health(), "ui": app.state.ui_mounted}

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
