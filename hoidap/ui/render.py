"""HTML for the Gradio page: answers, citations, search hits, document cards.

Pure functions over the service's records (no Gradio import), so they can be tested alone.
Every quote shown is the ORIGINAL text at its offsets (`original[char_start:char_end]`);
highlights are computed on the original and escaped piecewise. The HTML holds no newline
characters, so the chat's Markdown renderer leaves it as one HTML block.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from hoidap.corpus.normalize import fold

CONTEXT_CHARS = 600  # characters shown before and after a quote in "Xem trong văn bản"
# Confidence words: at or above SURE, held-out development answers were right about nine times in ten; below
# CHECK, about as often wrong as right (reliability tables in the closing notes of issue 23).
SURE_CONFIDENCE = 0.8
CHECK_CONFIDENCE = 0.5
_LEGACY = str.maketrans({"ƣ": "ư", "Ƣ": "Ư", "Ð": "Đ", "ð": "đ"})


# --- text helpers -------------------------------------------------------------------------------


_CONTINUATION_RE = re.compile(r"\n(?=[ \t\r\n]*[a-zà-ỹđ(,;:])")
_BREAKS_RE = re.compile(r"[ \t]*\r?\n[ \t\r\n]*")


def readable(text: str) -> str:
    """Same length as `text`; a hard wrap before a lowercase continuation becomes a space."""
    return _CONTINUATION_RE.sub(" ", text)


def esc(text: str | None) -> str:
    """Escape for HTML; each run of line breaks becomes one <br> (no raw newline survives)."""
    if not text:
        return ""
    out = html.escape(text, quote=True)
    return _BREAKS_RE.sub("<br>", out).replace("\r", " ")


def _fold_char(ch: str) -> str:
    """One original character folded like `corpus.normalize.fold` (may be '' or several chars)."""
    ch = ch.translate(_LEGACY)
    bare = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D").casefold()


def folded_with_map(text: str) -> tuple[str, list[int]]:
    """Diacritics-free, case-folded text plus, for each of its characters, the original index."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        chars.append(f)
        index.extend([i] * len(f))
    return "".join(chars), index


