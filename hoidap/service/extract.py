"""Locate the answering phrase inside a clause: figures, best sentence, original spans."""

from __future__ import annotations

import re

from hoidap.corpus.normalize import fold, normalize_span

# A figure as printed: optional qualifier, a number or range, optional unit and "/năm".
UNIT = r"(?:%|USD|tỷ USD|tỷ đồng|triệu USD|triệu tấn|triệu KWh|triệu kWh|KWh|MW|kV|ha|lần|hợp đồng|trường)"
FIGURE_RE = re.compile(
    r"(?:(?:trên|dưới|khoảng|từ|hơn|tối thiểu|ít nhất|đạt|là)\s+)?"
    rf"\d[\d.,]*(?:\s*%)?(?:\s*[-–]\s*\d[\d.,]*)?(?:\s*{UNIT})?(?:\s*/\s*năm)?",
)
YEAR_ONLY_RE = re.compile(r"^(?:(?:từ|đạt|là|khoảng)\s+)?(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?$")
SENTENCE_SPLIT_RE = re.compile(r"(?<=[.;!?])\s+")


def figure_phrase(text: str, terms: list[str]) -> tuple[str, int] | None:
    """The figure that answers a question about `terms` in `text`.

    Args:
        text: normalized clause text.
        terms: key phrases of the question ("tăng trưởng GRDP").

    Returns:
        (phrase as printed, offset in text), or None when the clause holds no figure.
        Years and year ranges ("2021 - 2030") are not figures; the first figure after the
        best-matching term wins, else the first figure of the clause.
    """
    candidates = []
    for m in FIGURE_RE.finditer(text):
        if re.match(r"\s*[-/]\s*[A-Za-zĐđ]", text[m.end() : m.end() + 3]):
            continue  # part of a document number: "536-KL/TU", "214/KH-UBND"
        phrase = m.group(0).strip().rstrip(".,;")
        if YEAR_ONLY_RE.match(phrase) or not re.search(r"\d", phrase):
            continue
        if re.fullmatch(r"\d{1,2}", phrase) or re.fullmatch(r"\d+(?:\.\d+)+", phrase):
            continue  # item numbers like "1", "2.1"
        candidates.append((m.start(), phrase))
    if not candidates:
        return None
    anchor = _term_position(text, terms)
    if anchor is not None:
        after = [c for c in candidates if c[0] >= anchor]
        if after:
            return _tidy(*after[0])
    return _tidy(*candidates[0])


def _tidy(start: int, phrase: str) -> tuple[str, int]:
    """Drop a leading verb ("đạt", "là"), keep qualifiers ("trên", "khoảng")."""
    tidy = re.sub(r"^(?:đạt|là)\s+", "", phrase)
    return tidy, start + len(phrase) - len(tidy)


def _term_position(text: str, terms: list[str]) -> int | None:
    folded = fold(text)
    best: tuple[int, int] | None = None  # (matched words, position)
    for term in terms:
        words = fold(term).split()
        for n in range(len(words), 0, -1):
            for i in range(0, len(words) - n + 1):
                piece = " ".join(words[i : i + n])
                pos = folded.find(piece)
                if pos >= 0 and (best is None or n > best[0]):
                    best = (n, pos + len(piece))
                    break
            if best and best[0] == n:
                break
    return best[1] if best else None


DEADLINE_RE = re.compile(
    r"(?:[Hh]oàn thành|[Pp]hấn đấu|[Tt]hực hiện)?\s*(?:trong|trước|vào|đến|từ)\s+"
    r"(?:ngày\s+\d{1,2}/\d{1,2}(?:/\d{4})?|quý\s+[IV]+/\d{4}|(?:năm|cuối năm)\s+\d{4}|tháng\s+\d{1,2}/\d{4})"
    r"|[Tt]hường xuyên(?:,? hằng năm| hàng năm)?|[Hh][àằ]ng năm"
)


def deadline_phrase(text: str) -> str | None:
    """A time expression stated in prose: 'Hoàn thành trong quý II/2023', 'vào năm 2030'."""
    m = DEADLINE_RE.search(text)
    return m.group(0).strip() if m else None


def best_sentence(text: str, query_terms: list[str]) -> str:
    """The sentence of `text` sharing most words with the query (whole text when one sentence)."""
    sentences = [s for s in SENTENCE_SPLIT_RE.split(text) if s.strip()]
    if len(sentences) <= 1:
        return text
    terms = {fold(t).replace("_", " ") for t in query_terms}
    words = {w for t in terms for w in t.split()}

    def overlap(s: str) -> int:
        fs = set(fold(s).split())
        return sum(1 for w in words if w in fs)

    return max(sentences, key=overlap)


def locate(original: str, start: int, end: int, phrase: str) -> tuple[int, int] | None:
    """Original span of a normalized `phrase` inside original[start:end] (for highlighting)."""
    if not phrase:
        return None
    mapped = normalize_span(original, start, end)
    pos = mapped.text.find(phrase)
    if pos < 0:
        pos = fold(mapped.text).find(fold(phrase)) if len(fold(mapped.text)) == len(mapped.text) else -1
    if pos < 0:
        return None
    return mapped.orig_span(pos, pos + len(phrase))
