"""Strategy: the figure of a year read from a table of yearly figures; the cell of a pipe table's row."""

from __future__ import annotations

from hoidap.corpus.grids import YearGrid, pipe_tables, year_grids
from hoidap.indexer.search import SearchHit
from hoidap.service.grid_lookup import grid_answer, row_value
from hoidap.service.intents import Intent
from hoidap.service.records import Answer, Citation, DocumentAnswer
from hoidap.service.strategies import build
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.understanding import (
    QueryAnalysis,
)


def table_row_value(ctx: AnswerContext, a: QueryAnalysis, h: SearchHit) -> tuple[str, float] | None:
    """The value a pipe table's row gives in the column the question names, and how much of the row's
    label the question holds (None: not a table row)."""
    e = h.entry
    tables = ctx._pipe.get(e.doc_id)
    if tables is None:
        tables = ctx._pipe[e.doc_id] = pipe_tables(ctx.docs[e.doc_id].original)
    for table in tables:
        if table.start <= e.char_start < table.end:
            row = next((r for r in table.rows if r.start <= e.char_start < r.end), None)
            return row_value(table, row, a.folded) if row is not None else None
    return None


def doc_year_grids(ctx: AnswerContext, doc_id: str) -> list[YearGrid]:
    grids = ctx._grids.get(doc_id)
    if grids is None:
        grids = ctx._grids[doc_id] = year_grids(ctx.docs[doc_id].original)
    return grids


def table_answer(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str]) -> Answer | None:
    """The figure of the asked year read from a table of yearly figures, each document's own."""
    found = []
    for d in scope:
        hit = grid_answer(doc_year_grids(ctx, d), a.folded, a.years)
        if hit is not None:
            found.append((d, hit))
    if not found:
        return None
    answers: list[DocumentAnswer] = []
    citations: list[Citation] = []
    for d, hit in found:
        doc = ctx.docs[d]
        first, last = hit.first, hit.values[-1]
        start, end = first.row_start, max(v.end for v in hit.values)
        clause = next((c for c in doc.clauses if c.char_start <= start < c.char_end), None)
        citation = ctx.citation(d, start, end, clause.breadcrumb if clause else "", 1.0)
        citation.highlight = [first.start, first.end] if first is last else [first.start, last.end]
        citations.append(citation)
        answers.append(DocumentAnswer(doc_id=d, doc_title=doc.info.short_title, answer=hit.text()))
    row = found[0][1].first
    title = " – ".join(x for x in (row.group, row.label) if x)
    text, several = build.one_or_several(answers)
    if several:
        message = "Nhiều văn bản có bảng số liệu này; mỗi con số kèm văn bản của nó."
    else:
        message = f"Đọc từ bảng số liệu theo năm (dòng «{title}»)."
    return build.found(q, Intent.FIGURE, text, message, citations, answers=several)