def has_diacritics(text: str) -> bool:
    return any(_fold_char(c) != c.casefold() for c in text)


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Original [start, end) spans of `terms` in `text`, case-insensitive; whole words only.

    Terms are index tokens: "chủ_trì", "xa_hoi", "5.4"; underscores join the words of a
    compound, which may be separated by any whitespace in the text. A term typed without
    diacritics matches any accents ("so" finds "số" and "sở"); a term typed with them matches
    only that spelling ("số" does not mark "sở").
    """
    folded, index = folded_with_map(text)
    lowered = text.translate(_LEGACY).lower()
    if len(lowered) != len(text):  # a rare character whose lowercase is longer: fold instead
        lowered = ""
    spans: list[tuple[int, int]] = []
    for term in terms:
        accented = bool(lowered) and has_diacritics(term)
        base = term.translate(_LEGACY).lower() if accented else "".join(_fold_char(c) for c in term)
        words = [w for w in re.split(r"[_\s]+", base) if w]
        if not words or (len(words) == 1 and len(words[0]) < 2 and not words[0].isdigit()):
            continue
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
        if accented:
            exact = [m.span() for m in re.finditer(pattern, lowered) if m.end() > m.start()]
            if exact:
                spans.extend(exact)
                continue
            # Not in this spelling (e.g. decomposed accents in the source): match it folded.
            words = [w for w in re.split(r"[_\s]+", "".join(_fold_char(c) for c in term)) if w]
            pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
        for m in re.finditer(pattern, folded):
            if m.end() > m.start():
                spans.append((index[m.start()], index[m.end() - 1] + 1))
    return merge_spans(spans)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def marked(text: str, spans: Sequence[tuple[int, int]], cls: str = "hd-hl") -> str:
    """Escaped `text` with `spans` (relative offsets) wrapped in <mark>; hard wraps undone for reading."""
    text = readable(text)
    out: list[str] = []
    pos = 0
    for s, e in merge_spans((max(0, s), min(len(text), e)) for s, e in spans):
        if e <= pos or s >= e:
            continue
        s = max(s, pos)
        out.append(esc(text[pos:s]))
        out.append(f'<mark class="{cls}">{esc(text[s:e])}</mark>')
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def vn_date(iso: str | None) -> str:
    """'2024-11-06' -> '06/11/2024' (other strings unchanged)."""
    if not iso:
        return ""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso.strip())
    return f"{m.group(3)}/{m.group(2)}/{m.group(1)}" if m else iso


def doc_label(title: str, number: str | None) -> str:
    """Title, plus the number when the title does not already carry it."""
    if number and number not in title:
        return f"{title} (số {number})"
    return title


_MARKER_RE = re.compile(r"^\s*([IVXLCDM]+|\d+(?:\.\d+)*|[a-zđ])(?:[.)]|\s|$)")
_NAMED_RE = re.compile(r"^\s*((?:Điều|Chương|Mục|Phần|Khoản)\s+(?:[IVXLCDM]+|\d+[a-z]?))\b", re.IGNORECASE)


def section_ref(section: str | Sequence[str] | None, task_id: str | None = None) -> str:
    """How an official names a place in a document: ('II. NHIỆM VỤ', '3. …', 'b) …') -> 'Mục II.3.b';
    ('Phụ lục', '8. …', '8.4') -> 'Mục 8.4 Phụ lục'; a short unnumbered heading is named as printed."""
    labels = [x.strip() for x in (section.split(" > ") if isinstance(section, str) else section or ())]
    markers: list[str] = []
    named: list[str] = []
    for label in labels:
        m = _MARKER_RE.match(label)
        if m:
            mark = m.group(1)
            if "." in mark:
                # A dotted number ("8.4", "3.3") is complete: it replaces the arabic numbers before it.
                while markers and markers[-1].isdigit():
                    markers.pop()
            markers.append(mark)
            continue
        n = _NAMED_RE.match(label)
        if n:
            named.append(n.group(1))
        elif label and len(label) <= 30 and label != "(đầu văn bản)":
            named.append(label)
    path = ".".join(markers)
    if (
        task_id
        and markers
        and (task_id == path or task_id.startswith((path + ".", path + "-")) or path.endswith("." + task_id))
    ):
        # The task id already spells the path ("II.3.b" under II > 3 > b; "III.9-3", a row of III.9).
        path = task_id if len(task_id) > len(path) else path
    elif task_id and not any(task_id == m or task_id.startswith(m + ".") for m in markers[-1:]):
        path = f"{path}.{task_id}" if path else task_id
    parts = ([f"Mục {path}"] if path else []) + named
    return " ".join(parts)


def doc_reference(info: Any) -> str:
    """'Kế hoạch số 214/KH-UBND ngày 06/11/2024 của UBND tỉnh Quảng Ngãi' from a document's facts."""
    number = getattr(info, "number", None)
    doc_type = getattr(info, "doc_type", None) or "văn bản"
    ref = f"{doc_type} số {number}" if number else (getattr(info, "short_title", None) or doc_type)
    if getattr(info, "date", None):
        ref += f" ngày {vn_date(info.date)}"
    issuer = getattr(info, "issuer", None)
    # A title that already names its place ("… của tỉnh Lâm Đồng") is not followed by its issuer's.
    if issuer and fold(issuer) not in fold(ref) and not _names_issuer_place(ref, issuer):
        ref += f" của {issuer}"
    return ref


def _names_issuer_place(ref: str, issuer: str) -> bool:
    """'… của tỉnh Lâm Đồng' and 'UBND tỉnh Lâm Đồng': the reference already says whose it is."""
    place = re.search(r"(?:tỉnh|thành phố|huyện|xã|phường|thị xã)\s+(.+)$", issuer, re.IGNORECASE)
    return bool(place) and re.search(rf"\bcủa\s+\S+\s+{re.escape(place.group(1))}\s*$", ref) is not None


