"""GET /health (no key needed) and GET /, which sends a browser to the page or to /docs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from hoidap.service.resources import Health, HealthError

#: Where the web page is mounted; `/` redirects there when it is.
UI_PATH = "/ui"


def root_router() -> APIRouter:
    api = APIRouter()

    @api.get("/", include_in_schema=False)
    def root(request: Request) -> RedirectResponse:
        return RedirectResponse(UI_PATH if request.app.state.ui_mounted else "/docs")

    return api


def router() -> APIRouter:
    api = APIRouter()

    @api.get("/health", response_model=Health, responses={503: {"model": HealthError}})
    def health(request: Request) -> Health | JSONResponse:
        """Trạng thái: chỉ mục đã nạp chưa, số văn bản/mục/điều khoản/nhiệm vụ, mô hình nhúng."""
        svc = getattr(request.app.state, "service", None)
        if svc is None:
            reason = request.app.state.load_error or "Dịch vụ đang khởi động."
            failed = HealthError(status="error", index_loaded=False, error=reason)
            return JSONResponse(failed.model_dump(), status_code=503)
        return svc.health(ui=request.app.state.ui_mounted)

    return api
