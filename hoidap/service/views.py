"""Aligned views of a normalized question, all of the same length so one offset fits every view:

- ``low``: lower-cased, diacritics kept (tells "đ" from "d" in task letters);
- ``al``:  ``low`` without diacritics (đ -> d): patterns with digits and separators;
- ``tok``: ``al`` with every non-word character blanked: word patterns, so "KH&ĐT",
  "KH & ĐT" and "KH ĐT" all read "kh dt".

Because detection runs on diacritics-free text, "ai chu tri" and "ai chủ trì" analyse identically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from hoidap.corpus.normalize import fold, strip_diacritics
from hoidap.service.vocabulary import patterns

_AI_ACRONYM_RE = patterns().named["ai_acronym"]


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character, diacritics removed and case-folded, always exactly one character."""
    out = strip_diacritics(ch).casefold()
    return out[:1] if out else " "


def _lower_char(ch: str) -> str:
    out = ch.lower()
    return out if len(out) == 1 else ch


_NON_WORD_RE = re.compile(r"[^\w%]|_")


@dataclass(frozen=True)
class Views:
    norm: str
    low: str
    al: str
    tok: str


def aligned_views(normalized: str) -> Views:
    low = "".join(_lower_char(c) for c in normalized)
    al = "".join(_fold_char(c) for c in normalized)
    tok = _NON_WORD_RE.sub(" ", al)
    if not normalized.isupper():  # a question typed in capitals says nothing by its case
        tok = blanked(tok, [m.span() for m in _AI_ACRONYM_RE.finditer(normalized)])
    return Views(normalized, low, al, tok)


def blanked(text: str, spans: list[tuple[int, int]]) -> str:
    for s, e in spans:
        text = text[:s] + " " * (e - s) + text[e:]
    return text


def folded_key(text: str) -> str:
    """Punctuation-free folded key: 'Sở KH&ĐT' -> 'so kh dt'."""
    return " ".join(_NON_WORD_RE.sub(" ", fold(text)).split())


def overlaps(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)