def citation_text(c: dict[str, Any], original: str | None, info: Any | None) -> str:
    """The plain text an official pastes into a công văn:
    'Theo Mục II.3.b Kế hoạch số 214/KH-UBND ngày 06/11/2024 của UBND tỉnh Quảng Ngãi: «…»'."""
    start, end = int(c["char_start"]), int(c["char_end"])
    quote = original[start:end] if original is not None else c.get("quote", "")
    # A table row read from its cells ("7 | Hoàn thành … | Sở …"): cells separated as a sentence would be.
    quote = re.sub(r"\s*\|\s*", "; ", " ".join(quote.split())).strip("; ")
    if info is None:
        info = _FallbackInfo(c.get("doc_title") or "", c.get("doc_number"))
    if _SIGNATURE_SECTION in str(c.get("section") or ""):
        # A signer is cited the way a công văn writes it: "… do đồng chí Trần Phước Hiền, Phó Chủ tịch
        # UBND tỉnh Quảng Ngãi ký".
        title = getattr(info, "signer_title", None)
        issuer = getattr(info, "issuer", None)
        role = f", {title}{' ' + issuer if issuer else ''}" if title else ""
        return f"{doc_reference(info)} do đồng chí {quote}{role} ký"
    where = section_ref(c.get("section"), c.get("task_id"))
    return f"Theo {where + ' ' if where else ''}{doc_reference(info)}: «{quote}»"


_SIGNATURE_SECTION = "Chữ ký"


class _FallbackInfo:
    """The facts a citation itself carries, when the document record is not at hand."""

    def __init__(self, title: str, number: str | None) -> None:
        self.short_title, self.number, self.doc_type = title, number, None
        self.date = self.issuer = None


def attr(text: str) -> str:
    """A value for an HTML attribute, newlines kept as character references (no raw newline)."""
    return html.escape(text, quote=True).replace("\r", "").replace("\n", "&#10;")


def hidden_data(text: str) -> str:
    """Text for the page script next to a button, one <span> a line. Gradio's chat sanitizer drops
    data-* attributes but keeps text; CSS hides it and the script reads it (`hd-data`)."""
    lines = "".join(f"<span>{esc(line)}</span>" for line in text.split("\n"))
    return f'<span class="hd-data" aria-hidden="true">{lines}</span>'


def copy_button(text: str, label: str, cls: str = "hd-copy") -> str:
    return f'<button type="button" class="hd-btn {cls}">{esc(label)}</button>{hidden_data(text)}'


def source_button(doc_id: str, start: int, end: int) -> str:
    return (
        '<button type="button" class="hd-btn hd-open-src">Xem trong văn bản</button>'
        f"{hidden_data(f'{doc_id}|{int(start)}|{int(end)}')}"
    )


def facts_line(info: Any | None) -> str:
    """'Số 214/KH-UBND · ngày 06/11/2024 · UBND tỉnh Quảng Ngãi' (what is known)."""
    if info is None:
        return ""
    bits = []
    if getattr(info, "number", None):
        bits.append(f"Số {info.number}")
    if getattr(info, "date", None):
        bits.append(f"ngày {vn_date(info.date)}")
    if getattr(info, "issuer", None):
        bits.append(info.issuer)
    return f'<div class="hd-facts-line">{esc(" · ".join(bits))}</div>' if bits else ""


QUESTION_TYPES = {
    "lead": "ai chủ trì",
    "coordinating": "ai phối hợp",
    "deadline": "thời hạn",
    "figure": "số liệu, chỉ tiêu",
    "document": "thông tin văn bản",
    "listing": "liệt kê nhiệm vụ",
    "lookup": "tra cứu nội dung",
}


# --- context ------------------------------------------------------------------------------------


def context_html(
    original: str,
    start: int,
    end: int,
    highlight: Sequence[int] | None = None,
    chars: int = CONTEXT_CHARS,
) -> str:
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
        inner = marked(quote, [(highlight[0] - start, highlight[1] - start)])
    else:
        inner = esc(quote)
    lead, tail = ("… " if a > 0 else ""), (" …" if b < n else "")
    # A box that scrolls is a focusable, named region, so the keyboard can scroll it too (axe
    # scrollable-region-focusable).
    return (
        # Named by its offsets: several boxes are open at once (axe landmark-unique).
        '<div class="hd-context" tabindex="0" role="region"'
        f' aria-label="Đoạn xung quanh ký tự {start}–{end}">'
        f"{lead}{esc(window[:s])}"
        f'<span class="hd-quote-in-context">{inner}</span>{esc(window[e : b - a])}{tail}</div>'
    )


