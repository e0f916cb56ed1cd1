"""What the service returns: answers with their citations, and the errors it raises for the user.

`Answer`, `Citation` and `DocumentAnswer` are also the HTTP API's response models (FastAPI reads a
dataclass through pydantic): the field notes below are the API's documentation, and every field is
said to be present in a response, as it is.
"""

from __future__ import annotations

import errno
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, Protocol

from pydantic import ConfigDict, Field

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
        self,
        query: str,
        k: int = 10,
        doc_ids: list[str] | None = None,
        mode: str = "hybrid",
        dense_query: str | None = None,
    ) -> list[SearchHit]: ...


# In the API's schema every field of a response is required (a default only fills a record built in code).
_RESPONSE = ConfigDict(json_schema_serialization_defaults_required=True)


@dataclass(kw_only=True)
class Citation:
    __pydantic_config__ = _RESPONSE

    doc_id: str
    doc_title: str
    section: str
    quote: Annotated[str, Field(description="Đúng nguyên văn: original[char_start:char_end].")]
    char_start: int
    char_end: int
    score: float
    task_id: str | None = None
    doc_number: str | None = None
    # Original [start, end) of the answering phrase.
    highlight: Annotated[list[int] | None, Field(description="[start, end) của cụm trả lời.")] = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(kw_only=True)
class DocumentAnswer:
    __pydantic_config__ = _RESPONSE

    doc_id: str
    doc_title: str
    answer: str


@dataclass(kw_only=True)
class Answer:
    __pydantic_config__ = _RESPONSE

    question: str
    question_type: str
    answer: str | None
    found: bool
    message: str
    citations: Annotated[list[Citation], Field(description="citations[0] là căn cứ của câu trả lời.")] = (
        field(default_factory=list)
    )
    related: list[Citation] = field(default_factory=list)
    # One per document when several answer.
    answers: Annotated[
        list[DocumentAnswer], Field(description="Câu trả lời theo từng văn bản khi có nhiều.")
    ] = field(default_factory=list)
    took_ms: float = 0.0
    # How the question was read (`to_dict(with_analysis=True)`); not part of the API's response.
    analysis: Annotated[dict[str, Any], Field(exclude=True)] = field(default_factory=dict)
    # Probability that the answer is right (the ranker's, calibrated on the dev split); None when
    # nothing was answered.
    confidence: Annotated[
        float | None,
        Field(
            ge=0,
            le=1,
            description=(
                "Độ tin cậy (xác suất đúng do mô hình ước lượng, kiểm chéo giữ riêng cả văn bản); "
                "null khi không trả lời."
            ),
        ),
    ] = None
    # A listing of tasks as the task table's filter ({"agency", "role", "doc_id"}), so a reader can open
    # the same tasks there; None for other answers.
    task_filter: Annotated[
        dict[str, str] | None,
        Field(
            description=(
                "Với câu trả lời liệt kê nhiệm vụ của một cơ quan: bộ lọc tương ứng của /tasks "
                '({"agency", "role", "doc_id"}).'
            )
        ),
    ] = None

    def to_dict(self, with_analysis: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not with_analysis:
            d.pop("analysis")
        return d
