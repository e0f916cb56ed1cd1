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
import logging
import re
import shutil
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from hoidap.corpus.store import DocumentError
from hoidap.indexer.store import IndexLoadError
from hoidap.service.filters import TaskFilter
from hoidap.service.qa import QAService
from hoidap.service.records import NotFoundError, QuestionError
from hoidap.ui import render
from hoidap.ui.feedback import append_feedback, feedback_record

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
EXPORT_COLUMNS = [*TASK_COLUMNS, "Mã văn bản", "Mục", "Ký tự bắt đầu", "Ký tự kết thúc"]
ALL_DOCS = "*"
MAX_FEEDBACK_NOTE_CHARS = 2000  # a note says why an answer is wrong; more is not feedback
ADMIN_USER = "quantri"  # the page's user name for an admin key (uploads); any other name reads
NOT_READY = "Dịch vụ chưa sẵn sàng (chưa nạp được chỉ mục). Hãy chạy `hoidap index` rồi tải lại trang."

CSS = """
.gradio-container {max-width: 1100px !important; min-width: 0 !important; width: 100% !important;
  margin: auto;}
.hd-reply {line-height: 1.45;}
.hd-answer {font-size: 1.08em; margin: 2px 0 6px;}
.hd-notfound {color: #9a3412;}
.hd-msg {font-size: 0.9em; opacity: 0.85; margin-bottom: 6px;}
.hd-perdoc ul {margin: 4px 0 6px 18px; padding: 0;}
.hd-section {font-weight: 600; margin-top: 10px; font-size: 0.92em;}
.hd-card {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin: 8px 0; background: var(--background-fill-secondary); overflow-wrap: anywhere;}
.hd-related {opacity: 0.92;}
.hd-crumb {font-size: 0.84em; opacity: 0.8; margin: 2px 0;}
.hd-quote {margin: 6px 0 !important; padding: 4px 8px !important; border-left: 3px solid #3b82f6 !important;
  font-size: 0.94em; font-style: normal;}
mark.hd-hl {background: #fde047; color: #111; padding: 0 2px; border-radius: 3px;}
.hd-meta {font-size: 0.78em; opacity: 0.75; margin-top: 2px;}
.hd-details summary {cursor: pointer; font-size: 0.85em; color: #2563eb; margin-top: 4px;}
.hd-context {font-size: 0.84em; max-height: 340px; overflow: auto; padding: 6px 8px; margin-top: 4px;
  border: 1px dashed var(--border-color-primary); border-radius: 6px;}
.hd-quote-in-context {background: rgba(253, 224, 71, 0.28); outline: 1px dashed #ca8a04;}
.hd-error {color: #991b1b; background: #fef2f2; border: 1px solid #fecaca; padding: 8px 10px;
  border-radius: 6px;}
.hd-ok {color: #14532d; background: #f0fdf4; border: 1px solid #bbf7d0; padding: 8px 10px;
  border-radius: 6px;}
.hd-muted {opacity: 0.6;}
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
#hd-task-table, #hd-task-table * {font-family: var(--font) !important;}
#hd-task-table {max-width: 100%; overflow-x: auto;}
@media (max-width: 600px) {
  .gallery button, .gallery .gallery-item {white-space: normal !important; text-align: left;}
  .tab-container button {padding: 6px 7px !important; font-size: 0.92em !important;}
  table.hd-facts th {white-space: normal; width: 34%;}
  .hd-quote {padding: 3px 6px !important;}
}
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
}


# Outside the app's own container (Gradio scopes `css` inside it): narrower page margins on phones.
HEAD = (
    "<style>@media (max-width: 600px) {"
    " .gradio-container > .main {padding-left: 8px !important; padding-right: 8px !important;} }</style>"
)


def _i18n() -> gr.I18n:
    return gr.I18n(en=VI_LABELS, vi=VI_LABELS)


def _theme() -> gr.themes.Base:
    # System fonts only: no request to Google Fonts (the page must work offline).
    return gr.themes.Soft(
        primary_hue="blue",
        font=["system-ui", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "Consolas", "monospace"],
    )


# --- errors -------------------------------------------------------------------------------------


def friendly(exc: BaseException) -> str:
    """A message for the page: the service's own Vietnamese message, or a generic one (logged)."""
    if isinstance(exc, (QuestionError, DocumentError, IndexLoadError, NotFoundError)):
        return str(exc)
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


