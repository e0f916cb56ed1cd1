"""The Milvus backend without the model: query weighting, filters, and milvus-lite on a toy corpus."""

from __future__ import annotations

import numpy as np
import pytest

from hoidap.indexer.backend import publisher
from hoidap.indexer.entries import Entry
from hoidap.indexer.lexical import LexicalIndex, matched_terms, weighted_query
from hoidap.settings import Settings


def test_weighted_query_counts_each_term_once_and_digits_twice():
    assert weighted_query(["sở", "5.4", "sở", "", "tài_chính", "5.4"]) == ["sở", "5.4", "5.4", "tài_chính"]
    assert weighted_query([]) == []


def test_matched_terms_is_the_lexical_index_s():
    rows = [["sở", "tài_chính", "chủ_trì", "5.4"], ["ủy_ban", "nhân_dân"]]
    index = LexicalIndex.build(rows)
    query = ["ai", "chu_tri", "so", "5.4", "nhân_dân"]
    for row, tokens in enumerate(rows):
        assert matched_terms(query, tokens) == index.matched_terms(query, row)


def test_settings_choose_the_backend(tmp_path):
    s = Settings(data_dir=tmp_path)
    assert s.backend == "embedded" and s.milvus_target == str(tmp_path / "milvus.db")
    assert publisher(s) is None  # the index files are the embedded backend: nothing to copy


def _entry(doc: str, i: int, text: str) -> Entry:
    return Entry(f"{doc}:{i:04d}", doc, f"Văn bản {doc}", "paragraph", "I", None, text, i * 10, i * 10 + 9)


def test_milvus_lite_scores_as_bm25s_and_writes_per_document(tmp_path):
    pytest.importorskip("milvus_lite")
    from hoidap.indexer.milvus import BM25_SCALE, MilvusStore, _filter

    assert _filter(['a"b', "c"]) == 'doc_id in ["a\\"b", "c"]'
    tokens = [
        ["sở", "tài_chính", "chủ_trì", "nhiệm_vụ", "5.4"],
        ["sở", "công_thương", "phối_hợp", "nhiệm_vụ", "5.4", "5.4"],
        ["ủy_ban", "nhân_dân", "tỉnh", "chỉ_đạo"],
        ["sở", "tài_chính", "bố_trí", "kinh_phí"],
    ]
    entries = [_entry("a" if i < 2 else "b", i, " ".join(t)) for i, t in enumerate(tokens)]
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((4, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = MilvusStore(str(tmp_path / "m.db"), "toy")
    first = store.build(entries, tokens, vectors)
    assert store.live() == first and store.count() == 4

    # BM25 of the accented field equals bm25s's, digit terms weighted twice as LexicalIndex does.
    query = weighted_query(["sở", "tài_chính", "5.4"])
    res = store.client.search(
        first,
        data=[" ".join(query)],
        anns_field="accented_bm25",
        limit=10,
        search_params={"metric_type": "BM25"},
    )
    got = {h["id"]: h["distance"] * BM25_SCALE for h in res[0]}
    expected = LexicalIndex.build(tokens).field_scores(["sở", "tài_chính", "5.4"])[0]
    for row, e in enumerate(entries):
        assert got.get(e.entry_id, 0.0) == pytest.approx(float(expected[row]), rel=1e-4, abs=1e-6)

    # Upsert replaces a document's rows (stale ones deleted), remove deletes them, nothing duplicates.
    assert store.upsert_document("a", entries[:1], tokens[:1], vectors[:1]) == 1
    assert store.upsert_document("a", entries[:1], tokens[:1], vectors[:1]) == 0
    assert store.count() == 3
    assert store.remove_document("b") == 2 and store.count() == 1

    # A new build is served once loaded; the previous one is kept for servers that have not reloaded.
    second = store.build(entries, tokens, vectors)
    assert store.live() == second and store.count() == 4
    assert {first, second} <= set(store.client.list_collections())
    third = store.build(entries, tokens, vectors)
    assert first not in store.client.list_collections() and store.live() == third
