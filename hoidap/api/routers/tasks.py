"""GET /tasks and /tasks/{doc_id}/{task_id}: tasks with their agencies and deadline, and their quote."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from hoidap.api.deps import AUTH_ERRORS, service
from hoidap.api.schemas import ERRORS, FILTER_PATTERN, MAX_DOC_IDS, MAX_FILTER_CHARS, NOT_FOUND
from hoidap.service.filters import TaskFilter
from hoidap.service.resources import TaskRecord


def _filter(description: str) -> Any:
    return Query(description=description, max_length=MAX_FILTER_CHARS, pattern=FILTER_PATTERN)


def router() -> APIRouter:
    api = APIRouter()

    @api.get("/tasks", response_model=list[TaskRecord], responses={**ERRORS, **AUTH_ERRORS})
    def tasks(
        request: Request,
        doc: Annotated[
            list[str] | None, Query(description="Mã văn bản (lặp lại được).", max_length=MAX_DOC_IDS)
        ] = None,
        id: Annotated[str | None, _filter("Số hiệu nhiệm vụ, ví dụ 5.4 hoặc II.2.đ-1.")] = None,
        agency: Annotated[
            str | None, _filter("Cơ quan chủ trì hoặc phối hợp (không phân biệt dấu, viết tắt được).")
        ] = None,
        deadline: Annotated[
            str | None, _filter("Thời hạn chứa chuỗi này, hoặc năm (2020), hoặc khoảng năm (2025-2027).")
        ] = None,
    ) -> list[TaskRecord]:
        """Danh sách nhiệm vụ (cơ quan chủ trì, phối hợp, thời hạn) kèm trích dẫn nguyên văn."""
        flt = TaskFilter(doc_ids=tuple(doc or ()), task_id=id, agency=agency, deadline=deadline)
        return service(request).task_records(flt)

    @api.get(
        "/tasks/{doc_id}/{task_id:path}",
        response_model=TaskRecord,
        responses={**NOT_FOUND, **ERRORS, **AUTH_ERRORS},
    )
    def task(
        request: Request,
        doc_id: str,
        task_id: Annotated[str, Path(description="Số hiệu nhiệm vụ (mã hóa URL), ví dụ II.2.%C4%91-1")],
    ) -> TaskRecord:
        """Một nhiệm vụ; 404 nếu không có (nói rõ khi số hiệu rơi vào khoảng trống đánh số)."""
        return service(request).task_record(doc_id, task_id)

    return api
