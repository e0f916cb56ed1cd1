"""Every error as JSON `{"error": "<Vietnamese message>"}` (validation errors add `details`), never a
bare 500 page: the service's own errors, FastAPI's validation and routing errors, OS errors (a full disk
is 507), and anything unexpected (logged)."""

from __future__ import annotations

import errno
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hoidap.api.deps import ApiError
from hoidap.api.schemas import error_details, vietnamese_error
from hoidap.service.records import NotFoundError, QuestionError, os_error_message

log = logging.getLogger(__name__)


def install(app: FastAPI) -> None:
    """The app's exception handlers."""

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
