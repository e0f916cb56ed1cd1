"""Fusion math on hand-computed examples."""

from __future__ import annotations

import pytest

from hoidap.indexer.fusion import FUSION_METHODS, fuse, min_max, reciprocal_rank_fusion, weighted_fusion


def test_min_max_edge_cases() -> None:
    assert min_max({}) == {}
    assert min_max({4: 7.5}) == {4: 1.0}  # single hit
    assert min_max({1: 0.3, 2: 0.3}) == {1: 1.0, 2: 1.0}  # all equal
    assert min_max({1: 10.0, 2: 5.0, 3: 0.0}) == {1: 1.0, 2: 0.5, 3: 0.0}


def test_weighted_fusion_hand_example() -> None:
    lexical = {1: 10.0, 2: 5.0, 3: 0.0}  # -> 1.0, 0.5, 0.0
    dense = {2: 0.9, 4: 0.5, 5: 0.7}  # -> 1.0, 0.0, 0.5
    fused = weighted_fusion(lexical, dense, alpha=0.5)
    assert fused == pytest.approx({1: 0.5, 2: 0.75, 3: 0.0, 4: 0.0, 5: 0.25})
    # alpha is the dense weight: 0.8 * dense + 0.2 * lexical
    assert weighted_fusion(lexical, dense, alpha=0.8) == pytest.approx(
        {1: 0.2, 2: 0.9, 3: 0.0, 4: 0.0, 5: 0.4}
    )


def test_weighted_fusion_extremes_and_missing_sides() -> None:
    lexical, dense = {1: 3.0, 2: 1.0}, {2: 0.8, 3: 0.2}
    assert weighted_fusion(lexical, dense, alpha=0.0) == {1: 1.0, 2: 0.0, 3: 0.0}
    assert weighted_fusion(lexical, dense, alpha=1.0) == {1: 0.0, 2: 1.0, 3: 0.0}
    assert weighted_fusion({}, dense) == pytest.approx({2: 0.5, 3: 0.0})
    assert weighted_fusion({7: 2.0}, {}) == {7: 0.5}  # single lexical hit: 1.0 on its side
    assert weighted_fusion({}, {}) == {}
    with pytest.raises(ValueError):
        weighted_fusion(lexical, dense, alpha=1.5)


def test_rrf_hand_example() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    assert fused == pytest.approx({1: 1 / 61 + 1 / 62, 2: 1 / 62, 3: 1 / 63 + 1 / 61})
    assert max(fused, key=fused.__getitem__) == 1


def test_rrf_weights_duplicates_and_errors() -> None:
    fused = reciprocal_rank_fusion([[1, 2], [2, 1]], k=0, weights=[3.0, 1.0])
    assert fused == pytest.approx({1: 3.0 + 0.5, 2: 1.5 + 1.0})
    assert reciprocal_rank_fusion([[5, 5, 6]], k=0) == pytest.approx({5: 1.0, 6: 1 / 3})
    assert reciprocal_rank_fusion([]) == {}
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([[1], [2]], weights=[1.0])


def test_fuse_dispatcher() -> None:
    lexical, dense = {1: 10.0, 2: 5.0, 3: 0.0}, {2: 0.9, 4: 0.5}
    assert FUSION_METHODS == ("weighted", "rrf")
    assert fuse("weighted", lexical, dense, alpha=0.3) == weighted_fusion(lexical, dense, alpha=0.3)
    plain = reciprocal_rank_fusion([[1, 2, 3], [2, 4]], k=60)
    assert fuse("rrf", lexical, dense) == pytest.approx({r: s / 2 for r, s in plain.items()})
    assert fuse("rrf", lexical, dense, alpha=0.0, rrf_k=0) == pytest.approx(
        {1: 1.0, 2: 0.5, 3: 1 / 3, 4: 0.0}
    )
    with pytest.raises(ValueError):
        fuse("borda", lexical, dense)
