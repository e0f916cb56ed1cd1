"""Strategy: a fact of a document as such (who signed it, its number, date, issuer, basis, period)."""

from __future__ import annotations

import re

from hoidap.corpus.normalize import fold
from hoidap.service.intents import Intent
from hoidap.service.records import Answer, Citation, DocumentAnswer
from hoidap.service.strategies import build
from hoidap.service.strategies.candidates import rank
from hoidap.service.strategies.context import AnswerContext, code_pattern
from hoidap.service.strategies.fact_values import PRINTED_DATE_RE, fact_value
from hoidap.service.strategies.ranked import ranked_answer
from hoidap.service.understanding import (
    QueryAnalysis,
)
from hoidap.service.vocabulary import vocabulary

# A document fact asked without naming the document: the document whose best passage outscores every
# other document's best by this factor is the one the question describes (priors, not fitted).
DOC_BY_CONTENT_HITS = 10
DOC_BY_CONTENT_MARGIN = 1.5
MIN_GUESS_WORDS = 3  # content words a question needs to describe a document it does not name
MAX_GUESSED_DOCS = 3  # documents alike enough to be answered side by side when none is named
UNKNOWN_DOC_TYPE = "van ban"  # the type given to a document whose own type was not read


def document_fact(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer:
    fact = a.document_fact or "signer"
    # "Chương trình 37-CTr/TU ban hành ngày nào" names the programme a plan implements, not the plan:
    # its date is where it is cited, unless the question also gives the plan's own number.
    own_number = any(
        (n := ctx.docs[d].info.number) and fold(n) in a.folded for d in a.doc_ids if d in ctx.docs
    )
    if fact == "date" and not own_number and (a.implements_refs or a.cited_refs):
        cited = cited_date(ctx, a.implements_refs + a.cited_refs)
        if cited is not None:
            return cited_answer(q, cited)
        if a.cited_refs:
            refs = ", ".join(a.cited_refs)
            return ctx.not_found(
                q,
                a,
                f"Kho văn bản không có {refs}; nơi trích dẫn nó không ghi ngày ban hành.",
                scope,
                top_k,
            )
    cited = cited_of_kind(ctx, q, a, scope, top_k) if fact in ("number", "date") and a.doc_ids else None
    if cited is not None:
        return cited
    if a.province and not a.doc_ids:  # "… của tỉnh Lâm Đồng": that province's own documents
        scope = [d for d in scope if d in ctx.catalog.docs_by_province.get(a.province, ())] or scope
    unnamed = len(scope) > 1 and not a.doc_ids  # the question names no document: which one it means
    named_kind = a.named_document_kind
    if unnamed and named_kind is not None and a.province:
        # "Chương trình hành động … của Quảng Ngãi do cơ quan nào ban hành": the province's documents of
        # the kind it names are meant (without a province, one described by its subject may be cited).
        of_kind = [d for d in scope if (doc_kind(ctx, d) or "").startswith(named_kind)]
        if 0 < len(of_kind) <= MAX_GUESSED_DOCS:  # it picks out a few; among many it says little
            scope, unnamed = of_kind, len(of_kind) > 1
    if unnamed:
        titled = ctx.titled(q, scope)
        if titled is not None:
            scope, unnamed = [titled], False
    if unnamed:
        kind = kind_asked(a) if fact in ("number", "date") else None
        if kind is not None:
            # "kế hoạch phát triển kinh tế tư nhân … số mấy": a document the texts cite, described by
            # its subject; the cited number (and date) whose context shares most with the question.
            hits = ctx.search(a.search_text or q, scope, top_k + 5)
            cands = rank(ctx, q, a, hits, "lookup", doc_kind=kind)
            if cands and cands[0].value and cands[0].probability >= ctx.ranker.threshold("lookup"):
                return ranked_answer(ctx, q, a, cands[0], cands, hits, "lookup", top_k)
        # A document the question names by number but the store lacks is not replaced by another.
        named_elsewhere = a.unknown_doc_refs or a.cited_refs or a.implements_refs
        by_content = [] if named_elsewhere else docs_by_content(ctx, q, a, scope)
        if not by_content:
            return ctx.not_found(
                q, a, "Câu hỏi chưa nêu văn bản nào; hãy nêu số hiệu hoặc tên văn bản.", scope, top_k
            )
        # The words of the question describe one document (or a few alike: two decisions forming two
        # election boards) far more than any other: each one's fact answers, said as a guess.
        scope, guessed = by_content, True
        cited = cited_of_kind(ctx, q, a, scope, top_k) if fact in ("number", "date") else None
        if cited is not None:
            return cited
    else:
        guessed = False
    return _facts_answer(ctx, q, a, fact, scope, top_k, guessed)


def _facts_answer(
    ctx: AnswerContext, q: str, a: QueryAnalysis, fact: str, scope: list[str], top_k: int, guessed: bool
) -> Answer:
    """The fact of each document in scope, read from its header, text or a citing document; `guessed`: the
    documents were chosen by the question's words, not named."""
    answers: list[DocumentAnswer] = []
    citations: list[Citation] = []
    missing: list[str] = []
    sources: list[str] = []
    for d in scope:
        value, cite, source = fact_value(ctx, d, fact, a)
        if value:
            sources.append(source)
            answers.append(DocumentAnswer(doc_id=d, doc_title=ctx.docs[d].info.short_title, answer=value))
            if cite:
                citations.append(cite)
        else:
            missing.append(ctx.docs[d].info.short_title)
    label = vocabulary().document_facts[fact]
    if not answers:
        return ctx.not_found(q, a, f"{', '.join(missing)}: văn bản không in {label}.", scope, top_k)
    text, several = build.one_or_several(answers)
    message = f"{label.capitalize()} lấy từ {sources[0]}."
    if missing:
        message += f" {', '.join(missing)} không in {label}."
    if guessed:
        chosen = ", ".join(ctx.docs[d].info.short_title for d in scope)
        message = f"Câu hỏi không nêu số hiệu; văn bản được chọn theo nội dung câu hỏi: {chosen}. {message}"
    confidence = ctx.ranker.path_confidence.get("document", 0.5) / DOC_BY_CONTENT_MARGIN if guessed else None
    return build.found(
        q,
        Intent.DOCUMENT,
        text,
        message,
        citations,
        answers=several,
        confidence=round(confidence, 3) if confidence is not None else None,
    )


def doc_kind(ctx: AnswerContext, doc_id: str) -> str | None:
    """A document's kind folded ("ke hoach"); None when its type was not read."""
    kind = fold(ctx.docs[doc_id].info.doc_type or "")
    return kind if kind and kind != UNKNOWN_DOC_TYPE else None


def kind_asked(a: QueryAnalysis) -> str | None:
    """The kind of document whose number or date is asked: the one the question asks to be named
    ("… theo tờ trình số mấy"), else the first kind it names."""
    asked = a.asked_document_kind
    if asked and asked != "van ban":
        return asked
    return a.named_document_kind


def cited_of_kind(
    ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int
) -> Answer | None:
    """ "Quyết định 353 ban hành theo tờ trình số mấy": the number asked is of another kind than the
    documents named, so it is a document they cite; the reference of that kind whose context shares
    most with the question, when the model trusts it."""
    kind = a.asked_document_kind
    if not kind or kind == "van ban":
        return None
    types = [doc_kind(ctx, d) for d in scope]
    if any(t is None or t.startswith(kind) or kind.startswith(t) for t in types):
        return None
    hits = ctx.search(a.search_text or q, scope, top_k + 5)
    cands = rank(ctx, q, a, hits, "lookup", doc_kind=kind)
    if not cands or not cands[0].value:
        return None
    # The one document of that kind the documents named cite is the answer, whatever its words.
    only = len({" ".join(fold(c.value).split()) for c in cands if c.value}) == 1
    if only or cands[0].probability >= ctx.ranker.threshold("lookup"):
        return ranked_answer(ctx, q, a, cands[0], cands, hits, "lookup", top_k)
    return None


def docs_by_content(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str]) -> list[str]:
    """The documents the question's words describe: the first few (at most MAX_GUESSED_DOCS) whose best
    passages outscore every other document's best by DOC_BY_CONTENT_MARGIN (a short letter has few
    passages, so its best one, not its count, is the evidence); [] when none stand out."""
    if len(ctx.content_words(a.search_text or q)) < MIN_GUESS_WORDS:
        return []  # "Văn bản này do ai ký?" describes no document
    best: dict[str, float] = {}
    for h in ctx.search(a.search_text or q, scope, DOC_BY_CONTENT_HITS):
        best[h.entry.doc_id] = max(best.get(h.entry.doc_id, 0.0), h.score)
    ranked = sorted(best.items(), key=lambda x: -x[1])
    if not ranked or ranked[0][1] <= 0:
        return []
    cut = next(
        (
            k
            for k in range(1, min(MAX_GUESSED_DOCS, len(ranked)) + 1)
            if k == len(ranked) or ranked[k - 1][1] >= DOC_BY_CONTENT_MARGIN * ranked[k][1]
        ),
        None,
    )
    if cut is None:
        return []
    # What the question says of the document must hold for it: a year it mentions, the kind it is.
    kind = a.named_document_kind
    out = []
    for doc_id, _ in ranked[:cut]:
        own = doc_kind(ctx, doc_id)
        if a.years and not ctx.mentions_years(doc_id, a.years):
            continue
        if kind is not None and own is not None and not own.startswith(kind):
            continue
        out.append(doc_id)
    return out


