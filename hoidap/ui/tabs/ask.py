"""The Hỏi đáp tab: a question answered with quotes, the conversation kept across reloads, feedback on
the latest answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import gradio as gr

from hoidap.indexer.store import IndexLoadError
from hoidap.service.qa import QAService
from hoidap.ui import render
from hoidap.ui.chat import (
    MAX_SAVED_MESSAGES,
    MAX_SUMMARY_CHARS,
    chat_view,
    forget_chat,
    saved_form,
    saved_messages,
    undo_forget,
)
from hoidap.ui.common import NOT_READY, doc_choices, friendly
from hoidap.ui.feedback import append_feedback, feedback_record
from hoidap.ui.templates import fragment

EXAMPLES = [
    "Ai chủ trì nhiệm vụ 5.4?",
    "Mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?",
    "ai chu tri nhiem vu 2.3 ke hoach 214",
    "Kế hoạch 214 do ai ký?",
    "Sở Tài chính chủ trì những nhiệm vụ nào?",
]
MAX_FEEDBACK_NOTE_CHARS = 2000  # a note says why an answer is wrong; more is not feedback
SKIP_TO_REPLY = "Tới trích dẫn của câu trả lời mới nhất"


@dataclass
class AskTab:
    """The tab's components and states, and its handlers over the service."""

    service: QAService
    chatbot: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    examples: gr.Examples
    docs: gr.Dropdown
    verdict: gr.Radio
    note: gr.Textbox
    fb_send: gr.Button
    fb_status: gr.HTML
    last_answer: gr.State
    pending_q: gr.State
    saved_chat: gr.BrowserState
    conv: gr.State
    cleared: gr.State
    clear_chat: gr.Button
    undo_clear: gr.Button

    # --- handlers ---------------------------------------------------------------------------

    def show_question(self, message: str | None, conv: list[dict[str, str]] | None):
        """At once: the question in the chat with a 'searching' line under it; the box emptied."""
        conv = list(conv or [])
        q = (message or "").strip()
        if q:
            conv.append({"role": "user", "content": render.esc(q)})
            conv.append({"role": "assistant", "content": render.pending_html(q)})
        return chat_view(conv), conv, "", message or "", gr.update(visible=False)

    def respond(self, pending: str | None, conv: list[dict[str, str]] | None, doc_ids: list[str] | None):
        """The answer replaces the 'searching' line; `pending` None means nothing was asked."""
        if pending is None:
            return (gr.update(),) * 8
        conv = [m for m in conv or [] if "hd-pending" not in m["content"]]
        q = pending.strip()
        svc = self.service
        last = None
        try:
            if svc is None:
                raise IndexLoadError(NOT_READY)
            ids = [d for d in doc_ids or [] if d in svc.docs]
            data = svc.ask(q, doc_ids=ids or None, top_k=5).to_dict()
            used = {c["doc_id"] for c in data["citations"] + data["related"]} & set(svc.docs)
            originals = {d: svc.docs[d].original for d in used}
            reply = render.answer_html(data, originals, {d: svc.docs[d].info for d in used})
            summary = (data["answer"] if data["found"] else data["message"]) or ""
            last = {**data, "doc_filter": ids}
        except Exception as exc:  # noqa: BLE001 - every error becomes a message in the chat
            reply = render.error_html(friendly(exc))
            summary = friendly(exc)
        if q and not (conv and conv[-1].get("role") == "user"):
            conv.append({"role": "user", "content": render.esc(q)})
        turn = {"turn": uuid.uuid4().hex[:12], "summary": summary[:MAX_SUMMARY_CHARS], "question": q}
        conv.append({"role": "assistant", "content": reply, **turn})
        conv = conv[-MAX_SAVED_MESSAGES:]
        return chat_view(conv), conv, last, None, "", "", saved_form(conv), None

    def restore_chat(self, saved: list[dict[str, Any]] | None, request: gr.Request):
        """The conversation kept in this browser; a question in the link (?q=) is asked once more
        unless it is already the last one shown."""
        conv = [m for m in saved_messages(saved) if "hd-pending" not in m["content"]]
        conv = conv[-MAX_SAVED_MESSAGES:]
        q = (request.query_params.get("q") or "").strip()[:2000] if request else ""
        asked = [m["content"] for m in conv if m["role"] == "user"]
        if not q or (asked and asked[-1] == render.esc(q)):
            return chat_view(conv), conv, None
        shown, conv, *_ = self.show_question(q, conv)
        return shown, conv, q

    def send_feedback(self, last: dict[str, Any] | None, verdict: str | None, note: str | None):
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
            append_feedback(record, self.service.feedback_path)
        except Exception as exc:  # noqa: BLE001
            return render.error_html(f"Không ghi được góp ý: {friendly(exc)}")
        return render.ok_html(f"Đã ghi góp ý ({verdict}) cho câu hỏi: {last.get('question', '')}")

    # --- events -----------------------------------------------------------------------------

    @property
    def answer_in(self) -> list[Any]:
        return [self.pending_q, self.conv, self.docs]

    @property
    def answer_out(self) -> list[Any]:
        return [
            self.chatbot,
            self.conv,
            self.last_answer,
            self.verdict,
            self.note,
            self.fb_status,
            self.saved_chat,
            self.pending_q,
        ]

    def wire(self) -> None:
        # The question shows at once (no queue); the answer follows.
        chat_in = [self.question, self.conv]
        shown_out = [self.chatbot, self.conv, self.question, self.pending_q, self.undo_clear]
        for trigger in (self.question.submit, self.send.click):
            trigger(self.show_question, chat_in, shown_out, queue=False).then(
                self.respond, self.answer_in, self.answer_out
            )
        self.examples.load_input_event.then(self.show_question, chat_in, shown_out, queue=False).then(
            self.respond, self.answer_in, self.answer_out
        )
        self.fb_send.click(self.send_feedback, [self.last_answer, self.verdict, self.note], self.fb_status)
        # Clearing can be undone: the conversation cleared waits in `cleared` until the next question.
        forget_out = [
            self.chatbot,
            self.conv,
            self.cleared,
            self.last_answer,
            self.fb_status,
            self.saved_chat,
            self.undo_clear,
        ]
        self.chatbot.clear(forget_chat, self.conv, forget_out)
        self.clear_chat.click(forget_chat, self.conv, forget_out)
        self.undo_clear.click(
            undo_forget,
            self.cleared,
            [self.chatbot, self.conv, self.cleared, self.saved_chat, self.undo_clear],
        )


