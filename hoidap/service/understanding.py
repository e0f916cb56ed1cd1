"""Question understanding: intent, task ids, documents, agencies, years and key terms.

Rule-based and pure (no model, no word segmenter): `analyze()` takes well under a millisecond once a
`Catalog` is built from the parsed corpus. Matching runs on aligned views of the normalized question
(`views`); the vocabulary is data (service/data/question.json, `vocabulary`), the intent is decided once by
the ordered rule table of `intent_rules`, and `QueryAnalysis` holds everything the answer strategies read
of the question (they do not read the raw question again).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any, cast

from hoidap.corpus.normalize import fold, has_diacritics, normalize_text
from hoidap.corpus.records import NumberingGap
from hoidap.corpus.vocab import find_provinces
from hoidap.service import intent_rules
from hoidap.service.answer_types import expected_kinds
from hoidap.service.catalog import FIRM_TITLE_WORDS, Catalog, DocRef, find_doc_refs, unknown_agencies
from hoidap.service.extract import (
    ASKS_OWNER_RE,
    asked_document_kind,
    asked_issuer,
    asked_measure,
    asked_rate,
    asks_list,
    unit_kind,
)
from hoidap.service.frames import Frame, question_frame
from hoidap.service.intents import TASK_FIELDS, Intent
from hoidap.service.keywords import (
    FIGURE_STOP,
    FRAME_TOKENS,
    STOP,
    TOKEN_RE,
    content_chunks,
    dates_in,
    without_spans,
)
from hoidap.service.task_refs import find_task_ids
from hoidap.service.views import Views, aligned_views, blanked, overlaps
from hoidap.service.vocabulary import DocumentFact, patterns

__all__ = [
    "FRAME_TOKENS",
    "Catalog",
    "QueryAnalysis",
    "analyze",
    "gap_for",
    "missing_task_ids",
    "resolve_task_ids",
]

_P = patterns()
Span = tuple[int, int]


@dataclass
class QueryAnalysis:
    """Everything `analyze` read from one question."""

    question: str
    normalized: str
    folded: str
    intent: Intent
    intents: list[str] = field(default_factory=list)  # every intent cue found, primary first
    document_fact: DocumentFact | None = None  # for intent == "document"
    roles: list[str] = field(default_factory=list)  # "lead"/"coordinating" asked about
    task_ids: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    loose_doc_ids: list[str] = field(default_factory=list)  # of doc_ids, those named by title words only
    implements_refs: list[str] = field(default_factory=list)  # e.g. "29-NQ/TW" (several implementers)
    cited_refs: list[str] = field(default_factory=list)  # other documents the corpus cites
    unknown_doc_refs: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    province: str | None = None  # the one province named (None when none or both)
    provinces: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)  # ISO dates the question names ("trước ngày 10/01/2025")
    figure_terms: list[str] = field(default_factory=list)
    keywords: str = ""
    has_diacritics: bool = True
    # What is searched for: the question without the names of the documents it is scoped to (their
    # number and title words match only the document's header, not the clause asked about).
    search_text: str = ""
    frame: Frame | None = None  # where the wh-word stands to the predicate (frames.py)
    asks_duties: bool = False  # "Ban Chỉ đạo có nhiệm vụ gì": the duties of a body, listed under a heading
    post_of: str | None = None  # "Bộ trưởng Bộ Tài chính giữ vai trò gì": whose post is asked (folded)
    # What the answer paths read of the question, decided here once (read on the folded question).
    asks_list: bool = False  # "những ngành nào", "gồm những gì": several things are asked
    asks_term: bool = False  # "hạn …", "trước ngày nào", "hoàn thành khi nào": a time something is due by
    asks_owner: bool = False  # "ai chủ trì triển khai kế hoạch": who leads the document as a whole
    has_wh_word: bool = False  # a question word; without one the question is keywords
    unit_kind: str | None = None  # the unit of the figure asked ("percent", "money", …)
    asked_measure: str | None = None  # the noun a figure counts in ("nam" of "tối đa bao nhiêu năm")
    asked_rate: str | None = None  # what a rate is asked per ("km" of "bao nhiêu đồng/km", "phieu")
    asked_document_kind: str | None = None  # the kind of document asked to be named ("van ban": any)
    asked_issuer: str = ""  # the body whose document is asked, folded ("nghị quyết nào của Tỉnh ủy")
    named_document_kind: str | None = None  # the first kind of document the question names
    expected_kinds: list[str] = field(default_factory=list)  # kinds of value that answer (answer_types)
    words: list[str] = field(default_factory=list)  # the folded question's words, once each
    asked_labels: list[str] = field(default_factory=list)  # labels of lines that give the field asked

    def to_dict(self) -> dict[str, Any]:
        """`dataclasses.asdict` of the analysis, without its deep copy of every string (each answer
        carries one: issue 26). Lists are copied, the frame is a dict; strings and numbers are shared."""
        out: dict[str, Any] = {}
        for name in _ANALYSIS_FIELDS:
            value = getattr(self, name)
            if isinstance(value, list):
                value = list(value)
            elif value is not None and is_dataclass(value):
                value = asdict(value)
            out[name] = value
        return out

    def says(self, words: str) -> bool:
        """Whether the folded question holds `words` (folded, a pattern) as whole words."""
        return re.search(rf"(?<![a-z]){words}(?![a-z])", self.folded) is not None


_ANALYSIS_FIELDS = tuple(f.name for f in fields(QueryAnalysis))
_YEAR_RE = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d]|[.,]\d|\s*[-/]\s*[a-z])")
_WORDS_RE = re.compile(r"[a-z0-9]+")
_TASK_INTENTS = {*TASK_FIELDS, Intent.LISTING}
# Fewest words a question without its document's name must keep to be searched without that name.
MIN_SEARCH_WORDS = 4


@dataclass
class _Documents:
    """The documents a question names: by number (own or implemented), by alias or title words."""

    doc_ids: list[str]
    doc_spans: list[Span]
    implements_refs: list[str]
    unresolved: list[tuple[DocRef, Span]]  # numbered references no stored document has
    numbered: list[tuple[DocRef, Span]]  # every numbered reference
    loose: set[str]  # named by title words or province only: evidence, not a scope
    firm: set[str]


def _documents(v: Views, catalog: Catalog) -> _Documents:
    """A numbered reference that resolves beats a hand alias over the same words ("Kế hoạch 37-CTr/TU");
    a hand alias beats one that does not ("Kế hoạch 37")."""
    named: list[tuple[int, str]] = []  # (start, doc_id), sorted into question order below
    doc_spans: list[Span] = []
    implements_refs: list[str] = []
    pending: list[tuple[DocRef, Span]] = []
    numbered = find_doc_refs(v.al)
    for ref, span in numbered:
        own = catalog.docs_with_number(ref)
        implemented = None if own else catalog.implemented(ref)
        if own:
            named.extend((span[0], d) for d in own)
        elif implemented:
            text, ids = implemented
            implements_refs.append(text)
            if len(ids) == 1:
                named.append((span[0], ids[0]))  # the only document implementing it
        else:
            pending.append((ref, span))
            continue
        doc_spans.append(span)
    loose: set[str] = set()
    firm: set[str] = {d for _, d in named}
    for doc_id, span, by_words in catalog.doc_alias_spans(v.tok):
        if not overlaps(span, doc_spans):
            doc_spans.append(span)
            named.append((span[0], doc_id))
            # Many of its title's words in a row name the document itself ("Nghị quyết Hội nghị Tỉnh ủy
            # lần thứ 3"); three may be the subject of a task ("nghị quyết về đẩy mạnh phát triển …").
            said = set(v.tok[span[0] : span[1]].split()) & catalog.title_words(doc_id)
            (loose if by_words and len(said) < FIRM_TITLE_WORDS else firm).add(doc_id)
    return _Documents(
        doc_ids=list(dict.fromkeys(d for _, d in sorted(named))),
        doc_spans=doc_spans,
        implements_refs=list(dict.fromkeys(implements_refs)),
        unresolved=[(ref, span) for ref, span in pending if not overlaps(span, doc_spans)],
        numbered=numbered,
        loose=loose,
        firm=firm,
    )


def _places(
    v: Views, catalog: Catalog, docs: _Documents, ref_spans: list[Span]
) -> tuple[list[tuple[str, Span]], list[str], list[tuple[str, Span]]]:
    """Agencies (canonical names, with spans) and the provinces named outside agency names (with their
    hits); a province's only document joins the documents named, loosely."""
    agency_hits = [h for h in catalog.find_agencies(v.tok, v.low) if not overlaps(h[1], ref_spans)]
    if not agency_hits:
        agency_hits = unknown_agencies(v, ref_spans)
    masked = list(v.tok)
    for _, (s, e) in agency_hits:
        masked[s:e] = " " * (e - s)
    province_hits = find_provinces("".join(masked))
    provinces = list(dict.fromkeys(name for name, _ in province_hits))
    for name in provinces:
        only = catalog.docs_by_province.get(name, ())
        # The province's only document ("Quảng Nam"), unless national documents may speak of it too.
        if len(only) == 1 and only[0] not in docs.doc_ids and not catalog.national_docs:
            docs.doc_ids.append(only[0])
            docs.loose.add(only[0])
    return agency_hits, provinces, province_hits


