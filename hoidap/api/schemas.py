"""Request schemas, the error response, and Vietnamese messages for validation errors of the HTTP API."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from hoidap.settings import AnswerThresholds

MAX_FILTER_CHARS = 200  # task id, agency, deadline, document id
MAX_DOC_IDS = 100

# Text inputs are declared with the same bounds the service enforces, so the OpenAPI schema and the
# validation agree (a fuzzer generating "valid by schema" input gets an answer, not a 422): no control
# characters other than tab/newlines, and (for questions) at least one non-blank character, since the
# service strips blanks and refuses an empty question. `\xHH`/`\uHHHH` read the same in pydantic's
# Rust regex and in the ECMA regexes of JSON Schema tools. Lone surrogates are refused by pydantic
# itself (`string_unicode`) once a pattern is set.
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BLANK = r" \t\n\r\x0b\x0c\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
TEXT_PATTERN = f"^[^{_CONTROL}]*[^{_CONTROL}{_BLANK}][^{_CONTROL}]*$"
FILTER_PATTERN = f"^[^{_CONTROL}]*$"

QuestionText = Annotated[str, Field(min_length=1, pattern=TEXT_PATTERN)]  # its length: the settings'
DocId = Annotated[str, Field(min_length=1, max_length=MAX_FILTER_CHARS, pattern=FILTER_PATTERN)]


def _integral_float(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# --- request schemas (routes declare them, and the service's records as responses, for /docs) ---
# Responses are the service's own records (hoidap.service.records and .resources); only requests,
# errors and their enums are declared here.


class AskRequest(BaseModel):
    """The /ask body; the app validates with `ask_request(settings.answer)`, which adds the limits."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"question": "Ai chủ trì nhiệm vụ 5.4?", "top_k": 5}]},
    )

    question: QuestionText = Field(description="Câu hỏi tiếng Việt, có hoặc không dấu.")
    doc_ids: list[DocId] | None = Field(
        default=None, max_length=MAX_DOC_IDS, description="Chỉ tìm trong các văn bản này."
    )
    # Strict (no "5", no true), but 5.0 is an integer to JSON Schema, so it is one here too.
    top_k: Annotated[int, BeforeValidator(_integral_float)] = Field(
        default=5, ge=1, strict=True, description="Số trích dẫn / đoạn liên quan tối đa."
    )


@cache
def ask_request(limits: AnswerThresholds) -> type[AskRequest]:
    """`AskRequest` bounded by `limits` (the served settings' `answer`), so that an override reaches
    validation and /docs alike; the base field's other constraints and description are kept."""
    fields, chars = AskRequest.model_fields, limits.max_question_chars
    about = f"Câu hỏi tiếng Việt, có hoặc không dấu (tối đa {chars} ký tự)."
    return create_model(
        "AskRequest",
        __base__=AskRequest,
        __module__=__name__,
        question=Annotated[str, fields["question"], Field(max_length=chars, description=about)],
        # The bound ahead of the base field's BeforeValidator: after it, JSON Schema would say "le", not
        # "maximum".
        top_k=Annotated[int, Field(le=limits.max_top_k), fields["top_k"]],
    )


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


def _short(value: object, limit: int = 60) -> str:
    """A client-sent name or value cut short, so no error message echoes a huge input."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _field(loc: tuple[Any, ...]) -> str:
    names = [_short(x) for x in loc[1:] if not isinstance(x, int)] or [_short(loc[0]) if loc else "?"]
    name = FIELD_NAMES.get(names[0], names[0])
    return f"Mỗi phần tử của {name}" if any(isinstance(x, int) for x in loc[1:]) else name


def vietnamese_error(err: dict[str, Any]) -> tuple[str, int]:
    """(message, status) for one pydantic error."""
    kind = err.get("type", "")
    loc = tuple(err.get("loc", ()))
    ctx = err.get("ctx") or {}
    name = _field(loc)
    if kind == "json_invalid":
        # The parser's reason is English; the position (loc[1]) is what helps.
        where = f" (lỗi ở ký tự {loc[1]})" if len(loc) > 1 and isinstance(loc[1], int) else ""
        return f"Nội dung yêu cầu không phải JSON hợp lệ{where}.", 400
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
    if kind == "string_unicode":
        return f"{name} chứa ký tự không hợp lệ (mã UTF-16 đơn lẻ); hãy gửi văn bản Unicode hợp lệ.", 422
    if kind == "string_pattern_mismatch":
        value = err.get("input")
        if isinstance(value, str) and not value.strip():
            return f"{name} không được để trống.", 422
        return f"{name} chứa ký tự điều khiển không hợp lệ.", 422
    if kind == "string_type":
        return f"{name} phải là chuỗi ký tự.", 422
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{name} phải là số nguyên.", 422
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        # The bound comes with the error: the app's own limit (its settings), not a copy kept here.
        if "le" in ctx:
            return f"{name} tối đa là {ctx['le']}.", 422
        if "ge" in ctx:
            return f"{name} phải từ {ctx['ge']} trở lên.", 422
        return f"{name} nằm ngoài khoảng cho phép.", 422
    if kind in ("list_type", "tuple_type"):
        return f"{name} phải là danh sách.", 422
    if kind == "too_long":
        return f"{name} có quá nhiều phần tử (tối đa {ctx.get('max_length')}).", 422
    if kind in ("enum", "literal_error"):
        return f"{name} phải là một trong: {', '.join(m.value for m in SearchMode)}.", 422
    if kind == "string_too_short":
        return f"{name} không được để trống.", 422
    if kind == "string_too_long":
        return f"{name} quá dài (tối đa {ctx.get('max_length')} ký tự).", 422
    return f"Giá trị của {name} không hợp lệ.", 422


def error_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where and what, without the input itself (it may be megabytes); at most 20 errors."""
    return [
        {
            "loc": [x if isinstance(x, int) else _short(x) for x in e.get("loc", ())],
            "type": e.get("type"),
            "msg": _short(e.get("msg"), 300),
        }
        for e in errors[:20]
    ]
