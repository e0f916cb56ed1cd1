"""The Milvus retrieval backend: the same entries, tokens and vectors in a Milvus collection.

`pymilvus.MilvusClient` talks to an embedded milvus-lite file (one process) or to a Milvus Standalone
or Distributed server (`http://host:19530`) with the same code. One row per index entry: primary key
= the entry's content id, `doc_id` (filters, per-document upsert and delete), the accented and the
folded tokens of `LexicalIndex` as whitespace-joined text, each with a BM25 function (whitespace
analyzer, so Milvus scores the tokens underthesea made, not its own), the unit vector (exact FLAT
index, inner product = cosine) and the entry itself as JSON for citations.

A query runs three searches (accented BM25, folded BM25, dense) and is ranked on this side with the
project's own fusion (`fuse`, `rank`): Milvus's WeightedRanker normalises BM25 differently (top-5
overlap with the embedded index 0.08 in the issue's prototype). The lexical searches go deeper than
the fused depth (`LEXICAL_DEPTH`) because a row's lexical score is the sum of two fields that are
ranked separately here.

Builds go into a new collection; a pointer row in `<name>_live` is switched to it once it is loaded,
so a build killed midway leaves the previous collection serving. (milvus-lite 2.5 implements no
alias RPCs, so the pointer is a row instead of a server alias; it works the same on a cluster.)
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hoidap.indexer.build import BuildOutput
from hoidap.indexer.embedder import Embedder
from hoidap.indexer.entries import Entry
from hoidap.indexer.fusion import fuse
from hoidap.indexer.lexical import matched_terms, weighted_query
from hoidap.indexer.search import (
    DEFAULT_ALPHA,
    DEFAULT_FUSION,
    MODES,
    RRF_K,
    QueryVectors,
    SearchHit,
    ServedIndex,
    rank,
    search_depth,
)
from hoidap.indexer.store import REBUILD, IndexLoadError, IndexManifest, file_sha256, read_manifest
from hoidap.indexer.tokenization import fold_tokens, tokenize
from hoidap.settings import Settings

log = logging.getLogger(__name__)

# The prototype: depth 300 kept top-5 overlap with the embedded index >= 0.95 at 56k entries.
LEXICAL_DEPTH = 300
# bm25s's defaults (method "lucene"), so both backends score a token alike.
BM25_K1 = 1.5
BM25_B = 0.75
# Milvus's BM25 keeps the (k1 + 1) factor of the textbook formula, bm25s's "lucene" method drops it:
# every Milvus score is (k1 + 1) times bm25s's (measured: 2.5 +- 1e-6), so it is divided back.
BM25_SCALE = 1.0 / (BM25_K1 + 1.0)
INSERT_BATCH = 500
MAX_TEXT_BYTES = 65_535  # Milvus VARCHAR limit
_LIVE_KEY = "live"


def _milvus() -> Any:
    """pymilvus, imported on first use (the embedded backend never needs it)."""
    import pymilvus

    return pymilvus


def connect(uri: str) -> Any:
    """A MilvusClient for a milvus-lite file path or an http(s) server address."""
    if not uri.startswith(("http://", "https://", "tcp://", "unix:")):
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    return _milvus().MilvusClient(uri)


def _joined(tokens: Sequence[str]) -> str:
    """Whitespace-joined tokens under the VARCHAR limit (a longer row keeps its first tokens)."""
    text = " ".join(t for t in tokens if t)
    if len(text.encode("utf-8")) <= MAX_TEXT_BYTES:
        return text
    return text.encode("utf-8")[:MAX_TEXT_BYTES].decode("utf-8", "ignore").rsplit(" ", 1)[0]


def _rows(
    entries: Sequence[Entry], tokens: Sequence[list[str]], vectors: np.ndarray, ords: Sequence[int]
) -> list[dict[str, Any]]:
    return [
        {
            "entry_id": e.entry_id,
            "ord": int(o),
            "doc_id": e.doc_id,
            "accented": _joined(t),
            "folded": _joined(fold_tokens(t)),
            "vector": v.tolist(),
            "entry": e.to_dict(),
        }
        for e, t, v, o in zip(entries, tokens, np.asarray(vectors, dtype=np.float32), ords, strict=True)
    ]


def _filter(doc_ids: Sequence[str]) -> str:
    # JSON string literals are valid Milvus expression strings (quotes and backslashes escaped).
    return f"doc_id in [{', '.join(json.dumps(d, ensure_ascii=False) for d in doc_ids)}]"


class MilvusStore:
    """Writes to the collections of one name on one Milvus: full builds, per-document upsert/delete."""

    def __init__(self, uri: str, name: str, client: Any | None = None) -> None:
        self.uri = uri
        self.name = name
        self.client = client or connect(uri)
        self.pointer = f"{name}_live"

    # --- the pointer ------------------------------------------------------------------------

    def _ensure_pointer(self) -> None:
        if self.client.has_collection(self.pointer):
            return
        m = _milvus()
        schema = m.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("key", m.DataType.VARCHAR, is_primary=True, max_length=64)
        schema.add_field("collection", m.DataType.VARCHAR, max_length=255)
        schema.add_field("vector", m.DataType.FLOAT_VECTOR, dim=2)  # Milvus requires a vector field
        index = self.client.prepare_index_params()
        index.add_index(field_name="vector", index_type="FLAT", metric_type="L2")
        self.client.create_collection(
            self.pointer, schema=schema, index_params=index, consistency_level="Strong"
        )

    def live(self) -> str | None:
        """The collection being served, or None before the first build."""
        if not self.client.has_collection(self.pointer):
            return None
        rows = self.client.query(self.pointer, ids=[_LIVE_KEY], output_fields=["collection"])
        name = rows[0]["collection"] if rows else None
        return name if name and self.client.has_collection(name) else None

    def _switch(self, collection: str) -> None:
        self._ensure_pointer()
        self.client.upsert(self.pointer, [{"key": _LIVE_KEY, "collection": collection, "vector": [0.0, 0.0]}])
        self.client.flush(self.pointer)

    # --- building ---------------------------------------------------------------------------

    def _create(self, collection: str, dim: int) -> None:
        m = _milvus()
        schema = m.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("entry_id", m.DataType.VARCHAR, is_primary=True, max_length=512)
        # Not a partition key: milvus-lite 2.5.1 rejects filters on a partition-key field.
        schema.add_field("doc_id", m.DataType.VARCHAR, max_length=512)
        # The entry's row in the index files: equal scores are ranked by it, as the embedded index does.
        schema.add_field("ord", m.DataType.INT64)
        analyzer = {"tokenizer": "whitespace"}
        for name in ("accented", "folded"):
            schema.add_field(
                name,
                m.DataType.VARCHAR,
                max_length=MAX_TEXT_BYTES,
                enable_analyzer=True,
                analyzer_params=analyzer,
            )
            schema.add_field(f"{name}_bm25", m.DataType.SPARSE_FLOAT_VECTOR)
            schema.add_function(
                m.Function(
                    name=f"{name}_bm25_fn",
                    function_type=m.FunctionType.BM25,
                    input_field_names=[name],
                    output_field_names=[f"{name}_bm25"],
                )
            )
        schema.add_field("vector", m.DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("entry", m.DataType.JSON)
        index = self.client.prepare_index_params()
        for name in ("accented", "folded"):
            index.add_index(
                field_name=f"{name}_bm25",
                index_type="SPARSE_INVERTED_INDEX",
                metric_type="BM25",
                params={"bm25_k1": BM25_K1, "bm25_b": BM25_B},
            )
        # Exact search, as the embedded index's default flat FAISS; a cluster with 10^6 rows may
        # prefer HNSW (docs/scale-out.md).
        index.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        # Strong: a search sees every write acknowledged before it (add/remove visible at once).
        self.client.create_collection(
            collection, schema=schema, index_params=index, consistency_level="Strong"
        )

    def _insert(
        self,
        collection: str,
        entries: Sequence[Entry],
        tokens: Sequence[list[str]],
        vectors: np.ndarray,
        ords: Sequence[int],
        upsert: bool = False,
    ) -> None:
        write = self.client.upsert if upsert else self.client.insert
        for start in range(0, len(entries), INSERT_BATCH):
            end = start + INSERT_BATCH
            write(
                collection, _rows(entries[start:end], tokens[start:end], vectors[start:end], ords[start:end])
            )

    def build(self, entries: Sequence[Entry], tokens: Sequence[list[str]], vectors: np.ndarray) -> str:
        """Load every entry into a new collection, then serve it; a failure leaves the old one serving.

        Returns:
            The new collection's name.
        """
        previous = self.live()
        collection = f"{self.name}_{time.strftime('%Y%m%d_%H%M%S')}_{time.time_ns() % 1_000_000:06d}"
        self._create(collection, int(np.asarray(vectors).shape[1]) if len(vectors) else 1)
        try:
            self._insert(collection, entries, tokens, vectors, range(len(entries)))
            self.client.flush(collection)  # bulk inserts are not all searchable before a flush
            self.client.load_collection(collection)
            stored = self.count(collection)
            if stored != len(entries):
                raise IndexLoadError(f"Milvus nhận {stored}/{len(entries)} mục của {collection}.")
        except BaseException:
            self.client.drop_collection(collection)
            raise
        self._switch(collection)
        self._drop_old(keep={collection, previous})
        return collection

    def _drop_old(self, keep: set[str | None]) -> None:
        """Drop earlier builds (and those of killed builds), keeping the live and the previous one.

        The previous one stays until the next build: a server that has not reloaded yet still reads it.
        """
        prefix = f"{self.name}_"
        for name in self.client.list_collections():
            if name.startswith(prefix) and name != self.pointer and name not in keep:
                self.client.drop_collection(name)

    def count(self, collection: str | None = None) -> int:
        target = collection or self.live()
        if target is None:
            return 0
        rows = self.client.query(target, filter="", output_fields=["count(*)"])
        return int(rows[0]["count(*)"]) if rows else 0

    # --- one document -----------------------------------------------------------------------

    def _ids_of(self, collection: str, doc_id: str) -> set[str]:
        rows = self.client.query(collection, filter=_filter([doc_id]), output_fields=["entry_id"])
        return {r["entry_id"] for r in rows}

    def upsert_document(
        self,
        doc_id: str,
        entries: Sequence[Entry],
        tokens: Sequence[list[str]],
        vectors: np.ndarray,
        ords: Sequence[int] | None = None,
    ) -> int:
        """Make the live collection hold exactly these entries of `doc_id` (re-adding never duplicates).

        Args:
            ords: the entries' rows in the index files (default: after the rows already stored).

        Returns:
            The number of stale rows of the document deleted.
        """
        collection = self._require_live()
        if ords is None:
            base = self.count(collection)
            ords = range(base, base + len(entries))
        self._insert(collection, entries, tokens, vectors, ords, upsert=True)
        stale = self._ids_of(collection, doc_id) - {e.entry_id for e in entries}
        if stale:
            self.client.delete(collection, ids=sorted(stale))
        return len(stale)

    def remove_document(self, doc_id: str) -> int:
        """Delete every row of `doc_id` from the live collection; returns how many there were."""
        collection = self._require_live()
        ids = self._ids_of(collection, doc_id)
        if ids:
            self.client.delete(collection, ids=sorted(ids))
        return len(ids)

    def _require_live(self) -> str:
        live = self.live()
        if live is None:
            raise IndexLoadError(
                f"Chưa có bộ sưu tập Milvus '{self.name}'. Hãy chạy: hoidap index --backend milvus"
            )
        return live

    # --- from a build of the index files ----------------------------------------------------

    def publish(self, out: BuildOutput) -> None:
        """Copy a finished build: a rebuild into a new collection, an add/remove document by document."""
        if out.full or out.previous is None or self.live() is None:
            self.build(out.entries, out.tokens, out.vectors)
            return
        rows: dict[str, list[int]] = {}
        for row, e in enumerate(out.entries):
            rows.setdefault(e.doc_id, []).append(row)
        now, before = out.manifest.documents, out.previous
        for doc_id in sorted(before.keys() - now.keys()):
            self.remove_document(doc_id)
        for doc_id in sorted(now):
            if (before.get(doc_id) or {}).get("hash") == now[doc_id].get("hash"):
                continue
            r = rows.get(doc_id, [])
            self.upsert_document(
                doc_id, [out.entries[i] for i in r], [out.tokens[i] for i in r], out.vectors[r], r
            )
        stored = self.count()
        if stored != len(out.entries):  # out of step (an earlier failure): copy everything instead
            log.warning(
                "Milvus holds %s rows, the index %s: loading a new collection", stored, len(out.entries)
            )
            self.build(out.entries, out.tokens, out.vectors)


class MilvusIndex(ServedIndex):
    """The Milvus retrieval backend (`hoidap.indexer.backend.RetrievalBackend`).

    The index directory's manifest says which documents are served and at which version (the service
    reloads when it changes); its token lists give the answer layer its word statistics. Searches go
    to the live collection.
    """

    def __init__(
        self,
        manifest: IndexManifest,
        token_lists: list[list[str]],
        store: MilvusStore,
        collection: str,
        embedder: Embedder | None = None,
        query_workers: int = Settings.model_fields["query_workers"].default,
    ) -> None:
        self.manifest = manifest
        self.token_lists = token_lists
        self.store = store
        self.collection = collection
        self._embedder = embedder
        self._queries = QueryVectors(embedder, workers=query_workers)

    @classmethod
    def open(
        cls,
        directory: Path,
        embedder: Embedder,
        uri: str,
        name: str,
        query_workers: int = Settings.model_fields["query_workers"].default,
    ) -> MilvusIndex:
        """Connect to the live collection of `name` and check it holds the index directory's build.

        Raises:
            IndexLoadError: no index or no collection, another model, or a collection out of step.
        """
        directory = Path(directory)
        manifest = read_manifest(directory)
        if embedder.model_id != manifest.model_id or embedder.dimension != manifest.dimension:
            raise IndexLoadError(
                f"Chỉ mục được xây dựng với mô hình '{manifest.model_id}', mô hình đang dùng là "
                f"'{embedder.model_id}'. Hãy chạy lại: hoidap index --backend milvus"
            )
        tokens_file = directory / "lexical" / "tokens.json"
        expected = manifest.files.get("lexical/tokens.json")
        if not tokens_file.is_file() or (expected and file_sha256(tokens_file) != expected):
            raise IndexLoadError(f"Tệp lexical/tokens.json của chỉ mục tại {directory} bị hỏng. {REBUILD}")
        token_lists = json.loads(tokens_file.read_text(encoding="utf-8"))
        try:
            store = MilvusStore(uri, name)
            collection = store._require_live()
            stored = store.count(collection)
            store.client.load_collection(collection)
        except IndexLoadError:
            raise
        except Exception as exc:  # noqa: BLE001 - any connection/server error: refuse with a message
            raise IndexLoadError(
                f"Không kết nối được Milvus tại {uri} ({type(exc).__name__}: {exc})."
            ) from exc
        entries = int(manifest.counts.get("entries", len(token_lists)))
        if stored != entries or len(token_lists) != entries:
            raise IndexLoadError(
                f"Bộ sưu tập Milvus '{collection}' có {stored} mục, chỉ mục có {entries}. "
                "Hãy chạy lại: hoidap index --backend milvus"
            )
        return cls(manifest, token_lists, store, collection, embedder, query_workers)

    def counts(self) -> dict[str, int]:
        return {"documents": len(self.manifest.documents), "entries": self.store.count(self.collection)}

    def health(self) -> dict[str, object]:
        return {"backend": "milvus", "uri": self.store.uri, "collection": self.collection, **self.counts()}

    def _hits(self, res: Any, ords: dict[str, int], scale: float = 1.0) -> dict[str, float]:
        out = {}
        for h in res[0]:
            out[h["id"]] = float(h["distance"]) * scale
            ords[h["id"]] = int(h["entity"]["ord"])
        return out

    def _bm25(
        self, field: str, terms: list[str], limit: int, expr: str, ords: dict[str, int]
    ) -> dict[str, float]:
        if not terms:
            return {}
        res = self.store.client.search(
            self.collection,
            data=[" ".join(terms)],
            anns_field=f"{field}_bm25",
            limit=limit,
            filter=expr,
            output_fields=["ord"],
            search_params={"metric_type": "BM25"},
        )
        return self._hits(res, ords, BM25_SCALE)

    def lexical_scores(
        self, tokens: list[str], depth: int, doc_ids: list[str] | None, ords: dict[str, int]
    ) -> dict[str, float]:
        """accented + folded BM25 of the best `depth` rows, as `LexicalIndex.search` ranks them."""
        expr = _filter(doc_ids) if doc_ids else ""
        limit = max(LEXICAL_DEPTH, depth)
        accented = self._bm25("accented", weighted_query(tokens), limit, expr, ords)
        folded = self._bm25("folded", weighted_query(fold_tokens(tokens)), limit, expr, ords)
        total = {
            key: accented.get(key, 0.0) + folded.get(key, 0.0) for key in accented.keys() | folded.keys()
        }
        best = sorted((key for key in total if total[key] > 0), key=lambda key: (-total[key], ords[key]))[
            :depth
        ]
        return {key: total[key] for key in best}

    def dense_scores(
        self, query: str, depth: int, doc_ids: list[str] | None, ords: dict[str, int]
    ) -> dict[str, float]:
        vec = np.asarray(self.embed_query(query), dtype=np.float32)
        vec = vec / max(float(np.linalg.norm(vec)), 1e-12)  # cosine, as DenseIndex
        res = self.store.client.search(
            self.collection,
            data=[vec.tolist()],
            anns_field="vector",
            limit=depth,
            filter=_filter(doc_ids) if doc_ids else "",
            output_fields=["ord"],
            search_params={"metric_type": "IP"},
        )
        return self._hits(res, ords)

    def _fetch(self, keys: list[str]) -> Iterator[tuple[Entry, list[str], list[float]]]:
        rows = self.store.client.query(
            self.collection, ids=keys, output_fields=["entry", "accented", "vector"]
        )
        by_id = {r["entry_id"]: r for r in rows}
        for key in keys:
            r = by_id[key]
            yield Entry(**r["entry"]), r["accented"].split(), r["vector"]

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
        """Rank entries for a query, exactly as `HybridIndex.search` (same arguments, same fusion)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if k <= 0 or not self.manifest.documents:
            return []
        if doc_ids is not None and not doc_ids:
            doc_ids = None
        if doc_ids and not any(d in self.manifest.documents for d in doc_ids):
            return []
        depth = search_depth(k)
        tokens = tokenize(query)
        ords: dict[str, int] = {}
        lex = self.lexical_scores(tokens, depth, doc_ids, ords) if mode != "dense" and tokens else {}
        dense = self.dense_scores(dense_query or query, depth, doc_ids, ords) if mode != "lexical" else {}
        if mode == "lexical":
            fused = lex
        elif mode == "dense":
            fused = dense
        else:
            fused = fuse(fusion, lex, dense, alpha=alpha, rrf_k=RRF_K)
        row_tokens: dict[str, list[str]] = {}
        row_vectors: dict[str, list[float]] = {}

        def entries(keys: list[str]) -> list[Entry]:
            out = []
            for key, (entry, toks, vector) in zip(keys, self._fetch(keys), strict=True):
                row_tokens[key] = toks
                row_vectors[key] = vector
                out.append(entry)
            return out

        def terms(key: str) -> list[str]:
            return matched_terms(tokens, row_tokens[key]) if tokens else []

        def cosine(key: str) -> float:
            vec = np.asarray(self.embed_query(dense_query or query), dtype=np.float32)
            vec = vec / max(float(np.linalg.norm(vec)), 1e-12)
            return float(np.asarray(row_vectors[key], dtype=np.float32) @ vec)

        return rank(
            fused, lex, dense, entries, terms, k, collapse, tie=lambda key: (ords[key], key), cosine=cosine
        )
