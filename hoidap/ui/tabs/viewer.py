"""The source view over every tab: the whole document, the cited passage marked. The page script
writes "doc|start|end|nonce" into a hidden box when "Xem trong văn bản" is clicked; the nonce makes a
second click on the same passage a change too."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from hoidap.service.qa import QAService
from hoidap.ui import render
from hoidap.ui.common import friendly


@dataclass
class Viewer:
    service: QAService
    column: gr.Column
    close: gr.Button
    body: gr.HTML
    request: gr.Textbox

    def open_source(self, request_value: str | None):
        """The whole document with the cited passage marked: 'doc_id|start|end|nonce' from a button."""
        try:
            doc_id, start, end, _nonce = (request_value or "").rsplit("|", 3)
            svc = self.service
            detail = svc.document_detail(doc_id)
            doc = svc.document(doc_id)
            body = render.source_html(doc.info, doc.original, detail.outline, int(start), int(end))
        except ValueError:
            body = render.error_html("Không mở được văn bản: yêu cầu không hợp lệ.")
        except Exception as exc:  # noqa: BLE001
            body = render.error_html(f"Không mở được văn bản: {friendly(exc)}")
        return gr.update(visible=True), body

    def wire(self) -> None:
        self.request.change(self.open_source, self.request, [self.column, self.body], show_progress="hidden")
        self.close.click(lambda: gr.update(visible=False), None, self.column, queue=False)


def build(service: QAService) -> Viewer:
    with gr.Column(visible=False, elem_id="hd-viewer") as column:
        close = gr.Button("Đóng văn bản", size="sm", elem_id="hd-viewer-close")
        body = gr.HTML(elem_id="hd-viewer-body")
    request = gr.Textbox(visible="hidden", elem_id="hd-src-req", label="Mở văn bản")
    return Viewer(service, column, close, body, request)
