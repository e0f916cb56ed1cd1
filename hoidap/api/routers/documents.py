"""GET /documents and /documents/{doc_id}: the served documents' facts, counts and outline."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hoidap.api.deps import AUTH_ERRORS, service
from hoidap.api.schemas import ERRORS, NOT_FOUND
from hoidap.service.resources import DocumentDetail, DocumentSummary


def router() -> APIRouter:
    api = APIRouter()

    @api.get("/documents", response_model=list[DocumentSummary], responses={**ERRORS, **AUTH_ERRORS})
    def documents(request: Request) -> list[DocumentSummary]:
        """Các văn bản: thông tin manifest, số điều khoản, số nhiệm vụ, khoảng trống đánh số."""
        svc = service(request)
        return [svc.document_summary(d) for d in svc.docs.values()]

    @api.get(
        "/documents/{doc_id}",
        response_model=DocumentDetail,
        responses={**NOT_FOUND, **ERRORS, **AUTH_ERRORS},
    )
    def document(request: Request, doc_id: str) -> DocumentDetail:
        """Một văn bản: thông tin, dữ kiện in ở phần đầu/chữ ký, dàn ý điều khoản (không kèm nội dung)."""
        return service(request).document_detail(doc_id)

    return api
