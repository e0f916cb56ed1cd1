"""Strategy: a task the question names by its number, answered from the parsed task records."""

from __future__ import annotations

import re
from dataclasses import replace

from hoidap.corpus.normalize import fold
from hoidap.corpus.records import Task
from hoidap.indexer.search import SearchHit
from hoidap.service.intents import Intent
from hoidap.service.ranker import (
    word_coverage,
)
from hoidap.service.records import Answer, Citation
from hoidap.service.strategies import build
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.strategies.fields import phrase, task_field
from hoidap.service.task_refs import TASK_CUES
from hoidap.service.understanding import (
    QueryAnalysis,
    gap_for,
    resolve_task_ids,
)

# A number, a roman numeral or a numbering cue ("khoản", "điều", "nhiệm vụ"): words that name a task by its
# place, not by what it is about.
_NUMBERING_WORD_RE = re.compile(rf"[\divxlc.()/-]+|{TASK_CUES}|dieu|chuong")

FIELD_LABEL = {
    "lead": "cơ quan chủ trì",
    "coordinating": "cơ quan phối hợp",
    "deadline": "thời gian thực hiện",
}


def with_namesakes(ctx: AnswerContext, a: QueryAnalysis, scope: list[str], tasks: list[Task]) -> list[Task]:
    """Tasks whose number repeats under other headings were renamed at parsing ("II.2.2",
    "2.2(1)"): a question giving the bare number may mean any of them."""
    out = list(tasks)
    refs = {r.casefold() for r in a.task_ids}
    for d in scope:
        out += [
            t for t in ctx.docs[d].tasks if t.printed_id and t.printed_id.casefold() in refs and t not in out
        ]
    return out


def _task_words(ctx: AnswerContext, t: Task) -> str:
    """What a task is about, for the question's words to cover: its text, headings and document title."""
    return f"{t.content} {t.breadcrumb} {ctx.docs[t.doc_id].info.title}"


def closest_tasks(ctx: AnswerContext, q: str, a: QueryAnalysis, tasks: list[Task]) -> list[Task]:
    """A number that several tasks share (tables numbered anew under each heading, or documents
    numbering alike): the ones whose text, headings and document title hold most of the question's
    words, when the question says what it is about."""
    if len(tasks) <= len(a.task_ids):
        return tasks
    weighted = [(t.replace("_", " "), w) for t, w in ctx.content_words(q)]
    scores = [word_coverage(weighted, _task_words(ctx, t)) for t in tasks]
    best = max(scores)
    if best <= 0:
        return tasks
    return [t for t, sc in zip(tasks, scores, strict=True) if sc >= best - 1e-9]


def _words_elsewhere(ctx: AnswerContext, q: str, a: QueryAnalysis, tasks: list[Task]) -> bool:
    """The tasks numbered as asked hold too little of what the question says besides the number
    (`record_min_coverage`); False when it says nothing else ("Ai chủ trì nhiệm vụ 5.4?")."""
    weighted = [
        (t.replace("_", " "), w)
        for t, w in ctx.content_words(a.search_text or q)
        if not _NUMBERING_WORD_RE.fullmatch(fold(t.replace("_", " ")).lower())
    ]
    if not weighted:
        return False
    best = max(word_coverage(weighted, _task_words(ctx, t)) for t in tasks)
    return best < ctx.thresholds.record_min_coverage


def from_tasks(ctx: AnswerContext, q: str, a: QueryAnalysis, tasks: list[Task], top_k: int) -> Answer:
    field_name = a.intent if a.intent in FIELD_LABEL else "lead" if a.intent == "listing" else None
    parts: list[str] = []
    citations: list[Citation] = []
    empty: list[Task] = []
    for t in tasks[:top_k]:
        value = task_field(t, field_name, a) if field_name else t.content
        if value:
            parts.append(f"{t.task_id}: {value}" if len(tasks) > 1 else value)
            citations.append(ctx.task_citation(t, phrase=phrase(t, field_name)))
        else:
            empty.append(t)
    label = FIELD_LABEL.get(field_name or "", "nội dung")
    if not parts:
        ids = ", ".join(t.task_id for t in empty)
        title = ctx.docs[empty[0].doc_id].info.short_title
        message = f"{title} không ghi {label} cho nhiệm vụ {ids}."
        return build.not_found(q, a.intent, message, [ctx.task_citation(t) for t in empty])
    message = f"Trả lời từ {ctx.doc_names(citations)}."
    if empty:
        message += f" Nhiệm vụ {', '.join(t.task_id for t in empty)} không ghi {label}."
    return build.found(
        q, a.intent, "; ".join(parts), message, citations, related=[ctx.task_citation(t) for t in empty]
    )


