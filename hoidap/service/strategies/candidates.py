"""The candidate answers of a ranked path (task field, figure, running-text lookup): the first clauses of
the search with the value each states, ranked by the learned model.
"""

from __future__ import annotations

import re
from dataclasses import replace

from hoidap.corpus.normalize import fold
from hoidap.corpus.records import Task
from hoidap.indexer.search import SearchHit
from hoidap.service.answer_types import fits
from hoidap.service.extract import (
    best_sentence,
    document_reference,
    figure_phrase,
    measure_fits,
)
from hoidap.service.frames import frame_value, heading_value, with_heading
from hoidap.service.line_labels import label_match
from hoidap.service.ranker import (
    Candidate,
    features,
    question_numbers,
)
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.strategies.fields import heading_subject, prose_value, task_field
from hoidap.service.strategies.sections import (
    as_printed,
    duty_hits,
    framed_hits,
    holder_hits,
    item_of,
    post_core,
    post_hits,
)
from hoidap.service.strategies.yearly_table import table_row_value
from hoidap.service.understanding import (
    QueryAnalysis,
)
from hoidap.service.vocabulary import patterns

_FIGURE_CELL_RE = re.compile(r"^[~≈≥≤<>]?\s*\d[\d.,]*(?:\s*%|\s+\w+|\s*$)(?!/)")  # "8.000.000 đồng", "45%"
_DUE_VALUE_RE = patterns().named["due_value"]
_SCENE_OPENING_RE = re.compile(r"^[\s\d.)(*+•-]*")  # a list marker before a sentence's opening date
# Candidates each path ranks, in retrieval order (a prior: a larger lookup pool gave one more question a
# right candidate on the development sets and no more right answers).
POOL_SIZES = {"task": 8, "figure": 10, "lookup": 5}
# Kinds of value asked (answer_types.json) for which the sentence that states one answers, of a clause.
SENTENCE_PICKING_KINDS = ("time", "date", "number")


def rank(
    ctx: AnswerContext,
    q: str,
    a: QueryAnalysis,
    hits: list[SearchHit],
    path: str,
    doc_kind: str | None = None,
) -> list[Candidate]:
    """The first clauses of `hits` with the value each states, ranked by the learned model;
    `doc_kind` ("ke hoach"): the value is the cited document of that kind."""
    pool, posts, duties = _pool(ctx, q, a, hits, path)
    q = a.search_text or q  # what was searched for is what a clause must cover
    content = ctx.content_words(q)
    weighted = [(t.replace("_", " "), w) for t, w in content]
    numbers = question_numbers(a.folded, a.years)
    asked_kind = doc_kind or (a.asked_document_kind if path == "lookup" else None)
    kinds = a.expected_kinds
    out: list[Candidate] = []
    for i, h in enumerate(pool):
        e = h.entry
        task = ctx.tasks.get((e.doc_id, e.task_id)) if e.task_id else None
        framed = None
        if a.frame is not None:
            around = f"{e.section} {ctx.folded_title(e.doc_id)} {e.text}"
            framed = with_heading(a.frame, frame_value(e.text, a.frame), around)
            # "… chi từ ngân sách cấp nào": the heading the clause stands under names it.
            framed = framed or heading_value(a.frame, e.section)
            # "- Hỗ trợ kết nối tiêu thụ …" under "7. Sở Công Thương": the body its heading names.
            framed = framed or heading_subject(a.frame, e.text, e.section)
        if e.entry_id in posts:  # "… giữ chức vụ gì": the post the member list gives the one named
            framed = (posts[e.entry_id], 1.0)
        value: str | None
        if path == "task":
            value, h = _task_value(ctx, a, pool, i, task)
        elif path == "figure":
            value, framed = _figure_value(ctx, a, h, numbers, framed)
        else:
            value, framed = _text_value(ctx, a, h, asked_kind, content, framed, e.entry_id in duties)
        # A duties section is its heading and its items: the heading names the body asked.
        covered = replace(h, entry=replace(e, text=f"{e.section} {e.text}")) if e.entry_id in duties else h
        values = [value]
        if (
            path == "task"
            and task is not None
            and framed
            and framed[0] != value
            and a.frame.wants_body
            and not a.frame.role_verb  # "ai chủ trì …": the record's own role fields know better
        ):
            # A record's lead is the subject of its first sentence; another sentence of it may state
            # the predicate asked with a subject of its own ("…; Sở Nội vụ theo dõi, đôn đốc …").
            values.append(framed[0])
        for value in values:
            feats = features(
                pool,
                i,
                coverage=ctx.coverage(q, covered, content),
                content_text=task.content if task is not None else e.text,
                heading_text=f"{e.section} {e.doc_title} {ctx.docs[e.doc_id].info.title}",
                weighted_words=weighted,
                numbers=numbers,
                year_mismatch=ctx.year_mismatch(a, h),
                value=value,
                task_row=task is not None,
                folded_question=a.folded,
                path=path,
                value_rank=sum(1 for c in out if c.value),
                frame=framed[1] if framed and framed[0] == value else 0.0,
                title_words=ctx.title_words(e.doc_id),
                duty_section=e.entry_id in duties,
                kind_mismatch=bool(value and kinds and not fits(value, kinds)),
                event_date=path != "figure" and _event_date(ctx, a, h, value),
                due_value=bool(a.asks_term and value and _DUE_VALUE_RE.match(fold(value).lower())),
                label_match=label_match(e.text, a.words, a.asked_labels),
                measure_match=bool(
                    path == "figure" and value and measure_fits(value, a.unit_kind, a.asked_measure)
                ),
            )
            out.append(Candidate(hit=h, value=value, task=task, features=feats))
    ranked = ctx.ranker.rank(out)
    if ctx.observer is not None:
        ctx.observer(a, path, ranked)
    return ranked


