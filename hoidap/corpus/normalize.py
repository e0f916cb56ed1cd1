"""Text normalization shared by documents and queries.

Documents are normalized line by line with a character map back to the original
file, so every record can quote the exact original substring it came from.
Queries go through `normalize_text`, which applies the same character rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

# Legacy (TCVN3/VNI-era) font damage seen in PDF extractions: look-alike code points.
LEGACY_FONT_MAP: dict[str, str] = {
    "ƣ": "ư",  # U+01A3 LATIN SMALL LETTER OI
    "Ƣ": "Ư",  # U+01A2 LATIN CAPITAL LETTER OI
    "Ð": "Đ",  # U+00D0 LATIN CAPITAL LETTER ETH
    "ð": "đ",  # U+00F0 LATIN SMALL LETTER ETH
    "Ɖ": "Đ",  # U+0189 LATIN CAPITAL LETTER AFRICAN D
    "ɖ": "đ",  # U+0256 LATIN SMALL LETTER D WITH TAIL
}

# One tone-mark placement style (the classic one underthesea uses: hòa, thủy, khỏe):
# in open syllables ending in oa/oe/uy the tone sits on the first vowel.
_TONED = {
    "a": "àáảãạ",
    "e": "èéẻẽẹ",
    "y": "ỳýỷỹỵ",
    "o": "òóỏõọ",
    "u": "ùúủũụ",
}
_TONE_FIX: dict[str, str] = {}
for _first, _second in (("o", "a"), ("o", "e"), ("u", "y")):
    for _i, _toned in enumerate(_TONED[_second]):
        for _f, _s in ((_first, _second), (_first.upper(), _second.upper())):
            _bad = _f + (_toned if _s.islower() else _toned.upper())
            _good = (_TONED[_first][_i] if _f.islower() else _TONED[_first][_i].upper()) + _s
            _TONE_FIX[_bad] = _good
# Not after "q" (qu- is a consonant: quý keeps its tone on y) and only at a syllable end.
_TONE_PAIR_RE = re.compile(r"(?<![qQ])(" + "|".join(map(re.escape, _TONE_FIX)) + r")(?![^\W\d_])")

# A text holding none of these first letters followed by a toned vowel has no tone to move (most texts).
_TONE_CANDIDATE_RE = re.compile(
    "[" + "".join(sorted({k[0] for k in _TONE_FIX})) + "][" + "".join(sorted({k[1] for k in _TONE_FIX})) + "]"
)

_WS_RE = re.compile(r"\s+")
# Passages are normalized again by every question that ranks them (folded, lowered): the forms are kept
# for the process's life, up to this many texts of each function (a few tens of MB at most).
TEXT_CACHE_SIZE = 16384

# `normalize_text` and `strip_diacritics` without the per-character walk (issue 26: a question's first
# ranking normalized ~20 passages that way, ~3 ms). The walk is needed only for a combining mark or a text
# not in NFC; code points from U+3000 on are left to it, so the combining marks below are listed here
# once (12,288 look-ups at import).
_FAST_LIMIT = 0x3000
_COMBINING_BELOW = "".join(chr(c) for c in range(_FAST_LIMIT) if unicodedata.combining(chr(c)))
_COMBINING_RE = re.compile(f"[{re.escape(_COMBINING_BELOW)}]")
_NEEDS_WALK_RE = re.compile(f"[^\\x00-\\u2fff]|[{re.escape(_COMBINING_BELOW)}]")
_WIDE_RE = re.compile("[^\\x00-\\u2fff]")
_LEGACY_RE = re.compile(f"[{''.join(LEGACY_FONT_MAP)}]")
_LEGACY_TABLE = str.maketrans(LEGACY_FONT_MAP)
_NON_SPACE_RE = re.compile(r"\S+")  # \s is str.isspace's whitespace


@dataclass
class MappedText:
    """Normalized text with, for every character, the original span it came from."""

    text: str = ""
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def orig_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) covering normalized characters [start, end)."""
        if end <= start:
            raise ValueError("empty span")
        return self.starts[start], self.ends[end - 1]


@dataclass
class RepairCounts:
    """What normalization changed, for the parse report."""

    legacy_font: Counter[str] = field(default_factory=Counter)
    tone_marks: int = 0
    nfc: int = 0
    glued_words: int = 0  # syllables run together and split (hoidap.corpus.syllables)
    split_syllables: int = 0  # syllables broken by a space and joined again (hoidap.corpus.syllables)

    def merge(self, other: RepairCounts) -> None:
        self.legacy_font.update(other.legacy_font)
        self.tone_marks += other.tone_marks
        self.nfc += other.nfc
        self.glued_words += other.glued_words
        self.split_syllables += other.split_syllables

    def as_dict(self) -> dict[str, object]:
        return {
            "legacy_font": {f"{k}->{LEGACY_FONT_MAP[k]}": v for k, v in sorted(self.legacy_font.items())},
            "tone_marks": self.tone_marks,
            "nfc": self.nfc,
            "glued_words": self.glued_words,
            "split_syllables": self.split_syllables,
        }


