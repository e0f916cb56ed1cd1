"""The Gradio page: Hỏi đáp, Tra cứu điều khoản, Nhiệm vụ, Văn bản.

    hoidap serve                       # the API with this page at /ui

`build_ui(service)` builds the Blocks over the `QAService` facade; `mount(app, service)` puts them at
`/ui` of a FastAPI app and sends `/` there. The page calls the same facade as the API and the CLI
(ask, search, tasks with `TaskFilter`, add_document); an upload swaps the service's snapshot, so the
page and the API serve the new document at once.

Every handler turns errors into a message in the page, never a traceback.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.middleware import Middleware

from hoidap.corpus.deadlines import deadline_range
from hoidap.corpus.normalize import fold
from hoidap.corpus.progress import Step
from hoidap.corpus.store import DocumentError
from hoidap.indexer.store import IndexLoadError
from hoidap.service.filters import TaskFilter, deadline_needle_years
from hoidap.service.qa import QAService
from hoidap.service.records import NotFoundError, QuestionError, os_error_message
from hoidap.ui import render
from hoidap.ui.feedback import append_feedback, feedback_record
from hoidap.ui.login_page import LoginPageScript

log = logging.getLogger(__name__)

UI_PATH = "/ui"
TITLE = "Hỏi đáp văn bản chính sách"
EXAMPLES = [
    "Ai chủ trì nhiệm vụ 5.4?",
    "Mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?",
    "ai chu tri nhiem vu 2.3 ke hoach 214",
    "Kế hoạch 214 do ai ký?",
    "Sở Tài chính chủ trì những nhiệm vụ nào?",
]
SEARCH_MODES = [
    ("Kết hợp (từ khóa + ngữ nghĩa)", "hybrid"),
    ("Từ khóa", "lexical"),
    ("Ngữ nghĩa", "dense"),
]
TASK_COLUMNS = ["Văn bản", "Số hiệu nhiệm vụ", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"]
TASK_CLASSES = ["c-doc", "c-id", "c-content", "c-lead", "c-coord", "c-deadline"]
ROLES = [("Chủ trì hoặc phối hợp", "any"), ("Chủ trì", "lead"), ("Phối hợp", "coordinating")]
ROLE_NOTE = {"lead": "chủ trì", "coordinating": "phối hợp"}
SHORT_CONTENT = 180  # characters of a task's text shown before "Xem đủ"
# The printable report: what a department reads, with column widths in characters.
REPORT_COLUMNS = [
    ("STT", 6),
    ("Văn bản", 22),
    ("Số hiệu nhiệm vụ", 10),
    ("Nội dung", 64),
    ("Chủ trì", 24),
    ("Phối hợp", 28),
    ("Thời hạn", 14),
]
REPORT_HEADER_ROW = 4  # title, filters, blank, header
EXPORT_COLUMNS = [*TASK_COLUMNS, "Mã văn bản", "Mục", "Ký tự bắt đầu", "Ký tự kết thúc"]
ALL_DOCS = "*"
MAX_FEEDBACK_NOTE_CHARS = 2000  # a note says why an answer is wrong; more is not feedback
MAX_SAVED_MESSAGES = 40  # kept in the browser (localStorage) across reloads
MAX_SUMMARY_CHARS = 300  # an earlier reply's gist, as the server re-sends it
ADMIN_USER = "quantri"  # the page's user name for an admin key (uploads); any other name reads
SKIP_TO_REPLY = "Tới trích dẫn của câu trả lời mới nhất"
NOT_READY = "Dịch vụ chưa sẵn sàng (chưa nạp được chỉ mục). Hãy chạy `hoidap index` rồi tải lại trang."

CSS = """
.gradio-container {max-width: 1100px !important; min-width: 0 !important; width: 100% !important;
  margin: auto;}