def _intents(
    v: Views, docs: _Documents, agencies: list[str], task_ids: list[str]
) -> tuple[list[str], str | None, Frame | None]:
    """Every intent found (the question's first), the document fact asked, and the question's frame."""
    names_doc = bool(docs.doc_ids or docs.implements_refs or docs.unresolved)
    fact = intent_rules.document_fact(v.tok, names_doc, bool(task_ids))
    listing = intent_rules.asks_listing(v.tok, bool(task_ids), bool(agencies))
    # The words that name the document ("Theo công văn về cải thiện các chỉ số …, đơn vị nào được giao …")
    # scope the question; they say nothing of what it asks.
    cues = intent_rules.cue_hits(blanked(v.tok, docs.doc_spans))
    # A document named by its number is what the predicate is about, not part of it ("Thông tư 02/2021/TT-BTC
    # thay thế thông tư nào": the clause says "Thông tư này … thay thế …").
    frame = question_frame(blanked(v.al, [span for _, span in docs.numbered])) or question_frame(v.al)
    intents = intent_rules.decide(fact, listing, cues, intent_rules.signals(v.tok, frame))
    return intents, fact, frame


def _references(
    v: Views, catalog: Catalog, docs: _Documents, intent: str, fact: str | None, task_ids: list[str]
) -> tuple[list[str], list[str]]:
    """Unknown vs cited references (rule in `analyze`'s docstring)."""
    unknown: list[str] = []
    cited: list[str] = []
    for ref, (s, e) in docs.unresolved:
        container = bool(_P.named["container"].search(v.tok[:s]))
        # A cited document's date is printed where it is cited; its other facts are not.
        own_facts = (
            (intent == "document" and fact != "date")
            or bool(task_ids and not docs.doc_ids)
            or (container and intent in _TASK_INTENTS)
        )
        text = v.norm[s:e].strip()
        (unknown if not catalog.is_cited(ref) or own_facts else cited).append(text)
    return unknown, cited


