"""What every answer strategy reads: the parsed documents, the search, the ranker and the per-document
caches, with the helpers they share (scope, search, citations, "not found" answers, content words).
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import replace
from functools import lru_cache

from hoidap.corpus.grids import PipeTable, YearGrid
from hoidap.corpus.normalize import TEXT_CACHE_SIZE, fold, has_diacritics
from hoidap.corpus.records import Clause, ParsedDocument, Task
from hoidap.indexer.search import SearchHit
from hoidap.indexer.tokenization import fold_token, is_stopword, tokenize
from hoidap.service.extract import (
    locate,
)
from hoidap.service.ranker import (
    Candidate,
    RankerModel,
    word_coverage,
)
from hoidap.service.records import Answer, Citation, Searcher
from hoidap.service.strategies import build
from hoidap.service.understanding import (
    FRAME_TOKENS,
    Catalog,
    QueryAnalysis,
    analyze,
)
from hoidap.settings import AnswerThresholds

_PLAIN_WORD_RE = re.compile(r"[a-z]+(?:_[a-z]+)*")  # a segmented word without digits, codes or diacritics
YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
# The "not found" answers of the question being answered whose related clauses are not searched yet:
# (answer, query, scope, top_k). A structured path's "not found" is often replaced by the evidence
# fallback's answer, and searching its related clauses first cost a query encoding of its own (issue 26).
_DEFERRED_RELATED: ContextVar[list[tuple[Answer, str, list[str], int]] | None] = ContextVar(
    "deferred_related", default=None
)
# The searches of the question being answered: (text, k, documents) -> hits. Several paths of one answer
# search the same text in the same scope (a structured path, then the evidence fallback): once (issue 26).
_SEARCHED: ContextVar[dict[tuple[str, int, tuple[str, ...] | None, str | None], list[SearchHit]] | None] = (
    ContextVar("searched", default=None)
)
# The text whose vector the dense side of this request's searches uses, when set: a question asked again over
# the whole corpus with its full words (`Answerer._answer`) keeps the vector of its first search text, so
# each question is encoded once (issue 26); the lexical side still searches the full words.
DENSE_TEXT: ContextVar[str | None] = ContextVar("dense_text", default=None)
# A document's code in a folded reference: "57-nq/tw", "2623/qd-ttg", "999" ("ke hoach 999").
_REF_CODE_RE = re.compile(r"\d[\w.]*(?:\s*[/-]\s*[\w.]+)*")
_PARTIAL_CODE_RE = re.compile(r"\d+\s*[/-]\s*(?:19|20)\d\d")  # a number and its year, no issuer code
# A document named by its subject: the share of the question's (IDF-weighted) words its title must hold,
# and by how much more than any other title (priors, not fitted: half the words, a clear lead).
TITLE_MIN_COVERAGE = 0.5
TITLE_MIN_MARGIN = 0.15
CONTENT_WORDS_CACHE = 4096  # question texts whose analysis and content words are kept
_RANGE_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)(?!\d)")


class AnswerContext:
    """The documents, search and model an answer is read from, with the caches and helpers every
    strategy shares; thread-safe."""

    def __init__(
        self,
        docs: list[ParsedDocument],
        searcher: Searcher,
        mode: str = "hybrid",
        thresholds: AnswerThresholds | None = None,
        ranker: RankerModel | None = None,
        observer: Callable[[QueryAnalysis, str, list[Candidate]], None] | None = None,
    ) -> None:
        """`ranker`: the candidate model (default: the saved one); `observer` sees every candidate
        list the answer layer ranks (question analysis, answer path, candidates) — the trainer uses it."""
        self.docs = {d.doc_id: d for d in docs}
        self.ranker = ranker or RankerModel.load()
        self.observer = observer
        self.thresholds = thresholds or AnswerThresholds()
        self.searcher = searcher
        self.mode = mode
        self.catalog = Catalog.from_documents(docs)
        self.tasks = {(t.doc_id, t.task_id): t for d in docs for t in d.tasks}
        # Yearly tables read on first need: a figure question with a year (not at start-up, for every
        # document of a large corpus); filling it twice from two threads gives the same value.
        self._grids: dict[str, list[YearGrid]] = {}
        self._lock = threading.Lock()
        self._idf = self._document_frequencies(searcher)
        self._top_idf = max(self._idf.values(), default=1.0) * 1.2  # a word the corpus never uses
        # A question's content words are read by several steps of its answer (the search text, the
        # ranking, coverage), and again when it is asked again: once per text (issue 26).
        self._content_words = lru_cache(maxsize=CONTENT_WORDS_CACHE)(self._weighted_content_words)
        # A question asked again is not analysed again (the analysis reads only the question and the
        # catalog; nothing changes it once made).
        self.analyze = lru_cache(maxsize=CONTENT_WORDS_CACHE)(self._analyze)
        self._folded: dict[str, str] = {}  # doc id -> folded text, read on first need
        self._title_sets: dict[str, frozenset[str]] = {}
        self._digit_runs: dict[str, frozenset[str]] = {}  # doc id -> the numbers its text writes
        self._sorted_clauses: dict[str, list[Clause]] = {}
        self._pipe: dict[str, list[PipeTable]] = {}
        self._named_provinces: dict[str, frozenset[str]] = {}  # doc id -> provinces its text names

    def _analyze(self, question: str) -> QueryAnalysis:
        return analyze(question, self.catalog)

    @staticmethod
    def _document_frequencies(searcher: Searcher) -> dict[str, float]:
        """IDF of folded tokens over the indexed entries (empty for searchers without token lists)."""
        rows = getattr(searcher, "token_lists", None) or []
        df: dict[str, int] = {}
        for tokens in rows:
            for tok in {fold_token(t) for t in tokens}:
                df[tok] = df.get(tok, 0) + 1
        n = max(len(rows), 1)
        return {t: math.log(1 + n / c) for t, c in df.items()}

    def scope(self, a: QueryAnalysis, doc_ids: list[str]) -> list[str]:
        if doc_ids:
            named = [d for d in a.doc_ids if d in doc_ids]
            return named or doc_ids
        if a.doc_ids:
            return a.doc_ids
        if a.province:
            # The province's own documents, and national ones (a ministry's or the government's plan
            # applies to every province).
            own = set(self.catalog.docs_by_province.get(a.province, ()))
            placed = {d for ids in self.catalog.docs_by_province.values() for d in ids}
            scoped = [d for d in self.docs if d in own or d not in placed]
            return scoped if own else list(self.docs)
        return list(self.docs)

    def of_years(self, a: QueryAnalysis, hits: list[SearchHit]) -> list[SearchHit]:
        """The year asked is evidence: a clause of a document that never mentions it answers another year
        ("lương tối thiểu năm 2027" of a decree for 2026)."""
        if not a.years:
            return hits
        return [h for h in hits if self.mentions_years(h.entry.doc_id, a.years)]

    def mentions_years(self, doc_id: str, years: list[int]) -> bool:
        # A year is mentioned when it is a whole digit run of the text: the runs are read once per
        # document, not scanned for at every hit of every question (issue 26).
        runs = self._digit_runs.get(doc_id)
        if runs is None:
            runs = self._digit_runs[doc_id] = frozenset(re.findall(r"\d+", self.folded_text(doc_id)))
        return any(str(y) in runs for y in years)

    def numbering_scope(self, a: QueryAnalysis, doc_ids: list[str], scope: list[str]) -> list[str]:
        """Task numbers repeat across documents: with no document named, one named by its title words
        ("nhiệm vụ 7 trong kế hoạch tiếp cận pháp luật") is the one whose numbering counts."""
        if a.task_ids and not a.doc_ids and not doc_ids and len(scope) > 1:
            titled = self.titled(a.normalized, scope)
            return [titled] if titled is not None else scope
        return scope

    def folded_title(self, doc_id: str) -> str:
        """The title folded, padded with spaces for whole-word lookups (once per document)."""
        key = f"title:{doc_id}"
        folded = self._folded.get(key)
        if folded is None:
            folded = self._folded[key] = f" {' '.join(fold(self.docs[doc_id].info.title).split())} "
        return folded

    def title_words(self, doc_id: str) -> frozenset[str]:
        """The words naming a document: its title's and its issuer's ("… của Trường THPT Phước Bửu" says
        which document, not which clause)."""
        words = self._title_sets.get(doc_id)
        if words is None:
            issuer = fold(self.docs[doc_id].info.issuer or "")
            words = frozenset(re.findall(r"[a-z0-9]+", f"{self.folded_title(doc_id)} {issuer}"))
            self._title_sets[doc_id] = words
        return words

    def folded_text(self, doc_id: str) -> str:
        folded = self._folded.get(doc_id)
        if folded is None:
            folded = self._folded[doc_id] = " ".join(fold(self.docs[doc_id].original).split())
        return folded

    def citing_docs(self, refs: list[str]) -> list[str]:
        """Stored documents whose text cites one of `refs` by its number ("57-NQ/TW", "Kế hoạch 999")."""
        out = []
        for ref in refs:
            code = _REF_CODE_RE.search(fold(ref))
            if code is None:
                continue
            # "Luật 85/2015" cites "Luật số 85/2015/QH13": a number and year alone stand for the whole code.
            partial = _PARTIAL_CODE_RE.fullmatch(code.group(0)) is not None
            end = r"(?!\w)(?:/[\w.-]+)?" if partial else r"(?![\w/])"
            rx = re.compile(rf"(?<![\w/]){code_pattern(code.group(0))}{end}")
            out += [d for d in self.docs if d not in out and rx.search(self.folded_text(d))]
        return out

    def observe_record(self, a: QueryAnalysis, path: str) -> None:
        """Tell the trainer which path answered (its accuracy becomes that path's confidence)."""
        if self.observer is not None:
            self.observer(a, path, [])

    def clause_hit(self, top: SearchHit, doc_id: str, c: Clause) -> SearchHit:
        """A clause read whole from its document as a hit carrying `top`'s retrieval scores."""
        e = replace(
            top.entry,
            entry_id=c.clause_id,
            kind=c.kind,
            section=c.breadcrumb,
            task_id=c.task_id,
            text=self.docs[doc_id].original[c.char_start : c.char_end],
            char_start=c.char_start,
            char_end=c.char_end,
        )
        return replace(top, entry=e, matched_terms=[])

    def doc_clauses(self, doc_id: str) -> list[Clause]:
        clauses = self._sorted_clauses.get(doc_id)
        if clauses is None:
            clauses = self._sorted_clauses[doc_id] = sorted(
                self.docs[doc_id].clauses, key=lambda c: c.char_start
            )
        return clauses

    def recorded(self, a: QueryAnalysis, path: str, answer: Answer) -> Answer:
        """An answer read from records: its confidence is that path's accuracy on the dev split."""
        if self.observer is not None:
            self.observer(a, path, [])
        if answer.found and answer.confidence is None:
            answer.confidence = self.ranker.path_confidence.get(path)
        return answer

    def citation(
        self,
        doc_id: str,
        start: int,
        end: int,
        section: str,
        score: float,
        task_id: str | None = None,
        phrase: str | None = None,
    ) -> Citation:
        doc = self.docs[doc_id]
        hl = locate(doc.original, start, end, phrase) if phrase else None
        return Citation(
            doc_id=doc_id,
            doc_title=doc.info.short_title,
            section=section,
            quote=doc.original[start:end],
            char_start=start,
            char_end=end,
            score=round(score, 4),
            task_id=task_id,
            doc_number=doc.info.number,
            highlight=list(hl) if hl else None,
        )

    def hit_citation(self, h: SearchHit, phrase: str | None = None) -> Citation:
        e = h.entry
        return self.citation(e.doc_id, e.char_start, e.char_end, e.section, h.score, e.task_id, phrase)

    def task_citation(self, t: Task, score: float = 1.0, phrase: str | None = None) -> Citation:
        return self.citation(t.doc_id, t.char_start, t.char_end, t.breadcrumb, score, t.task_id, phrase)

    def search(self, q: str, scope: list[str], k: int) -> list[SearchHit]:
        """Search within `scope` (no filter when the scope is the whole corpus)."""
        doc_ids = scope if len(scope) < len(self.docs) else None
        text = self.search_query(q, scope)
        dense = DENSE_TEXT.get()
        dense = dense if dense and dense != text else None
        searched = _SEARCHED.get()
        key = (text, k, tuple(doc_ids) if doc_ids is not None else None, dense)
        if searched is not None and key in searched:
            return list(searched[key])
        hits = self.searcher.search(text, k=k, doc_ids=doc_ids, mode=self.mode, dense_query=dense)
        if searched is not None:
            searched[key] = list(hits)
        return hits

    def search_query(self, q: str, scope: list[str]) -> str:
        """The text `search` looks for when asked for `q` within `scope`."""
        return self.without_title_words(q, scope[0]) if len(scope) == 1 else q

    def without_title_words(self, q: str, doc_id: str) -> str:
        """Within one document, a phrase of its title names the document, not a clause of it ("nghị định
        bảo đảm thực hiện nghĩa vụ có hiệu lực từ ngày nào" asks for the clause on "hiệu lực"): runs of two
        or more words printed together in its title are left out of the search when other content words
        remain. Single shared words ("năm", "ngày") stay: they frame the question."""
        title = self.folded_title(doc_id)
        words = q.split()
        keys = [fold(w).casefold().strip(".,;:?!()") for w in words]
        drop = [False] * len(words)
        i = 0
        while i < len(words):
            j = i
            while j < len(words) and keys[j] and f" {' '.join(keys[i : j + 1])} " in title:
                j += 1
            if j - i >= 2:
                drop[i:j] = [True] * (j - i)
                i = j
            else:
                i += 1
        kept = [w for w, d in zip(words, drop, strict=True) if not d or any(c.isdigit() for c in w)]
        reduced = " ".join(kept)
        return reduced if len(kept) < len(words) and self.content_words(reduced) else q

    def related(self, q: str, scope: list[str], top_k: int) -> list[Citation]:
        return [self.hit_citation(h) for h in self.search(q, scope, top_k)]

    def not_found(self, q: str, a: QueryAnalysis, message: str, scope: list[str], top_k: int) -> Answer:
        """A "not found" answer, with the clauses nearest the question as related ones: searched when `ask`
        returns this answer (not when another replaces it), or at once outside `ask`."""
        answer = build.not_found(q, a.intent, message)
        deferred = _DEFERRED_RELATED.get()
        if deferred is None:
            answer.related = self.related(q, scope or list(self.docs), top_k)
        else:
            deferred.append((answer, q, scope or list(self.docs), top_k))
        return answer

    def content_words(self, q: str) -> list[tuple[str, float]]:
        """The question's content words with their rarity weights (IDF): words the corpus never uses
        ("bóng đá") weigh most, generic ones ("phát triển") least. Typed without diacritics, the
        segmenter joins words wrongly ("ty le do thi hoa quang ngai" -> "ty", "le", "hoa_quang"), and a
        wrong join, unknown to the corpus, would weigh most: such questions are re-segmented against the
        corpus's own words ("ty_le", "do_thi", "quang_ngai")."""
        return list(self._content_words(q))

    def _weighted_content_words(self, q: str) -> tuple[tuple[str, float], ...]:
        tokens = tokenize(q)
        if not has_diacritics(q):
            tokens = self.corpus_segmentation(tokens)
        content = list(
            dict.fromkeys(
                t for t in tokens if not is_stopword(t) and fold_token(t).casefold() not in FRAME_TOKENS
            )
        )
        return tuple((t, self._idf.get(fold_token(t), self._top_idf) if self._idf else 1.0) for t in content)

    def corpus_segmentation(self, tokens: list[str]) -> list[str]:
        """Word tokens of a question typed without diacritics, re-joined syllable by syllable into the
        longest words (up to four syllables) the corpus uses, or a question's frame words ("bao_nhieu");
        numbers and codes stay as they are."""
        out: list[str] = []
        run: list[str] = []

        def known(word: str) -> bool:
            return word in self._idf or is_stopword(word) or word in FRAME_TOKENS

        def flush() -> None:
            i = 0
            while i < len(run):
                n = next(
                    n for n in range(min(4, len(run) - i), 0, -1) if n == 1 or known("_".join(run[i : i + n]))
                )
                out.append("_".join(run[i : i + n]))
                i += n
            run.clear()

        for t in tokens:
            if _PLAIN_WORD_RE.fullmatch(t):
                run.extend(t.split("_"))
            else:
                flush()
                out.append(t)
        flush()
        return out

    def coverage(self, q: str, hit: SearchHit, content: list[tuple[str, float]] | None = None) -> float:
        """Share of the question's content words found in the hit, weighted by rarity, so a clause
        that only shares boilerplate with the question is weak evidence. A word re-segmented from a
        question typed without diacritics (`content_words`) is found when its syllables are."""
        content = self.content_words(q) if content is None else content
        if not hit.matched_terms:
            # A clause read whole at question time (a member-list item, a duties section) or found by the
            # dense search alone: no index match to count, so its words are read from its text.
            return word_coverage([(t.replace("_", " "), w) for t, w in content], hit.entry.text)
        matched = set(hit.matched_terms)
        syllables = {s for t in matched for s in t.split("_")}
        total = sum(w for _, w in content)
        found = sum(
            w for t, w in content if t in matched or (t == fold_token(t) and set(t.split("_")) <= syllables)
        )
        return found / total if total else 0.0

    def year_mismatch(self, a: QueryAnalysis, hit: SearchHit) -> bool:
        """The question asks about years the clause does not speak of: the years of the clause and
        its headings, else the period its document covers ("giai đoạn 2026 - 2030")."""
        if not a.years:
            return False
        context = _years(hit.entry.text + " " + hit.entry.section)
        if not context:
            doc = self.docs.get(hit.entry.doc_id)
            context = _years(doc.info.title) if doc else frozenset()
        return bool(context) and not (set(a.years) & context)

    def doc_names(self, citations: list[Citation]) -> str:
        return ", ".join(dict.fromkeys(c.doc_title for c in citations))

    def titled(self, q: str, scope: list[str]) -> str | None:
        """The one document whose title holds most of the question's words ("kế hoạch phòng chống ma túy
        ai ký"), when it clearly does: a document named by its subject rather than its number."""
        weighted = [(t.replace("_", " "), w) for t, w in self.content_words(q)]
        if not weighted:
            return None
        scored = sorted(
            (
                (word_coverage(weighted, f"{self.docs[d].header.title or ''} {self.docs[d].info.title}"), d)
                for d in scope
            ),
            reverse=True,
        )
        best, second = scored[0][0], scored[1][0] if len(scored) > 1 else 0.0
        return scored[0][1] if best >= TITLE_MIN_COVERAGE and best - second >= TITLE_MIN_MARGIN else None

    def uncovered_provinces(self, a: QueryAnalysis) -> list[str]:
        """The provinces the question names when none of them has a document in the catalog (and it
        names no document): [] otherwise."""
        uncovered = [p for p in a.provinces if p not in self.catalog.docs_by_province]
        return uncovered if uncovered and len(uncovered) == len(a.provinces) and not a.doc_ids else []


def code_pattern(folded_code: str, either_d: bool = False) -> str:
    """A folded code as a pattern, blind to the spaces around its slashes and dashes; `either_d`: over
    text with its marks, where a folded "d" may be printed "đ"."""
    code = " ".join(folded_code.split())
    out = []
    for ch in code:
        if ch.isspace():
            out.append(r"\s*")
            continue
        if ch in "/-":
            out.append(rf"\s*{re.escape(ch)}\s*")  # "6138/UBND-\nKGVX": a code broken over two lines
        else:
            out.append("[dđ]" if either_d and ch == "d" else re.escape(ch))
    return "".join(out)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _years(text: str) -> frozenset[int]:
    """Years a text names; a range ("2026 - 2030") names every year in it. Once per passage (issue 26)."""
    years = {int(y) for y in YEAR_RE.findall(text)}
    for a, b in _RANGE_RE.findall(text):
        if 0 < int(b) - int(a) <= 30:
            years |= set(range(int(a), int(b) + 1))
    return frozenset(years)