def _chat() -> tuple[gr.Chatbot, gr.Textbox, gr.Button, gr.Examples]:
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
        # Right after "Gửi" in the tab order: a skip link to the latest reply's copy buttons, which
        # come before the question box in the page (issue 25 §5: 20 Tabs away).
        skip = fragment("page.html", "skip", SKIP_TO_REPLY)
        gr.HTML(skip, elem_id="hd-skip-box", js_on_load=None, min_width=0, scale=0)
    examples = gr.Examples(EXAMPLES, inputs=[question], label="Câu hỏi mẫu (bấm để hỏi)")
    return chatbot, question, send, examples


def _feedback() -> tuple[gr.Radio, gr.Textbox, gr.Button, gr.HTML]:
    with gr.Accordion("Góp ý cho câu trả lời gần nhất", open=True, elem_id="hd-feedback"):
        with gr.Row(equal_height=True):
            verdict = gr.Radio(
                ["Đúng", "Sai"], label="Câu trả lời gần nhất", elem_id="hd-verdict", min_width=140, scale=1
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
    return verdict, note, fb_send, fb_status


def build(service: QAService) -> AskTab:
    chatbot, question, send, examples = _chat()
    with gr.Accordion("Giới hạn trong văn bản (tùy chọn)", open=False):
        docs = gr.Dropdown(
            choices=doc_choices(service),
            multiselect=True,
            label="Chỉ tìm trong các văn bản",
            info="Để trống: tìm trong tất cả văn bản.",
            elem_id="hd-chat-docs",
        )
    verdict, note, fb_send, fb_status = _feedback()
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
    return AskTab(
        service=service,
        chatbot=chatbot,
        question=question,
        send=send,
        examples=examples,
        docs=docs,
        verdict=verdict,
        note=note,
        fb_send=fb_send,
        fb_status=fb_status,
        last_answer=last_answer,
        pending_q=pending_q,
        saved_chat=saved_chat,
        conv=conv,
        cleared=cleared,
        clear_chat=clear_chat,
        undo_clear=undo_clear,
    )
