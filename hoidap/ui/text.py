"""Plain text for the page: the citation an official pastes into a công văn, how a place in a document
is named, dates as printed, and where a query's terms sit in a quote (the spans the page highlights).

No HTML here (`hoidap.ui.render` and the templates make it); pure functions, tested alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from hoidap.corpus.normalize import fold

_LEGACY = str.maketrans({"ƣ": "ư", "Ƣ": "Ư", "Ð": "Đ", "ð": "đ"})
_CONTINUATION_RE = re.compile(r"\n(?=[ \t\r\n]*[a-zà-ỹđ(,;:])")


def readable(text: str) -> str:
    """Same length as `text`; a hard wrap before a lowercase continuation becomes a space."""
    return _CONTINUATION_RE.sub(" ", text)


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
    places = by_place(pair_answers(data.get("answers") or [], cites), infos)
    lines = [places or data.get("answer") or ""]
    for c in cites:
        lines.append(citation_text(c, originals.get(c["doc_id"]), infos.get(c["doc_id"])))
    return "\n".join(x for x in lines if x)


def pair_answers(
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


def place_of(info: Any | None) -> str | None:
    return getattr(info, "province", None) or None


def by_place(paired: list[tuple[dict[str, Any], Any]], infos: dict[str, Any]) -> str | None:
    """'Quảng Ngãi: trên 50% · Quảng Nam: khoảng 40%' when each answer is a different, known place's;
    else None (the service's answer, by document, is said instead)."""
    places = [place_of(infos.get(a["doc_id"])) for a, _ in paired]
    if len(paired) < 2 or None in places or len(set(places)) < len(places):
        return None
    return " · ".join(f"{p}: {a['answer']}" for p, (a, _) in zip(places, paired, strict=True))
