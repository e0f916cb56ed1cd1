"""Vietnamese tokenization for the lexical index and for queries.

Words are segmented with underthesea (multi-syllable words joined by "_", lowercased).
Spans that officials search by literally - document numbers, dates, year ranges, task
ids, decimals and percentages - are cut out with regexes first, because underthesea
splits them ("214/KH-UBND" -> "214", "/", "KH-UBND"), and are emitted as whole tokens
in a canonical form, plus a few sub-tokens so partial forms still match.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache

from hoidap.corpus.normalize import normalize_text, strip_diacritics

# --- protected spans ---------------------------------------------------------------
# Separators are "?"-spaced because PDF extraction leaves "29- NQ/TW", "17 /11/2022".
_NOT_AFTER = r"(?<![^\W_])(?<![^\W\d_]-)"  # not glued to a word on the left ("Covid-19")
_NOT_BEFORE = r"(?![^\W_])"  # not glued to a word on the right ("5G")
# Issuer/type codes are ASCII capitals plus Đ (KH, UBND, QĐ, TTg, CTr, SKHĐT): never a
# toned vowel, so "2030 - Tốc độ" is not a document number. At least two codes
# (number/TYPE-ISSUER) so "25/năm" or "5 - A" cannot match.
_CODE = r"[A-Za-zĐđ]+"
_DOC_NO = rf"(?P<docno>(?P<docnum>\d+)(?:/(?:19|20)\d\d)? ?[-/] ?{_CODE}(?: ?[-/] ?{_CODE})+)"
_DATE_WORDS = r"(?P<wd>\d{1,2}) th[áa]ng (?P<wm>\d{1,2}) n[ăa]m (?P<wy>(?:19|20)\d\d)"  # 16 tháng 6 năm 2022
_DATE = r"(?P<date>(?P<d>\d{1,2}) ?/ ?(?P<m>\d{1,2})(?: ?/ ?(?P<y>\d{4}|\d{2}))?)"  # 06/11/2024, 15/11
_YEARS = r"(?P<years>(?P<y1>(?:19|20)\d\d) ?[-–] ?(?P<y2>(?:19|20)\d\d))"  # 2021 - 2030
# Letters glued to digits: "5G", "Covid-19", "ASEAN-4" - underthesea keeps "5G" whole
# but splits the lowercase "5g" a user types, so protect them on both sides.
_ALNUM = r"(?P<alnum>[A-Za-z]+-?\d[\dA-Za-z]*|\d+[A-Za-z][\dA-Za-z]*)"
_NUM = r"\d+(?:[.,]\d+)*"  # 5.4, 1.1.2, 7,25, 7.700
_PCT_RANGE = rf"(?P<prange>(?P<p1>{_NUM}) ?[-–] ?(?P<p2>{_NUM}) ?%)"  # 7,25 - 8,25%
_NUMBER = rf"(?P<num>(?P<n>{_NUM})(?P<pct> ?%)?)"  # 5.4, 8,25%
# Alternation order is priority at one start position: longest/most specific first.
_PROTECTED_RE = re.compile(
    _NOT_AFTER
    + "(?:"
    + "|".join((_DOC_NO, _DATE_WORDS, _DATE, _YEARS, _PCT_RANGE, _ALNUM, _NUMBER))
    + ")"
    + _NOT_BEFORE,
    re.IGNORECASE,
)
_HAS_WORD_RE = re.compile(r"[^\W_]")
# Sentence/clause ends ("." ";" ":" ">" of a breadcrumb) followed by a space: no word,
# number or document number spans one, so text can be cut there before segmenting.
_SENTENCE_END_RE = re.compile(r"(?<=[.;:>…!?])\s+")
_SPACES_RE = re.compile(r"\s+")
# Lone UTF-16 surrogates (from JSON "\ud800" escapes or undecodable argv bytes) make underthesea and the
# embedder's tokenizer raise; C0/C1 control characters carry no words. Both become spaces.
_INVALID_CHARS_RE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_UNDERSCORES_RE = re.compile(r"_+")

# Query-side function words, for reporting which *content* terms matched (matched_terms).
# They stay in the BM25 index: IDF already discounts them and phrases like "kế hoạch
# của tỉnh" need no special casing. Segmented forms ("như_thế_nào") are included
# because underthesea emits them as one token.
STOPWORDS: frozenset[str] = frozenset(
    """
    của và các là được những trong về với cho theo có để đến tại từ này đó kia một như
    thì mà ở bị do nào gì ai đâu không hay hoặc đã sẽ đang cũng rất nhiều khi nếu vào ra
    lên nên vì bởi hơn nhất cùng đối_với trên dưới sau trước bao_nhiêu thế_nào như_thế_nào
    là_gì cho_biết vậy ạ nhé hãy xin muốn cần biết hỏi gồm những_gì việc sự các_loại
    """.split()
)
# Without diacritics many function words collide with content words ("co": có/cơ chế,
# "tu": từ/đầu tư, "dang": đang/Đảng), so those folded forms are never stopwords.
_AMBIGUOUS_FOLDED = frozenset(
    "tai dau can su de tu do co da dang cung khi nen vi trong khong boi thi hoi den sau ma vay nhe".split()
)
FOLDED_STOPWORDS: frozenset[str] = frozenset(strip_diacritics(w) for w in STOPWORDS) - _AMBIGUOUS_FOLDED


_SEGMENTER_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _segmenter() -> Callable[[str], list[str]]:
    """underthesea's CRF word segmenter, loaded on first use without underthesea's package top level.

    ``import underthesea`` also imports its translation and classification pipelines, which import
    torch and transformers (seconds, and hundreds of MB held by the serving process for nothing); the
    segmenter needs only ``underthesea_core`` and ``joblib``.  So while its modules load, an empty
    package object (its ``__init__`` not run) stands in for ``underthesea``; it is removed afterwards,
    so that a later ``import underthesea`` elsewhere still runs the real one.
    """
    with _SEGMENTER_LOCK:
        if "underthesea" in sys.modules:  # the package is already imported in full: nothing to save
            from underthesea.pipeline.word_tokenize import word_tokenize

            return word_tokenize
        spec = importlib.util.find_spec("underthesea")
        if spec is None:
            raise ModuleNotFoundError("underthesea is not installed", name="underthesea")
        sys.modules["underthesea"] = importlib.util.module_from_spec(spec)
        try:
            # underthesea's own import order: text_normalize first, or the two modules import each other
            # half-initialized.
            importlib.import_module("underthesea.pipeline.text_normalize")
            module = importlib.import_module("underthesea.pipeline.word_tokenize")
            # The CRF model is imported and loaded on the first call: make it now, with the stand-in.
            module.word_tokenize("khởi động")
        finally:
            del sys.modules["underthesea"]
        return module.word_tokenize


def _pad2(s: str) -> str:
    return s.zfill(2)


def _protected_tokens(m: re.Match[str]) -> list[str]:
    """Canonical token(s) for one protected span.

    Args:
        m: a match of `_PROTECTED_RE`.

    Returns:
        The whole-span token first, then sub-tokens that let partial forms match.
    """
    g = m.groupdict()
    if g["docno"]:
        # "214/KH-UBND" -> "214/kh-ubnd", plus "214" so "kế hoạch 214" matches; leading
        # zeros dropped so "04-NQ/TU" and "4-NQ/TU" meet.
        num = g["docnum"].lstrip("0") or "0"
        whole = num + _SPACES_RE.sub("", g["docno"])[len(g["docnum"]) :].lower()
        return [whole, num]
    if g["wd"]:
        day, month = _pad2(g["wd"]), _pad2(g["wm"])
        return [f"{day}/{month}/{g['wy']}", f"{day}/{month}", g["wy"]]
    if g["date"]:
        # Zero-padded so "6/11/2024" and "06/11/2024" meet; a full date also yields its
        # day/month and year so "15/11" finds "15/11/2023".
        day, month = _pad2(g["d"]), _pad2(g["m"])
        if g["y"] is None:
            return [f"{day}/{month}"]
        return [f"{day}/{month}/{g['y']}", f"{day}/{month}", g["y"]]
    if g["years"]:
        return [f"{g['y1']}-{g['y2']}", g["y1"], g["y2"]]
    if g["alnum"]:
        return [g["alnum"].lower()]
    if g["prange"]:
        # "7,25 - 8,25%": the % applies to both ends, so "7,25%" in a query matches.
        p1, p2 = g["p1"], g["p2"]
        return [p1, p1 + "%", p2, p2 + "%"]
    # Bare number: "8,25%" -> "8,25" and "8,25%"; a lone "%" would carry no signal.
    return [g["n"], g["n"] + "%"] if g["pct"] else [g["n"]]


def _words(text: str) -> list[str]:
    """Segment a stretch of ordinary text; punctuation-only tokens are dropped."""
    if not _HAS_WORD_RE.search(text):
        return []
    out = []
    for w in _segmenter()(text):
        if not _HAS_WORD_RE.search(w):
            continue
        # "_" joins syllables, so a typed one at a word's edge ("x_") or doubled would fold into an
        # empty syllable, which bm25s cannot score (it raised on `/search?q=x_`).
        out.append(_UNDERSCORES_RE.sub("_", w.replace(" ", "_")).strip("_").lower())
    return out


def clean_text(text: str) -> str:
    """`text` with lone surrogates and control characters (except tab and newlines) made spaces."""
    return _INVALID_CHARS_RE.sub(" ", text)


def has_invalid_chars(text: str) -> bool:
    """True when `text` holds a lone surrogate or a control character other than tab/newline."""
    return _INVALID_CHARS_RE.search(text) is not None


def tokenize(text: str) -> list[str]:
    """Tokenize a document line or a query.

    Args:
        text: raw text (any Unicode form, any tone-mark style).

    Returns:
        Lowercased tokens: underthesea words ("tăng_trưởng") and protected spans
        ("5.4", "7,25", "8,25%", "214/kh-ubnd", "214", "15/11", "2021-2030", "2021").
    """
    tokens: list[str] = []
    text = clean_text(text)
    # Index entries repeat breadcrumbs and sentences (a task is also a clause), so
    # sentences are tokenized once each: a third less underthesea work on the corpus.
    for sentence in _SENTENCE_END_RE.split(text):
        tokens.extend(_tokenize_sentence(sentence))
    return tokens


@lru_cache(maxsize=1 << 13)
def _tokenize_sentence(text: str) -> tuple[str, ...]:
    norm = normalize_text(text)
    tokens: list[str] = []
    pos = 0
    # Segment the gaps between protected spans separately: underthesea never sees them.
    for m in _PROTECTED_RE.finditer(norm):
        tokens.extend(_words(norm[pos : m.start()]))
        tokens.extend(_protected_tokens(m))
        pos = m.end()
    tokens.extend(_words(norm[pos:]))
    return tuple(tokens)


@lru_cache(maxsize=1 << 16)
def fold_token(token: str) -> str:
    """Diacritics-free form of one token: "tăng_trưởng" -> "tang_truong"."""
    return strip_diacritics(token)


def fold_tokens(tokens: Iterable[str]) -> list[str]:
    """Tokens for the diacritics-free field.

    A query typed without diacritics is segmented differently ("chu tri" joins but
    "nhiem vu" does not), so every compound also yields its syllables: both sides then
    share the syllables whichever way they were segmented.

    Args:
        tokens: output of `tokenize`.

    Returns:
        Folded tokens, each compound followed by its syllables.
    """
    out: list[str] = []
    for tok in tokens:
        folded = fold_token(tok)
        if not folded.strip("_"):
            continue  # nothing to match; an empty token breaks bm25s's scoring
        out.append(folded)
        if "_" in folded:
            out.extend(s for s in folded.split("_") if s)
    return out


def is_stopword(token: str) -> bool:
    """True for a function word, accented ("có") or typed without diacritics ("cua", not "co")."""
    return token in STOPWORDS or token in FOLDED_STOPWORDS