def details(summary: str, body: str, open_: bool = False) -> str:
    return (
        f'<details class="hd-details"{" open" if open_ else ""}><summary>{summary}</summary>{body}</details>'
    )


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
    task = f" · nhiệm vụ <b>{esc(tid)}</b>" if tid and not crumb.endswith(f"> {tid}") else ""
    where = section_ref(c.get("section"), tid)
    where_html = f"<b>{esc(where)}</b> · " if where and where != crumb else ""
    num = f"{n}. " if n is not None else ""
    head = (
        f'<div class="hd-card-head">{num}<b>{esc(doc_label(c["doc_title"], c.get("doc_number")))}</b></div>'
        f"{facts_line(info)}"
        f'<div class="hd-crumb">{where_html}{esc(crumb)}{task}</div>'
    )
    meta = f'<div class="hd-meta">ký tự {start}–{end} · mã {esc(c["doc_id"])}'
    if related:
        meta += f" · điểm {float(c.get('score', 0)):.3f}"
    meta += "</div>"
    body = f'<blockquote class="hd-quote">{marked(quote, spans)}</blockquote>'
    tools = (
        '<div class="hd-tools">'
        f"{copy_button(citation_text(c, original, info), 'Chép trích dẫn')}"
        f"{source_button(c['doc_id'], start, end) if original is not None else ''}</div>"
    )
    ctx = ""
    if original is not None:
        ctx = details(f"Đoạn xung quanh (±{CONTEXT_CHARS} ký tự)", context_html(original, start, end, hl))
    cls = "hd-card hd-related" if related else "hd-card"
    return f'<div class="{cls}">{head}{body}{tools}{ctx}{meta}</div>'


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
    return (
        '<div class="hd-confidence" title="Xác suất câu trả lời đúng do mô hình ước lượng (kiểm chéo '
        'giữ riêng cả văn bản); với văn bản mới có thể thấp hơn — luôn đối chiếu trích dẫn">'
        f"Độ tin cậy: {confidence_words(p)} ({round(p * 100)}%)</div>"
    )


def answer_text(data: dict[str, Any], originals: dict[str, str], infos: dict[str, Any]) -> str:
    """The whole reply as plain text: the short answer, then each citation in the officials' form."""
    if not data.get("found"):
        # The reason, then the nearest clauses in the officials' form: what a colleague needs to check.
        lines = ["Không tìm thấy câu trả lời trong văn bản.", data.get("message") or ""]
        related = data.get("related") or []
        if related:
            lines.append("Các đoạn gần nhất:")
        for c in related[:3]:
            lines.append(citation_text(c, originals.get(c["doc_id"]), infos.get(c["doc_id"])))
        return "\n".join(x for x in lines if x)
    cites = data.get("citations") or []
    by_place = _by_place(_pair_answers(data.get("answers") or [], cites), infos)
    lines = [by_place or data.get("answer") or ""]
    for c in cites:
        lines.append(citation_text(c, originals.get(c["doc_id"]), infos.get(c["doc_id"])))
    return "\n".join(x for x in lines if x)


