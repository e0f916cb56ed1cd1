"""What the service returns for search hits, tasks, documents and its health.

These records are also the HTTP API's response models (the routes declare them), so the API's schema
and the service's output are one definition. They carry no docstrings on purpose: a model's docstring
would become its description in the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hoidap.corpus.records import Task
from hoidap.indexer.search import SearchHit


class SearchResult(BaseModel):
    # One ranked clause: provenance, exact quote (when the document is served), scores, matched words.
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

    @classmethod
    def of(cls, hit: SearchHit, original: str | None) -> SearchResult:
        return cls.model_validate(hit.to_dict(original))


class TaskRecord(BaseModel):
    # One task with its agencies, deadline and exact quote (the parser's `Task` has more fields).
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

    @classmethod
    def of(cls, task: Task, original: str) -> TaskRecord:
        return cls.model_validate(task.to_dict(original))


class DocumentSummary(BaseModel):
    model_config = ConfigDict(extra="allow")  # manifest facts vary by document (provenance, notes)

    doc_id: str
    title: str | None = None
    short_title: str | None = None
    number: str | None = None
    date: str | None = None
    issuer: str | None = None
    clauses: int
    tasks: int
    entries: int | None = None
    gaps: list[dict[str, Any]]


class DocumentDetail(DocumentSummary):
    header: dict[str, Any]
    length: int
    task_ids: list[str]
    outline: list[dict[str, Any]]
    warnings: list[str]
    fallback: bool


class Health(BaseModel):
    status: str
    index_loaded: bool
    documents: int
    entries: int | None
    clauses: int
    tasks: int
    model_id: str | None
    dimension: int | None
    dense_kind: str | None
    mode: str
    ui: bool
    index_version: int | None = Field(default=None, description="Số lần dựng thư mục chỉ mục này.")
    index_built_at: str | None = Field(default=None, description="Thời điểm dựng chỉ mục (ISO 8601).")
    reload_error: str | None = Field(
        default=None, description="Chỉ mục mới trên đĩa không nạp được (vẫn dùng chỉ mục cũ)."
    )
    reloading: bool = Field(
        default=False, description="Đang nạp chỉ mục mới trên đĩa; câu trả lời vẫn theo chỉ mục cũ."
    )
    quarantined: dict[str, str] = Field(
        default_factory=dict,
        description="Văn bản bị cách ly (mã kiểm tra không khớp, manifest hỏng): mã văn bản -> lý do. "
        "Sửa bằng `hoidap remove <mã>` rồi thêm lại.",
    )


class HealthError(BaseModel):
    # /health before the service is loaded (or when loading failed).
    status: str
    index_loaded: bool
    error: str
