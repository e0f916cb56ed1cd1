"""The Văn bản tab: the served documents with each fact's source; adding a file (read and reviewed
first, then stored and indexed in one pass by the service) and removing an added one (admin only)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from hoidap.service.qa import QAService
from hoidap.ui import render
from hoidap.ui.common import NOT_READY, added_choices, admin_refusal, friendly
from hoidap.ui.render_docs import documents_html as _documents_html
from hoidap.ui.render_docs import notes_html, upload_review_html
from hoidap.ui.text import vn_date
from hoidap.ui.uploads import parse_user_date, upload_bar, uploaded_file

Refresh = Callable[..., tuple[Any, ...]]  # the task filters -> new values of every tab's document lists


def documents_html(svc: QAService | None) -> str:
    if svc is None:
        return render.error_html(NOT_READY)
    manifest = getattr(getattr(svc.searcher, "manifest", None), "documents", {}) or {}
    entries = {doc_id: (m or {}).get("entries") for doc_id, m in manifest.items()}
    return _documents_html(list(svc.docs.values()), entries, getattr(svc, "damaged", None) or {})


@dataclass
class DocumentsTab:
    """The tab's components, and its handlers over the service; `refresh` (set by the page) gives
    every tab's document lists after a change."""

    service: QAService
    doc_list: gr.HTML
    file: gr.File
    review: gr.HTML
    read_facts: gr.State
    title: gr.Textbox
    number: gr.Textbox
    date: gr.Textbox
    issuer: gr.Textbox
    add: gr.Button
    add_status: gr.HTML
    del_doc: gr.Dropdown
    del_confirm: gr.Checkbox
    delete: gr.Button
    del_status: gr.HTML
    refresh: Refresh | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)  # one change at a time from this page

    def upload(
        self,
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
        """Store and index the file (the service's one ingest pass), then refresh every list."""
        unchanged = (gr.update(),) * 11
        if refusal := admin_refusal(self.service, request, "thêm"):
            return render.error_html(refusal), *unchanged
        if not file:
            return render.error_html("Chưa chọn tệp. Hãy chọn một tệp .txt, .docx hoặc .pdf."), *unchanged
        if not self.lock.acquire(blocking=False):
            return render.error_html("Đang có văn bản khác được thêm; hãy đợi xong rồi thử lại."), *unchanged
        try:
            svc = self.service
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
            status = render.ok_html(msg) + notes_html(result.warnings)
            progress(1.0, desc="Xong")
            return status, None, "", *self._refresh(f_doc, f_agency, f_deadline, f_text, f_role)
        except Exception as exc:  # noqa: BLE001 - nothing changed; say why in the page
            return render.error_html(f"Không thêm được văn bản: {friendly(exc)}"), *unchanged
        finally:
            self.lock.release()

    def preview_upload(self, file: str | None, request: gr.Request | None = None):
        """Read the chosen file (not saved yet): show its facts, counts, a few tasks and notes, and fill
        the fields with what was read so the user corrects rather than retypes."""
        keep = (gr.update(),) * 4
        if not file:
            return "", *keep, None
        if refusal := admin_refusal(self.service, request, "thêm"):
            return render.error_html(refusal), *keep, None
        try:
            svc = self.service
            path = uploaded_file(file, svc.settings.max_upload_bytes if svc.settings else None)
            doc = svc.preview_document(path.name, path.read_bytes())
        except Exception as exc:  # noqa: BLE001 - say why in the page
            return render.error_html(f"Không đọc được tệp: {friendly(exc)}"), *keep, None
        info = doc.info
        read = {"title": info.title, "number": info.number, "date": info.date, "issuer": info.issuer}
        fields = (info.title or "", info.number or "", vn_date(info.date), info.issuer or "")
        return upload_review_html(doc), *fields, read

    def delete_document(
        self,
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
        if refusal := admin_refusal(self.service, request, "xóa"):
            return render.error_html(refusal), *unchanged
        if not doc_id:
            return render.error_html("Chưa chọn văn bản cần xóa."), *unchanged
        if not confirmed:
            return render.error_html("Hãy đánh dấu ô xác nhận trước khi xóa."), *unchanged
        if not self.lock.acquire(blocking=False):
            return render.error_html("Đang có văn bản khác được thêm hoặc xóa; hãy thử lại sau."), *unchanged
        try:
            svc = self.service
            title = svc.document(doc_id).info.short_title
            svc.remove_document(doc_id)
            status = render.ok_html(f"Đã xóa văn bản «{title}» ({doc_id}) khỏi kho và chỉ mục.")
            return status, gr.update(value=False), *self._refresh(f_doc, f_agency, f_deadline, f_text, f_role)
        except Exception as exc:  # noqa: BLE001 - nothing changed; say why in the page
            return render.error_html(f"Không xóa được văn bản: {friendly(exc)}"), *unchanged
        finally:
            self.lock.release()

    def _refresh(self, *filters: str | None) -> tuple[Any, ...]:
        assert self.refresh is not None, "the page sets `refresh` when it wires the tabs"
        return self.refresh(*filters)

    def wire(self, refresh_out: list[Any], task_in: list[Any]) -> None:
        fields = [self.title, self.number, self.date, self.issuer]
        self.add.click(
            self.upload,
            [self.file, *fields, self.read_facts, *task_in],
            [self.add_status, self.file, self.review, *refresh_out],
            concurrency_limit=1,
        )
        review_out = [self.review, *fields, self.read_facts]
        self.file.upload(self.preview_upload, self.file, review_out, concurrency_limit=1)
        self.file.clear(lambda: ("", "", "", "", "", None), None, review_out, queue=False)
        self.delete.click(
            self.delete_document,
            [self.del_doc, self.del_confirm, *task_in],
            [self.del_status, self.del_confirm, *refresh_out],
            concurrency_limit=1,
        )


def _add_form() -> dict[str, Any]:
    """The upload: the file, what was read from it (to correct), the button and its status."""
    gr.Markdown(
        "**Thêm văn bản** (.txt, .docx, .pdf; bản scan, ảnh .png/.jpg/.tif: OCR). "
        "Văn bản được tách điều khoản, "
        "nhận dạng nhiệm vụ và lập chỉ mục; các văn bản khác không phải nhúng lại."
    )
    form: dict[str, Any] = {}
    form["file"] = gr.File(label="Tệp văn bản", elem_id="hd-upload-file", type="filepath")
    form["review"] = gr.HTML(elem_id="hd-upload-review")
    form["read_facts"] = gr.State(None)
    form["title"] = gr.Textbox(label="Tên văn bản (đọc từ tệp; sửa nếu sai)", elem_id="hd-up-title")
    form["number"] = gr.Textbox(
        label="Số hiệu (đọc từ tệp; sửa nếu sai)", placeholder="vd: 12/KH-UBND", elem_id="hd-up-number"
    )
    form["date"] = gr.Textbox(
        label="Ngày ban hành (đọc từ tệp; sửa nếu sai)", placeholder="vd: 15/01/2025", elem_id="hd-up-date"
    )
    form["issuer"] = gr.Textbox(
        label="Cơ quan ban hành (đọc từ tệp; sửa nếu sai)",
        placeholder="vd: UBND tỉnh Quảng Ngãi",
        elem_id="hd-up-issuer",
    )
    form["add"] = gr.Button("Thêm văn bản", variant="primary", elem_id="hd-upload-btn")
    form["add_status"] = gr.HTML(elem_id="hd-upload-status")
    return form


def _delete_form(service: QAService) -> dict[str, Any]:
    form: dict[str, Any] = {}
    with gr.Accordion("Xóa văn bản đã thêm", open=False, elem_id="hd-delete"):
        gr.Markdown("Chỉ văn bản do người dùng thêm; văn bản đi kèm hệ thống không xóa được.")
        with gr.Row(equal_height=True):
            form["del_doc"] = gr.Dropdown(
                choices=added_choices(service), label="Văn bản cần xóa", elem_id="hd-del-doc", scale=3
            )
            form["del_confirm"] = gr.Checkbox(
                label="Tôi chắc chắn muốn xóa văn bản này", elem_id="hd-del-confirm", scale=2
            )
            form["delete"] = gr.Button("Xóa văn bản", variant="stop", elem_id="hd-del-btn", scale=1)
        form["del_status"] = gr.HTML(elem_id="hd-del-status")
    return form


def build(service: QAService) -> DocumentsTab:
    with gr.Row():
        with gr.Column(scale=3, min_width=320):
            doc_list = gr.HTML(documents_html(service), elem_id="hd-doc-list")
        with gr.Column(scale=2, min_width=300), gr.Group():
            add = _add_form()
    return DocumentsTab(service, doc_list, **add, **_delete_form(service))