def _event_date(ctx: AnswerContext, a: QueryAnalysis, h: SearchHit, value: str | None) -> bool:
    """The value is when the document was written (its dateline, "Phù Mỹ Bắc, ngày 25 tháng 6 năm 2026")
    or, when the question asks a time something is due by, the date a sentence opens with to set its scene
    ("Ngày 03/01/2025, Phó Chủ tịch … chủ trì họp"): a time something happened, not one it is due by."""
    if not value:
        return False
    e = h.entry
    at = e.text.lower().find(value.lower())
    if at < 0:
        return False
    dateline = ctx.docs[e.doc_id].header.spans.get("date")
    if dateline and dateline[0] <= e.char_start + at < dateline[1]:
        return True
    if not a.asks_term:
        return False
    after = e.text[at + len(value) :].lstrip(" ")
    return not _SCENE_OPENING_RE.sub("", e.text[:at]) and after.startswith(",")


def _pool(
    ctx: AnswerContext, q: str, a: QueryAnalysis, hits: list[SearchHit], path: str
) -> tuple[list[SearchHit], dict[str, str], set[str]]:
    """The hits a path ranks: the first of the search, with the clauses read whole that state what is asked
    (a frame, a member's post, a body's duties); with the posts read (entry id -> post) and the entry ids of
    the duties sections."""
    pool = ctx.of_years(a, hits)[: POOL_SIZES[path]]
    if path != "task":
        pool = as_printed(ctx, pool)
    if a.frame is not None and (
        (path == "lookup" and (a.frame.holder or a.frame.names or a.frame.side == "copula"))
        or (path == "task" and a.frame.wants_body and not a.frame.role_verb)
    ):
        # The clauses of the best documents that state what is asked in its place ("X là cơ quan
        # thường trực …", "Theo đề nghị của X …"), wherever the search ranked them.
        pool += framed_hits(ctx, a.frame, pool)
    posts: dict[str, str] = {}
    if path == "lookup" and a.post_of:
        # The lines naming the one asked about go first: the member list states the post of no one else.
        found = post_hits(ctx, a.post_of, pool)
        posts = {h.entry.entry_id: post for h, post in found}
        pool = [h for h, _ in found] + pool
    elif path == "lookup" and (core := _asked_post(a)):
        # "Ai là Phó Trưởng ban …": the lines giving that very post, with their member; the search ranks a
        # line naming "Trưởng ban Công tác Mặt trận" as close.
        found = holder_hits(ctx, core, pool)
        posts = {h.entry.entry_id: member for h, member in found}
        pool = [h for h, _ in found] + pool
    duties: set[str] = set()
    if path == "lookup" and (a.asks_duties or a.asks_list):
        found = duty_hits(ctx, q, a, pool)
        duties = {h.entry.entry_id for h in found}
        for hit in found:
            # A section ranks where the best of its own clauses ranked, not after the whole pool.
            e = hit.entry
            at = next(
                (
                    j
                    for j, x in enumerate(pool)
                    if x.entry.doc_id == e.doc_id and e.char_start <= x.entry.char_start < e.char_end
                ),
                len(pool),
            )
            pool.insert(at, hit)
    return pool, posts, duties


