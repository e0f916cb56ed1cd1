"""The Gradio page: Hỏi đáp, Tra cứu điều khoản, Nhiệm vụ, Văn bản.

    hoidap serve                       # the API with this page at /ui

`build_ui(service)` builds the Blocks over the `QAService` facade, one tab per module of
`hoidap.ui.tabs` (each builds its components, then wires its events); `mount(app, service)` puts them
at `/ui` of a FastAPI app and sends `/` there. The page calls the same facade as the API and the CLI
(ask, search, tasks with `TaskFilter`, add_document); an upload swaps the service's snapshot, so the
page and the API serve the new document at once.

Every handler turns errors into a message in the page, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.middleware import Middleware

from hoidap.service.qa import QAService
from hoidap.ui.common import ADMIN_USER, ALL_DOCS, UI_PATH, added_choices, doc_choices, task_doc_choices
from hoidap.ui.exports import (  # noqa: F401 - the names callers (and tests) import from the page
    EXPORT_COLUMNS,
    REPORT_HEADER_ROW,
    filter_summary,
    safe_cell,
    write_csv,
    write_xlsx,
)
from hoidap.ui.login_page import LoginPageScript
from hoidap.ui.tabs import ask, documents, search, tasks, viewer
from hoidap.ui.tabs.documents import documents_html
from hoidap.ui.templates import fragment
from hoidap.ui.theme import CSS, HEAD, i18n, theme
from hoidap.ui.uploads import upload_bar, uploaded_file  # noqa: F401

TITLE = "Hỏi đáp văn bản chính sách"
INTRO = (
    f"# {TITLE}\n"
    "Câu trả lời được **trích nguyên văn** từ văn bản (không dùng mô hình sinh), kèm văn bản, mục "
    "và vị trí ký tự để trích dẫn lại. Gõ có dấu hoặc không dấu đều được."
)


@dataclass
class _Page:
    """What spans the tabs: every document list refreshed after a change to the corpus."""

    service: QAService
    ask: ask.AskTab
    search: search.SearchTab
    tasks: tasks.TasksTab
    documents: documents.DocumentsTab

    def __post_init__(self) -> None:
        self.built_docs = self.service.docs  # the corpus the page was built with (a reload replaces it)

    @property
    def refresh_out(self) -> list[Any]:
        d = self.documents
        return [self.ask.docs, self.search.docs, self.tasks.doc, d.doc_list, d.del_doc, *self.tasks.outputs]

    def refresh_all(
        self,
        doc_id: str | None,
        agency: str | None,
        deadline: str | None,
        text: str | None,
        role: str | None = "any",
    ):
        svc = self.service
        choices = doc_choices(svc)
        doc_id = doc_id if doc_id in {c[1] for c in choices} else ALL_DOCS
        return (
            gr.update(choices=choices),
            gr.update(choices=choices),
            gr.update(choices=task_doc_choices(svc), value=doc_id),
            documents_html(svc),
            gr.update(choices=added_choices(svc), value=None),
            *self.tasks.filter_tasks(doc_id, agency, deadline, text, role),
        )

    def refresh_on_load(
        self,
        doc_id: str | None,
        agency: str | None,
        deadline: str | None,
        text: str | None,
        role: str | None = "any",
    ):
        """What changed since the page was built: nothing to send when the corpus is the one the page
        already shows and no filter is set (the table and document list are not sent a second time)."""
        unfiltered = doc_id in (None, ALL_DOCS) and not (agency or deadline or text) and role in (None, "any")
        if self.service.docs is self.built_docs and unfiltered:
            return (gr.update(),) * 9
        return self.refresh_all(doc_id, agency, deadline, text, role)

    def wire(self, blocks: gr.Blocks, source: viewer.Viewer) -> None:
        """Each tab's events, then the page's: a reload restores the conversation kept in the browser."""
        a = self.ask
        a.wire()
        self.search.wire()
        self.tasks.wire()
        source.wire()
        self.documents.refresh = self.refresh_all
        self.documents.wire(self.refresh_out, self.tasks.inputs)
        # One chain, so a restored conversation never lands over a question asked meanwhile; the page
        # says when it is ready (tests wait for it).
        blocks.load(self.refresh_on_load, self.tasks.inputs, self.refresh_out).then(
            a.restore_chat, a.saved_chat, [a.chatbot, a.conv, a.pending_q]
        ).then(a.respond, a.answer_in, a.answer_out).then(
            None, None, None, js="() => { document.body.dataset.hdReady = '1'; }"
        )


def build_ui(service: QAService) -> gr.Blocks:
    """The four-tab page over the service facade, and the source view over every tab."""
    with gr.Blocks(title=TITLE, analytics_enabled=False) as blocks:
        gr.Markdown(INTRO, elem_id="hd-intro")
        if service.settings is not None and service.settings.access_control:
            gr.HTML(fragment("page.html", "logout", UI_PATH), elem_id="hd-logout")
        with gr.Tabs():
            with gr.Tab("Hỏi đáp", id="hoi-dap"):
                ask_tab = ask.build(service)
            with gr.Tab("Tra cứu điều khoản", id="tra-cuu"):
                search_tab = search.build(service)
            with gr.Tab("Nhiệm vụ", id="nhiem-vu"):
                tasks_tab = tasks.build(service)
            with gr.Tab("Văn bản", id="van-ban"):
                documents_tab = documents.build(service)
        source = viewer.build(service)
        _Page(service, ask_tab, search_tab, tasks_tab, documents_tab).wire(blocks, source)
    blocks.queue(default_concurrency_limit=4)
    return blocks


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
        theme=theme(),
        ssr_mode=False,
        show_error=True,
        run_history=False,
        footer_links=[],  # Gradio's footer and Settings panel are English-only
        i18n=i18n(),
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