def analyze(question: str, catalog: Catalog) -> QueryAnalysis:
    """Read intent, task ids, documents, agencies, province, years and key terms of a question.

    Unknown document references (`unknown_doc_refs`): an explicit reference ("Kế hoạch 999",
    "Quyết định 123/QĐ-UBND") that is neither a corpus document's own number nor a document
    the corpus implements, AND either
      - the corpus text never mentions it, or
      - the question asks for that document's own facts (intent "document"), or
      - it asks for tasks inside it: a task id with no corpus document named, or a task
        intent with the reference introduced by "trong/của/thuộc/tại/ở".
    Any other such reference is a document the corpus cites ("Quyết định số 1881/QĐ-TTg"):
    a legitimate lookup subject, reported in `cited_refs`.
    """
    normalized = normalize_text(question)
    v = aligned_views(normalized)
    marks = has_diacritics(normalized)
    docs = _documents(v, catalog)
    ref_spans = docs.doc_spans + [span for _, span in docs.unresolved]
    agency_hits, provinces, province_hits = _places(v, catalog, docs, ref_spans)
    agencies = list(dict.fromkeys(canon for canon, _ in agency_hits))
    task_hits = find_task_ids(v, ref_spans)
    task_ids = list(dict.fromkeys(tid for tid, _ in task_hits))
    years: list[int] = []
    for m in _YEAR_RE.finditer(v.al):
        if not overlaps(m.span(), ref_spans) and int(m.group(1)) not in years:
            years.append(int(m.group(1)))
    intents, fact, frame = _intents(v, docs, agencies, task_ids)
    intent = Intent(intents[0]) if intents else Intent.LOOKUP
    roles = intent_rules.roles(v.tok)
    if intent in ("lead", "coordinating") and intent not in roles:
        roles.insert(0, intent)
    unknown, cited = _references(v, catalog, docs, intent, fact, task_ids)

    # Key terms: references become their canonical form, question words go.
    task_reps = [(span, tid) for tid, span in task_hits]
    agency_reps = [(span, canon) for canon, span in agency_hits]
    keywords = content_chunks(v, marks, docs.doc_spans, agency_reps + task_reps, STOP)
    figure_terms: list[str] = []
    if intent == "figure":
        cut = docs.doc_spans + [span for _, span in task_hits] + [s for s, _ in agency_reps]
        cut += [span for _, span in province_hits] + [m.span() for m in _YEAR_RE.finditer(v.al)]
        figure_terms = [
            " ".join(c) for c in content_chunks(v, marks, cut, [], FIGURE_STOP, numbers_split=True)
        ]
    search_text = without_spans(normalized, docs.doc_spans) if docs.doc_ids else normalized
    if len(TOKEN_RE.findall(search_text)) < MIN_SEARCH_WORDS:
        # "Nghị định 293/2025/NĐ-CP thay thế nghị định nào về lương tối thiểu?" leaves "thay thế": too
        # little to rank the document's clauses by; its title words are better than none.
        search_text = normalized
    folded_q = fold(question)
    document_fact = cast("DocumentFact | None", fact if intent == Intent.DOCUMENT else None)
    return QueryAnalysis(
        question=question,
        normalized=normalized,
        folded=folded_q,
        intent=intent,
        intents=intents,
        document_fact=document_fact,
        roles=roles if intent in ("lead", "coordinating", "listing") else [],
        task_ids=task_ids,
        doc_ids=docs.doc_ids,
        loose_doc_ids=[d for d in docs.doc_ids if d in docs.loose and d not in docs.firm],
        implements_refs=docs.implements_refs,
        cited_refs=cited,
        unknown_doc_refs=unknown,
        agencies=agencies,
        province=provinces[0] if len(provinces) == 1 else None,
        provinces=provinces,
        years=years,
        dates=dates_in(v.al),
        figure_terms=figure_terms,
        keywords=" ".join(w for c in keywords for w in c),
        has_diacritics=marks,
        search_text=search_text,
        frame=frame,
        asks_duties=bool(_P.named["asks_duty"].search(folded_q)),
        post_of=post["who"] if (post := _P.named["asks_post"].search(folded_q)) else None,
        asks_list=asks_list(folded_q),
        asks_term=bool(_P.named["asks_term"].search(folded_q)),
        asks_owner=bool(ASKS_OWNER_RE.search(folded_q)),
        has_wh_word=bool(_P.named["wh_word"].search(folded_q)),
        unit_kind=unit_kind(normalized),
        asked_measure=asked_measure(folded_q),
        asked_rate=asked_rate(folded_q),
        asked_document_kind=asked_document_kind(folded_q),
        asked_issuer=asked_issuer(folded_q),
        named_document_kind=kind.group(0) if (kind := _P.doc_kind.search(folded_q)) else None,
        expected_kinds=_with_holder(expected_kinds(intent, document_fact, folded_q), frame),
        words=list(dict.fromkeys(_WORDS_RE.findall(folded_q))),
        asked_labels=sorted({x for asks, labels in _P.field_labels if asks.search(folded_q) for x in labels}),
    )


