"""The hybrid index: lexical + dense retrieval over entries, fused, with provenance."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, get_args

import numpy as np

from hoidap.indexer.dense import DenseIndex
from hoidap.indexer.embedder import Embedder
from hoidap.indexer.entries import Entry
from hoidap.indexer.fusion import fuse
from hoidap.indexer.lexical import LexicalIndex
from hoidap.indexer.query_vectors import NO_MODEL, Prefetch, QueryVectors
from hoidap.indexer.store import (
    REBUILD,
    IndexLoadError,
    IndexManifest,
    read_entries,
    read_manifest,
    recover_if_idle,
    swap_lock,
    verify_files,
)
from hoidap.indexer.tokenization import tokenize
from hoidap.settings import SearchMode, Settings

MODES: tuple[str, ...] = get_args(SearchMode)  # the settings' search modes
# Chosen on the dev split of the gold set (83 answerable items): weighted fusion with dense weight 0.3
# gave R@1 0.867 / MRR 0.911 against 0.831 / 0.888 for lexical only and 0.663 / 0.772 for the best RRF.
DEFAULT_FUSION = "weighted"
DEFAULT_ALPHA = 0.3
RRF_K = 60
K = TypeVar("K", bound=Hashable)


@dataclass
class SearchHit:
    """One ranked entry with its scores and the query terms it matched."""

    entry: Entry
    score: float
    lexical: float = 0.0
    dense: float = 0.0
    matched_terms: list[str] = field(default_factory=list)

    def to_dict(self, original: str | None = None) -> dict[str, object]:
        e = self.entry
        d: dict[str, object] = {
            "doc_id": e.doc_id,
            "doc_title": e.doc_title,
            "section": e.section,
            "task_id": e.task_id,
            "kind": e.kind,
            "text": e.text,
            "char_start": e.char_start,
            "char_end": e.char_end,
            "score": round(self.score, 4),
            "lexical": round(self.lexical, 4),
            "dense": round(self.dense, 4),
            "matched_terms": self.matched_terms,
        }
        if original is not None:
            d["quote"] = original[e.char_start : e.char_end]
        return d


def search_depth(k: int) -> int:
    """How many hits each retriever returns before fusion."""
    return max(50, k * 5)


def rank(
    fused: dict[K, float],
    lexical: dict[K, float],
    dense: dict[K, float],
    entries: Callable[[list[K]], list[Entry]],
    terms: Callable[[K], list[str]],
    k: int,
    collapse: bool,
    tie: Callable[[K], Any] | None = None,
    cosine: Callable[[K], float] | None = None,
) -> list[SearchHit]:
    """The best `k` hits of fused scores (ties by `tie(key)`, default the key), nested spans collapsed.

    Shared by every backend so that the same scores give the same hits.

    Args:
        fused, lexical, dense: key -> score.
        entries: the entries of a list of keys (fetched in batches, as far down as collapsing needs).
        terms: the matched query terms of a key.
        k: number of hits.
        collapse: drop hits whose span nests inside a better hit of the same document.
        tie: the order of keys with equal scores (the embedded index's row order).
        cosine: the query's cosine to a key the dense side did not return (a lexical-only hit still
            gets its cosine, for the answer layer); without it such a hit reports 0.
    """
    order = sorted(fused, key=lambda r: (-fused[r], tie(r) if tie else r))
    hits: list[SearchHit] = []
    batch = max(k * 2, 10)
    for start in range(0, len(order), batch):
        keys = order[start : start + batch]
        for key, e in zip(keys, entries(keys), strict=True):
            if collapse and any(
                h.entry.doc_id == e.doc_id
                and (
                    h.entry.char_start <= e.char_start
                    and e.char_end <= h.entry.char_end
                    or e.char_start <= h.entry.char_start
                    and h.entry.char_end <= e.char_end
                )
                for h in hits
            ):
                continue
            cos = dense.get(key)
            if cos is None:
                cos = cosine(key) if cosine is not None and dense else 0.0
            scores = (float(fused[key]), lexical.get(key, 0.0), cos)
            hits.append(SearchHit(e, *scores, terms(key)))
            if len(hits) >= k:
                return hits
    return hits


class ServedIndex:
    """What every retrieval backend derives from its manifest and the embedder it was loaded with, and
    its cached query vectors."""

    manifest: IndexManifest
    _embedder: Embedder | None
    _queries: QueryVectors  # the query-vector cache over the embedder

    def embed_query(self, query: str) -> np.ndarray:
        return self._queries(query)

    def prefetch_query(self, query: str) -> Prefetch | None:
        """Start encoding a query the caller is about to search for (`QueryVectors.prefetch`)."""
        return self._queries.prefetch(query)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            raise IndexLoadError(NO_MODEL)
        return self._embedder

    @property
    def doc_ids(self) -> list[str]:
        return list(self.manifest.documents)


class HybridIndex(ServedIndex):
    """Entries plus their lexical and dense indexes; thread-safe for concurrent searches.

    The embedded retrieval backend (`hoidap.indexer.backend.RetrievalBackend`): everything lives in
    this process, loaded from the index directory.
    """

    def __init__(
        self,
        manifest: IndexManifest,
        entries: list[Entry],
        lexical: LexicalIndex,
        dense: DenseIndex,
        embedder: Embedder | None = None,
        query_workers: int = Settings.model_fields["query_workers"].default,
    ) -> None:
        self.manifest = manifest
        self.entries = entries
        self.lexical = lexical
        self.dense = dense
        self._embedder = embedder
        rows: dict[str, list[int]] = {}
        for row, e in enumerate(entries):
            rows.setdefault(e.doc_id, []).append(row)
        self._doc_rows = {k: np.asarray(v, dtype=np.int64) for k, v in rows.items()}
        self._queries = QueryVectors(embedder, workers=query_workers)
        self._query_cache = self._queries.cache  # benchmarks empty it to time uncached queries

    @classmethod
    def load(
        cls,
        directory: Path,
        embedder: Embedder,
        query_workers: int = Settings.model_fields["query_workers"].default,
    ) -> HybridIndex:
        """Load an index and check it was built with the configured model (`query_workers`: threads
        encoding questions ahead, see `QueryVectors`).

        Every file is checked against the checksum in the manifest before it is parsed, so a damaged
        index is refused (naming the file) and never served. The load holds the swap lock shared, so
        a build finishing meanwhile cannot mix its files with the old ones.

        Raises:
            IndexLoadError: missing/corrupt index, other format version or other embedding model.
        """
        directory = Path(directory)
        recover_if_idle(directory)
        with swap_lock(directory, shared=True):
            manifest = read_manifest(directory, recover=False)
            if embedder.model_id != manifest.model_id or embedder.dimension != manifest.dimension:
                raise IndexLoadError(
                    f"Chỉ mục được xây dựng với mô hình '{manifest.model_id}' ({manifest.dimension} chiều), "
                    f"nhưng mô hình đang dùng là '{embedder.model_id}' ({embedder.dimension} chiều). "
                    "Hãy chạy lại: hoidap index"
                )
            verify_files(directory, manifest)
            try:
                entries = read_entries(directory / "entries.jsonl")
                lexical = LexicalIndex.load(directory / "lexical")
                dense = DenseIndex.load(directory / "dense")
            except Exception as exc:  # noqa: BLE001 - any parse failure of a checked file: refuse it
                raise IndexLoadError(
                    f"Chỉ mục tại {directory} không đọc được ({type(exc).__name__}). Hãy chạy lại: {REBUILD}"
                ) from exc
        if not (len(entries) == len(lexical) == len(dense)):
            raise IndexLoadError(f"Chỉ mục tại {directory} không nhất quán. Hãy chạy lại: {REBUILD}")
        return cls(manifest, entries, lexical, dense, embedder, query_workers)

    @property
    def token_lists(self) -> list[list[str]]:
        """The accented tokens of every entry (the answer layer's word statistics)."""
        return self.lexical.token_lists

    def counts(self) -> dict[str, int]:
        return {"documents": len(self._doc_rows), "entries": len(self.entries)}

    def health(self) -> dict[str, object]:
        return {"backend": "embedded", "dense_kind": self.dense.kind, **self.counts()}

    def allowed_mask(self, doc_ids: list[str] | None) -> np.ndarray | None:
        if not doc_ids:
            return None
        mask = np.zeros(len(self.entries), dtype=bool)
        for d in doc_ids:
            rows = self._doc_rows.get(d)
            if rows is not None:
                mask[rows] = True
        return mask

    def search(
        self,
        query: str,
        k: int = 10,
        doc_ids: list[str] | None = None,
        mode: str = "hybrid",
        fusion: str = DEFAULT_FUSION,
        alpha: float = DEFAULT_ALPHA,
        collapse: bool = True,
        dense_query: str | None = None,
    ) -> list[SearchHit]:
        """Rank entries for a query.

        Args:
            query: the user's text (any diacritics).
            dense_query: the text the dense side embeds, when not `query` (a request's one query vector,
                `AnswerContext.search`).
            k: number of hits.
            doc_ids: restrict to these documents.
            mode: hybrid | lexical | dense.
            fusion: weighted | rrf (hybrid mode only).
            alpha: weight of the dense side in weighted fusion.
            collapse: drop hits whose span nests inside a better hit of the same document.

        Returns:
            Hits, best first.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if not self.entries or k <= 0:
            return []
        allowed = self.allowed_mask(doc_ids)
        if allowed is not None and not allowed.any():
            return []
        depth = search_depth(k)
        tokens = tokenize(query)
        # Matched terms are read for the hits kept after fusion only (`terms` below), not for every
        # lexical candidate.
        lex = self.lexical.top(tokens, depth, allowed) if mode != "dense" else {}
        dense: dict[int, float] = {}
        qvec: np.ndarray | None = None
        if mode != "lexical":
            qvec = self.embed_query(dense_query or query)
            dense = dict(self.dense.search(qvec, depth, allowed))
        if mode == "lexical":
            fused = lex
        elif mode == "dense":
            fused = dense
        else:
            fused = fuse(fusion, lex, dense, alpha=alpha, rrf_k=RRF_K)

        def terms(row: int) -> list[str]:
            return self.lexical.matched_terms(tokens, row) if tokens else []

        def cosine(row: int) -> float:
            return float(self.dense.vectors[row] @ qvec) if qvec is not None else 0.0

        return rank(
            fused, lex, dense, lambda rows: [self.entries[r] for r in rows], terms, k, collapse, cosine=cosine
        )
