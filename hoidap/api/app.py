"""HTTP API over the answer service (FastAPI).

    uvicorn --factory service.api:create_app      # or: hoidap serve

`create_app()` does not load anything: the parsed corpus, the index and the embedding
model are loaded once, at start-up (lifespan), unless a ready `QAService` is passed in
(tests share one). Endpoints are plain `def` functions run in the thread pool; the
service and the index are thread-safe and every request keeps its state local.

Every error is JSON `{"error": "<Vietnamese message>"}` (validation errors add
`details`), never a bare 500 page.
"""

from __future__ import annotations

import importlib.util
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Annotated, Any

from fastapi import FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from hoidap.corpus.normalize import fold
from hoidap.corpus.records import ParsedDocument, Task
from hoidap.service.answer import MAX_QUESTION_CHARS, MAX_TOP_K, QAService, QuestionError
from hoidap.cli import task_matches

log = logging.getLogger(__name__)

#: Where `ui.app.mount` puts the Gradio page; `/` redirects there when it is mounted.
UI_PATH = "/ui"
UI_MODULE = "ui.app"


class ApiError(Exception):
    """An error answered as `{"error": message}` with the given status."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


# --- request / response schemas (the response ones document /docs; bodies are returned as built) ---


class AskRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "Ai chủ trì nhiệm vụ 5.4?", "top_k": 5}]},
    )

    question: str = Field(
        description=f"Câu hỏi tiếng Việt, có hoặc không dấu (tối đa {MAX_QUESTION_CHARS} ký tự)."
    )
    doc_ids: list[str] | None = Field(default=None, description="Chỉ tìm trong các văn bản này.")
    top_k: int = Field(
        default=5, ge=1, le=MAX_TOP_K, strict=True, description="Số trích dẫn / đoạn liên quan tối đa."
    )


class CitationOut(BaseModel):
    doc_id: str
    doc_title: str
    section: str
    quote: str = Field(description="Đúng nguyên văn: original[char_start:char_end].")
    char_start: int
    char_end: int
    score: float
    task_id: str | None = None
    doc_number: str | None = None
    highlight: list[int] | None = Field(default=None, description="[start, end) của cụm trả lời.")


class DocumentAnswerOut(BaseModel):
    doc_id: str
    doc_title: str
    answer: str


class AskResponse(BaseModel):
    question: str
    question_type: str
    answer: str | None
    found: bool
    message: str
    citations: list[CitationOut] = Field(description="citations[0] là căn cứ của câu trả lời.")
    related: list[CitationOut]
    answers: list[DocumentAnswerOut] = Field(description="Câu trả lời theo từng văn bản khi có nhiều.")
    took_ms: float


class SearchHitOut(BaseModel):
    doc_id: str
    doc_title: str
    section: str
    task_id: str | None
    kind: str
    text: str
    quote: str | None = None
    char_start: int
    char_end: int
    score: float
    lexical: float
    dense: float
    matched_terms: list[str]


class TaskOut(BaseModel):
    doc_id: str
    task_id: str
    section: str
    content: str
    lead: list[str]
    coordinating: list[str]
    directing: list[str]
    implementing: list[str]
    deadline: str | None
    char_start: int
    char_end: int
    layout: str
    numbered: bool
    quote: str


class ErrorOut(BaseModel):
    error: str
    details: list[dict[str, Any]] | None = None


class SearchMode(StrEnum):
    hybrid = "hybrid"
    lexical = "lexical"
    dense = "dense"


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "JSON không hợp lệ"},
    422: {"model": ErrorOut, "description": "Dữ liệu không hợp lệ (thông báo tiếng Việt)"},
    503: {"model": ErrorOut, "description": "Chưa nạp được chỉ mục"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "Không có"}}


# --- validation messages -------------------------------------------------------------------------

FIELD_NAMES = {
    "question": "question (câu hỏi)",
    "doc_ids": "doc_ids (danh sách mã văn bản)",
    "top_k": "top_k",
    "q": "q (nội dung tìm)",
    "k": "k",
    "doc": "doc (mã văn bản)",
    "mode": "mode",
}


def _field(loc: tuple[Any, ...]) -> str:
    names = [str(x) for x in loc[1:] if not isinstance(x, int)] or [str(loc[0]) if loc else "?"]
    name = FIELD_NAMES.get(names[0], names[0])
    return f"Mỗi phần tử của {name}" if any(isinstance(x, int) for x in loc[1:]) else name


def _vietnamese(err: dict[str, Any]) -> tuple[str, int]:
    """(message, status) for one pydantic error."""
    kind = err.get("type", "")
    loc = tuple(err.get("loc", ()))
    ctx = err.get("ctx") or {}
    name = _field(loc)
    if kind == "json_invalid":
        reason = ctx.get("error", "")
        return f"Nội dung yêu cầu không phải JSON hợp lệ ({reason}).", 400
    if kind == "missing":
        if loc == ("body",):
            return 'Thiếu nội dung yêu cầu: gửi JSON dạng {"question": "..."}.', 422
        return f"Thiếu trường bắt buộc {name}.", 422
    if (
        kind in ("model_attributes_type", "dict_type", "model_type")
        and loc[:1] == ("body",)
        and len(loc) == 1
    ):
        return 'Nội dung yêu cầu phải là một đối tượng JSON, ví dụ {"question": "..."}.', 422
    if kind == "extra_forbidden":
        return f"Trường {name} không được hỗ trợ (chỉ có question, doc_ids, top_k).", 422
    if kind in ("string_type", "string_unicode"):
        return f"{name} phải là chuỗi ký tự.", 422
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{name} phải là số nguyên.", 422
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{name} phải trong khoảng 1-{MAX_TOP_K}.", 422
    if kind in ("list_type", "tuple_type"):
        return f"{name} phải là danh sách.", 422
    if kind in ("enum", "literal_error"):
        return f"{name} phải là một trong: {', '.join(m.value for m in SearchMode)}.", 422
    if kind == "string_too_short":
        return f"{name} không được để trống.", 422
    if kind == "string_too_long":
        return f"{name} quá dài (tối đa {ctx.get('max_length')} ký tự).", 422
    return f"Giá trị của {name} không hợp lệ.", 422


def _details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")} for e in errors]


# --- helpers ------------------------------------------------------------------------------------


def _service(request: Request) -> QAService:
    svc = getattr(request.app.state, "service", None)
    if svc is None:
        reason = getattr(request.app.state, "load_error", None) or "Dịch vụ đang khởi động."
        raise ApiError(503, f"Chưa sẵn sàng trả lời: {reason}")
    return svc


def _known_docs(svc: QAService, doc_ids: list[str] | None) -> list[str] | None:
    """The ids as given, or 422 naming the unknown ones and the known ones."""
    if not doc_ids:
        return None
    unknown = [d for d in doc_ids if d not in svc.docs]
    if unknown:
        raise ApiError(
            422, f"Không có văn bản {', '.join(unknown)}. Các văn bản hiện có: {', '.join(svc.docs)}"
        )
    return list(dict.fromkeys(doc_ids))


def _document(svc: QAService, doc_id: str) -> ParsedDocument:
    doc = svc.docs.get(doc_id)
    if doc is None:
        raise ApiError(404, f"Không có văn bản '{doc_id}'. Các văn bản hiện có: {', '.join(svc.docs)}")
    return doc


_YEAR_RE = re.compile(r"^(?:19|20)\d{2}$")
_RANGE_RE = re.compile(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b")


def deadline_matches(deadline: str | None, needle: str | None) -> bool:
    """Substring match (diacritics-insensitive); a year also matches a printed range holding it."""
    if not needle or not needle.strip():
        return True
    if not deadline:
        return False
    n = fold(needle.strip())
    if n in fold(deadline):
        return True
    if _YEAR_RE.match(n):
        year = int(n)
        return any(int(a) <= year <= int(b) for a, b in _RANGE_RE.findall(deadline))
    return False


def agency_matches(svc: QAService, task: Task, agency: str | None) -> bool:
    """The CLI's diacritics-insensitive substring match, or the same canonical agency (aliases)."""
    if not agency or not agency.strip():
        return True
    if task_matches(task, None, agency):
        return True
    canon = svc.catalog.canonical_agency(agency)
    return bool(canon) and any(
        svc.catalog.canonical_agency(a) == canon for a in task.lead + task.coordinating
    )


