"""What the service returns: answers with their citations, and the errors it raises for the user."""

from __future__ import annotations

import errno
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from hoidap.indexer.search import SearchHit


class QuestionError(ValueError):
    """Bad input; the message is shown to the user."""


class NotFoundError(LookupError):
    """A document or task that does not exist; the message (Vietnamese) says what does."""

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


_OS_CAUSES = {
    errno.ENOSPC: "ổ đĩa của máy chủ đã đầy",
    errno.EDQUOT: "đã hết hạn mức dung lượng trên máy chủ",
    errno.EACCES: "máy chủ không có quyền ghi hoặc đọc thư mục dữ liệu",
    errno.EPERM: "máy chủ không có quyền thực hiện thao tác này",
    errno.EROFS: "thư mục dữ liệu đang ở chế độ chỉ đọc",
    errno.EMFILE: "máy chủ đang mở quá nhiều tệp",
    errno.ENFILE: "hệ thống đang mở quá nhiều tệp",
    errno.EIO: "lỗi đọc/ghi ổ đĩa",
}


def os_error_message(exc: OSError) -> str:
    """An OS error said with its cause, in Vietnamese, without the server's paths (issue 22 §6)."""
    cause = _OS_CAUSES.get(exc.errno or -1) or (exc.strerror or type(exc).__name__)
    return f"Lỗi hệ thống tệp: {cause}. Kho văn bản và chỉ mục giữ nguyên; báo quản trị viên."


class Searcher(Protocol):
    def search(
        self, query: str, k: int = 10, doc_ids: list[str] | None = None, mode: str = "hybrid"
    ) -> list[SearchHit]: ...


@dataclass(kw_only=True)
class Citation:
    doc_id: str
    doc_title: str
    section: str
    quote: str
    char_start: int
    char_end: int
    score: float
    task_id: str | None = None
    doc_number: str | None = None
    highlight: list[int] | None = None  # original [start, end) of the answering phrase

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(kw_only=True)
class DocumentAnswer:
    doc_id: str
    doc_title: str
    answer: str


@dataclass(kw_only=True)
class Answer:
    question: str
    question_type: str
    answer: str | None
    found: bool
    message: str
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)
    answers: list[DocumentAnswer] = field(default_factory=list)  # one per document when several answer
    took_ms: float = 0.0
    analysis: dict[str, Any] = field(default_factory=dict)
    # Probability that the answer is right (the ranker's, calibrated on the dev split); None when
    # nothing was answered.
    confidence: float | None = None
    # A listing of tasks as the task table's filter ({"agency", "role", "doc_id"}), so a reader can open
    # the same tasks there; None for other answers.
    task_filter: dict[str, str] | None = None

    def to_dict(self, with_analysis: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not with_analysis:
            d.pop("analysis")
        return d