def _clusters(text: str, start: int, end: int):
    """Yield (cluster, cluster_start, cluster_end): a base char plus its combining marks."""
    i = start
    while i < end:
        j = i + 1
        while j < end and unicodedata.combining(text[j]):
            j += 1
        yield text[i:j], i, j
        i = j


def normalize_span(text: str, start: int, end: int, repairs: RepairCounts | None = None) -> MappedText:
    """Normalize text[start:end] (one line or a query) keeping a per-character map.

    Args:
        text: the original document text.
        start, end: the span to normalize.
        repairs: optional counter updated with the repairs made.

    Returns:
        MappedText whose offsets index into `text`. Whitespace runs become one space;
        leading and trailing whitespace is dropped.
    """
    if repairs is None and _simple(text[start:end]):
        return _map_simple(text, start, end)
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending_space: tuple[int, int] | None = None
    for cluster, cs, ce in _clusters(text, start, end):
        if cluster.isspace():
            pending_space = (pending_space[0], ce) if pending_space else (cs, ce)
            continue
        if pending_space and chars:
            chars.append(" ")
            starts.append(pending_space[0])
            ends.append(pending_space[1])
        pending_space = None
        composed = unicodedata.normalize("NFC", cluster)
        if repairs is not None and composed != cluster:
            repairs.nfc += 1
        for ch in composed:
            fixed = LEGACY_FONT_MAP.get(ch)
            if fixed:
                if repairs is not None:
                    repairs.legacy_font[ch] += 1
                ch = fixed
            chars.append(ch)
            starts.append(cs)
            ends.append(ce)
    joined = "".join(chars)
    fixed_text = _fix_tones(joined, repairs)
    return MappedText(fixed_text, starts, ends)


def _simple(text: str) -> bool:
    """In NFC, no combining mark, nothing from U+3000 on: each character is a cluster the walk keeps as
    it is (bar the legacy letters and the tone fix, one character for one)."""
    return _NEEDS_WALK_RE.search(text) is None and unicodedata.is_normalized("NFC", text)


def _map_simple(text: str, start: int, end: int) -> MappedText:
    """`normalize_span` of a `_simple` span without the walk: its words as they are, the whitespace
    between two words as one space mapped to the whole run (what the walk gives)."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    prev: int | None = None
    for m in _NON_SPACE_RE.finditer(text, start, end):
        s, e = m.span()
        if prev is not None:
            pieces.append(" ")
            starts.append(prev)
            ends.append(s)
        pieces.append(m.group())
        starts.extend(range(s, e))
        ends.extend(range(s + 1, e + 1))
        prev = e
    joined = "".join(pieces)
    if _LEGACY_RE.search(joined):
        joined = joined.translate(_LEGACY_TABLE)
    return MappedText(_fix_tones(joined, None), starts, ends)


def _fix_tones(text: str, repairs: RepairCounts | None) -> str:
    if _TONE_CANDIDATE_RE.search(text) is None:
        return text

    def repl(m: re.Match[str]) -> str:
        if repairs is not None:
            repairs.tone_marks += 1
        return _TONE_FIX[m.group(1)]

    # Same-length replacement, so the character map stays valid.
    return _TONE_PAIR_RE.sub(repl, text)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def normalize_text(text: str) -> str:
    """Normalize free text (a query, a field value) with the document rules."""
    if _simple(text):
        # What the walk gives such a text: each character as it is (NFC already, no marks to compose),
        # whitespace runs as one space (str.split's whitespace is str.isspace's), legacy letters mapped.
        out = " ".join(text.split())
        if _LEGACY_RE.search(out):
            out = out.translate(_LEGACY_TABLE)
        return _fix_tones(out, None)
    return normalize_span(text, 0, len(text)).text


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def strip_diacritics(text: str) -> str:
    """Remove Vietnamese diacritics: 'Sở Tài chính' -> 'So Tai chinh'."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    if _WIDE_RE.search(text) is None:  # its marks are among those listed: one pass of the regex engine
        bare = _COMBINING_RE.sub("", decomposed)
    else:
        bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def lowered(text: str) -> str:
    """`fold` keeping diacritics: normalized, whitespace collapsed, case-folded (the same offsets as
    `fold`'s, one character for one)."""
    return _WS_RE.sub(" ", normalize_text(text)).casefold().strip()


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def fold(text: str) -> str:
    """Normalized, diacritics-free, case-folded form for matching user input."""
    return _WS_RE.sub(" ", strip_diacritics(normalize_text(text))).casefold().strip()


def has_diacritics(text: str) -> bool:
    """True when the text carries any Vietnamese diacritic (or đ)."""
    return strip_diacritics(text) != text
