"""BM25 (bm25s) over two fields of the same rows: accented words and folded words.

The accented field rewards the exact Vietnamese word ("sở" is not "sổ"); the folded
field (`fold_tokens`: compounds plus their syllables) lets a query typed without
diacritics match at all. A row's score is the sum of both fields. Query tokens that
carry a digit (task ids, document numbers, dates, figures) weigh double: typing
"5.4" or "214/KH-UBND" is the most specific thing a user can say.

Measured on 45 hand-written questions over the corpus's 922 paragraphs (P@1 accented /
typed without diacritics): sum 0.89 / 0.89, max 0.82 / 0.84 (max is in effect the
folded field alone), accented field alone 0.91 / 0.31; the digit weight lifted sum
from 0.84 / 0.87. Dropping stopwords from the query lowered P@1, so they stay in.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np

from hoidap.indexer.tokenization import fold_token, fold_tokens, is_stopword

# bm25s sets its own logger to DEBUG, which prints on every build once logging is configured.
logging.getLogger("bm25s").setLevel(logging.WARNING)

PROTECTED_WEIGHT = 2.0
_DIGIT_RE = re.compile(r"\d")
_TOKENS_FILE = "tokens.json"
_FIELDS = ("accented", "folded")


@dataclass
class LexicalHit:
    """One scored row."""

    row: int
    score: float
    matched_terms: list[str] = field(default_factory=list)


def _unique(tokens: list[str]) -> list[str]:
    # A repeated query word would otherwise count twice in bm25s.
    return list(dict.fromkeys(tokens))


def _bm25(token_lists: list[list[str]]) -> bm25s.BM25 | None:
    """A bm25s model, or None when no row has a token (bm25s needs a vocabulary)."""
    if not any(token_lists):
        return None
    model = bm25s.BM25()
    model.index(token_lists, show_progress=False)
    return model


def _field_scores(model: bm25s.BM25 | None, query: list[str], n_rows: int) -> np.ndarray:
    """Sum of per-token BM25 scores, tokens with a digit weighted by PROTECTED_WEIGHT."""
    scores = np.zeros(n_rows, dtype=np.float32)
    if model is None:
        return scores
    # bm25s keeps "" in its vocabulary without a matrix row, so an empty token must never reach it.
    known = [t for t in _unique(query) if t and t in model.vocab_dict]
    plain = [t for t in known if not _DIGIT_RE.search(t)]
    protected = [t for t in known if _DIGIT_RE.search(t)]
    if plain:
        scores += _token_scores(model, plain)
    if protected:
        scores += PROTECTED_WEIGHT * _token_scores(model, protected)
    return scores


def _token_scores(model: bm25s.BM25, tokens: list[str]) -> np.ndarray:
    """`model.get_scores(tokens)` for tokens of its vocabulary in one `np.add.at` (issue 26): bm25s adds
    each token's row of precomputed scores with one call per token; `add.at` adds the rows joined in the
    same order, one element after the other, so each document's sum is made of the same additions."""
    if model.nonoccurrence_array is not None:  # BM25L / BM25+ add a score per token besides
        return model.get_scores(tokens)
    data, indices, indptr = model.scores["data"], model.scores["indices"], model.scores["indptr"]
    spans = [(indptr[row], indptr[row + 1]) for row in (model.vocab_dict[t] for t in tokens)]
    scores = np.zeros(model.scores["num_docs"], dtype=model.dtype)
    np.add.at(
        scores,
        np.concatenate([indices[a:b] for a, b in spans]),
        np.concatenate([data[a:b] for a, b in spans]),
    )
    return scores


