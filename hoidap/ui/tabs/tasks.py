"""The Nhiệm vụ tab: tasks filtered by document, agency (and its role), deadline and words; the table
sorts and prints, and downloads as CSV or as a printable XLSX report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from hoidap.corpus.deadlines import deadline_range
from hoidap.service.qa import QAService
from hoidap.ui import render
from hoidap.ui.common import ALL_DOCS, friendly, task_doc_choices
from hoidap.ui.exports import TASK_COLUMNS, export_files, filter_summary, task_rows
from hoidap.ui.templates import fragment
from hoidap.ui.theme import PRINT_JS

TASK_CLASSES = ["c-doc", "c-id", "c-content", "c-lead", "c-coord", "c-deadline"]
ROLES = [("Chủ trì hoặc phối hợp", "any"), ("Chủ trì", "lead"), ("Phối hợp", "coordinating")]
SHORT_CONTENT = 180  # characters of a task's text shown before "Xem đủ"


def task_count_html(shown: int, total: int) -> str:
    return fragment("tasks.html", "task_count", shown, total)


def _short(text: str) -> str | None:
    """A long task text cut at a word for the folded cell; None when it is shown whole."""
    if len(text) <= SHORT_CONTENT:
        return None
    cut = text.rfind(" ", 0, SHORT_CONTENT)
    return text[: cut if cut > SHORT_CONTENT // 2 else SHORT_CONTENT]


def _deadline_key(deadline: str) -> str:
    """What the deadline column sorts by: the date it ends ("2026-04-30"), then its text; a deadline
    without a date ("thường xuyên") after the dated ones, a blank one last."""
    if not deadline:
        return "zzzz"
    end = deadline_range(deadline)[1]
    return f"{end} {deadline}" if end else f"9999 {deadline}"


def task_table_html(rows: list[dict[str, Any]]) -> str:
    """The task table: headers sort on click (the page script), long texts fold; on a phone each row
    becomes a card that keeps the task, lead and deadline in view."""
    columns = list(zip(TASK_COLUMNS, TASK_CLASSES, strict=True))
    cells = []
    for r in rows:
        row = []
        for name, cls in columns:
            value = str(r[name] or "")
            key = _deadline_key(value) if name == "Thời hạn" else value
            row.append((name, cls, value, key, _short(value) if name == "Nội dung" else None))
        cells.append(row)
    return fragment("tasks.html", "task_table", columns, cells)


@dataclass
class TasksTab:
    """The tab's components, and its handler over the service."""

    service: QAService
    doc: gr.Dropdown
    agency: gr.Textbox
    deadline: gr.Textbox
    text: gr.Textbox
    role: gr.Radio
    count: gr.HTML
    dl_xlsx: gr.DownloadButton
    dl_csv: gr.DownloadButton
    print_btn: gr.Button
    table: gr.HTML

    @property
    def inputs(self) -> list[gr.components.Component]:
        return [self.doc, self.agency, self.deadline, self.text, self.role]

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [self.table, self.count, self.dl_csv, self.dl_xlsx]

    def filter_tasks(
        self,
        doc_id: str | None,
        agency: str | None,
        deadline: str | None,
        text: str | None,
        role: str | None = "any",
    ):
        try:
            svc = self.service
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

    def wire(self) -> None:
        for comp in self.inputs:
            comp.change(
                self.filter_tasks,
                self.inputs,
                self.outputs,
                trigger_mode="always_last",
                show_progress="hidden",
            )
        self.print_btn.click(None, None, None, js=PRINT_JS)


def build(service: QAService) -> TasksTab:
    """The tab's filters, counts, downloads and table, filled with every task."""
    rows = task_rows(service)
    with gr.Row():
        doc = gr.Dropdown(
            choices=task_doc_choices(service),
            value=ALL_DOCS,
            label="Văn bản",
            elem_id="hd-task-doc",
            min_width=200,
        )
        agency = gr.Textbox(
            label="Cơ quan (chủ trì hoặc phối hợp)",
            placeholder="vd: so tai chinh",
            elem_id="hd-task-agency",
            min_width=180,
        )
        deadline = gr.Textbox(
            label="Thời hạn: năm hoặc khoảng năm",
            placeholder="vd: 2025 hoặc 2025-2027",
            elem_id="hd-task-deadline",
            min_width=120,
        )
        text = gr.Textbox(
            label="Từ khóa trong nội dung",
            placeholder="vd: chuyển đổi số",
            elem_id="hd-task-text",
            min_width=160,
        )
    role = gr.Radio(ROLES, value="any", label="Vai trò của cơ quan", elem_id="hd-task-role")
    csv0, xlsx0 = export_files(rows, *filter_summary(service, None, None, None, None, None))
    count = gr.HTML(task_count_html(len(rows), len(rows)), elem_id="hd-task-count-box")
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
        print_btn = gr.Button("In danh sách", size="sm", elem_id="hd-print", scale=0, min_width=120)
    table = gr.HTML(task_table_html(rows), elem_id="hd-task-table")
    return TasksTab(
        service=service,
        doc=doc,
        agency=agency,
        deadline=deadline,
        text=text,
        role=role,
        count=count,
        dl_xlsx=dl_xlsx,
        dl_csv=dl_csv,
        print_btn=print_btn,
        table=table,
    )
