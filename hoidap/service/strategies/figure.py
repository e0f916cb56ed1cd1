"""Strategy: a figure (a target, a rate, an amount) read from the clause that states it."""

from __future__ import annotations

from hoidap.service.intents import Intent
from hoidap.service.records import Answer
from hoidap.service.strategies.candidates import rank
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.strategies.ranked import ranked_answer
from hoidap.service.strategies.yearly_table import table_answer
from hoidap.service.understanding import (
    QueryAnalysis,
)


def figure_answer(
    ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int, min_coverage: float = 0.0
) -> Answer:
    """`min_coverage`: keywords not asking for a figure (the ranker learnt from questions that do)
    take one only from a clause covering them as well as a confident answer must."""
    hits = ctx.search(a.search_text or q, scope, max(top_k * 3, 15))
    floor = ctx.ranker.threshold("figure")
    cands = rank(ctx, q, a, hits, "figure")
    good = [
        c
        for c in cands
        if c.value and c.probability >= floor and c.features.get("coverage", 0.0) >= min_coverage
    ]
    if not good or good[0].features.get("year_mismatch"):
        # The year asked about may be a column of a table of yearly figures.
        table = table_answer(ctx, q, a, scope)
        if table is not None:
            return table
    if not good:
        if any(c.value and not c.features.get("year_mismatch") for c in cands[:3]):
            # A close clause states a figure, not confidently the one asked: saying the documents
            # hold none would be false.
            msg = (
                "Chưa đủ chắc chắn để trả lời: các đoạn gần nhất có nêu con số nhưng có thể không phải "
                "con số được hỏi; xem các đoạn liên quan bên dưới."
            )
        elif a.years:
            msg = f"Văn bản không nêu con số này cho năm {', '.join(map(str, a.years))}."
        else:
            msg = "Văn bản không nêu con số cho câu hỏi này."
        return ctx.not_found(q, a, msg, scope, top_k)
    return ranked_answer(ctx, q, a, good[0], cands, hits, "figure", top_k)


# Registered in `registry.STRATEGIES`: it answers a figure.
NUMBERED_SCOPE = True  # the scope narrowed to the document whose task numbering counts


def applies(a: QueryAnalysis) -> bool:
    return a.intent == Intent.FIGURE


def answer(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer | None:
    return figure_answer(ctx, q, a, scope, top_k)