def task_rows(
    svc: QAService | None,
    doc_id: str | None = None,
    agency: str | None = None,
    deadline: str | None = None,
    text: str | None = None,
) -> list[dict[str, Any]]:
    """Task records matching the filters (the same `TaskFilter` as the API and the CLI)."""
    if svc is None:
        return []
    doc_ids = (doc_id,) if doc_id and doc_id != ALL_DOCS and doc_id in svc.docs else ()
    flt = TaskFilter(doc_ids=doc_ids, agency=agency, deadline=deadline, text=text)
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
    return f'<div class="hd-summary" id="hd-task-count"><b>{shown}</b> / {total} nhiệm vụ khớp bộ lọc.</div>'


def task_frame(rows: list[dict[str, Any]]) -> Any:
    """The visible columns as a DataFrame (keeps the headers when no row matches)."""
    import pandas as pd

    return pd.DataFrame([[r[c] for c in TASK_COLUMNS] for r in rows], columns=TASK_COLUMNS)


_EXPORT_ROOT: Path | None = None
_EXPORT_LOCK = threading.Lock()


def _export_dir() -> Path:
    """A fresh directory for one export (old ones, over an hour, are removed)."""
    global _EXPORT_ROOT
    with _EXPORT_LOCK:
        if _EXPORT_ROOT is None or not _EXPORT_ROOT.exists():
            _EXPORT_ROOT = Path(tempfile.mkdtemp(prefix="hoidap-export-"))
        now = time.time()
        for old in _EXPORT_ROOT.iterdir():
            if now - old.stat().st_mtime > 3600:
                shutil.rmtree(old, ignore_errors=True)
        return Path(tempfile.mkdtemp(dir=_EXPORT_ROOT))


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


