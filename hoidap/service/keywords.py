"""Key terms of a question: its content words without stop phrases (data: question.json), the dates it
writes, and the question without the names of the documents it is scoped to.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from hoidap.corpus.normalize import fold, normalize_text, strip_diacritics
from hoidap.service.views import Views, overlaps
from hoidap.service.vocabulary import vocabulary

_V = vocabulary()
# Question and function words dropped from `keywords` (accented; a token typed without diacritics is
# compared folded, except the single words in FOLD_AMBIGUOUS).
STOP_PHRASES: tuple[str, ...] = tuple(_V.stop_phrases)
# Extra words dropped from `figure_terms` (the figure's noun phrase).
FIGURE_STOP_PHRASES: tuple[str, ...] = tuple(_V.figure_stop_phrases)
# Folded single words too ambiguous to drop when typed without diacritics ("do" = do/độ, "thi" = thì/thị,
# "tu" = từ/tư): dropping them would break "toc do", "do thi", "dau tu" ...
FOLD_AMBIGUOUS = frozenset(_V.fold_ambiguous)
# ... unless the next words settle it: "dat bao nhieu" is "đạt bao nhiêu" (a figure verb).
FOLD_AMBIGUOUS_BEFORE: dict[str, str] = dict(_V.fold_ambiguous_before)


TOKEN_RE = re.compile(r"\w+(?:[.,/&\-]\w+)*(?:\(\d{1,2}\))?|%")


@dataclass(frozen=True)
class _StopTable:
    """Stop phrases indexed by their folded word tuples; accented forms kept for checking."""

    by_fold: dict[tuple[str, ...], list[tuple[str, ...]]]
    max_len: int


def _stop_table(*phrase_lists: Sequence[str]) -> _StopTable:
    by_fold: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for phrases in phrase_lists:
        for p in phrases:
            words = tuple(normalize_text(p).lower().split())
            if words:
                by_fold[tuple(fold(w) for w in words)].append(words)
    return _StopTable(dict(by_fold), max(len(k) for k in by_fold))


STOP = _stop_table(STOP_PHRASES)


# Folded tokens ("chi_tieu", "bao_nhieu") of the words that frame a question rather than name its
# subject: a clause need not repeat them to answer it.
FRAME_TOKENS: frozenset[str] = frozenset(
    strip_diacritics(p).casefold().replace(" ", "_")
    for p in (*STOP_PHRASES, *FIGURE_STOP_PHRASES)
    if p and p not in _V.not_frame_tokens
)


FIGURE_STOP = _stop_table(STOP_PHRASES, FIGURE_STOP_PHRASES)


def _is_stop(tokens: list[tuple[str, str]], table: _StopTable, marks: bool, after: str) -> bool:
    """`tokens` (low, folded) form a stop phrase; `after` is the folded text that follows.

    In a question typed with diacritics the accented forms must match exactly ("đất" is
    not "đạt"); without diacritics the folded forms do, except ambiguous single words.
    """
    accented_forms = table.by_fold.get(tuple(f for _, f in tokens))
    if not accented_forms:
        return False
    if not marks:
        word = tokens[0][1]
        if len(tokens) > 1 or word not in FOLD_AMBIGUOUS:
            return True
        context = FOLD_AMBIGUOUS_BEFORE.get(word)
        return bool(context and re.match(context, after))
    return any(all(low == w for (low, _), w in zip(tokens, words, strict=True)) for words in accented_forms)


_NUMERIC_RE = re.compile(r"[\d.,/%()-]+")


_DATE_RES = (
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>(?:19|20)\d\d)(?!\d)"),
    re.compile(r"\bngay\s+(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})\s+nam\s+(?P<y>(?:19|20)\d\d)\b"),
)


def dates_in(folded: str) -> list[str]:
    """ISO dates written in a (folded) question, in order, without repeats."""
    found: list[tuple[int, str]] = []
    for rx in _DATE_RES:
        for m in rx.finditer(folded):
            d, mo, y = int(m["d"]), int(m["m"]), int(m["y"])
            if 1 <= d <= 31 and 1 <= mo <= 12:
                found.append((m.start(), f"{y:04d}-{mo:02d}-{d:02d}"))
    return list(dict.fromkeys(iso for _, iso in sorted(found)))


def without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with `spans` cut out (whitespace collapsed); `text` itself when nothing would be left."""
    kept, at = [], 0
    for s, e in sorted(spans):
        kept.append(text[at:s])
        at = max(at, e)
    kept.append(text[at:])
    out = " ".join(" ".join(kept).split())
    return out if out.strip(" ?.,") else text


def content_chunks(
    v: Views,
    marks: bool,
    removed: list[tuple[int, int]],
    replaced: list[tuple[tuple[int, int], str]],
    table: _StopTable,
    *,
    numbers_split: bool = False,
) -> list[list[str]]:
    """Runs of content tokens: stop phrases and `removed` spans cut, `replaced` spans rewritten.

    With `numbers_split`, numeric tokens cut too (figure terms are noun phrases).
    """
    tokens = [
        (m.group(), v.low[m.start() : m.end()], v.al[m.start() : m.end()], m.span())
        for m in TOKEN_RE.finditer(v.norm)
    ]
    chunks: list[list[str]] = [[]]
    done: set[tuple[int, int]] = set()
    i = 0
    while i < len(tokens):
        text, _, _, span = tokens[i]
        rep = next(((s, r) for s, r in replaced if overlaps(span, [s])), None)
        if rep is not None:
            if rep[0] not in done:
                done.add(rep[0])
                chunks[-1].append(rep[1])
            i += 1
            continue
        if overlaps(span, removed) or (numbers_split and _NUMERIC_RE.fullmatch(text)):
            chunks.append([])
            i += 1
            continue
        for n in range(min(table.max_len, len(tokens) - i), 0, -1):
            after = v.tok[tokens[i + n - 1][3][1] :]
            if _is_stop([(lw, f) for _, lw, f, _ in tokens[i : i + n]], table, marks, after):
                chunks.append([])
                i += n
                break
        else:
            chunks[-1].append(text)
            i += 1
    return [c for c in chunks if c]
