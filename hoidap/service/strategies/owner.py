"""Strategy: who leads a document as a whole, from the clause that assigns its implementation."""

from __future__ import annotations

from hoidap.service.extract import (
    owner_clause,
)
from hoidap.service.intents import Intent
from hoidap.service.records import Answer
from hoidap.service.strategies import build
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.understanding import (
    QueryAnalysis,
)


def owner_answer(ctx: AnswerContext, q: str, a: QueryAnalysis, doc_id: str) -> Answer | None:
    """Who leads the one document in scope as a whole, from the clause that assigns it."""
    doc = ctx.docs[doc_id]
    found = owner_clause([(c.text, c.breadcrumb) for c in doc.clauses])
    if found is None:
        return None
    clause, agency = doc.clauses[found[0]], found[1]
    citation = ctx.citation(
        doc_id, clause.char_start, clause.char_end, clause.breadcrumb, 1.0, clause.task_id, agency
    )
    message = f"Cơ quan chủ trì thực hiện {doc.info.short_title} (điều khoản giao tổ chức thực hiện)."
    return build.found(q, Intent.LEAD, agency, message, [citation])


# Registered in `registry.STRATEGIES`: it answers who leads the one document in scope.
NUMBERED_SCOPE = True  # the scope narrowed to the document whose task numbering counts


def applies(a: QueryAnalysis) -> bool:
    return a.intent == Intent.LEAD and a.asks_owner


def answer(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer | None:
    if len(scope) != 1:
        return None
    owner = owner_answer(ctx, q, a, scope[0])
    return ctx.recorded(a, "document", owner) if owner is not None else None
