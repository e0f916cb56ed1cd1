"""POST /ask: a question answered with its citations (the service's `Answer` is the response)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hoidap.api.deps import AUTH_ERRORS, param_types, service
from hoidap.api.schemas import ERRORS, AskRequest, ask_request
from hoidap.service.records import Answer
from hoidap.settings import AnswerThresholds


def router(limits: AnswerThresholds) -> APIRouter:
    """The route, its body bounded by `limits` (question length, top_k)."""
    api = APIRouter()

    @api.post("/ask", response_model=Answer, responses={**ERRORS, **AUTH_ERRORS})
    @param_types(body=ask_request(limits))
    def ask(body: AskRequest, request: Request) -> Answer:
        """Trả lời một câu hỏi.

        `citations[0]` là căn cứ của câu trả lời; `found=false` (kèm `related`) khi không đủ căn cứ.
        """
        return service(request).ask(body.question, doc_ids=body.doc_ids or None, top_k=body.top_k)

    return api