def answer_html(data: dict[str, Any], originals: dict[str, str], infos: dict[str, Any] | None = None) -> str:
    """The whole reply for the chat: short answer, per-document answers, quotes, related clauses.

    `infos` maps a document id to its record's facts (number, date, issuer) for the citation cards.
    """
    infos = infos or {}
    parts: list[str] = []
    cites = data.get("citations") or []
    related = data.get("related") or []

    def card(c: dict[str, Any], n: int | None, rel: bool = False) -> str:
        return citation_card(c, originals.get(c["doc_id"]), n, rel, infos.get(c["doc_id"]))

    unsure = (
        data.get("found") and data.get("confidence") is not None and data["confidence"] < CHECK_CONFIDENCE
    )
    per_doc = data.get("answers") or []
    # Several documents answering: each one's answer beside its own quote (issue 25 §4), not one chosen.
    paired = _pair_answers(per_doc, cites) if len(per_doc) > 1 and not unsure else []
    if paired:
        cites = [c for c in cites if not any(c is x for _, x in paired)]
    if data.get("found"):
        if unsure:
            # Below the level at which answers are mostly right: the nearest clauses, with what the best
            # of them seems to say, not an answer to paste (issue 25 §4).
            parts.append(
                '<div class="hd-answer hd-unsure">Chưa chắc có câu trả lời; đoạn gần nhất có thể nói: '
                f"<i>{esc(data.get('answer') or '')}</i></div>"
            )
        else:
            short = _by_place(paired, infos) or data.get("answer") or ""
            parts.append(f'<div class="hd-answer"><b>{esc(short)}</b></div>')
        if data.get("confidence") is not None:
            parts.append(confidence_html(float(data["confidence"])))
        if data.get("message"):
            parts.append(f'<div class="hd-msg">{esc(data["message"])}</div>')
        if paired:
            parts.append(_per_doc_html(paired, originals, infos))
        if cites:
            label = "Trích dẫn" if len(cites) == 1 else f"Trích dẫn ({len(cites)})"
            label = "Các đoạn gần nhất" if unsure else label
            parts.append(f'<div class="hd-section">{label}</div>')
            for i, c in enumerate(cites, 1):
                parts.append(card(c, i if len(cites) > 1 else None))
        if related:
            cards = "".join(card(c, i, True) for i, c in enumerate(related, 1))
            parts.append(details(f"Các đoạn liên quan khác ({len(related)})", cards))
    else:
        parts.append(
            '<div class="hd-answer hd-notfound"><b>Không tìm thấy câu trả lời trong văn bản.</b></div>'
        )
        if data.get("message"):
            parts.append(f'<div class="hd-msg">{esc(data["message"])}</div>')
        if related:
            parts.append('<div class="hd-section">Các đoạn liên quan (không phải câu trả lời)</div>')
            for i, c in enumerate(related, 1):
                parts.append(card(c, i, True))
    tools = copy_button(answer_text(data, originals, infos), "Chép câu trả lời", "hd-copy hd-copy-reply")
    if data.get("task_filter"):
        # The page script fills the task table's filters from these lines (agency, role, document).
        f = data["task_filter"]
        tools += '<button type="button" class="hd-btn hd-open-tasks">Mở trong thẻ Nhiệm vụ</button>'
        tools += hidden_data("\n".join([f.get("agency", ""), f.get("role", "any"), f.get("doc_id", "")]))
    if data.get("question"):
        # The script makes the link (?q=) from the page's own address.
        tools += '<button type="button" class="hd-btn hd-copy-link">Chép liên kết</button>'
        tools += hidden_data(" ".join(data["question"].split()))
    parts.append(f'<div class="hd-tools hd-reply-tools">{tools}</div>')
    took = data.get("took_ms")
    if took is not None:
        qtype = data.get("question_type", "")
        shown = esc(QUESTION_TYPES.get(qtype, qtype))
        parts.append(f'<div class="hd-meta">loại câu hỏi: {shown} · {took:.0f} ms</div>')
    return f'<div class="hd-reply">{"".join(parts)}</div>'


