"""Strategy: the tasks of an agency (or due in a year, on a date), listed from the task records."""

from __future__ import annotations

from hoidap.corpus.deadlines import deadline_range
from hoidap.corpus.records import Task
from hoidap.service.intents import Intent
from hoidap.service.records import Answer, DocumentAnswer
from hoidap.service.strategies import build
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.strategies.lookup import lookup_answer
from hoidap.service.understanding import (
    QueryAnalysis,
)

# A listing of at most this many tasks gives their content, not only their numbers; each content is cut at
# this many characters. More would make the short answer a page long: the citations list the tasks whole.
SPELLED_OUT_TASKS = 3
SPELLED_OUT_CHARS = 240


def listing_answer(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer:
    roles = a.roles or ["lead", "coordinating"]
    wanted = set(a.agencies)
    if not wanted and not a.years and not a.dates:
        return lookup_answer(ctx, q, a, scope, top_k)
    selected: list[Task] = []
    for d in scope:
        for t in ctx.docs[d].tasks:
            if wanted:
                names = set()
                if "lead" in roles:  # a body that has another act ("Chỉ đạo Công an các xã …") owns the duty
                    names |= {ctx.catalog.canonical_agency(x) or x for x in t.lead + t.directing}
                if "coordinating" in roles:
                    names |= {ctx.catalog.canonical_agency(x) or x for x in t.coordinating}
                if not names & wanted:
                    continue
            if a.dates:  # "phải trình trước ngày 10/01/2025": tasks due on that date
                if deadline_range(t.deadline)[1] not in a.dates:
                    continue
            elif a.years and not (t.deadline and any(str(y) in t.deadline for y in a.years)):
                continue
            selected.append(t)
    if not selected:
        what = ", ".join(a.agencies) or "điều kiện đã nêu"
        return ctx.not_found(q, a, f"Không có nhiệm vụ nào khớp ({what}) trong phạm vi tìm.", scope, top_k)
    by_doc: dict[str, list[str]] = {}
    for t in selected:
        by_doc.setdefault(t.doc_id, []).append(t.task_id)
    if len(selected) <= SPELLED_OUT_TASKS:  # a few tasks: say what they are, not only their numbers
        parts = {
            d: "; ".join(f"{t.task_id}. {_cut(t.content)}" for t in selected if t.doc_id == d) for d in by_doc
        }
    else:
        parts = {d: ", ".join(ids) for d, ids in by_doc.items()}
    answer = "; ".join(f"{ctx.docs[d].info.short_title}: {part}" for d, part in parts.items())
    citations = [ctx.task_citation(t) for t in selected[: max(top_k, 20)]]
    return build.found(
        q,
        Intent.LISTING,
        answer,
        f"{len(selected)} nhiệm vụ khớp.",
        citations,
        answers=[
            DocumentAnswer(doc_id=d, doc_title=ctx.docs[d].info.short_title, answer=part)
            for d, part in parts.items()
        ],
        task_filter={
            "agency": a.agencies[0],
            "role": roles[0] if len(roles) == 1 else "any",
            "doc_id": scope[0] if len(scope) == 1 else "",
        }
        if len(a.agencies) == 1 and not a.years and not a.dates
        else None,
    )


def _cut(content: str) -> str:
    text = " ".join(content.split())
    return text if len(text) <= SPELLED_OUT_CHARS else text[:SPELLED_OUT_CHARS].rsplit(" ", 1)[0] + " …"


# Registered in `registry.STRATEGIES`: it answers a list of tasks.
NUMBERED_SCOPE = True  # the scope narrowed to the document whose task numbering counts


def applies(a: QueryAnalysis) -> bool:
    return a.intent == Intent.LISTING


def answer(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer | None:
    return ctx.recorded(a, "listing", listing_answer(ctx, q, a, scope, top_k))
