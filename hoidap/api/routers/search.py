"""GET /search: clauses ranked for a query, with their quotes, offsets, scores and matched terms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from hoidap.api.deps import AUTH_ERRORS, param_types, service
from hoidap.api.schemas import ERRORS, MAX_DOC_IDS, TEXT_PATTERN, SearchMode
from hoidap.service.resources import SearchResult
from hoidap.settings import AnswerThresholds


def router(limits: AnswerThresholds) -> APIRouter:
    """The route, its query bounded by `limits` (length, k)."""
    api = APIRouter()

    @api.get("/search", response_model=list[SearchResult], responses={**ERRORS, **AUTH_ERRORS})
    @param_types(
        q=Annotated[
            str,
            Query(
                description="Nội dung tìm (có hoặc không dấu).",
                min_length=1,
                max_length=limits.max_question_chars,
                pattern=TEXT_PATTERN,
            ),
        ],
        k=Annotated[int, Query(ge=1, le=limits.max_top_k)],
    )
    def search(
        request: Request,
        q: str,
        k: int = 10,
        doc: Annotated[
            list[str] | None,
            Query(description="Giới hạn văn bản (lặp lại được).", max_length=MAX_DOC_IDS),
        ] = None,
        mode: SearchMode = SearchMode.hybrid,
    ) -> list[SearchResult]:
        """Các điều khoản xếp hạng, kèm trích dẫn nguyên văn, vị trí, điểm và từ khóa khớp."""
        return service(request).search(q, k=k, doc_ids=doc, mode=mode.value)

    return api
