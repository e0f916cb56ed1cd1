"""A ranked candidate as an answer: its value with its clause quoted, and the other documents whose own
candidates also answer."""

from __future__ import annotations

from hoidap.indexer.search import SearchHit
from hoidap.service.intents import Intent
from hoidap.service.ranker import (
    Candidate,
)
from hoidap.service.records import Answer, DocumentAnswer
from hoidap.service.strategies import build
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.strategies.sections import with_list
from hoidap.service.understanding import (
    QueryAnalysis,
)


def ranked_answer(
    ctx: AnswerContext,
    q: str,
    a: QueryAnalysis,
    best: Candidate,
    cands: list[Candidate],
    hits: list[SearchHit],
    path: str,
    top_k: int,
) -> Answer:
    """The best candidate's value with its clause quoted; when the question names no document or
    province, each other document whose candidate also answers adds its own value and quote."""
    if path == "lookup" and best.value and best.value.rstrip().endswith(":"):
        best = with_list(ctx, best)
    top: SearchHit = best.hit  # type: ignore[assignment]
    per_doc = [best]
    if not a.doc_ids and not a.province:
        for c in cands:
            h: SearchHit = c.hit  # type: ignore[assignment]
            if (
                c.value
                and h.entry.doc_id not in {x.hit.entry.doc_id for x in per_doc}  # type: ignore[attr-defined]
                and also_answers(ctx, c, path)
                and (
                    h.score >= ctx.thresholds.multi_doc_ratio * top.score
                    or answers_for_another_place(ctx, c, per_doc, path)
                )
            ):
                per_doc.append(c)
    if len(per_doc) > 1:
        # Each document's answer in the corpus's order, so the same question typed another way (with
        # or without diacritics) lists the same answers alike, whatever candidate scored first.
        order = {d: i for i, d in enumerate(ctx.docs)}
        per_doc.sort(key=lambda c: order.get(c.hit.entry.doc_id, len(order)))  # type: ignore[attr-defined]
    citations = [ctx.hit_citation(c.hit, c.value) for c in per_doc]  # type: ignore[arg-type]
    intent = Intent.FIGURE if path == "figure" else a.intent
    confidence = round(best.probability, 3)
    if len(per_doc) == 1:
        where = "đoạn văn, không phải bảng nhiệm vụ" if path == "task" else None
        title = citations[0].doc_title
        return build.found(
            q,
            intent,
            best.value,
            f"Trích từ {title} ({where})." if where else f"Trích từ {title}.",
            citations,
            related=[ctx.hit_citation(h) for h in hits[:top_k] if h is not top][: top_k - 1],
            confidence=confidence,
        )
    answers = [
        DocumentAnswer(doc_id=c.hit.entry.doc_id, doc_title=c.hit.entry.doc_title, answer=c.value or "")  # type: ignore[attr-defined]
        for c in per_doc
    ]
    return build.found(
        q,
        intent,
        build.joined(answers),
        "Nhiều văn bản cùng trả lời; mỗi câu trả lời kèm văn bản của nó.",
        citations,
        answers=answers,
        confidence=confidence,
    )


def also_answers(ctx: AnswerContext, c: Candidate, path: str) -> bool:
    """Another document's candidate answers too: the ranker says so, or (its retrieval rank holds
    it down, every document's answer but one ranking below the first) the clause covers the
    question's words as well as a confident answer must and states no other year."""
    if c.probability >= ctx.ranker.threshold(path):
        return True
    f = c.features
    return f.get("coverage", 0.0) >= ctx.thresholds.multi_doc_min_coverage and not f.get("year_mismatch")


def answers_for_another_place(ctx: AnswerContext, c: Candidate, per_doc: list[Candidate], path: str) -> bool:
    """A figure asked without a place (issue 25 §4): a document of a province no answer speaks for yet
    answers for its province when its clause covers the question as fully as the chosen answer's,
    whatever its retrieval score (a long clause listing many targets scores low)."""
    if path != "figure":
        return False
    place = ctx.docs[c.hit.entry.doc_id].info.province  # type: ignore[attr-defined]
    places = {ctx.docs[x.hit.entry.doc_id].info.province for x in per_doc}  # type: ignore[attr-defined]
    return (
        place is not None
        and place not in places
        and c.features.get("coverage", 0.0) >= per_doc[0].features.get("coverage", 0.0)
    )