def _asked_post(a: QueryAnalysis) -> str | None:
    """The post whose holder a question asks: "ai là Thư ký …", "Thư ký … là ai", or a question of keywords
    that opens with one ("thu ky ban bau cu dv10")."""
    if a.frame is not None:
        return post_core(" ".join(a.frame.words)) if a.frame.holder else None
    return post_core(a.folded) if a.intent == "lookup" and not a.has_wh_word else None


def _task_value(
    ctx: AnswerContext, a: QueryAnalysis, pool: list[SearchHit], i: int, task: Task | None
) -> tuple[str | None, SearchHit]:
    """The task field asked as the record holds it or the clause words it; the hit, widened to its item
    when only the item as a whole states the field (`pool[i]` is replaced by it)."""
    h = pool[i]
    field_value = task_field(task, a.intent, a) if task is not None else ""
    value = field_value or prose_value(a, h)
    if not value and task is None and (item := item_of(ctx, h)) is not None:
        # "2.3. Nghị quyết …" on one line, "Ban X chủ trì …, trình trong tháng 02/2026" on
        # the next: the item as a whole states the field its heading line does not.
        value = prose_value(a, item)
        if value:
            h = pool[i] = item
    return value, h


Framed = tuple[str, float] | None


def _figure_value(
    ctx: AnswerContext, a: QueryAnalysis, h: SearchHit, numbers: list[str], framed: Framed
) -> tuple[str | None, Framed]:
    """The figure a clause states (or a table row's cell in the column asked)."""
    terms = a.figure_terms or [a.keywords]
    fig = figure_phrase(h.entry.text, terms, a.unit_kind, numbers, a.asked_measure, a.folded, a.asked_rate)
    cell = table_row_value(ctx, a, h)
    if cell is not None and not _FIGURE_CELL_RE.match(cell[0]):
        cell = None  # the row's cells state no figure (a table of tasks, of documents)
    if cell is not None:  # a table row states its label and its value, as a frame does
        framed = cell
    return (cell[0] if cell else (fig[0] if fig else None)), framed


def _text_value(
    ctx: AnswerContext,
    a: QueryAnalysis,
    h: SearchHit,
    asked_kind: str | None,
    content: list[tuple[str, float]],
    framed: Framed,
    duty: bool,
) -> tuple[str | None, Framed]:
    """What a clause answers a running-text question with: the document of the kind asked it cites, the
    value the question's frame reads, a table cell, a duties section whole, else its best sentence."""
    e = h.entry
    value: str | None
    if asked_kind:
        value = document_reference(e.text, asked_kind, [t for t, _ in content], a.asked_issuer)
        if value and framed and value in framed[0]:
            framed = (value, framed[1])  # the reference the frame reads, without what follows it
        value = value or (framed[0] if framed else None)  # "thay thế nghị định nào": the one named
    elif framed:
        value = framed[0]
    elif cell := table_row_value(ctx, a, h):  # a table row: the cell of the column asked
        value, framed = cell[0], cell
    elif duty:  # the duties are the items under their heading, all of them
        value = " ".join(e.text.split())
    else:
        # Only a time or a number picks the sentence: almost any sentence names some body, so choosing one
        # that does for "ai …" would hide from the model that the clause's best sentence names none.
        kinds = [k for k in a.expected_kinds if k in SENTENCE_PICKING_KINDS]
        fitting = (lambda sentence: fits(sentence, kinds)) if kinds else None
        value = best_sentence(e.text, content, a.asks_list, a.folded, fitting)
    return value, framed
