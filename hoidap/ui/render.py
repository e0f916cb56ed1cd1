"""HTML for the page: answers, citations, search hits, the source view (templates in `templates/`).

Pure functions over the service's records (no Gradio import), so they can be tested alone. Each
computes what a fragment shows and hands it to a template macro (autoescaped; see `templates.py`);
each returns the HTML as a string, wrapped in `Markup` where another macro takes it whole. Every quote
shown is the ORIGINAL text at its offsets (`original[char_start:char_end]`); highlights are computed
on the original and escaped piecewise. The HTML holds no newline characters (but the source view's
text), so the chat's Markdown renderer leaves it as one HTML block.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from hoidap.service.resources import SearchResult
from hoidap.ui import templates
from hoidap.ui.templates import fragment
from hoidap.ui.text import (
    answer_text,
    by_place,
    citation_text,
    doc_label,
    merge_spans,
    pair_answers,
    place_of,
    readable,
    section_ref,
    term_spans,
    vn_date,
)

CONTEXT_CHARS = 600  # characters shown before and after a quote in "Xem trong văn bản"
# Confidence words: at or above SURE, held-out development answers were right about nine times in ten; below
# CHECK, about as often wrong as right (reliability tables in the closing notes of issue 23).
SURE_CONFIDENCE = 0.8
CHECK_CONFIDENCE = 0.5
QUESTION_TYPES = {
    "lead": "ai chủ trì",
    "coordinating": "ai phối hợp",
    "deadline": "thời hạn",
    "figure": "số liệu, chỉ tiêu",
    "document": "thông tin văn bản",
    "listing": "liệt kê nhiệm vụ",
    "lookup": "tra cứu nội dung",
}


def mark_pieces(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """`text` (hard wraps undone for reading) in pieces, (piece, marked), `spans` (relative) marked."""
    text = readable(text)
    out: list[tuple[str, bool]] = []
    pos = 0
    for s, e in merge_spans((max(0, s), min(len(text), e)) for s, e in spans):
        if e <= pos or s >= e:
            continue
        s = max(s, pos)
        out += [(text[pos:s], False), (text[s:e], True)]
        pos = e
    out.append((text[pos:], False))
    return out


def fact_bits(info: Any | None) -> list[str]:
    """'Số 214/KH-UBND', 'ngày 06/11/2024', 'UBND tỉnh Quảng Ngãi': what is known of a document."""
    if info is None:
        return []
    bits = []
    if getattr(info, "number", None):
        bits.append(f"Số {info.number}")
    if getattr(info, "date", None):
        bits.append(f"ngày {vn_date(info.date)}")
    if getattr(info, "issuer", None):
        bits.append(info.issuer)
    return bits


def esc(text: str | None) -> str:
    """Escaped text, each run of line breaks one <br> (a user's question as the chat shows it)."""
    return str(templates.esc(text))


def error_html(message: str) -> str:
    return fragment("common.html", "error", message)


def ok_html(message: str) -> str:
    return fragment("common.html", "ok", message)


# --- context ------------------------------------------------------------------------------------


def _context(
    original: str, start: int, end: int, highlight: Sequence[int] | None = None, chars: int = CONTEXT_CHARS
) -> dict[str, Any]:
    """The quote inside ~`chars` characters of its surrounding text, quote and phrase marked."""
    a = max(0, start - chars)
    b = min(len(original), end + chars)
    # Start and end on a word boundary so the excerpt does not open mid-word.
    if a > 0:
        cut = original.rfind(" ", a - 40, a)
        nl = original.rfind("\n", a - 80, a)
        a = max(cut, nl) + 1 if max(cut, nl) >= 0 else a
    if b < len(original):
        cut = original.find(" ", b, b + 40)
        b = cut if cut >= 0 else b
    n = len(original)
    window = readable(original[a : min(n, b + 1)])  # same length: offsets still hold
    s, e = start - a, end - a
    quote = window[s:e]
    if highlight and start <= highlight[0] < highlight[1] <= end:
        pieces = mark_pieces(quote, [(highlight[0] - start, highlight[1] - start)])
    else:
        pieces = [(quote, False)]
    return {
        "start": start,
        "end": end,
        "lead": "… " if a > 0 else "",
        "before": window[:s],
        "quote": pieces,
        "after": window[e : b - a],
        "tail": " …" if b < n else "",
    }


# --- answers ------------------------------------------------------------------------------------


def citation_card(
    c: dict[str, Any],
    original: str | None,
    n: int | None = None,
    related: bool = False,
    info: Any | None = None,
) -> str:
    """One cited clause: document facts, section, quote (answer phrase marked), copy and source
    buttons; offsets and the document id stay available, smaller, at the bottom."""
    start, end = int(c["char_start"]), int(c["char_end"])
    quote = original[start:end] if original is not None else c.get("quote", "")
    hl = c.get("highlight")
    spans = [(hl[0] - start, hl[1] - start)] if hl and start <= hl[0] < hl[1] <= end else []
    crumb = c.get("section") or "(đầu văn bản)"
    tid = c.get("task_id")
    where = section_ref(c.get("section"), tid)
    card = {
        "related": related,
        "n": n,
        "label": doc_label(c["doc_title"], c.get("doc_number")),
        "facts": fact_bits(info),
        "where": where if where and where != crumb else "",
        "crumb": crumb,
        "task_id": tid if tid and not crumb.endswith(f"> {tid}") else None,
        "quote": mark_pieces(quote, spans),
        "copy_text": citation_text(c, original, info),
        "doc_id": c["doc_id"],
        "start": start,
        "end": end,
        "context": _context(original, start, end, hl) if original is not None else None,
        "context_chars": CONTEXT_CHARS,
        "score": float(c.get("score", 0)),
    }
    return fragment("answer.html", "citation_card", card)


def confidence_words(p: float) -> str:
    """What a reader should do with an answer of confidence `p`, in plain Vietnamese (issue 25 §4): a
    percentage alone ("trung bình (61%)") read as usable on answers that were wrong."""
    if p >= SURE_CONFIDENCE:
        return "chắc chắn"
    if p >= CHECK_CONFIDENCE:
        return "nên đọc kỹ trích dẫn"
    return "không chắc — xem các đoạn gần nhất"


def confidence_html(p: float) -> str:
    """The answer's confidence in words and as a percentage (the ranker's probability of being right)."""
    return fragment("answer.html", "confidence", confidence_words(p), round(p * 100))


def answer_html(data: dict[str, Any], originals: dict[str, str], infos: dict[str, Any] | None = None) -> str:
    """The whole reply for the chat: short answer, per-document answers, quotes, related clauses.

    `infos` maps a document id to its record's facts (number, date, issuer) for the citation cards.
    """
    infos = infos or {}
    cites = data.get("citations") or []

    def card(c: dict[str, Any], n: int | None, rel: bool = False) -> Markup:
        return Markup(citation_card(c, originals.get(c["doc_id"]), n, rel, infos.get(c["doc_id"])))

    found, confidence = bool(data.get("found")), data.get("confidence")
    unsure = found and confidence is not None and confidence < CHECK_CONFIDENCE
    per_doc = data.get("answers") or []
    # Several documents answering: each one's answer beside its own quote (issue 25 §4), not one chosen.
    paired = pair_answers(per_doc, cites) if len(per_doc) > 1 and not unsure else []
    if paired:
        cites = [c for c in cites if not any(c is x for _, x in paired)]
    task_filter = data.get("task_filter")
    qtype = data.get("question_type", "")
    reply = {
        "found": found,
        "unsure": unsure,
        "answer": (data.get("answer") if unsure else by_place(paired, infos) or data.get("answer")) or "",
        "confidence": Markup(confidence_html(float(confidence))) if found and confidence is not None else "",
        "message": data.get("message") or "",
        "per_doc": Markup(_per_doc_html(paired, originals, infos)) if found and paired else "",
        "cites": [card(c, i if len(cites) > 1 else None) for i, c in enumerate(cites, 1)] if found else [],
        "cites_label": "Các đoạn gần nhất"
        if unsure
        else "Trích dẫn"
        if len(cites) == 1
        else f"Trích dẫn ({len(cites)})",
        "related": [card(c, i, True) for i, c in enumerate(data.get("related") or [], 1)],
        "copy_text": answer_text(data, originals, infos),
        "task_filter": "\n".join(
            [task_filter.get("agency", ""), task_filter.get("role", "any"), task_filter.get("doc_id", "")]
        )
        if task_filter
        else None,
        "question": " ".join(data["question"].split()) if data.get("question") else None,
        "took": data.get("took_ms"),
        "question_type": QUESTION_TYPES.get(qtype, qtype),
    }
    return fragment("answer.html", "reply", reply)


def _per_doc_html(
    paired: list[tuple[dict[str, Any], dict[str, Any] | None]],
    originals: dict[str, str],
    infos: dict[str, Any],
) -> str:
    """Side by side: each document's place (or title), its answer and its quote."""
    items = []
    for a, c in paired:
        info = infos.get(a["doc_id"])
        items.append(
            {
                "place": place_of(info),
                "title": a["doc_title"],
                "answer": a["answer"],
                "card": Markup(citation_card(c, originals.get(c["doc_id"]), None, False, info)) if c else "",
            }
        )
    return fragment("answer.html", "per_doc", items)


def pending_html(question: str) -> str:
    """Shown in the chat while the answer is computed (the question stays above it)."""
    return fragment("answer.html", "pending", question)


def turn_html(turn: str, reply: str) -> str:
    """A reply as the chat shows it while it is the latest, kept by the page under `turn`. `reply` is
    the page's own HTML for it (as the server rendered it, or kept in this browser)."""
    return fragment("answer.html", "turn", turn, Markup(reply))


def folded_html(turn: str, summary: str, question: str) -> str:
    """An earlier reply as the server re-sends it: its gist, and a link that asks it again."""
    return fragment("answer.html", "folded", turn, summary, quote(question) if question else "")


# --- search -------------------------------------------------------------------------------------


def hit_card(rank: int, hit: SearchResult, original: str | None, title: str, number: str | None) -> str:
    """One search hit (a row of `QAService.search`): document, breadcrumb, quote with matched terms
    marked, scores, offsets."""
    start, end, task_id = hit.char_start, hit.char_end, hit.task_id
    quote = hit.quote or hit.text
    crumb = hit.section or "(đầu văn bản)"
    card = {
        "rank": rank,
        "label": doc_label(title, number),
        "crumb": crumb,
        "task_id": task_id if task_id and not crumb.endswith(f"> {task_id}") else None,
        "quote": mark_pieces(quote, term_spans(quote, hit.matched_terms)),
        "score": hit.score,
        "lexical": hit.lexical,
        "dense": hit.dense,
        "start": start,
        "end": end,
        "terms": ", ".join(t.replace("_", " ") for t in hit.matched_terms) or "—",
        "doc_id": hit.doc_id,
        "context": _context(original, start, end) if original is not None else None,
        "context_chars": CONTEXT_CHARS,
    }
    return fragment("search.html", "hit_card", card)


# --- source view ---------------------------------------------------------------------------------


def source_html(info: Any, original: str, outline: Sequence[dict[str, Any]], start: int, end: int) -> str:
    """The whole document text with its outline, the cited [start, end) marked (`mark.hd-cited`).

    `outline` is `QAService.document_detail(...).outline`: sections in order, each with the offsets
    of its clauses. The first two levels become the table of contents; each links to an anchor
    placed at its first clause in the text.
    """
    n = len(original)
    start, end = max(0, min(start, n)), max(0, min(end, n))
    heads: list[tuple[int, int, str]] = []  # (offset, depth, label)
    seen: set[tuple[str, ...]] = set()
    for sec in outline:
        path = tuple(sec.get("path") or ())
        offset = min((c["char_start"] for c in sec.get("clauses") or []), default=None)
        if offset is None:
            continue
        for depth in range(1, min(2, len(path)) + 1):
            key = path[:depth]
            if key not in seen:
                seen.add(key)
                heads.append((offset, depth, key[-1]))
    cuts = sorted({0, n, start, end, *(h[0] for h in heads)})
    anchors = {h[0] for h in heads}
    pieces = [
        (a if a in anchors else None, original[a:b], start < end and start <= a and b <= end)
        for a, b in zip(cuts, cuts[1:], strict=False)
    ]
    return fragment(
        "source.html",
        "source",
        getattr(info, "doc_id", ""),
        getattr(info, "short_title", "") or "",
        fact_bits(info),
        start,
        end,
        heads,
        pieces,
    )
