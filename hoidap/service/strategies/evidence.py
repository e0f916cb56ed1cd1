"""The evidence fallback: when a structured path finds no record, the best clause of the scope answers if
the model is confident and the value is of the kind asked.
"""

from __future__ import annotations

from dataclasses import replace

from hoidap.corpus.agencies import strip_marker
from hoidap.corpus.normalize import fold
from hoidap.service.answer_types import fits, opens_with
from hoidap.service.ranker import (
    Candidate,
)
from hoidap.service.records import Answer
from hoidap.service.strategies.candidates import rank
from hoidap.service.strategies.context import AnswerContext
from hoidap.service.strategies.fields import prose_value
from hoidap.service.strategies.ranked import ranked_answer
from hoidap.service.strategies.task_record import FIELD_LABEL, item_hits
from hoidap.service.understanding import (
    QueryAnalysis,
)

# Document facts only the document's signature or a citing document can state. Its number and date are
# asked as often of a document it cites ("thực hiện Kế hoạch số mấy"): the clauses answer those.
OWN_FACTS = ("signer",)


def evidence_answer(
    ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int
) -> Answer | None:
    """The best clause of `scope` for the question, with the value its intent asks for when the
    clause states it (an agency, a date, a figure), else the sentence that answers, provided that
    value is of the kind asked (`answer_types`); None when the model is confident in none.

    A task number the parser did not read is still evidence: clauses labelled with it count first."""
    if a.intent == "document" and a.document_fact in OWN_FACTS:
        # A document's signer is printed in its signature, or where another document cites it (the
        # structured readers); a name in a clause elsewhere is some other person.
        return None
    hits = ctx.search(a.search_text or q, scope, max(top_k * 3, 15))
    hits = ctx.of_years(a, hits)
    labelled = item_hits(ctx, hits, a.task_ids) if a.task_ids else []
    if labelled or (a.task_ids and any(ctx.catalog.task_ids.get(d) for d in scope)):
        # A numbering read in scope without the item asked is evidence of absence (no hits). With none
        # read at all, the number may be printed in a form the parser does not read ("Mục 1.5.1.1.1", a row
        # of a table), so the clauses the question's words find are weighed as any.
        hits = labelled
    if not hits:
        return None
    kinds = a.expected_kinds
    if labelled and a.intent in FIELD_LABEL:
        # The item numbered as asked, read at question time: the same evidence a task record is (the
        # parser would have made one had it read the layout), so it answers as a record does when it
        # states the field in a form of the kind asked; its confidence is that path's dev accuracy.
        for h in hits:
            value = prose_value(a, h)
            if fits(value, kinds):
                known = ctx.ranker.path_confidence
                item = Candidate(
                    hit=h, value=value, probability=known.get("item", known.get("task_record", 0.0))
                )
                ctx.observe_record(a, "item")
                return ranked_answer(ctx, q, a, item, [item], hits, "task", top_k)
    path = {"lead": "task", "coordinating": "task", "deadline": "task", "figure": "figure"}.get(a.intent)
    if path is not None:
        cands = rank(ctx, q, a, hits, path)
        best = next((c for c in cands if c.value and fits(c.value, kinds)), None)
        if best is not None and best.probability >= ctx.ranker.threshold(path):
            ctx.observe_record(a, "evidence")
            return ranked_answer(ctx, q, a, best, cands, hits, path, top_k)
    if a.intent == "figure":  # a sentence without the figure does not answer "how much"
        return None
    floor = ctx.ranker.threshold("lookup")
    cands = rank(ctx, q, a, hits, "lookup")
    best = next((c for c in cands if c.probability >= floor and fits(c.value, kinds)), None)
    if best is None:
        return None
    body = assigned_body(a, best.hit, best.value or "")
    if body is not None:
        best = replace(best, value=body)
    ctx.observe_record(a, "evidence")
    return ranked_answer(ctx, q, a, best, cands, hits, "lookup", top_k)


def assigned_body(a: QueryAnalysis, hit: object, sentence: str) -> str | None:
    """For "ai …" answered by a clause whose sentence opens with no body or post ("4. Hỗ trợ các Đoàn
    trường …" under "Điều 11. Đoàn Thanh niên, Hội Sinh viên"): the one the clause assigns, read as a
    task's lead is read (its role phrase, its subject, its section's body), unless the question names it;
    the sentence stays quoted. A partner asked ("phối hợp với ai") keeps the sentence: a section's body or
    a sentence's subject is the one partnered, not the partner."""
    kinds = a.expected_kinds
    if a.intent != "lead" or opens_with(strip_marker(sentence), kinds):
        return None
    body = prose_value(a, hit)  # type: ignore[arg-type]
    return body if body and not _named_in(body, a) and fits(body, kinds) else None


def _named_in(body: str, a: QueryAnalysis) -> bool:
    key = " ".join(fold(body).lower().split())
    return key in a.folded.lower() or key in {fold(x).lower() for x in a.agencies}
