"""Syllables run together by a conversion that lost the spaces after some letters ("chuyển đổi sốquốc gia",
"Ban Thường vụTỉnh uỷtriển khai").

A Vietnamese syllable has a known shape (onset, vowels, final) and at most one tone mark, so a word that
carries diacritics, is no syllable itself and splits into syllables only one way is two or more syllables
glued. Whether a document's text is glued at all is decided on the whole document: splitting is done only
where glued words are frequent, so a rare odd word (a name, a loan word) elsewhere is left as printed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from hoidap.corpus.normalize import MappedText

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # grave, acute, tilde, hook above, dot below
_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
_WORD_RE = re.compile(r"[^\W\d_]+")
MAX_PARTS = 4
# Share of a document's words with diacritics that must be glued before its words are split: the glued
# development documents hold 3-6%, documents typed normally well under a tenth of a percent.
GLUED_MIN_SHARE = 0.01


def _untoned(word: str) -> tuple[str, list[int]]:
    """The word lowercased without its tone marks (vowel marks kept: ô, ư, ă) and, per letter, how many
    tone marks it carried."""
    letters: list[str] = []
    tones: list[int] = []
    for ch in word.casefold():
        parts = unicodedata.normalize("NFD", ch)
        letters.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES)))
        tones.append(sum(c in _TONES for c in parts))
    return "".join(letters), tones


def _is_syllable(bare: str, tones: list[int]) -> bool:
    return sum(tones) <= 1 and _SYLLABLE_RE.fullmatch(bare) is not None


@lru_cache(maxsize=65536)
def glued_cuts(word: str) -> tuple[int, ...]:
    """Where a glued word splits into syllables ('sốquốc' -> (2,)); () when it is one syllable, carries no
    diacritic or splits in no way. Of several splits the one into fewest syllables wins, then the one
    cutting earliest: a consonant between two vowels opens the next syllable ('vụtỉnh' is vụ|tỉnh, not
    vụt|ỉnh)."""
    if word.isascii():
        return ()
    bare, tones = _untoned(word)
    if len(bare) != len(word) or _is_syllable(bare, tones):
        return ()
    n = len(bare)
    best: list[tuple[int, ...] | None] = [None] * (n + 1)  # best[i]: the earliest cuts of bare[i:]
    best[n] = ()
    for i in range(n - 1, -1, -1):
        splits = [
            (j, *rest) if j < n else rest
            for j in range(i + 1, n + 1)
            if (rest := best[j]) is not None and len(rest) < MAX_PARTS and _is_syllable(bare[i:j], tones[i:j])
        ]
        best[i] = min(splits, key=lambda cuts: (len(cuts), cuts), default=None)
    cuts = best[0] or ()
    # A capitalised word with one tone mark may be a name of several syllables ("Chamaléa", "Pinăng"):
    # glued only when two tones or a capital inside ("vụTỉnh") show it.
    if cuts and word[0].isupper() and sum(tones) < 2 and not any(word[c].isupper() for c in cuts):
        return ()
    return cuts


def glued_share(text: str) -> float:
    """Share of the words with diacritics that are glued syllables."""
    marked = [w for w in _WORD_RE.findall(text) if not w.isascii()]
    if not marked:
        return 0.0
    return sum(bool(glued_cuts(w)) for w in marked) / len(marked)


# A Vietnamese word run into a number ("THÁNG8NĂM 2017", "năm2025"): a word with a diacritic beside digits.
# Codes (H5N1, B1, QĐ-UBND) carry no diacritic beside their digits, or are not words.
_WORD_NUMBER_RE = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_TOKEN_RE = re.compile(r"\w+")


def _number_cuts(token: str) -> list[int]:
    cuts = [m.start() for m in _WORD_NUMBER_RE.finditer(token)]
    if not cuts:
        return []
    bounds = [0, *cuts, len(token)]
    parts = [token[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    words = [p for p in parts if not p.isdigit()]
    vietnamese = all(len(p) > 1 and not p.isascii() and _WORD_RE.fullmatch(p) for p in words)
    return cuts if words and vietnamese else []


def unglue(m: MappedText, syllables: bool) -> tuple[MappedText, int]:
    """`m` with a space inserted between a word and a number run together and, when `syllables`, at each
    cut of its glued words; the spaces map to no original character (the quote of a span is still the
    original text). Also returns how many words were split."""
    if not syllables and not _WORD_NUMBER_RE.search(m.text):
        return m, 0  # most lines: no word runs into a number and the document is not glued
    inserts: list[int] = []
    split = 0
    for t in _TOKEN_RE.finditer(m.text):
        cuts = _number_cuts(t.group())
        if syllables:
            cuts += [w.start() + c for w in _WORD_RE.finditer(t.group()) for c in glued_cuts(w.group())]
        if cuts:
            split += 1
            inserts.extend(t.start() + c for c in cuts)
    if not inserts:
        return m, 0
    chars, starts, ends = list(m.text), list(m.starts), list(m.ends)
    for at in sorted(set(inserts), reverse=True):
        chars.insert(at, " ")
        starts.insert(at, m.starts[at])
        ends.insert(at, m.starts[at])
    return MappedText("".join(chars), starts, ends), split


# --- syllables split apart ("Tổ ng Biên t ập", "Nguy ễn"): a PDF's text layer broke some words -----------

_VOWEL_RE = re.compile(r"[aăâeêioôơuưy]")


def _bare(word: str) -> tuple[str, list[int]] | None:
    bare, tones = _untoned(word)
    return (bare, tones) if len(bare) == len(word) else None


def _part(word: str, after: str | None, final: bool = False) -> bool:
    """A piece of a syllable: letters without a vowel ("ng", "Tr", "d"); the end of one in lower case; a
    lone capital only when the next word goes on in lower case ("T ạp", not the initial of "xã P")."""
    bare = _bare(word)
    if bare is None or _VOWEL_RE.search(bare[0]) or (final and not word.islower()):
        return False
    return len(word) > 1 or word.islower() or (after is not None and after[:1].islower())


def _one_syllable(a: str, b: str) -> bool:
    x, y = _bare(a), _bare(b)
    return x is not None and y is not None and _is_syllable(x[0] + y[0], x[1] + y[1])


def _joined(a: str, b: str, after: str | None, words: frozenset[str]) -> bool:
    """Whether the space between words `a` and `b` splits one syllable: together they are one, and one of
    them is a piece of a syllable, or the document prints them together elsewhere ("Nguy ễn" where
    "Nguyễn" stands whole); a piece that makes a syllable with the word after it goes with that one
    ("yêu c ầu")."""
    if not _one_syllable(a, b):
        return False
    if _part(b, after) and after is not None and _one_syllable(b, after):
        return False
    return _part(a, b) or _part(b, after, final=True) or (a + b).casefold() in words


_PAIR_RE = re.compile(r"(?<![^\W\d_])([^\W\d_]+) (?=([^\W\d_]+)(?: ([^\W\d_]+))?)")


def split_share(text: str) -> float:
    """Share of the words with diacritics that are followed by a piece of their syllable."""
    text = unicodedata.normalize("NFC", text)
    marked = sum(not w.isascii() for w in _WORD_RE.findall(text))
    if not marked:
        return 0.0
    pieces = sum(
        _one_syllable(m.group(1), m.group(2))
        and (_part(m.group(1), m.group(2)) or _part(m.group(2), m.group(3), final=True))
        for m in _PAIR_RE.finditer(text)
    )
    return pieces / marked


def whole_words(text: str) -> frozenset[str]:
    """The words a text prints (folded case), which tell a split syllable from two syllables."""
    return frozenset(w.casefold() for w in _WORD_RE.findall(unicodedata.normalize("NFC", text)))


def rejoin(m: MappedText, words: frozenset[str]) -> tuple[MappedText, int]:
    """`m` without the spaces that split a syllable; the text still maps to the original, space and all."""
    drop = [x.end(1) for x in _PAIR_RE.finditer(m.text) if _joined(x.group(1), x.group(2), x.group(3), words)]
    if not drop:
        return m, 0
    keep = set(range(len(m.text))) - set(drop)
    idx = sorted(keep)
    return MappedText(
        "".join(m.text[i] for i in idx), [m.starts[i] for i in idx], [m.ends[i] for i in idx]
    ), len(drop)