def _outline(doc: ParsedDocument) -> list[dict[str, Any]]:
    """Clauses grouped by consecutive breadcrumb, without their texts."""
    out: list[dict[str, Any]] = []
    for c in doc.clauses:
        crumb = c.breadcrumb
        if not out or out[-1]["section"] != crumb:
            out.append({"section": crumb, "path": list(c.section), "clauses": []})
        out[-1]["clauses"].append(
            {
                "clause_id": c.clause_id,
                "kind": c.kind,
                "task_id": c.task_id,
                "char_start": c.char_start,
                "char_end": c.char_end,
            }
        )
    return out


def _doc_summary(svc: QAService, doc: ParsedDocument) -> dict[str, Any]:
    d = doc.info.to_dict()
    indexed = getattr(getattr(svc.searcher, "manifest", None), "documents", {}).get(doc.doc_id, {})
    d.update(
        {
            "clauses": len(doc.clauses),
            "tasks": len(doc.tasks),
            "entries": indexed.get("entries"),
            "gaps": [g.to_dict() for g in doc.gaps],
        }
    )
    return d


# --- the app ------------------------------------------------------------------------------------


def _ui_available() -> bool:
    try:
        return importlib.util.find_spec(UI_MODULE) is not None
    except (ImportError, ValueError):
        return False


