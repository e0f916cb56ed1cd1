"""What every tab of the page uses: the service's errors said in the page, who may change the corpus,
the document choices of its drop-downs."""

from __future__ import annotations

import logging

import gradio as gr

from hoidap.corpus.store import DocumentError
from hoidap.indexer.store import IndexLoadError
from hoidap.service.qa import QAService
from hoidap.service.records import NotFoundError, QuestionError, os_error_message

log = logging.getLogger(__name__)

UI_PATH = "/ui"
ALL_DOCS = "*"
ADMIN_USER = "quantri"  # the page's user name for an admin key (uploads); any other name reads
NOT_READY = "Dịch vụ chưa sẵn sàng (chưa nạp được chỉ mục). Hãy chạy `hoidap index` rồi tải lại trang."


def friendly(exc: BaseException) -> str:
    """A message for the page: the service's own Vietnamese message, or a generic one (logged)."""
    if isinstance(exc, (QuestionError, DocumentError, IndexLoadError, NotFoundError)):
        return str(exc)
    if isinstance(exc, OSError):
        log.error("Lỗi hệ thống tệp trong giao diện: %s", exc)
        return os_error_message(exc)
    log.exception("Lỗi không mong đợi trong giao diện", exc_info=exc)
    return (
        f"Đã xảy ra lỗi không mong đợi ({type(exc).__name__}). "
        "Vui lòng thử lại; nếu vẫn lỗi, báo quản trị viên."
    )


def admin_refusal(svc: QAService, request: gr.Request | None, verb: str) -> str | None:
    """Why this user may not change the corpus ("thêm"/"xóa" a document): with access control on, only
    the admin account may; None when allowed."""
    if svc.settings is None or not svc.settings.access_control:
        return None
    if getattr(request, "username", None) == ADMIN_USER:
        return None
    return f"Chỉ tài khoản quản trị ({ADMIN_USER}) được {verb} văn bản; hãy đăng nhập lại."


def doc_choices(svc: QAService | None) -> list[tuple[str, str]]:
    if svc is None:
        return []
    return [(d.info.short_title, d.doc_id) for d in svc.docs.values()]


def task_doc_choices(svc: QAService | None) -> list[tuple[str, str]]:
    """The task table's document filter: every document, or one."""
    return [("Tất cả văn bản", ALL_DOCS), *doc_choices(svc)]


def added_choices(svc: QAService | None) -> list[tuple[str, str]]:
    """Documents added through an upload (the bundled ones cannot be removed)."""
    if svc is None:
        return []
    return [
        (f"{d.info.short_title} ({d.doc_id})", d.doc_id)
        for d in svc.docs.values()
        if (d.info.provenance or {}).get("added_from")
    ]