def _with_holder(kinds: list[str], frame: Frame | None) -> list[str]:
    """A question whose wh-word stands for the holder of a post ("Phó Trưởng ban … là ai", "… gồm những
    ai") is answered by a person's name as well as by a body or an office."""
    if frame is not None and frame.holder and kinds and "holder" not in kinds:
        return [*kinds, "holder"]
    return kinds


# --- resolution helpers ----------------------------------------------------------------


def _scope(analysis: QueryAnalysis, catalog: Catalog, doc_ids: Sequence[str] | None) -> list[str]:
    if doc_ids:
        return list(doc_ids)
    return analysis.doc_ids or list(catalog.infos)


def resolve_task_ids(analysis: QueryAnalysis, catalog: Catalog, doc_id: str) -> list[str]:
    """Concrete task ids of `doc_id` the question's task references name (question order)."""
    out: list[str] = []
    for ref in analysis.task_ids:
        for tid in catalog.resolve_task_ref(doc_id, ref, loose_d=not analysis.has_diacritics):
            if tid not in out:
                out.append(tid)
    return out


def gap_for(analysis: QueryAnalysis, catalog: Catalog) -> list[tuple[str, str, NumberingGap]]:
    """(doc_id, task ref, gap) for references absent from a document but inside a known gap.

    "nhiệm vụ 2.3 kế hoạch 214" -> the appendix gap 2.1 .. 3.3. Documents named by the
    question, or every document when none is named.
    """
    out = []
    for doc_id in _scope(analysis, catalog, None):
        for ref in analysis.task_ids:
            if catalog.resolve_task_ref(doc_id, ref, loose_d=not analysis.has_diacritics):
                continue
            out.extend((doc_id, ref, g) for g in catalog.gaps.get(doc_id, ()) if g.contains(ref))
    return out


def missing_task_ids(
    analysis: QueryAnalysis, catalog: Catalog, doc_ids: Sequence[str] | None = None
) -> list[str]:
    """Task references found in none of `doc_ids` (default: the named documents, else all)."""
    scope = _scope(analysis, catalog, doc_ids)
    return [
        ref
        for ref in analysis.task_ids
        if not any(catalog.resolve_task_ref(d, ref, loose_d=not analysis.has_diacritics) for d in scope)
    ]