def mount_ui_if_present(app: FastAPI, service: QAService) -> bool:
    """Hook for the Gradio UI: `ui.app.mount(app, service)` puts it at UI_PATH, when that module exists."""
    if not _ui_available():
        return False
    module = importlib.import_module(UI_MODULE)
    module.mount(app, service)
    return True


def create_app(
    service: QAService | None = None,
    *,
    mount_ui: bool = False,
    loader: Callable[[], QAService] | None = None,
) -> FastAPI:
    """Build the API.

    Args:
        service: a ready service (shared by tests); when None it is loaded once at start-up.
        mount_ui: mount the Gradio UI at `/ui` (`ui.app.mount(app, service)`) if that module
            exists; the service is then loaded now, since the UI needs it when mounted.
        loader: how to load the service (default `QAService.from_store`).

    Returns:
        The FastAPI app. `GET /` redirects to the UI when mounted, else to `/docs`.
    """
    load = loader or QAService.from_store
    ui_wanted = mount_ui and _ui_available()
    if ui_wanted and service is None:
        service = load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.service is None:
            from anyio import to_thread

            from hoidap.indexer.store import IndexLoadError

            try:
                app.state.service = await to_thread.run_sync(load)
                app.state.load_error = None
            except IndexLoadError as exc:
                # Stay up and say why on every request (and in /health) rather than crash-looping.
                app.state.load_error = str(exc)
                log.error("Không nạp được chỉ mục: %s", exc)
        yield

    app = FastAPI(
        title="Hỏi đáp văn bản chính sách",
        description=(
            "Hỏi đáp dựa trên truy hồi (không dùng mô hình sinh) trên các văn bản chính sách cấp tỉnh. "
            "Mỗi câu trả lời kèm trích dẫn nguyên văn và vị trí ký tự trong văn bản gốc."
        ),
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.load_error = None
    app.state.ui_mounted = False

    # --- error handlers -------------------------------------------------------------------

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.message, **exc.extra}, status_code=exc.status)

    @app.exception_handler(QuestionError)
    async def _question_error(request: Request, exc: QuestionError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        judged = [_vietnamese(e) for e in errors] or [("Dữ liệu yêu cầu không hợp lệ.", 422)]
        content_type = request.headers.get("content-type", "")
        if request.method == "POST" and content_type and "json" not in content_type:
            judged = [("Hãy gửi nội dung dạng JSON (Content-Type: application/json).", 422)]
        status = 400 if any(s == 400 for _, s in judged) else 422
        message = " ".join(dict.fromkeys(m for m, _ in judged))
        return JSONResponse({"error": message, "details": _details(errors)}, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            404: f"Không có đường dẫn {request.url.path}. Xem danh sách tại /docs.",
            405: f"Phương thức {request.method} không dùng được cho {request.url.path}.",
        }
        detail = exc.detail if isinstance(exc.detail, str) else None
        message = messages.get(exc.status_code) or detail or "Yêu cầu không hợp lệ."
        return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("Lỗi không mong đợi khi xử lý %s %s", request.method, request.url.path)
        return JSONResponse(
            {"error": f"Lỗi nội bộ khi xử lý yêu cầu ({type(exc).__name__}). Vui lòng thử lại."},
            status_code=500,
        )

    # --- endpoints ------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(UI_PATH if app.state.ui_mounted else "/docs")

    @app.post("/ask", response_model=None, responses={200: {"model": AskResponse}, **ERRORS})
    def ask(body: AskRequest, request: Request) -> dict[str, Any]:
        """Trả lời một câu hỏi.

        `citations[0]` là căn cứ của câu trả lời; `found=false` (kèm `related`) khi không đủ căn cứ.
        """
        svc = _service(request)
        return svc.ask(body.question, doc_ids=body.doc_ids or None, top_k=body.top_k).to_dict()

    @app.get("/search", response_model=None, responses={200: {"model": list[SearchHitOut]}, **ERRORS})
    def search(
        request: Request,
        q: Annotated[str, Query(description="Nội dung tìm (có hoặc không dấu).")],
        k: Annotated[int, Query(ge=1, le=MAX_TOP_K)] = 10,
        doc: Annotated[list[str] | None, Query(description="Giới hạn văn bản (lặp lại được).")] = None,
        mode: SearchMode = SearchMode.hybrid,
    ) -> list[dict[str, Any]]:
        """Các điều khoản xếp hạng, kèm trích dẫn nguyên văn, vị trí, điểm và từ khóa khớp."""
        svc = _service(request)
        query = q.strip()
        if not query:
            raise ApiError(422, "Nội dung tìm (q) đang trống.")
        if len(query) > MAX_QUESTION_CHARS:
            raise ApiError(422, f"Nội dung tìm quá dài ({len(query)} ký tự, tối đa {MAX_QUESTION_CHARS}).")
        doc_ids = _known_docs(svc, doc)
        hits = svc.searcher.search(query, k=k, doc_ids=doc_ids, mode=mode.value)
        out = []
        for h in hits:
            d = svc.docs.get(h.entry.doc_id)
            out.append(h.to_dict(d.original if d else None))
        return out

    @app.get("/tasks", response_model=None, responses={200: {"model": list[TaskOut]}, **ERRORS})
    def tasks(
        request: Request,
        doc: Annotated[list[str] | None, Query(description="Mã văn bản (lặp lại được).")] = None,
        id: Annotated[str | None, Query(description="Số hiệu nhiệm vụ, ví dụ 5.4 hoặc II.2.đ-1.")] = None,
        agency: Annotated[
            str | None, Query(description="Cơ quan chủ trì hoặc phối hợp (không phân biệt dấu).")
        ] = None,
        deadline: Annotated[
            str | None, Query(description="Thời hạn chứa chuỗi này, hoặc năm (2020).")
        ] = None,
    ) -> list[dict[str, Any]]:
        """Danh sách nhiệm vụ (cơ quan chủ trì, phối hợp, thời hạn) kèm trích dẫn nguyên văn."""
        svc = _service(request)
        doc_ids = _known_docs(svc, doc) or list(svc.docs)
        task_id = id.strip() if id and id.strip() else None
        rows = []
        for d in doc_ids:
            parsed = svc.docs[d]
            for t in parsed.tasks:
                if (
                    task_matches(t, task_id, None)
                    and agency_matches(svc, t, agency)
                    and deadline_matches(t.deadline, deadline)
                ):
                    rows.append(t.to_dict(parsed.original))
        return rows

    @app.get(
        "/tasks/{doc_id}/{task_id:path}",
        response_model=None,
        responses={200: {"model": TaskOut}, **NOT_FOUND, **ERRORS},
    )
    def task(
        request: Request,
        doc_id: str,
        task_id: Annotated[str, Path(description="Số hiệu nhiệm vụ (mã hóa URL), ví dụ II.2.%C4%91-1")],
    ) -> dict[str, Any]:
        """Một nhiệm vụ; 404 nếu không có (nói rõ khi số hiệu rơi vào khoảng trống đánh số)."""
        svc = _service(request)
        doc = _document(svc, doc_id)
        wanted = task_id.strip()
        if not wanted:
            example = doc.tasks[0].task_id if doc.tasks else "1.1"
            raise ApiError(404, f"Thiếu số hiệu nhiệm vụ, ví dụ /tasks/{doc_id}/{example}.")
        found = svc.tasks.get((doc_id, wanted)) or next(
            (t for t in doc.tasks if t.task_id.casefold() == wanted.casefold()), None
        )
        if found is not None:
            return found.to_dict(doc.original)
        title = doc.info.short_title
        gap = next((g for g in doc.gaps if g.contains(wanted) or wanted in g.missing), None)
        if gap is not None:
            raise ApiError(
                404,
                f"Nhiệm vụ {wanted} không có trong {title}: văn bản nhảy từ {gap.after} sang {gap.before} "
                f"({gap.note}).",
                gap=gap.to_dict(),
            )
        raise ApiError(404, f"Không có nhiệm vụ {wanted} trong {title}.")

    @app.get("/documents", response_model=None, responses=ERRORS)
    def documents(request: Request) -> list[dict[str, Any]]:
        """Các văn bản: thông tin manifest, số điều khoản, số nhiệm vụ, khoảng trống đánh số."""
        svc = _service(request)
        return [_doc_summary(svc, d) for d in svc.docs.values()]

    @app.get("/documents/{doc_id}", response_model=None, responses={**NOT_FOUND, **ERRORS})
    def document(request: Request, doc_id: str) -> dict[str, Any]:
        """Một văn bản: thông tin, dữ kiện in ở phần đầu/chữ ký, dàn ý điều khoản (không kèm nội dung)."""
        svc = _service(request)
        doc = _document(svc, doc_id)
        header = {k: v for k, v in vars(doc.header).items() if k != "spans"}
        header["spans"] = {k: list(v) for k, v in doc.header.spans.items()}
        d = _doc_summary(svc, doc)
        d.update(
            {
                "header": header,
                "length": len(doc.original),
                "task_ids": [t.task_id for t in doc.tasks],
                "outline": _outline(doc),
                "warnings": list(doc.warnings),
                "fallback": doc.fallback,
            }
        )
        return d

    @app.get("/health", response_model=None, responses={503: {"model": ErrorOut}})
    def health(request: Request) -> Any:
        """Trạng thái: chỉ mục đã nạp chưa, số văn bản/mục/điều khoản/nhiệm vụ, mô hình nhúng."""
        svc = getattr(request.app.state, "service", None)
        if svc is None:
            reason = request.app.state.load_error or "Dịch vụ đang khởi động."
            return JSONResponse({"status": "error", "index_loaded": False, "error": reason}, status_code=503)
        manifest = getattr(svc.searcher, "manifest", None)
        entries = getattr(svc.searcher, "entries", None)
        return {
            "status": "ok",
            "index_loaded": True,
            "documents": len(svc.docs),
            "entries": len(entries) if entries is not None else None,
            "clauses": sum(len(d.clauses) for d in svc.docs.values()),
            "tasks": sum(len(d.tasks) for d in svc.docs.values()),
            "model_id": getattr(manifest, "model_id", None),
            "dimension": getattr(manifest, "dimension", None),
            "dense_kind": getattr(manifest, "dense_kind", None),
            "mode": svc.mode,
            "ui": app.state.ui_mounted,
        }

    if ui_wanted and service is not None:
        app.state.ui_mounted = mount_ui_if_present(app, service)
    return app