def cited_date(ctx: AnswerContext, refs: list[str]) -> tuple[str, Citation] | None:
    """The date a document the corpus cites carries where it is cited ("Nghị quyết số 29-NQ/TW
    ngày 17/11/2022 của Ban Chấp hành Trung ương"): the first citing clause that prints one."""
    for ref in refs:
        code = re.search(r"\d[\w.]*(?:\s*[/-]\s*[\w.]+)+", ref)
        if code is None:
            continue
        # Typed without marks, "qd-ttg" still finds "QĐ-TTg".
        pattern = code_pattern(fold(code.group(0)), either_d=True)
        rx = re.compile(rf"(?<![\w/]){pattern}(?![\w/])[\s,]*(?:{PRINTED_DATE_RE.pattern})", re.IGNORECASE)
        for doc in ctx.docs.values():
            m = rx.search(doc.original)
            if not m:
                continue
            date = PRINTED_DATE_RE.search(m.group(0))
            clause = next((c for c in doc.clauses if c.char_start <= m.start() < c.char_end), None)
            if date is None or clause is None:
                continue
            cite = ctx.citation(
                doc.doc_id,
                clause.char_start,
                clause.char_end,
                clause.breadcrumb,
                1.0,
                phrase=date.group(0),
            )
            return date.group(0), cite
    return None


def cited_answer(q: str, found: tuple[str, Citation]) -> Answer:
    value, cite = found
    message = f"Ngày ban hành đọc từ chỗ {cite.doc_title} trích dẫn văn bản này."
    return build.found(q, Intent.DOCUMENT, value, message, [cite])


# Registered in `registry.STRATEGIES`: it answers a fact of the document itself.
NUMBERED_SCOPE = False  # the scope narrowed to the document whose task numbering counts


def applies(a: QueryAnalysis) -> bool:
    return a.intent == Intent.DOCUMENT


def answer(ctx: AnswerContext, q: str, a: QueryAnalysis, scope: list[str], top_k: int) -> Answer | None:
    return ctx.recorded(a, "document", document_fact(ctx, q, a, scope, top_k))
