"""The Tra cứu điều khoản tab: clauses ranked for a query (hybrid, keyword or meaning), matched words
marked, each with its surrounding text and a way into the whole document."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
from markupsafe import Markup

from hoidap.indexer.store import IndexLoadError
from hoidap.service.qa import QAService
from hoidap.service.records import QuestionError
from hoidap.ui import render
from hoidap.ui.common import NOT_READY, doc_choices, friendly
from hoidap.ui.templates import fragment

SEARCH_MODES = [
    ("Kết hợp (từ khóa + ngữ nghĩa)", "hybrid"),
    ("Từ khóa", "lexical"),
    ("Ngữ nghĩa", "dense"),
]


@dataclass
class SearchTab:
    """The tab's components, and its handlers over the service."""

    service: QAService
    query: gr.Textbox
    button: gr.Button
    docs: gr.Dropdown
    mode: gr.Radio
    k: gr.Slider
    results: gr.HTML

    def run_search(self, query: str, doc_ids: list[str] | None, mode: str, k: float):
        q = (query or "").strip()
        svc = self.service
        try:
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
        hits = [h for h in hits if h.matched_terms or h.dense >= svc.min_dense]
        if not hits:
            return fragment("search.html", "no_match", q)
        cards = []
        for i, h in enumerate(hits, 1):
            d = svc.docs.get(h.doc_id)
            title = d.info.short_title if d else h.doc_title
            card = render.hit_card(i, h, d.original if d else None, title, d.info.number if d else None)
            cards.append(Markup(card))
        return fragment("search.html", "hits", q, cards)

    def rerun_search(self, query: str, doc_ids: list[str] | None, mode: str, k: float):
        """A changed filter, mode or count re-runs the shown search (nothing before a first query)."""
        if not (query or "").strip():
            return gr.update()
        return self.run_search(query, doc_ids, mode, k)

    def wire(self) -> None:
        inputs = [self.query, self.docs, self.mode, self.k]
        self.query.submit(self.run_search, inputs, self.results)
        self.button.click(self.run_search, inputs, self.results)
        for comp in (self.docs, self.mode):
            comp.change(self.rerun_search, inputs, self.results, trigger_mode="always_last")
        self.k.release(self.rerun_search, inputs, self.results, trigger_mode="always_last")


def build(service: QAService) -> SearchTab:
    with gr.Row(equal_height=True):
        query = gr.Textbox(
            show_label=False,
            placeholder="Nội dung cần tìm, ví dụ: phủ sóng 5G, nha o xa hoi cong nhan",
            elem_id="hd-search-q",
            scale=5,
            min_width=180,
        )
        button = gr.Button("Tìm", variant="primary", elem_id="hd-search-btn", scale=1, min_width=70)
    with gr.Row():
        docs = gr.Dropdown(
            choices=doc_choices(service),
            multiselect=True,
            label="Văn bản",
            info="Để trống: tất cả.",
            elem_id="hd-search-docs",
            scale=2,
            min_width=200,
        )
        mode = gr.Radio(
            SEARCH_MODES, value="hybrid", label="Cách tìm", elem_id="hd-search-mode", scale=2, min_width=200
        )
        k = gr.Slider(1, service.max_top_k, value=10, step=1, label="Số kết quả", scale=1, min_width=140)
    results = gr.HTML(fragment("search.html", "intro"), elem_id="hd-search-results")
    return SearchTab(service, query, button, docs, mode, k, results)
