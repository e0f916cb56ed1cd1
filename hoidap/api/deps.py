"""What the routes depend on: the service (503 while it loads), the API key of a reading route, and
errors answered as `{"error": message}`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Request, Security
from fastapi.security import APIKeyHeader

from hoidap.api.guards import FailureLimiter
from hoidap.api.schemas import ErrorOut
from hoidap.service.qa import QAService
from hoidap.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


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


def reader(request: Request, key: Annotated[str | None, Security(_API_KEY)] = None) -> None:
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


def service(request: Request) -> QAService:
    svc = getattr(request.app.state, "service", None)
    if svc is None:
        reason = getattr(request.app.state, "load_error", None) or "Dịch vụ đang khởi động."
        raise ApiError(503, f"Chưa sẵn sàng trả lời: {reason}")
    return svc


def param_types(**types: Any) -> Callable[[F], F]:
    """Give a route's parameters types built from this app's settings (its limits). The annotations
    written in a module are strings that FastAPI resolves in the module's globals, where no app's
    settings are."""

    def apply(route: F) -> F:
        route.__annotations__.update(types)
        return route

    return apply
