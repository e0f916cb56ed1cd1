"""Strategy: who leads, who takes part or when, for a task the question describes in words: the best ranked
clause, its task record when it states the field, else the clause's own wording.
"""

from __future__ import annotations

from hoidap.indexer.search import SearchHit
from hoidap.service.answer_types import fits
from hoidap.service.intents import TASK_FIELDS
from hoidap.service.ranker import (
    Candidate,
)
from hoidap.service.records import Answer, DocumentAnswer
from hoidap.service.strategies import build
from hoidap.service.strategies.candidates import rank
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.strategies.fields import phrase, task_field
from hoidap.service.strategies.ranked import also_answers, ranked_answer
from hoidap.service.strategies.task_record import FIELD_LABEL, from_tasks
from hoidap.service.understanding import (
    QueryAnalysis,
)


def task_by_search(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer:
    """The best ranked clause answers: its task record when it states the field asked for, else
    the field as the clause's own wording states it (role phrase, date)."""
    all_hits = ctx.search(a.search_text or q, scope, max(top_k * 3, 15))
    cands = rank(ctx, q, a, all_hits, "task")
    floor = ctx.ranker.threshold("task")
    kinds = a.expected_kinds  # "ngày nào" is not "hằng năm"
    best = next((c for c in cands if c.value and fits(c.value, kinds)), None)
    if best is not None and best.probability >= floor:
        if best.task is None or task_field(best.task, a.intent, a) != best.value:
            # No record field, or another subject of the record's text states the predicate asked.
            return ranked_answer(ctx, q, a, best, cands, all_hits, "task", top_k)
        answer = task_answer(ctx, q, a, best.hit, all_hits, top_k, cands)  # type: ignore[arg-type]
        answer.confidence = round(best.probability, 3)
        return answer
    top = cands[0] if cands else None
    if top is not None and top.task is not None and top.probability >= floor:
        # The task asked about is found but does not state the field: say so.
        answer = task_answer(ctx, q, a, top.hit, all_hits, top_k, cands)  # type: ignore[arg-type]
        answer.confidence = round(top.probability, 3)
        return answer
    field = FIELD_LABEL.get(a.intent, "nội dung được hỏi")
    return ctx.not_found(
        q,
        a,
        f"Không đoạn nào trong phạm vi nêu đủ chắc chắn {field} cho việc được hỏi; "
        "các đoạn gần nhất được liệt kê để đối chiếu.",
        scope,
        top_k,
    )


def task_answer(
    ctx: AnswerContext,
    q: str,
    a: QueryAnalysis,
    top: SearchHit,
    all_hits: list[SearchHit],
    top_k: int,
    cands: list[Candidate],
) -> Answer:
    hits = [h for h in all_hits if h.entry.task_id]
    chosen = [top]
    # Another document answers too when its best task is itself a confident answer, close in score.
    others = [c for c in cands if c.task is not None and c.value and c.hit is not top]
    for c in others:
        h: SearchHit = c.hit  # type: ignore[assignment]
        if (
            h.entry.doc_id not in {x.entry.doc_id for x in chosen}
            and also_answers(ctx, c, "task")
            and h.score >= ctx.thresholds.multi_doc_ratio * top.score
            and not a.doc_ids
            and not a.province
        ):
            chosen.append(h)
    tasks = [
        ctx.tasks[(h.entry.doc_id, h.entry.task_id)]
        for h in chosen
        if (h.entry.doc_id, h.entry.task_id) in ctx.tasks
    ]
    answer = from_tasks(ctx, q, a, tasks[:1], top_k)
    if len(tasks) > 1 and answer.found:
        answer.answers = [
            DocumentAnswer(
                doc_id=tasks[0].doc_id,
                doc_title=ctx.docs[tasks[0].doc_id].info.short_title,
                answer=answer.answer or "",
            )
        ]
        for t in tasks[1:]:
            value = task_field(t, a.intent, a)
            if value:
                answer.answers.append(
                    DocumentAnswer(
                        doc_id=t.doc_id, doc_title=ctx.docs[t.doc_id].info.short_title, answer=value
                    )
                )
                answer.citations.append(ctx.task_citation(t, phrase=phrase(t, a.intent)))
        if len(answer.answers) > 1:
            answer.answer = build.joined(answer.answers)
            answer.message = "Nhiều văn bản cùng trả lời; mỗi câu trả lời kèm văn bản của nó."
    answer.related = [ctx.hit_citation(h) for h in hits[: top_k + 1] if h not in chosen][:top_k]
    return answer


# Registered in `registry.STRATEGIES`: it answers a task field of a task described in words.
NUMBERED_SCOPE = True  # the scope narrowed to the document whose task numbering counts


def applies(a: QueryAnalysis) -> bool:
    return a.intent in TASK_FIELDS


def answer(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer | None:
    return task_by_search(ctx, q, a, scope, top_k)