def missing_task(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer:
    ids = ", ".join(a.task_ids)
    gaps = [g for g in gap_for(a, ctx.catalog) if g[0] in scope]
    if gaps:
        doc_id, ref, gap = gaps[0]
        title = ctx.docs[doc_id].info.short_title
        msg = (
            f"Nhiệm vụ {ref} không có trong {title}: văn bản nhảy từ {gap.after} sang {gap.before} "
            f"({gap.note}). Hệ thống không lấy nhiệm vụ liền kề để trả lời thay."
        )
    else:
        where = (
            ", ".join(ctx.docs[d].info.short_title for d in scope)
            if len(scope) < len(ctx.docs)
            else "các văn bản trong kho"
        )
        msg = f"Không tìm thấy nhiệm vụ {ids} trong {where}."
    return ctx.not_found(q, a, msg, scope, top_k)


def item_hits(ctx: AnswerContext, hits: list[SearchHit], task_ids: list[str]) -> list[SearchHit]:
    """The hits inside the item numbered as asked. Clauses under that item's heading are one item
    (its text, its lead and its deadline may sit in separate lines): they are merged into one hit
    spanning the item, so the value is read from the item as a whole."""
    out: list[SearchHit] = []
    merged: set[tuple[str, str]] = set()  # (doc, section) of the items already merged
    for h in hits:
        e = h.entry
        how = labels_task(e.text, e.section, task_ids)
        if how is None:
            continue
        if how == "text":
            out.append(h)
            continue
        key = (e.doc_id, e.section)
        if key in merged:
            continue
        doc = ctx.docs[e.doc_id]
        inside = [c for c in doc.clauses if c.breadcrumb == e.section] or [e]
        start = min(min(c.char_start for c in inside), e.char_start)
        end = max(max(c.char_end for c in inside), e.char_end)
        item = replace(
            e,
            entry_id=f"{e.doc_id}:{start}-{end}",
            text=doc.original[start:end],
            char_start=start,
            char_end=end,
        )
        terms = list(
            dict.fromkeys(
                t
                for x in hits
                if x.entry.doc_id == e.doc_id and x.entry.section == e.section
                for t in x.matched_terms
            )
        )
        merged.add(key)
        out.append(replace(h, entry=item, matched_terms=terms))
    return out


def labels_task(text: str, section: str, task_ids: list[str]) -> str | None:
    """How a clause is the item numbered as asked: "text" when a line of it opens with the number
    ("2.5.", "2.5 |", "Nhiệm vụ 2.5:"), "section" when a heading of its section path does
    ("II. … > 2.5. Giám sát …"), else None."""
    for tid in task_ids:
        number = re.escape(tid.strip(". "))
        label = rf"(?:(?:nhiệm vụ|mục|điểm|khoản|điều)\s+)?{number}(?:[.):|\s]|$)"
        if re.search(rf"(?i)(?:^|[>›/])\s*{label}", section):
            return "section"
        if re.search(rf"(?im)^[\s|*+#>-]*{label}", text):
            return "text"
    return None


# Registered in `registry.STRATEGIES`: it answers a task named by its number.
NUMBERED_SCOPE = True  # the scope narrowed to the document whose task numbering counts


def applies(a: QueryAnalysis) -> bool:
    return bool(a.task_ids) and a.intent != Intent.DOCUMENT  # a document's facts are not a task's


def answer(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer | None:
    tasks = [
        ctx.tasks[(d, t)] for d in scope for t in resolve_task_ids(a, ctx.catalog, d) if (d, t) in ctx.tasks
    ]
    if tasks:
        tasks = closest_tasks(ctx, q, a, with_namesakes(ctx, a, scope, tasks))
        if not a.doc_ids and _words_elsewhere(ctx, q, a, tasks):
            return None  # evidence first: the question's words rank the clauses (`task_search`)
        return ctx.recorded(a, "task_record", from_tasks(ctx, q, a, tasks, top_k))
    return missing_task(ctx, q, a, scope, top_k)