.hd-reply {line-height: 1.45;}
.hd-answer {font-size: 1.08em; margin: 2px 0 6px;}
.hd-confidence {font-size: 0.9em; color: #374151; margin: 0 0 6px;}
.hd-notfound {color: #9a3412;}
.hd-msg {font-size: 0.9em; color: var(--hd-subtle); margin-bottom: 6px;}
/* Each document's answer and quote side by side; one under another on a phone. */
ul.hd-perdoc-list {display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 10px;
  list-style: none; margin: 4px 0 6px; padding: 0;}
li.hd-perdoc-item {margin: 0; padding: 0; min-width: 0;}
.hd-perdoc-head {font-size: 0.95em;}
.hd-perdoc-value {font-weight: 700; font-size: 1.05em;}
.hd-place {font-size: 0.8em; font-weight: 600; text-transform: uppercase; color: var(--hd-subtle);}
li.hd-perdoc-item .hd-card {margin-top: 4px;}
.hd-section {font-weight: 600; margin-top: 10px; font-size: 0.92em;}
.hd-card {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin: 8px 0; background: var(--background-fill-secondary); overflow-wrap: anywhere;}
.hd-crumb {font-size: 0.84em; color: var(--hd-subtle); margin: 2px 0;}
.hd-quote {margin: 6px 0 !important; padding: 4px 8px !important; border-left: 3px solid #3b82f6 !important;
  font-size: 0.94em; font-style: normal;}
mark.hd-hl {background: #fde047; color: #111; padding: 0 2px; border-radius: 3px;}
.hd-meta {font-size: 0.78em; color: var(--hd-subtle); margin-top: 2px;}
.hd-details summary {cursor: pointer; font-size: 0.85em; color: var(--hd-link); margin-top: 4px;}
.hd-context {font-size: 0.84em; max-height: 340px; overflow: auto; padding: 6px 8px; margin-top: 4px;
  border: 1px dashed var(--border-color-primary); border-radius: 6px;}
.hd-quote-in-context {background: rgba(253, 224, 71, 0.28); outline: 1px dashed #ca8a04;}
.hd-error {color: #991b1b; background: #fef2f2; border: 1px solid #fecaca; padding: 8px 10px;
  border-radius: 6px;}
.hd-ok {color: #14532d; background: #f0fdf4; border: 1px solid #bbf7d0; padding: 8px 10px;
  border-radius: 6px;}
.hd-muted {color: var(--hd-subtle);}
.hd-src {font-size: 0.74em; padding: 1px 7px; border-radius: 10px; white-space: nowrap;
  background: rgba(100, 116, 139, 0.15);}
.hd-src-printed {background: rgba(34, 197, 94, 0.18);}
.hd-src-citing {background: rgba(245, 158, 11, 0.2);}
.hd-src-user {background: rgba(59, 130, 246, 0.18);}
table.hd-facts {border-collapse: collapse; margin-top: 6px; font-size: 0.9em; width: 100%;
  border: none !important;}
table.hd-facts th {text-align: left; padding: 2px 10px 2px 0; vertical-align: top; white-space: nowrap;
  font-weight: 600; width: 1%;}
table.hd-facts td {padding: 2px 0;}
table.hd-facts th, table.hd-facts td {border: none !important;
  border-bottom: 1px solid var(--border-color-primary) !important; background: transparent !important;}
.hd-summary {font-size: 0.92em; margin: 4px 0;}
.gradio-container {--hd-subtle: #374151; --hd-link: #1e40af;}
.dark .gradio-container, .gradio-container.dark {--hd-subtle: #d1d5db; --hd-link: #93c5fd;}
.hd-facts-line {font-size: 0.86em; margin: 1px 0;}
.hd-data {display: none !important;}
.hd-tools {display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0;}
.hd-btn {font-size: 0.82em; padding: 2px 10px; border-radius: 6px; cursor: pointer; color: var(--hd-link);
  border: 1px solid currentColor; background: var(--background-fill-primary);}
.hd-btn:hover {background: var(--background-fill-secondary);}
.hd-pending {font-style: italic; color: var(--hd-subtle);}
.hd-reply, .hd-error, .hd-pending {scroll-margin-top: 12px;}
.hd-notes {font-size: 0.9em; padding: 6px 10px; margin-top: 6px; border-left: 4px solid #b45309;
  background: var(--background-fill-secondary);}
.hd-notes ul {margin: 2px 0 0 18px; padding: 0;}
.hd-nomatch {padding: 8px 10px; border: 1px solid var(--border-color-primary); border-radius: 6px;}
/* The active tab in a dark enough blue (Soft's #3b82f6 is 3.7:1 on white). */
.gradio-container button[role="tab"][aria-selected="true"], .gradio-container button[role="tab"].selected {
  color: #1e40af !important;}
/* Visible keyboard focus everywhere (WCAG 2.4.7). */
.gradio-container :focus-visible, .gradio-container input:focus, .gradio-container textarea:focus {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px !important;}
.hd-tasks {max-width: 100%; overflow-x: auto; max-height: 640px; overflow-y: auto;}
table.hd-task-table {border-collapse: collapse; width: 100%; font-size: 0.9em;}
table.hd-task-table th, table.hd-task-table td {border: 1px solid var(--border-color-primary);
  padding: 4px 6px; vertical-align: top; text-align: left;}
table.hd-task-table thead th {position: sticky; top: 0; background: var(--background-fill-secondary);
  z-index: 1;}
.hd-caption {caption-side: top; text-align: left; font-size: 0.85em; color: var(--hd-subtle); padding: 2px 0;}
.hd-sort {font: inherit; font-weight: 600; background: none; border: none; padding: 0; cursor: pointer;
  color: inherit; text-align: left;}
.hd-sort::after {content: " ↕"; color: var(--hd-subtle);}
th[aria-sort=ascending] .hd-sort::after {content: " ▲";}
th[aria-sort=descending] .hd-sort::after {content: " ▼";}
td.c-content {min-width: 260px;}
td.c-id {white-space: nowrap;}
/* A long deadline ("Hằng năm, trước ngày 15/12 … ") wraps instead of squeezing the agency columns. */
td.c-deadline {min-width: 110px; max-width: 240px; overflow-wrap: anywhere;}
.hd-more summary {cursor: pointer; list-style: none;}
.hd-more summary::-webkit-details-marker {display: none;}
.hd-more-label::after {content: " Xem đủ ▸"; color: var(--hd-link); font-weight: 600; white-space: nowrap;}
.hd-more[open] .hd-more-label::after {content: "Thu gọn ▴";}
.hd-more[open] .hd-short {display: none;}
#hd-viewer {position: fixed !important; top: 3vh; bottom: 3vh; left: 3vw; right: 3vw; z-index: 1000;
  width: auto !important; max-width: 94vw !important; overflow: hidden; padding: 12px;
  background: var(--background-fill-primary); border: 1px solid var(--border-color-primary);
  border-radius: 10px; box-shadow: 0 10px 40px rgba(0, 0, 0, 0.35);}
#hd-viewer-close {align-self: flex-end; max-width: 160px;}
.hd-source-title {font-size: 1.15em; margin: 0 0 2px;}
.hd-source-body {display: flex; gap: 14px; align-items: flex-start; margin-top: 6px;}
/* The outline and the text scroll inside the window; its title and close button stay in view. */
.hd-toc, .hd-doc-text {max-height: calc(94vh - 150px); overflow: auto;}
.hd-toc {flex: 0 0 230px; font-size: 0.84em;}
.hd-toc ul {list-style: none; margin: 0; padding: 0;}
.hd-toc li.hd-toc-2 {padding-left: 12px;}
.hd-jump {background: none !important; border: none !important; box-shadow: none !important;
  color: var(--hd-link); text-align: left; cursor: pointer; padding: 2px 0; font: inherit;}
.hd-doc-text {white-space: pre-wrap; line-height: 1.5; flex: 1; min-width: 0; overflow-wrap: anywhere;
  padding-right: 6px;}
mark.hd-cited {background: #fde047; color: #111; outline: 2px solid #ca8a04; scroll-margin: 30vh;}
@media (max-width: 600px) {
  .hd-source-body {display: block;}
  .hd-toc {max-height: 22vh; margin-bottom: 8px; border-bottom: 1px solid var(--border-color-primary);}
  .hd-doc-text {max-height: calc(100vh - 22vh - 190px);}
  #hd-viewer {top: 0; bottom: 0; left: 0; right: 0; max-width: 100vw !important; border-radius: 0;
    padding: 8px;}
  /* A task table row becomes a card: task, lead and deadline stay in view without sideways scroll. */
  .hd-tasks {max-height: none;}
  table.hd-task-table, table.hd-task-table tbody, table.hd-task-table tr, table.hd-task-table td {
    display: block; width: 100%; box-sizing: border-box;}
  table.hd-task-table thead tr {display: flex; flex-wrap: wrap; gap: 4px 10px;}
  table.hd-task-table thead th {display: block; border: none; position: static; padding: 2px 0;}
  table.hd-task-table tr {border: 1px solid var(--border-color-primary); border-radius: 8px; margin: 8px 0;
    padding: 4px 8px;}
  table.hd-task-table td {border: none; padding: 2px 0; min-width: 0;}
  table.hd-task-table td.c-content {min-width: 0;}
  table.hd-task-table td::before {content: attr(data-label) ": "; font-weight: 600;}
  table.hd-task-table td.c-content::before {content: none;}
  table.hd-task-table td.c-doc {font-size: 0.85em; color: var(--hd-subtle);}
  table.hd-task-table td.c-id {font-size: 1.02em;}
  table.hd-task-table tr.hd-empty td::before {content: none;}
  .gallery button, .gallery .gallery-item {white-space: normal !important; text-align: left;}
  .tab-container button {padding: 6px 7px !important; font-size: 0.92em !important;}
  table.hd-facts th {white-space: normal; width: 34%;}
  .hd-quote {padding: 3px 6px !important;}
}
#hd-chat .scroll-down-button-container {left: auto !important; right: 14px !important;
  transform: none !important;}
/* The skip link: out of the layout, shown under the question box while it has keyboard focus, and
   only once there is a reply to go to. */
#hd-ask-row {position: relative;}
#hd-skip-box {position: absolute !important; left: 0; top: 100%; z-index: 30; width: auto !important;
  min-width: 0 !important; padding: 0 !important; margin: 0 !important; border: none !important;}
.hd-skip {display: none; position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap;}
.hd-skip.hd-on {display: block;}
.hd-skip:focus {width: auto; height: auto; clip-path: none; padding: 4px 10px; border-radius: 6px;
  background: var(--background-fill-primary); color: var(--hd-link); border: 1px solid currentColor;
  font-weight: 600;}
#hd-logout {text-align: right; min-height: 0 !important; padding: 0 !important;}
.hd-logout {font-weight: 600; color: var(--primary-800) !important;}
"""


# Gradio's own labels in Vietnamese (for English and Vietnamese browsers alike).
VI_LABELS = {
    "upload_text.drop_file": "Kéo thả tệp vào đây",
    "upload_text.click_to_upload": "Bấm để chọn tệp",
    "common.or": "hoặc",
    "common.clear": "Xóa",
    "common.download": "Tải xuống",
    "common.remove": "Bỏ",
    "common.loading": "Đang tải",
    "common.error": "Lỗi",
    "common.empty": "Trống",
    "file.uploading": "Đang tải lên…",
    "chatbot.clear": "Xóa hội thoại",
    "chatbot.copy_message": "Chép câu trả lời",
    "chatbot.copied_message": "Đã chép",
    "dataframe.sort_column": "Sắp xếp cột",
    "dataframe.sort_ascending": "Tăng dần",
    "dataframe.sort_descending": "Giảm dần",
    "dataframe.clear_sort": "Bỏ sắp xếp",
    "dataframe.filter": "Lọc",
    "dataframe.clear_filter": "Bỏ lọc",
    "status.queue_position": "Đang chờ: {position}/{size}",
    "common.built_with_gradio": "Xây dựng bằng Gradio",
    "common.settings": "Cài đặt",
    "common.language": "Ngôn ngữ",
    "common.display_theme": "Giao diện sáng/tối",
    "common.use_via_api": "Dùng qua API",
    "blocks.lost_connection": "Mất kết nối do rời trang. Đang vào lại hàng đợi…",
    "blocks.connection_can_break": "Trên điện thoại, kết nối có thể ngắt khi rời thẻ này hoặc máy ngủ.",
    "blocks.waiting_for_inputs": "Đang chờ tải tệp xong, hãy thử lại.",
    "chatbot.chatbot": "Hội thoại",
    "chatbot.conversation": "Hội thoại",
    "upload_text.drop_csv": "Kéo thả tệp CSV vào đây",
    "errors.use_via_api": "Dùng qua API",
    "login.login": "Đăng nhập",
    "login.username": "Tên đăng nhập",
    "login.password": "Khóa truy cập",
    "login.incorrect_credentials": "Tên hoặc khóa không đúng",
    "login.enable_cookies": "Hãy bật cookie của trình duyệt để đăng nhập.",
}


# Outside the app's own container (Gradio scopes `css` inside it): narrower page margins on phones.
# The print view too: Gradio scopes `css` under its container, where "body *" never matches, so the
# page printed whole over the table and cut its right columns. Here the table alone, A4 landscape,
# every column wrapped to fit, shortened texts unfolded.
HEAD_STYLE = (
    "<style>@media (max-width: 600px) {"
    " .gradio-container > .main {padding-left: 8px !important; padding-right: 8px !important;} }"
    "@page {size: A4 landscape; margin: 12mm;}"
    "@media print {"
    " body * {visibility: hidden !important;}"
    " #hd-task-table, #hd-task-table * {visibility: visible !important;}"
    " #hd-task-table {position: absolute !important; left: 0; top: 0; width: 100% !important;}"
    " #hd-task-table .hd-tasks {max-height: none !important; overflow: visible !important;}"
    " #hd-task-table table {font-size: 9pt !important; width: 100% !important;}"
    " #hd-task-table th, #hd-task-table td {white-space: normal !important; min-width: 0 !important;"
    "  max-width: none !important; overflow-wrap: anywhere; position: static !important;}"
    " #hd-task-table .hd-sort::after, #hd-task-table .hd-more-label, #hd-task-table .hd-caption"
    "  {display: none !important;}"
    " #hd-task-table .hd-more .hd-short {display: none !important;}"
    " #hd-task-table .hd-more > *:not(summary) {display: block !important;} }"
    "</style>"
)

# The page's behaviour, by event delegation so it survives Gradio re-rendering the HTML:
# copy buttons put PLAIN TEXT on the clipboard; each new reply scrolls to its own start (Gradio's
# autoscroll went to the bottom of long replies) and its question goes into the URL (?q=);
# "Xem trong văn bản" asks the server for the source view, which scrolls to the marked passage;
# table headers sort; Gradio's English toasts are said in Vietnamese.
PAGE_JS = resources.files("hoidap.ui").joinpath("page.js").read_text(encoding="utf-8")
HEAD_SCRIPT = f"<script>{PAGE_JS}</script>"
HEAD = HEAD_STYLE + HEAD_SCRIPT
# The print view: the task table alone (see @media print in HEAD_STYLE), every shortened text unfolded.
PRINT_JS = (
    "() => { document.querySelectorAll('#hd-task-table details').forEach((d) => { d.open = true; });"
    " print(); }"
)


def _i18n() -> gr.I18n:
    return gr.I18n(en=VI_LABELS, vi=VI_LABELS)


def _theme() -> gr.themes.Base:
    # System fonts only: no request to Google Fonts (the page must work offline).
    # Darker shades than Soft's defaults: labels, info lines and buttons reach WCAG AA (4.5:1).
    return gr.themes.Soft(
        primary_hue="blue",
        font=["system-ui", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "Consolas", "monospace"],
    ).set(
        body_text_color_subdued="*neutral_600",
        block_label_text_color="*primary_800",
        block_title_text_color="*neutral_800",
        block_info_text_color="*neutral_600",
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
        button_secondary_text_color="*neutral_800",
        checkbox_label_text_color="*neutral_800",
        checkbox_label_background_fill_selected="*primary_700",
        checkbox_label_text_color_selected="white",
        input_placeholder_color="*neutral_500",
    )


# --- errors -------------------------------------------------------------------------------------


def admin_refusal(svc: QAService, request: gr.Request | None, verb: str) -> str | None:
    """Why this user may not change the corpus ("thêm"/"xóa" a document): with access control on, only
    the admin account may; None when allowed."""
    if svc.settings is None or not svc.settings.access_control:
        return None
    if getattr(request, "username", None) == ADMIN_USER:
        return None
    return f"Chỉ tài khoản quản trị ({ADMIN_USER}) được {verb} văn bản; hãy đăng nhập lại."


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


# --- data for the components ---------------------------------------------------------------------


def doc_choices(svc: QAService | None) -> list[tuple[str, str]]:
    if svc is None:
        return []
    return [(d.info.short_title, d.doc_id) for d in svc.docs.values()]


def added_choices(svc: QAService | None) -> list[tuple[str, str]]:
    """Documents added through an upload (the bundled ones cannot be removed)."""
    if svc is None:
        return []
    return [
        (f"{d.info.short_title} ({d.doc_id})", d.doc_id)
        for d in svc.docs.values()
        if (d.info.provenance or {}).get("added_from")
    ]


def task_rows(
    svc: QAService | None,
    doc_id: str | None = None,
    agency: str | None = None,
    deadline: str | None = None,
    text: str | None = None,
    role: str | None = None,
) -> list[dict[str, Any]]:
    """Task records matching the filters (the same `TaskFilter` as the API and the CLI)."""
    if svc is None:
        return []
    doc_ids = (doc_id,) if doc_id and doc_id != ALL_DOCS and doc_id in svc.docs else ()
    role = role if role in ("lead", "coordinating") else "any"
    flt = TaskFilter(doc_ids=doc_ids, agency=agency, deadline=deadline, text=text, role=role)  # type: ignore[arg-type]
    return [
        {
            "Văn bản": d.info.short_title,
            "Số hiệu nhiệm vụ": t.task_id,
            "Nội dung": t.content,
            "Chủ trì": "; ".join(t.lead),
            "Phối hợp": "; ".join(t.coordinating),
            "Thời hạn": t.deadline or "",
            "Mã văn bản": d.doc_id,
            "Mục": t.breadcrumb,
            "Ký tự bắt đầu": t.char_start,
            "Ký tự kết thúc": t.char_end,
        }
        for d, t in svc.tasks(flt)
    ]


def task_count_html(shown: int, total: int) -> str:
    return (
        f'<div class="hd-summary" id="hd-task-count" role="status"><b>{shown}</b> / {total} '
        "nhiệm vụ khớp bộ lọc.</div>"
    )


def _content_cell(text: str) -> str:
    """A long task text shortened, the rest one click away (a <details> that needs no script)."""
    if len(text) <= SHORT_CONTENT:
        return render.esc(text)
    cut = text.rfind(" ", 0, SHORT_CONTENT)
    short = text[: cut if cut > SHORT_CONTENT // 2 else SHORT_CONTENT]
    return (
        # The title names the summary when it is open (its text is then hidden): axe summary-name.
        '<details class="hd-more"><summary title="Xem đủ / thu gọn nội dung">'
        f'<span class="hd-short">{render.esc(short)}…</span>'
        f'<span class="hd-more-label"></span></summary>{render.esc(text)}</details>'
    )


def _deadline_key(deadline: str) -> str:
    """What the deadline column sorts by: the date it ends ("2026-04-30"), then its text; a deadline
    without a date ("thường xuyên") after the dated ones, a blank one last."""
    if not deadline:
        return "zzzz"
    end = deadline_range(deadline)[1]
    return f"{end} {deadline}" if end else f"9999 {deadline}"


def task_table_html(rows: list[dict[str, Any]]) -> str:
    """The task table: headers sort on click (script in HEAD), long texts fold; on a phone each row
    becomes a card that keeps the task, lead and deadline in view."""
    head = "".join(
        f'<th scope="col" class="{cls}"><button type="button" class="hd-sort">{name}</button></th>'
        for name, cls in zip(TASK_COLUMNS, TASK_CLASSES, strict=True)
    )
    body = []
    for r in rows:
        cells = []
        for name, cls in zip(TASK_COLUMNS, TASK_CLASSES, strict=True):
            value = str(r[name] or "")
            shown = _content_cell(value) if name == "Nội dung" else render.esc(value) or "—"
            key = _deadline_key(value) if name == "Thời hạn" else value
            attrs = f'class="{cls}" data-label="{render.attr(name)}" data-key="{render.attr(key)}"'
            cells.append(f"<td {attrs}>{shown}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    empty = (
        f'<tr class="hd-empty"><td colspan="{len(TASK_COLUMNS)}">Không có nhiệm vụ nào khớp bộ lọc.</td></tr>'
        if not rows
        else ""
    )
    return (
        '<div class="hd-tasks"><table class="hd-task-table">'
        '<caption class="hd-caption">Bấm tiêu đề cột để sắp xếp (bấm lần nữa để đảo chiều).</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}{empty}</tbody></table></div>"
    )


_EXPORT_ROOT: Path | None = None
_EXPORT_LOCK = threading.Lock()


MAX_EXPORTS = 200  # export folders kept at once (each task filter makes one; ~27 KB each)


def _export_dir(key: str) -> Path:
    """The folder for one export: the same rows and filters reuse theirs; folders over an hour old,
    and the oldest beyond `MAX_EXPORTS`, are removed."""
    global _EXPORT_ROOT
    with _EXPORT_LOCK:
        if _EXPORT_ROOT is None or not _EXPORT_ROOT.exists():
            _EXPORT_ROOT = Path(tempfile.mkdtemp(prefix="hoidap-export-"))
        now = time.time()
        kept = []
        for old in _EXPORT_ROOT.iterdir():
            age = now - old.stat().st_mtime
            if age > 3600:
                shutil.rmtree(old, ignore_errors=True)
            elif old.name != key:
                kept.append((age, old))
        for _, old in sorted(kept)[MAX_EXPORTS - 1 :]:  # oldest last
            shutil.rmtree(old, ignore_errors=True)
        folder = _EXPORT_ROOT / key
        folder.mkdir(exist_ok=True)
        os.utime(folder)
        return folder


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula: a leading = + - @ (or tab/CR) gets an apostrophe.

    Uploaded documents are anyone's text, and Excel/LibreOffice evaluate `=HYPERLINK(...)` and friends
    when the export is opened. Numbers stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """UTF-8 with BOM, so Excel opens the Vietnamese text correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
        w.writeheader()
        w.writerows({c: safe_cell(r[c]) for c in EXPORT_COLUMNS} for r in rows)
    return path


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")[:limit].strip("-")


# Where each stage of adding a document sits on the upload bar: (start, end) of its share; OCR (slow
# when there are scans) and embedding (most of a text file's time) are counted within theirs.
_UPLOAD_BAR = {"read": (0.02, 0.05), "ocr": (0.05, 0.45), "parse": (0.45, 0.5), "embed": (0.5, 0.92)}


def upload_bar(step: Step) -> tuple[float, str]:
    """(bar fraction, Vietnamese description) for a stage reported while a document is added."""
    start, end = _UPLOAD_BAR.get(step.stage, (0.95, 0.95))
    share = step.done / step.total if step.total else 0.5  # an uncounted stage: mid-way through its share
    return start + (end - start) * share, f"{step.label}…"


def filter_summary(
    svc: QAService | None,
    doc_id: str | None,
    agency: str | None,
    deadline: str | None,
    text: str | None,
    role: str | None,
) -> tuple[str, str]:
    """(a line naming the filters for the report's title, a file-name stem saying what it holds)."""
    said: list[str] = []
    stem: list[str] = []
    if svc is not None and doc_id and doc_id != ALL_DOCS and doc_id in svc.docs:
        title = svc.docs[doc_id].info.short_title
        said.append(f"văn bản: {title}")
        stem.append(_slug(title))
    if agency and agency.strip():
        how = ROLE_NOTE.get(role or "", "chủ trì hoặc phối hợp")
        # The agency's full name, not what was typed ("so khdt"): the report goes to other offices.
        name = (svc.agency_name(agency) if svc is not None else None) or agency.strip()
        said.append(f"cơ quan {how}: {name}")
        stem.append(_slug(name) + (f"-{_slug(ROLE_NOTE[role])}" if role in ROLE_NOTE else ""))
    if deadline and deadline.strip():
        years = deadline_needle_years(deadline)
        if years and years[0] != years[1]:  # however the range was typed, one wording and file name
            said.append(f"thời hạn trong các năm {years[0]}–{years[1]}")
            stem.append(f"{years[0]}-{years[1]}")
        else:
            said.append(f"thời hạn: {deadline.strip()}")
            stem.append(_slug(deadline))
    if text and text.strip():
        said.append(f"từ khóa: {text.strip()}")
        stem.append(_slug(text))
    name = "nhiem-vu_" + ("_".join(x for x in stem if x) or "tat-ca") + f"_{date.today().isoformat()}"
    return ("; ".join(said) or "tất cả nhiệm vụ"), name


def write_xlsx(rows: list[dict[str, Any]], path: Path, filters: str = "tất cả nhiệm vụ") -> Path:
    """A report that prints: title row naming the filters and the date, STT, the columns a department
    reads, borders, the header row repeated on every page, A4 landscape fitted to one page wide.

    Text is stored as text: a cell that starts like a formula (= + - @) is typed as a string, so a
    spreadsheet never evaluates an uploaded document's words.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ncol = len(REPORT_COLUMNS)
    last = get_column_letter(ncol)
    ws["A1"] = "DANH SÁCH NHIỆM VỤ"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"Lọc: {filters} · {len(rows)} nhiệm vụ · xuất ngày {date.today().strftime('%d/%m/%Y')}"
    ws["A2"].font = Font(italic=True)
    for r in (1, 2):
        ws.merge_cells(f"A{r}:{last}{r}")
        ws[f"A{r}"].alignment = Alignment(horizontal="center", wrap_text=True)
    ws.row_dimensions[2].height = 30
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top = Alignment(wrap_text=True, vertical="top")
    h = REPORT_HEADER_ROW
    for j, (name, width) in enumerate(REPORT_COLUMNS, 1):
        cell = ws.cell(row=h, column=j, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F3")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    for i, r in enumerate(rows, 1):
        values = [i, *(r[name] for name, _ in REPORT_COLUMNS[1:])]
        for j, value in enumerate(values, 1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = ws.cell(row=h + i, column=j, value=value)
            if isinstance(value, str) and cell.data_type == "f":
                cell.data_type = "s"  # text that merely looks like a formula
            cell.border = border
            cell.alignment = top
    ws.print_title_rows = f"{h}:{h}"
    ws.freeze_panes = f"A{h + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.oddFooter.center.text = "Trang &P/&N"
    wb.save(path)
    return path


def export_files(
    rows: list[dict[str, Any]], filters: str = "tất cả nhiệm vụ", stem: str = "nhiem-vu"
) -> tuple[str, str]:
    content = json.dumps(
        [rows, filters, stem, date.today().isoformat()], ensure_ascii=False, default=str, sort_keys=True
    )
    folder = _export_dir(hashlib.sha256(content.encode("utf-8")).hexdigest()[:32])
    csv_path, xlsx_path = folder / f"{stem}.csv", folder / f"{stem}.xlsx"
    if not (csv_path.exists() and xlsx_path.exists()):  # written before for the same rows: reused
        token = uuid.uuid4().hex  # a concurrent export of the same rows never sees half a file
        os.replace(write_csv(rows, folder / f"{token}.csv"), csv_path)
        os.replace(write_xlsx(rows, folder / f"{token}.xlsx", filters), xlsx_path)
    return str(csv_path), str(xlsx_path)


def documents_html(svc: QAService | None) -> str:
    if svc is None:
        return render.error_html(NOT_READY)
    manifest = getattr(getattr(svc.searcher, "manifest", None), "documents", {}) or {}
    docs = list(svc.docs.values())
    clauses = sum(len(d.clauses) for d in docs)
    tasks = sum(len(d.tasks) for d in docs)
    head = (
        f'<div class="hd-summary"><b>{len(docs)} văn bản</b> · {clauses} điều khoản · {tasks} nhiệm vụ. '
        "Mỗi thông tin ghi rõ nguồn: <i>in trong văn bản</i>, <i>theo văn bản khác trích dẫn</i>, "
        "<i>theo manifest của kho</i> hoặc <i>do người thêm văn bản nhập</i>.</div>"
    )
    cards = "".join(render.document_card(d, (manifest.get(d.doc_id) or {}).get("entries")) for d in docs)
    damaged = getattr(svc, "damaged", None) or {}
    if damaged:  # quarantined: not served until removed (hoidap remove) and added again
        items = "".join(
            f"<li><b>{html.escape(doc_id)}</b>: {html.escape(why)}</li>"
            for doc_id, why in sorted(damaged.items())
        )
        head += (
            render.error_html(
                f"{len(damaged)} văn bản bị cách ly (không dùng để trả lời) vì tệp lưu trữ hỏng hoặc bị sửa:"
            )
            + f'<ul class="hd-quarantined">{items}</ul>'
        )
    return f'<div id="hd-doc-cards">{head}{cards}</div>'


def chat_view(conv: list[dict[str, str]]) -> list[dict[str, str]]:
    """The chat as the server sends it: the latest reply whole, each earlier one folded to its gist,
    which the page swaps for the copy it kept of that turn (`page.js`); a turn costs the same bytes
    at question 16 as at question 1."""
    last = len(conv) - 1
    out = []
    for i, m in enumerate(conv):
        turn = m.get("turn")
        if m["role"] != "assistant" or not turn:
            out.append({"role": m["role"], "content": m["content"]})
        elif i == last and m["content"]:
            out.append({"role": "assistant", "content": render.turn_html(turn, m["content"])})
        else:
            folded = render.folded_html(turn, m.get("summary", ""), m.get("question", ""))
            out.append({"role": "assistant", "content": folded})
    return out


def saved_form(conv: list[dict[str, str]]) -> list[dict[str, str]]:
    """What the browser keeps across reloads: the latest reply whole, the others by their gist."""
    last = len(conv) - 1
    return [m if i == last or m["role"] != "assistant" else {**m, "content": ""} for i, m in enumerate(conv)]


def forget_chat(conv: list[dict[str, str]] | None):
    """Clear the chat, keeping what was cleared for the undo button."""
    return [], [], list(conv or []), None, "", [], gr.update(visible=bool(conv))


def undo_forget(cleared: list[dict[str, str]] | None):
    conv = list(cleared or [])
    return chat_view(conv), conv, [], saved_form(conv), gr.update(visible=False)


_TURN_RE = re.compile(r"[0-9a-f]{1,32}")


def saved_messages(saved: Any) -> list[dict[str, str]]:
    """The conversation the browser kept, checked: it may hold anything. Only user and assistant
    messages with text survive, with a well-formed turn id and bounded gist and question."""
    out: list[dict[str, str]] = []
    for m in saved if isinstance(saved, list) else []:
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            continue
        content = m.get("content")
        if not isinstance(content, str):
            continue
        kept = {"role": m["role"], "content": content}
        turn = m.get("turn")
        if m["role"] == "assistant" and isinstance(turn, str) and _TURN_RE.fullmatch(turn):
            summary, question = m.get("summary"), m.get("question")
            kept["turn"] = turn
            kept["summary"] = summary[:MAX_SUMMARY_CHARS] if isinstance(summary, str) else ""
            kept["question"] = question[:2000] if isinstance(question, str) else ""
        elif not content:
            continue
        out.append(kept)
    return out


def uploaded_file(file: str, max_bytes: int | None = None) -> Path:
    """The uploaded file, only when it lies inside Gradio's upload folder (and is at most `max_bytes`).

    A client can name any server path in the upload event, and Gradio checks that only once
    `blocks.has_launched`, which mounting into FastAPI never sets; the message never echoes the path.
    """
    from gradio.utils import get_upload_folder

    path = Path(file).resolve()
    if not path.is_relative_to(Path(get_upload_folder()).resolve()) or not path.is_file():
        raise DocumentError("Tệp tải lên không hợp lệ hoặc đã hết hạn; hãy chọn lại tệp.")
    if max_bytes is not None and path.stat().st_size > max_bytes:
        raise DocumentError(f"Tệp quá lớn (tối đa {max_bytes / 2**20:g} MB).")
    return path


def parse_user_date(text: str | None) -> str | None:
    """'15/01/2025', '15-1-2025' or '2025-01-15' -> '2025-01-15'; None when blank."""
    s = (text or "").strip()
    if not s:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", s)
        if not m:
            raise DocumentError(f"Ngày ban hành '{s}' không hợp lệ; hãy ghi dạng 15/01/2025 hoặc 2025-01-15.")
        d, mo, y = (int(x) for x in m.groups())
    try:
        return date(y, mo, d).isoformat()
    except ValueError as exc:
        raise DocumentError(f"Ngày ban hành '{s}' không có thật trên lịch.") from exc


# --- the page ------------------------------------------------------------------------------------


def build_ui(service: QAService) -> gr.Blocks:
    """The four-tab page over the service facade."""

    def holder() -> QAService:
        return service

    upload_lock = threading.Lock()  # one upload at a time from this page
    svc0 = service
    choices0 = doc_choices(svc0)
    task_choices0 = [("Tất cả văn bản", ALL_DOCS), *choices0]

    # --- handlers -------------------------------------------------------------------------------

    def show_question(message: str | None, conv: list[dict[str, str]] | None):
        """At once: the question in the chat with a 'searching' line under it; the box emptied."""
        conv = list(conv or [])
        q = (message or "").strip()
        if q:
            conv.append({"role": "user", "content": render.esc(q)})
            conv.append({"role": "assistant", "content": render.pending_html(q)})
        return chat_view(conv), conv, "", message or "", gr.update(visible=False)

    def respond(pending: str | None, conv: list[dict[str, str]] | None, doc_ids: list[str] | None):
        """The answer replaces the 'searching' line; `pending` None means nothing was asked."""
        if pending is None:
            return (gr.update(),) * 8
        conv = [m for m in conv or [] if "hd-pending" not in m["content"]]
        q = pending.strip()
        svc = holder()
        last = None
        try:
            if svc is None:
                raise IndexLoadError(NOT_READY)
            ids = [d for d in doc_ids or [] if d in svc.docs]
            answer = svc.ask(q, doc_ids=ids or None, top_k=5)
            data = answer.to_dict()
            used = {c["doc_id"] for c in data["citations"] + data["related"]} & set(svc.docs)
            reply = render.answer_html(
                data,
                {d: svc.docs[d].original for d in used},
                {d: svc.docs[d].info for d in used},
            )
            summary = (data["answer"] if data["found"] else data["message"]) or ""
            last = {**data, "doc_filter": ids}
        except Exception as exc:  # noqa: BLE001 - every error becomes a message in the chat
            reply = render.error_html(friendly(exc))
            summary = friendly(exc)
        if q and not (conv and conv[-1].get("role") == "user"):
            conv.append({"role": "user", "content": render.esc(q)})
        conv.append(
            {
                "role": "assistant",
                "content": reply,
                "turn": uuid.uuid4().hex[:12],
                "summary": summary[:MAX_SUMMARY_CHARS],
                "question": q,
            }
        )
        conv = conv[-MAX_SAVED_MESSAGES:]
        return chat_view(conv), conv, last, None, "", "", saved_form(conv), None

    def restore_chat(saved: list[dict[str, Any]] | None, request: gr.Request):
        """The conversation kept in this browser; a question in the link (?q=) is asked once more
        unless it is already the last one shown."""
        conv = [m for m in saved_messages(saved) if "hd-pending" not in m["content"]]
        conv = conv[-MAX_SAVED_MESSAGES:]
        q = (request.query_params.get("q") or "").strip()[:2000] if request else ""
        asked = [m["content"] for m in conv if m["role"] == "user"]
        if not q or (asked and asked[-1] == render.esc(q)):
            return chat_view(conv), conv, None
        shown, conv, *_ = show_question(q, conv)
        return shown, conv, q

    def send_feedback(last: dict[str, Any] | None, verdict: str | None, note: str | None):
        if not last:
            return render.error_html("Chưa có câu trả lời nào để góp ý. Hãy đặt câu hỏi trước.")
        if verdict not in ("Đúng", "Sai"):
            return render.error_html("Hãy chọn Đúng hoặc Sai trước khi gửi góp ý.")
        if len(note or "") > MAX_FEEDBACK_NOTE_CHARS:
            return render.error_html(
                f"Ghi chú quá dài ({len(note or '')} ký tự, tối đa {MAX_FEEDBACK_NOTE_CHARS}); hãy rút gọn."
            )
        try:
            record = feedback_record(last, verdict, note or "", last.get("doc_filter"))
            append_feedback(record, holder().feedback_path)
        except Exception as exc:  # noqa: BLE001
            return render.error_html(f"Không ghi được góp ý: {friendly(exc)}")
        return render.ok_html(f"Đã ghi góp ý ({verdict}) cho câu hỏi: {last.get('question', '')}")

    def run_search(query: str, doc_ids: list[str] | None, mode: str, k: float):
        q = (query or "").strip()
        try:
            svc = holder()
            if svc is None:
                raise IndexLoadError(NOT_READY)
            if not q:
                raise QuestionError("Hãy nhập nội dung cần tìm, ví dụ: phủ sóng 5G (gõ không dấu cũng được).")
            ids = [d for d in doc_ids or [] if d in svc.docs]
            mode = mode if mode in ("hybrid", "lexical", "dense") else "hybrid"
            hits = svc.search(q, k=max(1, min(int(k or 10), svc.max_top_k)), doc_ids=ids or None, mode=mode)
        except Exception as exc:  # noqa: BLE001
            return render.error_html(friendly(exc))
        # The relevance bar: a word of the query in the clause, or a meaning as close as the answer
        # layer demands; ranked filler for a query the documents do not speak of is not shown.
        hits = [h for h in hits if h["matched_terms"] or h["dense"] >= svc.min_dense]
        if not hits:
            return (
                '<div id="hd-hits"><div class="hd-summary hd-nomatch" role="status">Không có đoạn nào khớp '
                f"«{render.esc(q)}». Hãy thử từ khác, bỏ bớt từ, hoặc bỏ giới hạn văn bản.</div></div>"
            )
        cards = []
        for i, h in enumerate(hits, 1):
            d = svc.docs.get(h["doc_id"])
            title = d.info.short_title if d else h["doc_title"]
            cards.append(
                render.hit_card(i, h, d.original if d else None, title, d.info.number if d else None)
            )
        head = f'<div class="hd-summary" role="status">{len(hits)} điều khoản cho «{render.esc(q)}»</div>'
        return f'<div id="hd-hits">{head}{"".join(cards)}</div>'

    def rerun_search(query: str, doc_ids: list[str] | None, mode: str, k: float):
        """A changed filter, mode or count re-runs the shown search (nothing before a first query)."""
        if not (query or "").strip():
            return gr.update()
        return run_search(query, doc_ids, mode, k)

    def filter_tasks(
        doc_id: str | None,
        agency: str | None,
        deadline: str | None,
        text: str | None,
        role: str | None = "any",
    ):
        try:
            svc = holder()
            rows = task_rows(svc, doc_id, agency, deadline, text, role)
            filters, stem = filter_summary(svc, doc_id, agency, deadline, text, role)
            csv_path, xlsx_path = export_files(rows, filters, stem)
        except Exception as exc:  # noqa: BLE001
            return gr.update(), render.error_html(friendly(exc)), gr.update(), gr.update()
        total = sum(len(d.tasks) for d in svc.docs.values()) if svc else 0
        return (
            task_table_html(rows),
            task_count_html(len(rows), total),
            gr.update(value=csv_path),
            gr.update(value=xlsx_path),
        )

    def refresh_all(
        doc_id: str | None,
        agency: str | None,
        deadline: str | None,
        text: str | None,
        role: str | None = "any",
    ):
        svc = holder()
        choices = doc_choices(svc)
        known = {c[1] for c in choices}
        doc_id = doc_id if doc_id in known else ALL_DOCS
        return (
            gr.update(choices=choices),
            gr.update(choices=choices),
            gr.update(choices=[("Tất cả văn bản", ALL_DOCS), *choices], value=doc_id),
            documents_html(svc),
            gr.update(choices=added_choices(svc), value=None),
            *filter_tasks(doc_id, agency, deadline, text, role),
        )

    built_docs = svc0.docs  # the corpus the page was built with (a reload replaces this mapping)

    def refresh_on_load(
        doc_id: str | None,
        agency: str | None,
        deadline: str | None,
        text: str | None,
        role: str | None = "any",
    ):
        """What changed since the page was built: nothing to send when the corpus is the one the page
        already shows and no filter is set (the table and document list are not sent a second time)."""
        unfiltered = doc_id in (None, ALL_DOCS) and not (agency or deadline or text) and role in (None, "any")
        if holder().docs is built_docs and unfiltered:
            return (gr.update(),) * 9
        return refresh_all(doc_id, agency, deadline, text, role)

    def open_source(request_value: str | None):
        """The whole document with the cited passage marked: 'doc_id|start|end|nonce' from a button."""
        try:
            doc_id, start, end, _nonce = (request_value or "").rsplit("|", 3)
            svc = holder()
            detail = svc.document_detail(doc_id)
            doc = svc.document(doc_id)
            body = render.source_html(doc.info, doc.original, detail["outline"], int(start), int(end))
        except ValueError:
            body = render.error_html("Không mở được văn bản: yêu cầu không hợp lệ.")
        except Exception as exc:  # noqa: BLE001
            body = render.error_html(f"Không mở được văn bản: {friendly(exc)}")
        return gr.update(visible=True), body

    def upload(
        file: str | None,
        title: str | None,
        number: str | None,
        issued: str | None,
        issuer: str | None,
        read: dict[str, Any] | None = None,
        f_doc: str | None = None,
        f_agency: str | None = None,
        f_deadline: str | None = None,
        f_text: str | None = None,
        f_role: str | None = "any",
        request: gr.Request | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's way of asking for progress
    ):
        unchanged = (gr.update(),) * 11
        if refusal := admin_refusal(holder(), request, "thêm"):
            return render.error_html(refusal), *unchanged
        if not file:
            return render.error_html("Chưa chọn tệp. Hãy chọn một tệp .txt, .docx hoặc .pdf."), *unchanged
        if not upload_lock.acquire(blocking=False):
            return render.error_html("Đang có văn bản khác được thêm; hãy đợi xong rồi thử lại."), *unchanged
        try:
            svc = holder()
            path = uploaded_file(file, svc.settings.max_upload_bytes if svc.settings else None)
            progress(0.05, desc="Đang đọc tệp…")
            data = path.read_bytes()
            iso = parse_user_date(issued)
            read = read or {}

            def typed(value: str | None, key: str) -> str | None:
                # A value left as the review read it stays "printed in the text"; only a change is the user's.
                v = (value or "").strip() or None
                return None if v is not None and v == read.get(key) else v

            result = svc.add_document(
                path.name,
                data,
                title=typed(title, "title"),
                number=typed(number, "number"),
                date=typed(iso, "date"),
                issuer=typed(issuer, "issuer"),
                progress=lambda step: progress(*upload_bar(step)),
            )
            if not result.added:
                msg = (
                    f"Nội dung tệp {path.name} đã có trong kho: {result.info.short_title} "
                    f"({result.info.doc_id}). Không thay đổi gì."
                )
                return render.ok_html(msg), *unchanged
            doc = svc.docs.get(result.info.doc_id)
            counts = f"{len(doc.clauses)} điều khoản, {len(doc.tasks)} nhiệm vụ" if doc else ""
            msg = f"Đã thêm văn bản «{result.info.short_title}» (mã {result.info.doc_id}): {counts}. "
            msg += "Có thể hỏi đáp và tra cứu ngay."
            status = render.ok_html(msg)
            status += render.notes_html(result.warnings)
            progress(1.0, desc="Xong")
            return status, None, "", *refresh_all(f_doc, f_agency, f_deadline, f_text, f_role)
        except Exception as exc:  # noqa: BLE001 - nothing changed; say why in the page
            return render.error_html(f"Không thêm được văn bản: {friendly(exc)}"), *unchanged
        finally:
            upload_lock.release()

    def preview_upload(file: str | None, request: gr.Request | None = None):
        """Read the chosen file (not saved yet): show its facts, counts, a few tasks and notes, and fill
        the fields with what was read so the user corrects rather than retypes."""
        keep = (gr.update(),) * 4
        if not file:
            return "", *keep, None
        if refusal := admin_refusal(holder(), request, "thêm"):
            return render.error_html(refusal), *keep, None
        try:
            svc = holder()
            path = uploaded_file(file, svc.settings.max_upload_bytes if svc.settings else None)
            doc = svc.preview_document(path.name, path.read_bytes())
        except Exception as exc:  # noqa: BLE001 - say why in the page
            return render.error_html(f"Không đọc được tệp: {friendly(exc)}"), *keep, None
        info = doc.info
        read = {"title": info.title, "number": info.number, "date": info.date, "issuer": info.issuer}
        return (
            render.upload_review_html(doc),
            info.title or "",
            info.number or "",
            render.vn_date(info.date),
            info.issuer or "",
            read,
        )

    def delete_document(
        doc_id: str | None,
        confirmed: bool,
        f_doc: str | None = None,
        f_agency: str | None = None,
        f_deadline: str | None = None,
        f_text: str | None = None,
        f_role: str | None = "any",
        request: gr.Request | None = None,
    ):
        """Remove an added document from the store and the index (admin only, as for uploads)."""
        unchanged = (gr.update(),) * 10
        if refusal := admin_refusal(holder(), request, "xóa"):
            return render.error_html(refusal), *unchanged
        if not doc_id:
            return render.error_html("Chưa chọn văn bản cần xóa."), *unchanged
        if not confirmed:
            return render.error_html("Hãy đánh dấu ô xác nhận trước khi xóa."), *unchanged
        if not upload_lock.acquire(blocking=False):
            return render.error_html("Đang có văn bản khác được thêm hoặc xóa; hãy thử lại sau."), *unchanged
        try:
            svc = holder()
            title = svc.document(doc_id).info.short_title
            svc.remove_document(doc_id)
            status = render.ok_html(f"Đã xóa văn bản «{title}» ({doc_id}) khỏi kho và chỉ mục.")
            return status, gr.update(value=False), *refresh_all(f_doc, f_agency, f_deadline, f_text, f_role)
        except Exception as exc:  # noqa: BLE001 - nothing changed; say why in the page
            return render.error_html(f"Không xóa được văn bản: {friendly(exc)}"), *unchanged
        finally:
            upload_lock.release()

    # --- layout ---------------------------------------------------------------------------------

    initial_rows = task_rows(svc0)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(
            f"# {TITLE}\n"
            "Câu trả lời được **trích nguyên văn** từ văn bản (không dùng mô hình sinh), kèm văn bản, mục "
            "và vị trí ký tự để trích dẫn lại. Gõ có dấu hoặc không dấu đều được.",
            elem_id="hd-intro",
        )
        if svc0.settings is not None and svc0.settings.access_control:
            # Gradio's own logout route clears the session cookie and returns to the login form.
            gr.HTML(f'<a class="hd-logout" href="{UI_PATH}/logout">Đăng xuất</a>', elem_id="hd-logout")
        with gr.Tabs():
            # --- Hỏi đáp ---------------------------------------------------------------------
            with gr.Tab("Hỏi đáp", id="hoi-dap"):
                chatbot = gr.Chatbot(
                    label="Hội thoại hỏi đáp",
                    show_label=False,  # a label over the chat covered the first line of a reply
                    elem_id="hd-chat",
                    height=520,
                    autoscroll=False,  # the page script scrolls each new reply to its start instead
                    feedback_options=None,
                    latex_delimiters=[],
                    buttons=[],  # Gradio's copy button copied HTML; each reply has its own text copy
                    placeholder=(
                        "<b>Hỏi về văn bản chính sách của tỉnh</b><br>Ví dụ: ai chủ trì một nhiệm vụ, "
                        "thời hạn, chỉ tiêu, người ký. Mỗi câu trả lời kèm trích dẫn nguyên văn."
                    ),
                )
                with gr.Row(equal_height=True, elem_id="hd-ask-row"):
                    question = gr.Textbox(
                        show_label=False,
                        placeholder="Nhập câu hỏi, ví dụ: Ai chủ trì nhiệm vụ 5.4?",
                        elem_id="hd-question",
                        scale=5,
                        min_width=180,
                        max_lines=4,
                    )
                    send = gr.Button("Gửi", variant="primary", elem_id="hd-send", scale=1, min_width=70)
                    # Right after "Gửi" in the tab order: a skip link to the latest reply's copy buttons,
                    # which come before the question box in the page (issue 25 §5: 20 Tabs away).
                    gr.HTML(
                        f'<button type="button" class="hd-skip">{SKIP_TO_REPLY}</button>',
                        elem_id="hd-skip-box",
                        js_on_load=None,
                        min_width=0,
                        scale=0,
                    )
                examples = gr.Examples(EXAMPLES, inputs=[question], label="Câu hỏi mẫu (bấm để hỏi)")
                with gr.Accordion("Giới hạn trong văn bản (tùy chọn)", open=False):
                    chat_docs = gr.Dropdown(
                        choices=choices0,
                        multiselect=True,
                        label="Chỉ tìm trong các văn bản",
                        info="Để trống: tìm trong tất cả văn bản.",
                        elem_id="hd-chat-docs",
                    )
                with gr.Accordion("Góp ý cho câu trả lời gần nhất", open=True, elem_id="hd-feedback"):
                    with gr.Row(equal_height=True):
                        verdict = gr.Radio(
                            ["Đúng", "Sai"],
                            label="Câu trả lời gần nhất",
                            elem_id="hd-verdict",
                            min_width=140,
                            scale=1,
                        )
                        note = gr.Textbox(
                            label="Ghi chú (tùy chọn)",
                            placeholder="Ví dụ: câu trả lời đúng là …",
                            elem_id="hd-note",
                            scale=3,
                            min_width=180,
                        )
                    fb_send = gr.Button("Gửi góp ý", elem_id="hd-fb-send", size="sm")
                    fb_status = gr.HTML(elem_id="hd-fb-status")
                last_answer = gr.State(None)
                pending_q = gr.State(None)
                saved_chat = gr.BrowserState([], storage_key="hoidap-hoi-dap")
                conv = gr.State([])
                cleared = gr.State([])
                with gr.Row():
                    clear_chat = gr.Button("Xóa lịch sử hỏi đáp", size="sm", elem_id="hd-clear-chat")
                    undo_clear = gr.Button(
                        "Khôi phục hội thoại vừa xóa", size="sm", visible=False, elem_id="hd-undo-clear"
                    )

            # --- Tra cứu điều khoản ----------------------------------------------------------
            with gr.Tab("Tra cứu điều khoản", id="tra-cuu"):
                with gr.Row(equal_height=True):
                    query = gr.Textbox(
                        show_label=False,
                        placeholder="Nội dung cần tìm, ví dụ: phủ sóng 5G, nha o xa hoi cong nhan",
                        elem_id="hd-search-q",
                        scale=5,
                        min_width=180,
                    )
                    search_btn = gr.Button(
                        "Tìm", variant="primary", elem_id="hd-search-btn", scale=1, min_width=70
                    )
                with gr.Row():
                    search_docs = gr.Dropdown(
                        choices=choices0,
                        multiselect=True,
                        label="Văn bản",
                        info="Để trống: tất cả.",
                        elem_id="hd-search-docs",
                        scale=2,
                        min_width=200,
                    )
                    mode = gr.Radio(
                        SEARCH_MODES,
                        value="hybrid",
                        label="Cách tìm",
                        elem_id="hd-search-mode",
                        scale=2,
                        min_width=200,
                    )
                    k = gr.Slider(
                        1, svc0.max_top_k, value=10, step=1, label="Số kết quả", scale=1, min_width=140
                    )
                results = gr.HTML(
                    '<div class="hd-summary">Nhập nội dung và bấm <b>Tìm</b>. Từ khớp được tô vàng; '
                    "mở «Xem trong văn bản» để đọc đoạn xung quanh.</div>",
                    elem_id="hd-search-results",
                )

            # --- Nhiệm vụ --------------------------------------------------------------------
            with gr.Tab("Nhiệm vụ", id="nhiem-vu"):
                with gr.Row():
                    t_doc = gr.Dropdown(
                        choices=task_choices0,
                        value=ALL_DOCS,
                        label="Văn bản",
                        elem_id="hd-task-doc",
                        min_width=200,
                    )
                    t_agency = gr.Textbox(
                        label="Cơ quan (chủ trì hoặc phối hợp)",
                        placeholder="vd: so tai chinh",
                        elem_id="hd-task-agency",
                        min_width=180,
                    )
                    t_deadline = gr.Textbox(
                        label="Thời hạn: năm hoặc khoảng năm",
                        placeholder="vd: 2025 hoặc 2025-2027",
                        elem_id="hd-task-deadline",
                        min_width=120,
                    )
                    t_text = gr.Textbox(
                        label="Từ khóa trong nội dung",
                        placeholder="vd: chuyển đổi số",
                        elem_id="hd-task-text",
                        min_width=160,
                    )
                t_role = gr.Radio(
                    ROLES,
                    value="any",
                    label="Vai trò của cơ quan",
                    elem_id="hd-task-role",
                )
                filters0, stem0 = filter_summary(svc0, None, None, None, None, None)
                csv0, xlsx0 = export_files(initial_rows, filters0, stem0)
                t_count = gr.HTML(
                    task_count_html(len(initial_rows), len(initial_rows)), elem_id="hd-task-count-box"
                )
                with gr.Row():
                    dl_xlsx = gr.DownloadButton(
                        "Tải báo cáo Excel (in được)",
                        value=xlsx0,
                        elem_id="hd-dl-xlsx",
                        size="sm",
                        scale=0,
                        min_width=200,
                    )
                    dl_csv = gr.DownloadButton(
                        "Tải dữ liệu CSV", value=csv0, elem_id="hd-dl-csv", size="sm", scale=0, min_width=140
                    )
                    print_btn = gr.Button(
                        "In danh sách", size="sm", elem_id="hd-print", scale=0, min_width=120
                    )
                table = gr.HTML(task_table_html(initial_rows), elem_id="hd-task-table")

            # --- Văn bản ---------------------------------------------------------------------
            with gr.Tab("Văn bản", id="van-ban"):
                with gr.Row():
                    with gr.Column(scale=3, min_width=320):
                        doc_list = gr.HTML(documents_html(svc0), elem_id="hd-doc-list")
                    with gr.Column(scale=2, min_width=300), gr.Group():
                        gr.Markdown(
                            "**Thêm văn bản** (.txt, .docx, .pdf; bản scan, ảnh .png/.jpg/.tif: OCR). "
                            "Văn bản được tách điều khoản, "
                            "nhận dạng nhiệm vụ và lập chỉ mục; các văn bản khác không phải nhúng lại."
                        )
                        up_file = gr.File(label="Tệp văn bản", elem_id="hd-upload-file", type="filepath")
                        up_review = gr.HTML(elem_id="hd-upload-review")
                        read_facts = gr.State(None)
                        up_title = gr.Textbox(
                            label="Tên văn bản (đọc từ tệp; sửa nếu sai)", elem_id="hd-up-title"
                        )
                        up_number = gr.Textbox(
                            label="Số hiệu (đọc từ tệp; sửa nếu sai)",
                            placeholder="vd: 12/KH-UBND",
                            elem_id="hd-up-number",
                        )
                        up_date = gr.Textbox(
                            label="Ngày ban hành (đọc từ tệp; sửa nếu sai)",
                            placeholder="vd: 15/01/2025",
                            elem_id="hd-up-date",
                        )
                        up_issuer = gr.Textbox(
                            label="Cơ quan ban hành (đọc từ tệp; sửa nếu sai)",
                            placeholder="vd: UBND tỉnh Quảng Ngãi",
                            elem_id="hd-up-issuer",
                        )
                        up_btn = gr.Button("Thêm văn bản", variant="primary", elem_id="hd-upload-btn")
                        up_status = gr.HTML(elem_id="hd-upload-status")
                with gr.Accordion("Xóa văn bản đã thêm", open=False, elem_id="hd-delete"):
                    gr.Markdown("Chỉ văn bản do người dùng thêm; văn bản đi kèm hệ thống không xóa được.")
                    with gr.Row(equal_height=True):
                        del_doc = gr.Dropdown(
                            choices=added_choices(svc0),
                            label="Văn bản cần xóa",
                            elem_id="hd-del-doc",
                            scale=3,
                        )
                        del_confirm = gr.Checkbox(
                            label="Tôi chắc chắn muốn xóa văn bản này", elem_id="hd-del-confirm", scale=2
                        )
                        del_btn = gr.Button("Xóa văn bản", variant="stop", elem_id="hd-del-btn", scale=1)
                    del_status = gr.HTML(elem_id="hd-del-status")

        # --- source view: the whole document, the cited passage marked (over every tab) ---------
        with gr.Column(visible=False, elem_id="hd-viewer") as viewer:
            close_viewer = gr.Button("Đóng văn bản", size="sm", elem_id="hd-viewer-close")
            viewer_html = gr.HTML(elem_id="hd-viewer-body")
        src_req = gr.Textbox(visible="hidden", elem_id="hd-src-req", label="Mở văn bản")

        # --- events -----------------------------------------------------------------------------

        # The conversation stays on the server (`conv`); the page gets each turn once and keeps it, the
        # server re-sending earlier replies folded to their gist (see `chat_view`).
        chat_in = [question, conv]
        shown_out = [chatbot, conv, question, pending_q, undo_clear]
        answer_in = [pending_q, conv, chat_docs]
        answer_out = [chatbot, conv, last_answer, verdict, note, fb_status, saved_chat, pending_q]
        for trigger in (question.submit, send.click):
            trigger(show_question, chat_in, shown_out, queue=False).then(respond, answer_in, answer_out)
        examples.load_input_event.then(show_question, chat_in, shown_out, queue=False).then(
            respond, answer_in, answer_out
        )
        fb_send.click(send_feedback, [last_answer, verdict, note], fb_status)
        # Clearing can be undone: the conversation cleared waits in `cleared` until the next question.
        forget_out = [chatbot, conv, cleared, last_answer, fb_status, saved_chat, undo_clear]
        chatbot.clear(forget_chat, conv, forget_out)
        clear_chat.click(forget_chat, conv, forget_out)
        undo_clear.click(undo_forget, cleared, [chatbot, conv, cleared, saved_chat, undo_clear])

        search_in = [query, search_docs, mode, k]
        query.submit(run_search, search_in, results)
        search_btn.click(run_search, search_in, results)
        for comp in (search_docs, mode):
            comp.change(rerun_search, search_in, results, trigger_mode="always_last")
        k.release(rerun_search, search_in, results, trigger_mode="always_last")

        task_in = [t_doc, t_agency, t_deadline, t_text, t_role]
        task_out = [table, t_count, dl_csv, dl_xlsx]
        for comp in (t_doc, t_agency, t_deadline, t_text, t_role):
            comp.change(filter_tasks, task_in, task_out, trigger_mode="always_last", show_progress="hidden")

        print_btn.click(None, None, None, js=PRINT_JS)
        # The script writes "doc|start|end|nonce" into the hidden box; the nonce makes a second click on
        # the same passage a change too.
        src_req.change(open_source, src_req, [viewer, viewer_html], show_progress="hidden")
        close_viewer.click(lambda: gr.update(visible=False), None, viewer, queue=False)

        refresh_out = [chat_docs, search_docs, t_doc, doc_list, del_doc, *task_out]
        up_btn.click(
            upload,
            [up_file, up_title, up_number, up_date, up_issuer, read_facts, *task_in],
            [up_status, up_file, up_review, *refresh_out],
            concurrency_limit=1,
        )
        # One chain, so a restored conversation never lands over a question asked meanwhile; the page
        # says when it is ready (tests wait for it).
        review_out = [up_review, up_title, up_number, up_date, up_issuer, read_facts]
        up_file.upload(preview_upload, up_file, review_out, concurrency_limit=1)
        up_file.clear(lambda: ("", "", "", "", "", None), None, review_out, queue=False)
        del_btn.click(
            delete_document,
            [del_doc, del_confirm, *task_in],
            [del_status, del_confirm, *refresh_out],
            concurrency_limit=1,
        )
        demo.load(refresh_on_load, task_in, refresh_out).then(
            restore_chat, saved_chat, [chatbot, conv, pending_q]
        ).then(respond, answer_in, answer_out).then(
            None, None, None, js="() => { document.body.dataset.hdReady = '1'; }"
        )

    demo.queue(default_concurrency_limit=4)
    return demo


def mount(app: FastAPI, service: QAService) -> FastAPI:
    """Mount the page at `/ui` of `app` and redirect `/` there (unless `/` is already routed).

    The page and the API share `service`, so a document uploaded here is answered by both.
    """
    blocks = build_ui(service)
    # Uploads and Gradio's copies are removed after an hour (checked hourly) instead of piling up.
    blocks.delete_cache = (3600, 3600)
    settings = service.settings
    limit = settings.max_upload_bytes if settings else None
    auth = None
    if settings is not None and settings.access_control:

        def auth(username: str, password: str) -> bool:
            # The user name says the role wanted; the key must grant it ("quantri" needs an admin key).
            role = settings.role_of(password)
            return role == "admin" if username == ADMIN_USER else role is not None

    gr.mount_gradio_app(
        app,
        blocks,
        path=UI_PATH,
        max_file_size=limit,  # Gradio refuses a bigger upload before it reaches the handler
        auth=auth,
        auth_message=(
            f"Đăng nhập bằng khóa API: tên {ADMIN_USER} với khóa quản trị (được thêm văn bản), "
            "hoặc tên bất kỳ với khóa đọc."
        ),
        css=CSS,
        theme=_theme(),
        ssr_mode=False,
        show_error=True,
        run_history=False,
        footer_links=[],  # Gradio's footer and Settings panel are English-only
        i18n=_i18n(),
        head=HEAD,
    )
    if auth is not None:
        # Innermost (next to the routes), so it edits the page before the API's compression.
        app.user_middleware.append(Middleware(LoginPageScript, paths=(UI_PATH, UI_PATH + "/")))
    # Mounting never sets this, and Gradio checks client-named paths only once it is set (issue 22);
    # `hoidap.api.guards.FileGuard` refuses them earlier still, before Gradio reads anything.
    blocks.has_launched = True
    app.state.ui_mounted = True
    if not any(getattr(r, "path", None) == "/" for r in app.routes):

        @app.get("/", include_in_schema=False)
        def _to_ui() -> RedirectResponse:
            return RedirectResponse(UI_PATH)

    return app
