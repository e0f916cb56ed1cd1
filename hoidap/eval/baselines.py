"""The four systems compared by the evaluation; all answer through the same `QAService` answer layer.

* ``raw-bm25``: what a quick script would do - bm25s over the raw physical lines of the original files,
  lowercased and split on whitespace (no normalization, no word segmentation, no diacritic folding).
* ``lexical``: the project's BM25 with Vietnamese segmentation (`HybridIndex` mode "lexical").
* ``dense``: the e5 embeddings only (mode "dense").
* ``hybrid``: the full system (weighted fusion of both).

The raw baseline only changes *ranking*. So that the shared answer layer can use its hits, each line
carries the task record whose span contains it (provenance, as an index entry does) and reports as
``matched_terms`` the query's segmented content words present in the line (the layer's evidence check).
It has no segmented lexical index, so the layer weighs those words equally instead of by IDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np

from hoidap.corpus.normalize import fold
from hoidap.corpus.records import ParsedDocument
from hoidap.indexer.entries import Entry
from hoidap.indexer.search import HybridIndex, SearchHit
from hoidap.indexer.tokenization import is_stopword, tokenize
from hoidap.service.answer import Searcher

SYSTEMS: tuple[str, ...] = ("raw-bm25", "lexical", "dense", "hybrid")
LABELS = {
    "raw-bm25": "BM25 dòng thô",
    "lexical": "Từ khóa (tách từ)",
    "dense": "Ngữ nghĩa (e5)",
    "hybrid": "Kết hợp (hệ thống)",
}


def raw_tokens(text: str) -> list[str]:
    """The quick-script tokenizer: lowercase, split on whitespace."""
    return text.lower().split()


class RawLineBM25:
    """BM25 over the physical lines of the original files; hits are line spans."""

    def __init__(self, docs: Sequence[ParsedDocument]) -> None:
        self.entries: list[Entry] = []
        for doc in docs:
            offset = 0
            for n, line in enumerate(doc.original.split("\n"), start=1):
                start = offset + len(line) - len(line.lstrip())
                end = offset + len(line.rstrip())
                offset += len(line) + 1
                if end <= start:
                    continue
                self.entries.append(
                    Entry(
                        f"{doc.doc_id}:L{n}",
                        doc.doc_id,
                        doc.info.short_title,
                        "line",
                        f"dòng {n}",
                        _task_at(doc, start, end),
                        doc.original[start:end],
                        start,
                        end,
                        doc.info.province,
                    )
                )
        self.doc_of = np.array([e.doc_id for e in self.entries])
        self.model = bm25s.BM25()
        self.model.index([raw_tokens(e.text) for e in self.entries], show_progress=False)
        self._folded = [set(fold(e.text).split()) for e in self.entries]

    def search(
        self,
        query: str,
        k: int = 10,
        doc_ids: list[str] | None = None,
        mode: str = "hybrid",
        dense_query: str | None = None,
    ) -> list[SearchHit]:
        """Top-k lines by BM25 (``mode`` and ``dense_query`` are ignored); lines with no query word are
        never returned."""
        known = [t for t in dict.fromkeys(raw_tokens(query)) if t in self.model.vocab_dict]
        if not known or k <= 0:
            return []
        scores = self.model.get_scores(known)
        if doc_ids:
            scores = np.where(np.isin(self.doc_of, doc_ids), scores, 0.0)
        order = [int(i) for i in np.argsort(-scores, kind="stable")[:k] if scores[i] > 0]
        content = [t for t in tokenize(query) if not is_stopword(t)]
        return [
            SearchHit(self.entries[i], float(scores[i]), float(scores[i]), 0.0, self._matched(content, i))
            for i in order
        ]

    def _matched(self, content: list[str], row: int) -> list[str]:
        words = self._folded[row]
        return [t for t in content if set(fold(t.replace("_", " ")).split()) <= words]


def _task_at(doc: ParsedDocument, start: int, end: int) -> str | None:
    """Id of the smallest task record whose span contains [start, end)."""
    inside = [t for t in doc.tasks if t.char_start <= start and end <= t.char_end]
    return min(inside, key=lambda t: t.char_end - t.char_start).task_id if inside else None


@dataclass
class System:
    """A named retrieval back end plus the mode the answer layer passes to it."""

    name: str
    searcher: Searcher
    mode: str

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)


def build_systems(
    names: Sequence[str], docs: Sequence[ParsedDocument], index: HybridIndex | None
) -> list[System]:
    """Systems by name; index-backed systems each get their own `HybridIndex` view (own query cache)."""
    systems: list[System] = []
    for name in names:
        if name == "raw-bm25":
            systems.append(System(name, RawLineBM25(docs), "hybrid"))
        elif name in ("lexical", "dense", "hybrid"):
            if index is None:
                raise ValueError(f"system {name!r} needs the index")
            view = HybridIndex(index.manifest, index.entries, index.lexical, index.dense, index.embedder)
            systems.append(System(name, view, name))
        else:
            raise ValueError(f"unknown system {name!r} (expected one of {', '.join(SYSTEMS)})")
    return systems
