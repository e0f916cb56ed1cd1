"""Answering: question understanding + records + retrieval -> a short answer with exact quotes.

No generative model: structured questions (lead, coordinating, deadline, listing) are
answered from task records, figures from the phrase holding the figure, document facts
from the parsed header/signature or the manifest, and everything else with the best
sentence of the best clause. Weak evidence, unknown documents and task numbers that the
document does not have give `found = False` and the nearest clauses as `related`.

Each kind of answer is a strategy (`hoidap.service.strategies`), tried in the order of its registry;
`Answerer` decides the scope, runs them and falls back to the clauses' evidence.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace

from hoidap.corpus.normalize import fold
from hoidap.corpus.vocab import find_provinces, name_key
from hoidap.service.query_ahead import QueryAhead
from hoidap.service.records import Answer, QuestionError, Searcher
from hoidap.service.strategies.context import _DEFERRED_RELATED, _SEARCHED, DENSE_TEXT, AnswerContext
from hoidap.service.strategies.evidence import evidence_answer
from hoidap.service.strategies.registry import STRATEGIES
from hoidap.service.understanding import QueryAnalysis, gap_for, resolve_task_ids

__all__ = ["Answerer", "Searcher"]  # Searcher: the protocol the eval's baselines import from here

# Said with an answer the clauses gave after the structured path found no record for it.
WIDENED_NOTE = (
    "Văn bản mà các từ trong câu hỏi gợi tới không nêu điều này; câu trả lời lấy từ văn bản khác trong kho."
)
FALLBACK_NOTE = (
    "Mục này chưa được đọc thành bản ghi có cấu trúc (nhiệm vụ, thông tin văn bản); "
    "câu trả lời lấy từ đoạn văn khớp nhất, hãy đối chiếu trích dẫn."
)


class Answerer(AnswerContext):
    """Answers questions over parsed documents and a search index; thread-safe."""

    # --- public -----------------------------------------------------------------------------

    def validate(self, question: str, doc_ids: list[str] | None, top_k: int) -> str:
        q = (question or "").strip()
        if not q:
            raise QuestionError("Câu hỏi đang trống. Hãy nhập câu hỏi, ví dụ: Ai chủ trì nhiệm vụ 5.4?")
        limit = self.thresholds.max_question_chars
        if len(q) > limit:
            raise QuestionError(f"Câu hỏi quá dài ({len(q)} ký tự, tối đa {limit}).")
        if not 1 <= top_k <= self.thresholds.max_top_k:
            raise QuestionError(f"top_k phải trong khoảng 1-{self.thresholds.max_top_k}.")
        unknown = [d for d in doc_ids or [] if d not in self.docs]
        if unknown:
            raise QuestionError(
                f"Không có văn bản {', '.join(unknown)}. Các văn bản hiện có: {', '.join(self.docs)}"
            )
        return q

    def ask(self, question: str, doc_ids: list[str] | None = None, top_k: int = 5) -> Answer:
        """Answer one question.

        Args:
            question: Vietnamese, with or without diacritics.
            doc_ids: restrict to these documents.
            top_k: how many citations/related clauses at most.

        Returns:
            Answer; `citations[0]` backs `answer` when found.

        Raises:
            QuestionError: empty/oversized question, top_k out of range, unknown doc id.
        """
        t0 = time.perf_counter()
        q = self.validate(question, doc_ids, top_k)
        # The text to be searched is encoded on a worker while this thread analyses the question and
        # reads the records: the question as typed, then what its analysis leaves to search (issue 26).
        ahead = QueryAhead(self.searcher, self.mode)
        deferred: list[tuple[Answer, str, list[str], int]] = []
        token = _DEFERRED_RELATED.set(deferred)
        searched = _SEARCHED.set({})
        dense = None
        try:
            ahead.expect(q)
            a = self.analyze(q)
            first = self.search_query(a.search_text or q, self.scope(a, doc_ids or []))
            if ahead.started:  # else no worker or core is free: nothing to predict for
                ahead.expect(first)
            # One query vector per question: every search of this answer embeds the text searched first (a
            # scope's title words left out, a loosely named document asked again with the full question:
            # the lexical side searches each text as it is).
            dense = DENSE_TEXT.set(first)
            result = self._answer(q, a, doc_ids or [], top_k)
            for answer, query, scope, k in deferred:
                if answer is result:  # the others were replaced: their related clauses are never shown
                    answer.related = self.related(query, scope, k)
        finally:
            if dense is not None:
                DENSE_TEXT.reset(dense)
            _DEFERRED_RELATED.reset(token)
            _SEARCHED.reset(searched)
            ahead.release()
        result.took_ms = round((time.perf_counter() - t0) * 1000, 1)
        result.analysis = a.to_dict()
        return result

    def _answer(self, q: str, a: QueryAnalysis, doc_ids: list[str], top_k: int) -> Answer:
        """The answer in the scope the question names; a document named only by title words (or the one
        document of a province) is evidence, not a gate: every stored document is searched too, and the
        more confident answer stands, for the same words often name the subject of a task ("chủ trì nghị
        quyết về đẩy mạnh …") and not a stored document."""
        result = self._answer_in_scope(q, a, doc_ids, top_k)
        if doc_ids or not a.loose_doc_ids or a.intent == "document":
            return result
        if any(d not in a.loose_doc_ids for d in a.doc_ids):
            return result  # a document named by its number holds the scope
        # The document's title words were evidence of where to look; a weak answer there competes with the
        # best answer anywhere, which the same words still rank.
        wider = replace(a, doc_ids=[], loose_doc_ids=[], search_text=a.normalized)
        again = self._answer_in_scope(q, wider, doc_ids, top_k)
        if not again.found or (result.found and (result.confidence or 0.0) >= (again.confidence or 0.0)):
            return result
        again.message = f"{again.message} {WIDENED_NOTE}"
        return again

    def _answer_in_scope(self, q: str, a: QueryAnalysis, doc_ids: list[str], top_k: int) -> Answer:
        """Evidence first: the structured paths (task records, document facts, listings, figures) propose
        an answer; when they find none, the scope's clauses are ranked with the question's words and the
        calibrated model decides. A structured "not found" stands only when absence is itself evidenced
        (a numbering gap around the task asked, a document or province no stored text mentions)."""
        structured = self._structured(q, a, doc_ids, top_k)
        if structured.found or self._absence_evidenced(a, doc_ids):
            return structured
        fallback = evidence_answer(self, q, a, self._evidence_scope(a, doc_ids), top_k)
        if fallback is None:
            return structured
        # The structured path's reason ("no task 2.5 found") is not true of the text: say what happened.
        fallback.message = f"{fallback.message} {FALLBACK_NOTE}"
        return fallback

    def _absence_evidenced(self, a: QueryAnalysis, doc_ids: list[str]) -> bool:
        """The corpus itself shows the answer is absent: the task number falls in a numbering gap of the
        document asked, or every document or province the question names is one no stored text mentions."""
        scope = self.scope(a, doc_ids)
        if a.task_ids and any(g[0] in scope for g in gap_for(a, self.catalog)):
            return True
        if a.years and not any(self.mentions_years(d, a.years) for d in scope):
            return True  # "năm 2027" of documents that never mention 2027
        if (
            a.intent == "listing"
            and a.agencies
            and not any(
                " ".join(fold(x).lower().split()) in self.folded_text(d)
                for x in a.agencies
                for d in self.docs
            )
        ):
            return True  # the tasks of an agency no stored text names
        if a.intent == "document" and a.document_fact in ("number", "date") and len(scope) == 1:
            # The document prints the slot blank ("Số: /KH-UBND", "ngày   tháng 3 năm 2026"): not yet
            # numbered or dated, which no clause elsewhere can answer.
            header = self.docs[scope[0]].header
            if a.document_fact in header.spans and getattr(header, a.document_fact) is None:
                return True
        if a.unknown_doc_refs and not a.doc_ids and not self.citing_docs(a.unknown_doc_refs):
            return True
        uncovered = self.uncovered_provinces(a)
        return bool(uncovered) and not any(
            p in self._provinces_named(d) or _named_in(p, self.folded_text(d))
            for p in uncovered
            for d in self.docs
        )

    def _provinces_named(self, doc_id: str) -> frozenset[str]:
        """The provinces a document's text names by any of their names ("TP. HCM", "Thừa Thiên - Huế"),
        read once per document."""
        named = self._named_provinces.get(doc_id)
        if named is None:
            text = name_key(self.docs[doc_id].original)
            named = self._named_provinces[doc_id] = frozenset(p for p, _ in find_provinces(text))
        return named

    def _evidence_scope(self, a: QueryAnalysis, doc_ids: list[str]) -> list[str]:
        """Where the fallback searches: the named documents, else those citing a document the question
        names but the corpus does not hold (the resolution a programme implements), else the usual scope."""
        if not doc_ids and not a.doc_ids and a.unknown_doc_refs:
            citing = self.citing_docs(a.unknown_doc_refs)
            if citing:
                return citing
        return self.numbering_scope(a, doc_ids, self.scope(a, doc_ids))

    def _structured(self, q: str, a: QueryAnalysis, doc_ids: list[str], top_k: int) -> Answer:
        """The first registered strategy that applies and answers (`strategies.registry`), after the checks
        that the question's place and documents are in the store at all."""
        uncovered = self.uncovered_provinces(a)
        if uncovered:
            covered = ", ".join(sorted(self.catalog.docs_by_province)) or "không có địa phương nào"
            return self.not_found(
                q,
                a,
                f"Kho văn bản chưa có văn bản nào của {', '.join(uncovered)} (các địa phương có văn bản: "
                f"{covered}). Các đoạn dưới đây chỉ để tham khảo.",
                doc_ids,
                top_k,
            )
        if a.unknown_doc_refs and not a.doc_ids and not self._refs_in_tasks(a):
            refs = ", ".join(a.unknown_doc_refs)
            return self.not_found(
                q, a, f"Kho văn bản không có {refs}. Các đoạn dưới đây chỉ để tham khảo.", doc_ids, top_k
            )
        named = self.scope(a, doc_ids)
        numbered: list[str] | None = None
        for strategy in STRATEGIES:
            if not strategy.applies(a):
                continue
            scope = named
            if strategy.NUMBERED_SCOPE:
                numbered = self.numbering_scope(a, doc_ids, named) if numbered is None else numbered
                scope = numbered
            answer = strategy.answer(self, q, a, scope, top_k)
            if answer is not None:
                return answer
        raise AssertionError("the last strategy (lookup) answers every question")

    def _refs_in_tasks(self, a: QueryAnalysis) -> bool:
        """An unknown reference that the named task itself mentions is its subject, not its container."""
        if not a.task_ids:
            return False
        numbers = [m for ref in a.unknown_doc_refs for m in re.findall(r"\d+", ref)]
        tasks = [
            self.tasks[(d, t)]
            for d in self.docs
            for t in resolve_task_ids(a, self.catalog, d)
            if (d, t) in self.tasks
        ]
        return bool(numbers) and any(
            re.search(rf"(?<!\d){n}(?!\d)", t.content) for t in tasks for n in numbers
        )


def _named_in(province: str, folded_text: str) -> bool:
    """Whether a text names a province, by its name or one part of a joined name ("Vũng Tàu" of "Bà Rịa -
    Vũng Tàu": a ward's plan names its city, not the old province)."""
    parts = [p.strip() for p in re.split(r"\s*[-–]\s*", fold(province)) if len(p.strip()) >= 4]
    return any(
        re.search(rf"(?<![a-z]){re.escape(p)}(?![a-z])", folded_text) for p in parts or [fold(province)]
    )