class LexicalIndex:
    """BM25 over pre-tokenized rows (output of `tokenize`); row ids are list positions."""

    def __init__(
        self,
        token_lists: list[list[str]],
        accented: bm25s.BM25 | None = None,
        folded: bm25s.BM25 | None = None,
    ) -> None:
        """Prefer `build` or `load`.

        Args:
            token_lists: one accented token list per row.
            accented, folded: already built models (from `load`); built here if None.
        """
        self._tokens = [list(t) for t in token_lists]
        # Each row's word sets for `matched_terms`, made on the row's first hit and kept: rows never
        # change, so no question folds a stored row again (issue 26).
        self._sets: list[RowSets | None] = [None] * len(self._tokens)
        if accented is None and folded is None:
            accented = _bm25(self._tokens)
            folded = _bm25([fold_tokens(t) for t in self._tokens])
        self._accented = accented
        self._folded = folded

    @classmethod
    def build(cls, token_lists: list[list[str]]) -> LexicalIndex:
        """Build from pre-tokenized rows so callers can cache tokens between rebuilds.

        Args:
            token_lists: one `tokenize` output per row.

        Returns:
            The index (2,100 rows build in ~0.1 s).
        """
        return cls(token_lists)

    def __len__(self) -> int:
        return len(self._tokens)

    @property
    def token_lists(self) -> list[list[str]]:
        """The accented token lists the index was built from (do not mutate)."""
        return self._tokens

    def field_scores(self, query_tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per-field BM25 scores of every row, for inspection and tests.

        Args:
            query_tokens: `tokenize` output of the query.

        Returns:
            (accented, folded) float32 arrays of length len(self).
        """
        n = len(self)
        return (
            _field_scores(self._accented, query_tokens, n),
            _field_scores(self._folded, fold_tokens(query_tokens), n),
        )

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """Combined score of every row: accented + folded.

        Summing beats max: for an accented query the folded field is usually the larger,
        so max would discard the accented field's tie-break between fold-alike words.

        Args:
            query_tokens: `tokenize` output of the query.

        Returns:
            float32 array of length len(self); 0 where nothing matched.
        """
        accented, folded = self.field_scores(query_tokens)
        return accented + folded

    def search(
        self, query_tokens: list[str], k: int, allowed: np.ndarray | None = None, terms: bool = True
    ) -> list[LexicalHit]:
        """Top-k rows by BM25.

        Args:
            query_tokens: `tokenize` output of the query.
            k: number of hits wanted.
            allowed: optional boolean mask over rows; False rows are never returned.
            terms: fill each hit's matched terms (a caller that ranks the hits further and reads the
                terms of the few it keeps passes False).

        Returns:
            Hits with score > 0, best first (ties by row id); [] for an empty index or
            a query with no known term.
        """
        return [
            LexicalHit(r, score, self.matched_terms(query_tokens, r) if terms else [])
            for r, score in self.top(query_tokens, k, allowed).items()
        ]

    def top(self, query_tokens: list[str], k: int, allowed: np.ndarray | None = None) -> dict[int, float]:
        """`search`'s rows and scores, best first, without hit objects (what fusion reads)."""
        if not len(self) or k <= 0 or not query_tokens:
            return {}
        scores = self.scores(query_tokens)
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=bool)
            if allowed.shape != scores.shape:
                raise ValueError(f"allowed mask has shape {allowed.shape}, index has {len(self)} rows")
            scores = np.where(allowed, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if candidates.size > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        # Python ints and floats in one call each, not a numpy scalar per hit (issue 26).
        return dict(zip(order.tolist(), scores[order].tolist(), strict=True))

    def matched_terms(self, query_tokens: list[str], row: int) -> list[str]:
        """Query terms (stopwords excluded) found in a row, accented or folded (see `matched_terms`)."""
        sets = self._sets[row]
        if sets is None:
            sets = self._sets[row] = row_sets(self._tokens[row])
        return terms_in(query_tokens, sets)

    def save(self, dir: Path) -> None:
        """Write the token lists and both bm25s models (bm25s's own format).

        Args:
            dir: target directory (created if missing).
        """
        dir = Path(dir)
        dir.mkdir(parents=True, exist_ok=True)
        with open(dir / _TOKENS_FILE, "w", encoding="utf-8") as fh:
            json.dump(self._tokens, fh, ensure_ascii=False, separators=(",", ":"))
        for name, model in zip(_FIELDS, (self._accented, self._folded), strict=True):
            if model is not None:
                model.save(dir / name, show_progress=False)

    @classmethod
    def load(cls, dir: Path) -> LexicalIndex:
        """Read an index written by `save`.

        Loading bm25s's saved matrices takes ~10 ms for 2,100 rows against 100-150 ms
        for rebuilding them from the tokens, so the matrices are stored.

        Args:
            dir: directory given to `save`.

        Returns:
            The index.
        """
        dir = Path(dir)
        with open(dir / _TOKENS_FILE, encoding="utf-8") as fh:
            tokens = json.load(fh)
        models = [
            bm25s.BM25.load(dir / name, show_progress=False) if (dir / name).is_dir() else None
            for name in _FIELDS
        ]
        if any(tokens) and None in models:
            return cls(tokens)  # a model is missing: rebuild rather than fail
        return cls(tokens, *models)


# A row's tokens, their syllables and their folded forms.
RowSets = tuple[frozenset[str], frozenset[str], frozenset[str]]


def row_sets(row_tokens: Sequence[str]) -> RowSets:
    """The sets `terms_in` matches a query against, computed once per row by the caller."""
    accented = frozenset(row_tokens)
    return accented, frozenset(s for t in accented for s in t.split("_")), frozenset(fold_tokens(row_tokens))


@lru_cache(maxsize=65536)
def _cached_row_sets(row_tokens: tuple[str, ...]) -> RowSets:
    return row_sets(row_tokens)


def matched_terms(query_tokens: list[str], row_tokens: list[str]) -> list[str]:
    """Query terms (stopwords excluded) found in a row's tokens, accented or folded.

    A module function so every retrieval backend reports the same terms for the same row (its row
    sets memoized per process by the row's tokens; `LexicalIndex` keeps them per row instead).

    Args:
        query_tokens: `tokenize` output of the query.
        row_tokens: the row's accented tokens.

    Returns:
        Query tokens in query order, each once.
    """
    return terms_in(query_tokens, _cached_row_sets(tuple(row_tokens)))


def terms_in(query_tokens: list[str], sets: RowSets) -> list[str]:
    """`matched_terms` over a row's precomputed `row_sets`."""
    accented, syllables, folded = sets
    out: list[str] = []
    for tok, marked, parts in _query_terms(tuple(query_tokens)):
        # A compound may be segmented differently in the row, so all its syllables being present
        # counts as a match. A word typed with diacritics matches only as typed: folded, "tuyển_dụng"
        # would match the syllables of "tuyên truyền" and "xây dựng".
        if marked:
            found = tok in accented or (parts is not None and parts <= syllables)
        else:
            found = tok in folded or (parts is not None and parts <= folded)
        if found:
            out.append(tok)
    return out


@lru_cache(maxsize=4096)
def _query_terms(query_tokens: tuple[str, ...]) -> tuple[tuple[str, bool, frozenset[str] | None], ...]:
    """The query's terms as `terms_in` looks them up in a row, read once per query rather than once per
    row (issue 26): each once, stopwords left out; whether it has diacritics (then it must occur as
    typed, else folded, which it already is) and its syllables when it is a compound."""
    out = []
    for tok in _unique(list(query_tokens)):
        if is_stopword(tok):
            continue
        marked = fold_token(tok) != tok
        out.append((tok, marked, frozenset(tok.split("_")) if "_" in tok else None))
    return tuple(out)


def weighted_query(tokens: list[str]) -> list[str]:
    """The query terms `_field_scores` scores, each once, those with a digit twice (PROTECTED_WEIGHT).

    For an engine that scores a query term by its count in the query (Milvus's BM25 function).
    """
    out: list[str] = []
    for t in _unique(tokens):
        if t:
            out.extend([t] * (int(PROTECTED_WEIGHT) if _DIGIT_RE.search(t) else 1))
    return out