def write_xlsx(rows: list[dict[str, Any]], path: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append(EXPORT_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([safe_cell(r[c]) for c in EXPORT_COLUMNS])
    widths = {"A": 28, "B": 12, "C": 70, "D": 30, "E": 40, "F": 18, "G": 18, "H": 40, "I": 10, "J": 10}
    for col, w in widths.items():
        ws.column_dimensions[col].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    wb.save(path)
    return path


def export_files(rows: list[dict[str, Any]]) -> tuple[str, str]:
    folder = _export_dir()
    return str(write_csv(rows, folder / "nhiem-vu.csv")), str(write_xlsx(rows, folder / "nhiem-vu.xlsx"))


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
    return f'<div id="hd-doc-cards">{head}{cards}</div>'


def uploaded_file(file: str) -> Path:
    """The uploaded file, only when it lies inside Gradio's upload folder.

    A client can name any server path in the upload event, and Gradio checks that only once
    `blocks.has_launched`, which mounting into FastAPI never sets; the message never echoes the path.
    """
    from gradio.utils import get_upload_folder

    path = Path(file).resolve()
    if not path.is_relative_to(Path(get_upload_folder()).resolve()) or not path.is_file():
        raise DocumentError("Tệp tải lên không hợp lệ hoặc đã hết hạn; hãy chọn lại tệp.")
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

    def respond(message: str, history: list[dict[str, Any]] | None, doc_ids: list[str] | None):
        history = list(history or [])
        q = (message or "").strip()
        svc = holder()
        last = None
        try:
            if svc is None:
                raise IndexLoadError(NOT_READY)
            ids = [d for d in doc_ids or [] if d in svc.docs]
            answer = svc.ask(q, doc_ids=ids or None, top_k=5)
            data = answer.to_dict()
            used = {c["doc_id"] for c in data["citations"] + data["related"]}
            reply = render.answer_html(data, {d: svc.docs[d].original for d in used if d in svc.docs})
            last = {**data, "doc_filter": ids}
        except Exception as exc:  # noqa: BLE001 - every error becomes a message in the chat
            reply = render.error_html(friendly(exc))
        if q:
            history.append({"role": "user", "content": render.esc(q)})
        history.append({"role": "assistant", "content": reply})
        return history, "", last, None, "", ""

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
        if not hits:
            return render.error_html("Không tìm thấy điều khoản nào khớp với nội dung tìm.")
        cards = []
        for i, h in enumerate(hits, 1):
            d = svc.docs.get(h["doc_id"])
            title = d.info.short_title if d else h["doc_title"]
            cards.append(
                render.hit_card(i, h, d.original if d else None, title, d.info.number if d else None)
            )
        head = f'<div class="hd-summary">{len(hits)} điều khoản cho «{render.esc(q)}»</div>'
        return f'<div id="hd-hits">{head}{"".join(cards)}</div>'

    def filter_tasks(doc_id: str | None, agency: str | None, deadline: str | None, text: str | None):
        try:
            rows = task_rows(holder(), doc_id, agency, deadline, text)
            csv_path, xlsx_path = export_files(rows)
        except Exception as exc:  # noqa: BLE001
            return gr.update(), render.error_html(friendly(exc)), gr.update(), gr.update()
        svc = holder()
        total = sum(len(d.tasks) for d in svc.docs.values()) if svc else 0
        count = task_count_html(len(rows), total)
        return (
            gr.update(value=task_frame(rows)),
            count,
            gr.update(value=csv_path),
            gr.update(value=xlsx_path),
        )

    def refresh_all(doc_id: str | None, agency: str | None, deadline: str | None, text: str | None):
        svc = holder()
        choices = doc_choices(svc)
        known = {c[1] for c in choices}
        doc_id = doc_id if doc_id in known else ALL_DOCS
        return (
            gr.update(choices=choices),
            gr.update(choices=choices),
            gr.update(choices=[("Tất cả văn bản", ALL_DOCS), *choices], value=doc_id),
            documents_html(svc),
            *filter_tasks(doc_id, agency, deadline, text),
        )

    def upload(
        file: str | None,
        title: str | None,
        number: str | None,
        issued: str | None,
        issuer: str | None,
        f_doc: str | None = None,
        f_agency: str | None = None,
        f_deadline: str | None = None,
        f_text: str | None = None,
        request: gr.Request | None = None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - Gradio's way of asking for progress
    ):
        unchanged = (gr.update(),) * 9
        settings = holder().settings
        if settings is not None and settings.access_control:
            if getattr(request, "username", None) != ADMIN_USER:
                msg = f"Chỉ tài khoản quản trị ({ADMIN_USER}) được thêm văn bản; hãy đăng nhập lại."
                return render.error_html(msg), *unchanged
        if not file:
            return render.error_html("Chưa chọn tệp. Hãy chọn một tệp .txt, .docx hoặc .pdf."), *unchanged
        if not upload_lock.acquire(blocking=False):
            return render.error_html("Đang có văn bản khác được thêm; hãy đợi xong rồi thử lại."), *unchanged
        try:
            svc = holder()
            path = uploaded_file(file)
            limit = svc.settings.max_upload_bytes if svc.settings else None
            if limit is not None and path.stat().st_size > limit:
                raise DocumentError(f"Tệp quá lớn (tối đa {limit / 2**20:g} MB).")
            progress(0.05, desc="Đang đọc tệp…")
            data = path.read_bytes()
            iso = parse_user_date(issued)
            progress(0.2, desc="Đang tách điều khoản và lập chỉ mục (vài chục giây)…")
            result = svc.add_document(
                path.name,
                data,
                title=(title or "").strip() or None,
                number=(number or "").strip() or None,
                date=iso,
                issuer=(issuer or "").strip() or None,
                progress=lambda n, total: progress(
                    0.2 + 0.5 * n / total, desc=f"Đang nhận dạng chữ (OCR) trang {n}/{total}…"
                ),
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
            if result.warnings:
                status += render.error_html("Lưu ý khi phân tích: " + "; ".join(result.warnings))
            progress(1.0, desc="Xong")
            return status, None, *refresh_all(f_doc, f_agency, f_deadline, f_text)
        except Exception as exc:  # noqa: BLE001 - nothing changed; say why in the page
            return render.error_html(f"Không thêm được văn bản: {friendly(exc)}"), *unchanged
        finally:
            upload_lock.release()

    # --- layout ---------------------------------------------------------------------------------

    initial_rows = task_rows(svc0)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(
            f"## {TITLE}\n"
            "Câu trả lời được **trích nguyên văn** từ văn bản (không dùng mô hình sinh), kèm văn bản, mục "
            "và vị trí ký tự để trích dẫn lại. Gõ có dấu hoặc không dấu đều được.",
            elem_id="hd-intro",
        )
        with gr.Tabs():
            # --- Hỏi đáp ---------------------------------------------------------------------
            with gr.Tab("Hỏi đáp", id="hoi-dap"):
                chatbot = gr.Chatbot(
                    label="Hỏi đáp",
                    elem_id="hd-chat",
                    height=520,
                    feedback_options=None,
                    latex_delimiters=[],
                    buttons=["copy"],
                    placeholder=(
                        "<b>Hỏi về văn bản chính sách của tỉnh</b><br>Ví dụ: ai chủ trì một nhiệm vụ, "
                        "thời hạn, chỉ tiêu, người ký. Mỗi câu trả lời kèm trích dẫn nguyên văn."
                    ),
                )
                with gr.Row(equal_height=True):
                    question = gr.Textbox(
                        show_label=False,
                        placeholder="Nhập câu hỏi, ví dụ: Ai chủ trì nhiệm vụ 5.4?",
                        elem_id="hd-question",
                        scale=5,
                        min_width=180,
                        max_lines=4,
                    )
                    send = gr.Button("Gửi", variant="primary", elem_id="hd-send", scale=1, min_width=70)
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
                        label="Thời hạn / năm",
                        placeholder="vd: 2025",
                        elem_id="hd-task-deadline",
                        min_width=120,
                    )
                    t_text = gr.Textbox(
                        label="Từ khóa trong nội dung",
                        placeholder="vd: chuyển đổi số",
                        elem_id="hd-task-text",
                        min_width=160,
                    )
                csv0, xlsx0 = export_files(initial_rows)
                t_count = gr.HTML(
                    task_count_html(len(initial_rows), len(initial_rows)), elem_id="hd-task-count-box"
                )
                with gr.Row():
                    dl_csv = gr.DownloadButton(
                        "Tải CSV", value=csv0, elem_id="hd-dl-csv", size="sm", scale=0, min_width=110
                    )
                    dl_xlsx = gr.DownloadButton(
                        "Tải Excel (.xlsx)",
                        value=xlsx0,
                        elem_id="hd-dl-xlsx",
                        size="sm",
                        scale=0,
                        min_width=140,
                    )
                table = gr.Dataframe(
                    value=task_frame(initial_rows),
                    headers=TASK_COLUMNS,
                    datatype="str",
                    interactive=False,
                    wrap=True,
                    max_height=620,
                    column_widths=["130px", "80px", "330px", "150px", "180px", "110px"],
                    elem_id="hd-task-table",
                    label="Bấm tiêu đề cột để sắp xếp",
                )

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
                        up_title = gr.Textbox(label="Tên văn bản (tùy chọn)", elem_id="hd-up-title")
                        up_number = gr.Textbox(
                            label="Số hiệu (tùy chọn)", placeholder="vd: 12/KH-UBND", elem_id="hd-up-number"
                        )
                        up_date = gr.Textbox(
                            label="Ngày ban hành (tùy chọn)",
                            placeholder="vd: 15/01/2025",
                            elem_id="hd-up-date",
                        )
                        up_issuer = gr.Textbox(
                            label="Cơ quan ban hành (tùy chọn)",
                            placeholder="vd: UBND tỉnh Quảng Ngãi",
                            elem_id="hd-up-issuer",
                        )
                        up_btn = gr.Button("Thêm văn bản", variant="primary", elem_id="hd-upload-btn")
                        up_status = gr.HTML(elem_id="hd-upload-status")

        # --- events -----------------------------------------------------------------------------

        chat_out = [chatbot, question, last_answer, verdict, note, fb_status]
        question.submit(respond, [question, chatbot, chat_docs], chat_out)
        send.click(respond, [question, chatbot, chat_docs], chat_out)
        examples.load_input_event.then(respond, [question, chatbot, chat_docs], chat_out)
        fb_send.click(send_feedback, [last_answer, verdict, note], fb_status)
        chatbot.clear(lambda: (None, ""), None, [last_answer, fb_status])

        search_in = [query, search_docs, mode, k]
        query.submit(run_search, search_in, results)
        search_btn.click(run_search, search_in, results)

        task_in = [t_doc, t_agency, t_deadline, t_text]
        task_out = [table, t_count, dl_csv, dl_xlsx]
        for comp in (t_doc, t_agency, t_deadline, t_text):
            comp.change(filter_tasks, task_in, task_out, trigger_mode="always_last", show_progress="hidden")

        refresh_out = [chat_docs, search_docs, t_doc, doc_list, *task_out]
        up_btn.click(
            upload,
            [up_file, up_title, up_number, up_date, up_issuer, *task_in],
            [up_status, up_file, *refresh_out],
            concurrency_limit=1,
        )
        demo.load(refresh_all, task_in, refresh_out)

    demo.queue(default_concurrency_limit=4)
    return demo


def mount(app: FastAPI, service: QAService) -> FastAPI:
    """Mount the page at `/ui` of `app` and redirect `/` there (unless `/` is already routed).

    The page and the API share `service`, so a document uploaded here is answered by both.
    """
    blocks = build_ui(service)
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
        footer_links=["gradio", "settings"],
        i18n=_i18n(),
        head=HEAD,
    )
    app.state.ui_mounted = True
    if not any(getattr(r, "path", None) == "/" for r in app.routes):

        @app.get("/", include_in_schema=False)
        def _to_ui() -> RedirectResponse:
            return RedirectResponse(UI_PATH)

    return app
