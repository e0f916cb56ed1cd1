"""Strategy: any other question, answered with the sentence (or value) of the best ranked clause."""

from __future__ import annotations

from hoidap.service.answer_types import fits
from hoidap.service.records import Answer
from hoidap.service.strategies import build
from hoidap.service.strategies.candidates import rank
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.strategies.figure import figure_answer
from hoidap.service.strategies.ranked import ranked_answer
from hoidap.service.strategies.yearly_table import table_answer
from hoidap.service.understanding import (
    QueryAnalysis,
)


def lookup_answer(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer:
    if a.years:  # "sản lượng cá chẽm năm 2028": a row and a year of a table of yearly figures
        table = table_answer(ctx, q, a, scope)
        if table is not None:
            return table
        if not a.has_wh_word:
            # Keywords naming a measure and a year ("GRDP bình quân đầu người 2030") ask for its figure.
            figure = figure_answer(
                ctx, q, a, scope, top_k, min_coverage=ctx.thresholds.multi_doc_min_coverage
            )
            if figure.found:
                return figure
    hits = ctx.search(a.search_text or q, scope, top_k + 5)
    cands = rank(ctx, q, a, hits, "lookup")
    # The sentence must be of the kind the question asks ("ai là Trưởng ban" a person, "bao nhiêu" a
    # number), as in the evidence fallback; a confident clause of another kind does not answer.
    kinds = a.expected_kinds
    floor = ctx.ranker.threshold("lookup")
    best = next((c for c in cands if c.probability >= floor and fits(c.value, kinds)), None)
    if best is None:
        return build.not_found(
            q,
            a.intent,
            "Không tìm thấy nội dung trả lời câu hỏi này trong các văn bản. "
            "Các đoạn gần nhất được liệt kê để tham khảo.",
            [ctx.hit_citation(h) for h in hits[:top_k]],
        )
    return ranked_answer(ctx, q, a, best, cands, hits, "lookup", top_k)


# Registered in `registry.STRATEGIES`: it answers any question (the last strategy).
NUMBERED_SCOPE = True  # the scope narrowed to the document whose task numbering counts


def applies(_a: QueryAnalysis) -> bool:
    return True


def answer(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer | None:
    return lookup_answer(ctx, q, a, scope, top_k)
