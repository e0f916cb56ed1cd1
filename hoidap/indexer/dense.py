"""Dense vector index over faiss: cosine similarity as inner product of unit vectors.

The float32 vector matrix is the source of truth; the faiss index is derived from it,
so removing rows means rebuilding from the kept vectors.
"""

from __future__ import annotations

import json
from pathlib import Path

import faiss
import numpy as np

DENSE_KINDS = ("flat", "hnsw")
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 64

_VECTORS_FILE = "vectors.npy"
_INDEX_FILE = "index.faiss"
_META_FILE = "dense.json"


def _unit_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    """Float32, C-contiguous, L2-normalized copy of a (n, dim) or (dim,) array."""
    arr = np.array(vectors, dtype=np.float32, order="C", ndmin=2, copy=True)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise ValueError(f"expected vectors of dimension {dim}, got shape {np.shape(vectors)}")
    faiss.normalize_L2(arr)  # zero rows stay zero
    return arr


class DenseIndex:
    """Exact (`"flat"`, IndexFlatIP) or approximate (`"hnsw"`, IndexHNSWFlat) cosine search."""

    def __init__(self, dim: int, kind: str = "flat") -> None:
        """Create an empty index.

        Args:
            dim: vector dimension.
            kind: "flat" (exact, default) or "hnsw" (approximate, for large corpora).
        """
        if kind not in DENSE_KINDS:
            raise ValueError(f"unknown dense index kind {kind!r}; expected one of {DENSE_KINDS}")
        if dim <= 0:
            raise ValueError("dim must be positive")
        self.dim = dim
        self.kind = kind
        self._vectors = np.zeros((0, dim), dtype=np.float32)
        self._index = self._new_index()

    def _new_index(self) -> faiss.Index:
        if self.kind == "flat":
            return faiss.IndexFlatIP(self.dim)
        index = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        return index

    def __len__(self) -> int:
        return len(self._vectors)

    @property
    def vectors(self) -> np.ndarray:
        """The stored unit vectors, (len(self), dim) float32, read-only."""
        view = self._vectors.view()
        view.flags.writeable = False
        return view

    def add(self, vectors: np.ndarray) -> None:
        """Append rows; their ids continue from len(self).

        Args:
            vectors: (n, dim) array; normalized here, whatever the caller did.
        """
        unit = _unit_rows(vectors, self.dim)
        if not len(unit):
            return
        self._vectors = np.concatenate([self._vectors, unit])
        self._index.add(unit)

    def search(
        self, query_vec: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Nearest rows by cosine similarity.

        Args:
            query_vec: (dim,) or (1, dim) query vector.
            k: number of hits wanted.
            allowed: optional boolean mask over rows; only True rows are returned.

        Returns:
            (row, cosine) pairs, best first; at most min(k, allowed rows).
        """
        query = _unit_rows(query_vec, self.dim)[:1]
        n = len(self)
        if n == 0 or k <= 0:
            return []
        if allowed is None:
            return self._faiss_search(query, min(k, n), None)
        mask = np.asarray(allowed, dtype=bool)
        if mask.shape != (n,):
            raise ValueError(f"allowed mask has shape {mask.shape}, index has {n} rows")
        wanted = min(k, int(mask.sum()))
        if wanted == 0:
            return []
        # Bitmap selector: O(1) membership test per candidate, bit i of byte i // 8.
        bitmap = np.packbits(mask, bitorder="little")
        hits = self._faiss_search(query, wanted, faiss.IDSelectorBitmap(bitmap))
        if len(hits) < wanted:
            # HNSW with a tight filter can run out of graph neighbours: finish exactly.
            hits = self._exact_search(query, wanted, np.flatnonzero(mask))
        return hits

    def _faiss_search(
        self, query: np.ndarray, k: int, sel: faiss.IDSelector | None
    ) -> list[tuple[int, float]]:
        if self.kind == "flat" and sel is None:
            scores, rows = self._index.search(query, k)  # no parameters to make (a SWIG object per query)
            return [(r, s) for r, s in zip(rows[0].tolist(), scores[0].tolist(), strict=True) if r >= 0]
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k))
        else:
            params = faiss.SearchParameters()
        if sel is not None:
            params.sel = sel
        scores, rows = self._index.search(query, k, params=params)
        return [(r, s) for r, s in zip(rows[0].tolist(), scores[0].tolist(), strict=True) if r >= 0]

    def _exact_search(self, query: np.ndarray, k: int, rows: np.ndarray) -> list[tuple[int, float]]:
        scores = self._vectors[rows] @ query[0]
        top = np.argsort(-scores, kind="stable")[:k]
        return [(int(rows[i]), float(scores[i])) for i in top]

    def remove_rows(self, rows: np.ndarray | list[int]) -> None:
        """Drop rows and rebuild the faiss index; later rows shift down to stay dense.

        Args:
            rows: row ids to remove (out-of-range ids are an error).
        """
        drop = np.asarray(rows, dtype=np.int64).ravel()
        if drop.size and (drop.min() < 0 or drop.max() >= len(self)):
            raise IndexError("row id out of range")
        keep = np.ones(len(self), dtype=bool)
        keep[drop] = False
        kept = self._vectors[keep]
        self._vectors = np.zeros((0, self.dim), dtype=np.float32)
        self._index = self._new_index()
        self.add(kept)

    def save(self, dir: Path) -> None:
        """Write vectors (.npy), metadata and, for HNSW, the graph (slow to rebuild).

        A flat index is rebuilt from the .npy on load: that is a memcpy.

        Args:
            dir: target directory (created if missing).
        """
        dir = Path(dir)
        dir.mkdir(parents=True, exist_ok=True)
        np.save(dir / _VECTORS_FILE, self._vectors)
        (dir / _META_FILE).write_text(json.dumps({"dim": self.dim, "kind": self.kind}), encoding="utf-8")
        if self.kind == "hnsw":
            faiss.write_index(self._index, str(dir / _INDEX_FILE))

    @classmethod
    def load(cls, dir: Path) -> DenseIndex:
        """Read an index written by `save`.

        Args:
            dir: directory given to `save`.

        Returns:
            The index.
        """
        dir = Path(dir)
        meta = json.loads((dir / _META_FILE).read_text(encoding="utf-8"))
        index = cls(int(meta["dim"]), meta["kind"])
        vectors = np.ascontiguousarray(np.load(dir / _VECTORS_FILE), dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != index.dim:
            raise ValueError(f"{_VECTORS_FILE} has shape {vectors.shape}, expected (n, {index.dim})")
        # Saved rows are already unit vectors: no renormalizing copy on the load path.
        index._vectors = vectors
        graph = dir / _INDEX_FILE
        if index.kind == "hnsw" and graph.exists():
            index._index = faiss.read_index(str(graph))
            if index._index.ntotal != len(vectors):
                raise ValueError(
                    f"{graph} holds {index._index.ntotal} vectors, {_VECTORS_FILE} {len(vectors)}"
                )
        elif len(vectors):
            index._index.add(vectors)
        return index