def _pair_answers(
    per_doc: list[dict[str, Any]], cites: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each document's answer with the first citation of its document (None when it has none)."""
    free = list(cites)
    out: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for a in per_doc:
        c = next((x for x in free if x["doc_id"] == a["doc_id"]), None)
        if c is not None:
            free.remove(c)
        out.append((a, c))
    return out


def _place(info: Any | None) -> str | None:
    return getattr(info, "province", None) or None


def _by_place(paired: list[tuple[dict[str, Any], Any]], infos: dict[str, Any]) -> str | None:
    """'Quảng Ngãi: trên 50% · Quảng Nam: khoảng 40%' when each answer is a different, known place's;
    else None (the service's answer, by document, is said instead)."""
    places = [_place(infos.get(a["doc_id"])) for a, _ in paired]
    if len(paired) < 2 or None in places or len(set(places)) < len(places):
        return None
    return " · ".join(f"{p}: {a['answer']}" for p, (a, _) in zip(places, paired, strict=True))


def _per_doc_html(
    paired: list[tuple[dict[str, Any], dict[str, Any] | None]],
    originals: dict[str, str],
    infos: dict[str, Any],
) -> str:
    """Side by side (one column each, stacked on a phone): the place, the document, its answer and its
    quote with copy and source buttons."""
    items = []
    for a, c in paired:
        info = infos.get(a["doc_id"])
        place = _place(info)
        # The card below names the document; above it, whose answer it is.
        head = f'<div class="hd-place">{esc(place)}</div>' if place else f"<b>{esc(a['doc_title'])}</b>: "
        head += f'<span class="hd-perdoc-value">{esc(a["answer"])}</span>'
        card = citation_card(c, originals.get(c["doc_id"]), None, False, info) if c else ""
        items.append(f'<li class="hd-perdoc-item"><div class="hd-perdoc-head">{head}</div>{card}</li>')
    return (
        f'<div class="hd-perdoc"><div class="hd-section">Theo từng văn bản ({len(paired)})</div>'
        f'<ul class="hd-perdoc-list">{"".join(items)}</ul></div>'
    )


def pending_html(question: str) -> str:
    """Shown in the chat while the answer is computed (the question stays above it)."""
    return f'<div class="hd-pending" role="status">Đang tìm câu trả lời cho «{esc(question)}»…</div>'


def turn_html(turn: str, reply: str) -> str:
    """A reply as the chat shows it while it is the latest: the page keeps a copy under `turn` (a class,
    as the chat's sanitizer drops data attributes)."""
    return f'<div class="hd-turn hd-turn-{attr(turn)}">{reply}</div>'


def folded_html(turn: str, summary: str, question: str) -> str:
    """An earlier reply as the server re-sends it: its gist only (the page puts back the copy it kept,
    so a turn's cost does not grow with the conversation); a link asks it again where no copy is kept."""
    link = f'<a class="hd-ask-again" href="?q={attr(quote(question))}">Hỏi lại</a>' if question else ""
    return f'<div class="hd-folded hd-turn-{attr(turn)}">{esc(summary)} {link}</div>'


def error_html(message: str) -> str:
    # Text symbols, not emoji: without an emoji font ✅ showed as an empty box.
    return f'<div class="hd-error" role="alert">⚠ {esc(message)}</div>'


def ok_html(message: str) -> str:
    return f'<div class="hd-ok" role="status">✓ {esc(message)}</div>'


# --- search -------------------------------------------------------------------------------------


def hit_card(rank: int, hit: dict[str, Any], original: str | None, title: str, number: str | None) -> str:
    """One search hit (a row of `QAService.search`): document, breadcrumb, quote with matched terms
    marked, scores, offsets."""
    start, end, task_id = hit["char_start"], hit["char_end"], hit.get("task_id")
    quote = hit.get("quote") or hit["text"]
    spans = term_spans(quote, hit["matched_terms"])
    crumb = hit["section"] or "(đầu văn bản)"
    task = f" · nhiệm vụ <b>{esc(task_id)}</b>" if task_id and not crumb.endswith(f"> {task_id}") else ""
    terms = ", ".join(t.replace("_", " ") for t in hit["matched_terms"]) or "—"
    ctx = (
        f'<div class="hd-tools">{source_button(hit["doc_id"], start, end)}</div>'
        + details(f"Đoạn xung quanh (±{CONTEXT_CHARS} ký tự)", context_html(original, start, end))
        if original is not None
        else ""
    )
    return (
        '<div class="hd-card hd-hit">'
        f'<div class="hd-card-head">{rank}. <b>{esc(doc_label(title, number))}</b></div>'
        f'<div class="hd-crumb">{esc(crumb)}{task}</div>'
        f'<blockquote class="hd-quote">{marked(quote, spans)}</blockquote>'
        f'<div class="hd-meta">điểm {hit["score"]:.3f} (từ khóa {hit["lexical"]:.2f}, '
        f"ngữ nghĩa {hit['dense']:.3f}) · ký tự {start}–{end} · khớp: {esc(terms)}</div>"
        f"{ctx}</div>"
    )


# --- documents ----------------------------------------------------------------------------------

SOURCE_LABEL = {
    "printed": "in trong văn bản",
    "citing": "theo văn bản khác trích dẫn",
    "user": "do người thêm văn bản nhập",
    "manifest": "theo manifest của kho",
    "missing": "không có",
}
FACTS = (
    ("number", "Số hiệu"),
    ("date", "Ngày ban hành"),
    ("issuer", "Cơ quan ban hành"),
    ("signer", "Người ký"),
)


def fact_source(doc: Any, fact: str) -> tuple[str, str]:
    """(value shown, source key) of one document fact: printed text, citing document, user, manifest."""
    info, header = doc.info, doc.header
    prov = info.provenance or {}
    listed = getattr(info, fact, None)
    printed = getattr(header, fact, None)
    if fact == "signer":
        title = header.signer_title or info.signer_title
        listed = f"{listed} ({title})" if listed and title else listed
        printed = (
            f"{printed} ({header.signer_title or title})"
            if printed and (header.signer_title or title)
            else printed
        )
    value = printed or listed
    if fact == "date":
        value = vn_date(value)
    if not value:
        return "", "missing"
    said_printed = any(p == fact or str(p).startswith(f"{fact} (") for p in prov.get("printed_in_text", []))
    if printed or said_printed:
        return value, "printed"
    if fact in (prov.get("from_citing_document") or {}):
        return value, "citing"
    if fact in (prov.get("from_user") or []):
        return value, "user"
    return value, "manifest"


def document_card(doc: Any, entries: int | None = None) -> str:
    info = doc.info
    rows = []
    for fact, label in FACTS:
        value, source = fact_source(doc, fact)
        note = ""
        if source == "citing":
            note = (info.provenance.get("from_citing_document") or {}).get(fact, "")
        shown = esc(value) if value else '<span class="hd-muted">—</span>'
        tag = (
            f'<span class="hd-src hd-src-{source}" title="{html.escape(note)}">{SOURCE_LABEL[source]}</span>'
        )
        rows.append(f"<tr><th>{label}</th><td>{shown} {tag}</td></tr>")
    province = esc(info.province) if info.province else '<span class="hd-muted">—</span>'
    rows.append(f"<tr><th>Tỉnh</th><td>{province}</td></tr>")
    counts = f"{len(doc.clauses)} điều khoản · {len(doc.tasks)} nhiệm vụ"
    if entries is not None:
        counts += f" · {entries} mục chỉ mục"
    rows.append(f"<tr><th>Nội dung</th><td>{counts}</td></tr>")
    if doc.gaps:
        gaps = "; ".join(g.note for g in doc.gaps)
        rows.append(f"<tr><th>Khoảng trống đánh số</th><td>{esc(gaps)}</td></tr>")
    added = (info.provenance or {}).get("added_from")
    if added:
        rows.append(f"<tr><th>Thêm từ tệp</th><td>{esc(added)}</td></tr>")
    if info.ocr:  # issue 15: quotes from scanned pages are OCR output
        pages = ", ".join(map(str, info.ocr.get("pages", [])))
        rows.append(f"<tr><th>OCR</th><td>Trích dẫn từ bản nhận dạng ký tự (OCR), trang {pages}</td></tr>")
    return (
        '<div class="hd-card hd-doc">'
        f'<div class="hd-card-head"><b>{esc(info.short_title)}</b>{" (OCR)" if info.ocr else ""} '
        f'<span class="hd-muted">({esc(info.doc_id)})</span></div>'
        f'<div class="hd-crumb">{esc(info.title)}</div>'
        f'<table class="hd-facts">{"".join(rows)}</table></div>'
    )


# --- source view ---------------------------------------------------------------------------------


def source_html(info: Any, original: str, outline: Sequence[dict[str, Any]], start: int, end: int) -> str:
    """The whole document text with its outline, the cited [start, end) marked (`mark.hd-cited`).

    `outline` is `QAService.document_detail(...)["outline"]`: sections in order, each with the offsets
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
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a in anchors:
            out.append(f'<span class="hd-anchor" id="hd-at-{a}"></span>')
        piece = html.escape(original[a:b])
        if start < end and start <= a and b <= end:
            piece = f'<mark class="hd-cited">{piece}</mark>'
        out.append(piece)
    toc = "".join(
        f'<li class="hd-toc-{d}"><button type="button" class="hd-jump" data-target="hd-at-{o}">'
        f"{esc(label)}</button></li>"
        for o, d, label in heads
    )
    title = esc(getattr(info, "short_title", "") or "")
    return (
        f'<div class="hd-source" data-doc="{attr(getattr(info, "doc_id", ""))}">'
        f'<h2 class="hd-source-title">{title}</h2>{facts_line(info)}'
        f'<div class="hd-meta">Đoạn được trích: ký tự {start}–{end} (tô vàng).</div>'
        '<div class="hd-source-body">'
        f'<nav class="hd-toc" aria-label="Mục lục văn bản"><ul>{toc}</ul></nav>'
        '<div class="hd-doc-text" tabindex="0" role="region" aria-label="Toàn văn">'
        f"{''.join(out)}</div></div></div>"
    )


# --- upload review -------------------------------------------------------------------------------

_FIELD_NAMES = {
    "title": "tên văn bản",
    "number": "số hiệu",
    "date": "ngày ban hành",
    "issuer": "cơ quan ban hành",
    "signer": "người ký",
}


def plain_warning(text: str) -> str:
    """A parser note in plain Vietnamese: field names translated, "manifest" named for what it is."""
    m = re.match(r"^(\w+):\s*(.*)$", text)
    if m and m.group(1) in _FIELD_NAMES:
        text = f"{_FIELD_NAMES[m.group(1)].capitalize()}: {m.group(2)}"
    text = text.replace("manifest ghi", "thông tin đã nhập ghi").replace("manifest để trống", "chưa nhập")
    return text.replace("manifest", "thông tin đã nhập")


def notes_html(warnings: Sequence[str]) -> str:
    """Parse notes as a neutral list (they are not errors: the document is usable)."""
    if not warnings:
        return ""
    items = "".join(f"<li>{esc(plain_warning(w))}</li>" for w in warnings)
    return f'<div class="hd-notes" role="note"><b>Lưu ý khi đọc văn bản:</b><ul>{items}</ul></div>'


def upload_review_html(doc: Any, max_tasks: int = 3) -> str:
    """What was read from an uploaded file, before it is saved: facts, counts, a few tasks, notes."""
    info = doc.info
    signer = f"{info.signer} ({info.signer_title})" if info.signer and info.signer_title else info.signer
    missing = '<span class="hd-muted">không đọc được</span>'
    rows = [
        ("Tên văn bản", info.title),
        ("Số hiệu", info.number),
        ("Ngày ban hành", vn_date(info.date)),
        ("Cơ quan ban hành", info.issuer),
        ("Người ký", signer),
    ]
    facts = "".join(
        f"<tr><th>{label}</th><td>{esc(value) if value else missing}</td></tr>" for label, value in rows
    )
    tasks = "".join(
        f"<li><b>{esc(t.task_id)}</b>: {esc(t.content[:140])}{'…' if len(t.content) > 140 else ''}"
        f" — chủ trì: {esc('; '.join(t.lead) or '—')}; thời hạn: {esc(t.deadline or '—')}</li>"
        for t in doc.tasks[:max_tasks]
    )
    more = f"<li>… và {len(doc.tasks) - max_tasks} nhiệm vụ khác</li>" if len(doc.tasks) > max_tasks else ""
    task_block = f"<ul>{tasks}{more}</ul>" if tasks else ""
    return (
        '<div class="hd-review hd-card">'
        '<div class="hd-card-head"><b>Đã đọc tệp — kiểm tra rồi sửa các ô bên dưới nếu sai, '
        "sau đó bấm «Thêm văn bản».</b></div>"
        f'<table class="hd-facts">{facts}</table>'
        f'<div class="hd-summary hd-review-counts"><b>{len(doc.clauses)}</b> điều khoản · '
        f"<b>{len(doc.tasks)}</b> nhiệm vụ</div>{task_block}{notes_html(doc.warnings)}</div>"
    )
