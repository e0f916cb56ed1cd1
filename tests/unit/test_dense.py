"""DenseIndex with random unit vectors (no model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hoidap.indexer.dense import DenseIndex

DIM = 32


def _unit(n: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return _unit(400, seed=0)


@pytest.fixture(scope="module", params=["flat", "hnsw"])
def index(request: pytest.FixtureRequest, vectors: np.ndarray) -> DenseIndex:
    idx = DenseIndex(DIM, kind=request.param)
    idx.add(vectors[:250])
    idx.add(vectors[250:])
    return idx


def test_each_vector_finds_itself(index: DenseIndex, vectors: np.ndarray) -> None:
    assert len(index) == 400
    for row in (0, 137, 399):
        hits = index.search(vectors[row], 3)
        assert hits[0][0] == row and hits[0][1] == pytest.approx(1.0, abs=1e-5)
        assert hits[0][1] >= hits[1][1] >= hits[2][1]


def test_inputs_are_normalized_defensively() -> None:
    idx = DenseIndex(DIM)
    raw = _unit(20, seed=1) * np.arange(1, 21, dtype=np.float32)[:, None]
    idx.add(raw.astype(np.float64))  # wrong dtype and scale on purpose
    assert idx.vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(idx.vectors, axis=1), 1.0, atol=1e-5)
    row, cosine = idx.search(raw[7] * 100, 1)[0]
    assert row == 7 and cosine == pytest.approx(1.0, abs=1e-5)
    assert idx.search(raw[7][None, :], 1)[0][0] == 7  # (1, dim) query accepted
    with pytest.raises(ValueError):
        idx.vectors[0, 0] = 0.0


def test_allowed_mask_uses_only_allowed_rows(index: DenseIndex, vectors: np.ndarray) -> None:
    allowed = np.zeros(len(index), dtype=bool)
    allowed[::7] = True
    query = vectors[3]  # not allowed itself
    hits = index.search(query, 10, allowed)
    assert len(hits) == 10 and all(allowed[r] for r, _ in hits)
    exact = np.flatnonzero(allowed)[np.argsort(-(vectors[allowed] @ query))][:10]
    assert [r for r, _ in hits][:3] == list(exact[:3])
    # A tight filter returns every allowed row (HNSW finishes exactly if the graph runs dry).
    few = np.zeros(len(index), dtype=bool)
    few[[5, 77, 300]] = True
    assert sorted(r for r, _ in index.search(query, 10, few)) == [5, 77, 300]
    assert index.search(query, 10, np.zeros(len(index), dtype=bool)) == []
    with pytest.raises(ValueError):
        index.search(query, 10, np.ones(5, dtype=bool))


def test_hnsw_agrees_with_flat_on_top1(vectors: np.ndarray) -> None:
    flat, hnsw = DenseIndex(DIM), DenseIndex(DIM, kind="hnsw")
    flat.add(vectors)
    hnsw.add(vectors)
    for query in _unit(10, seed=2):
        assert hnsw.search(query, 1)[0][0] == flat.search(query, 1)[0][0]


def test_remove_rows_rebuilds_and_shifts_ids(vectors: np.ndarray) -> None:
    for kind in ("flat", "hnsw"):
        idx = DenseIndex(DIM, kind=kind)
        idx.add(vectors[:50])
        idx.remove_rows([3, 10])
        assert len(idx) == 48
        np.testing.assert_allclose(idx.vectors, np.delete(vectors[:50], [3, 10], axis=0), atol=1e-6)
        assert idx.search(vectors[20], 1)[0][0] == 18  # two earlier rows removed
        assert idx.search(vectors[3], 1)[0][1] < 0.99  # the removed vector is gone
        with pytest.raises(IndexError):
            idx.remove_rows([48])


def test_save_load_round_trip(index: DenseIndex, vectors: np.ndarray, tmp_path: Path) -> None:
    index.save(tmp_path / "dense")
    loaded = DenseIndex.load(tmp_path / "dense")
    assert (loaded.dim, loaded.kind, len(loaded)) == (index.dim, index.kind, len(index))
    np.testing.assert_array_equal(loaded.vectors, index.vectors)
    mask = np.arange(len(index)) % 3 == 0
    for query in _unit(5, seed=3):
        assert loaded.search(query, 10) == index.search(query, 10)
        assert loaded.search(query, 10, mask) == index.search(query, 10, mask)


def test_empty_index_and_bad_input(tmp_path: Path) -> None:
    idx = DenseIndex(DIM, kind="hnsw")
    assert len(idx) == 0 and idx.search(_unit(1, seed=4)[0], 5) == []
    idx.save(tmp_path / "empty")
    assert len(DenseIndex.load(tmp_path / "empty")) == 0
    with pytest.raises(ValueError):
        DenseIndex(DIM, kind="ivf")
    with pytest.raises(ValueError):
        idx.add(np.ones((2, DIM + 1), dtype=np.float32))
    with pytest.raises(ValueError):
        idx.search(np.ones(DIM + 1, dtype=np.float32), 1)
