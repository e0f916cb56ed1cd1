"""The Milvus backend on the real engine (embedded milvus-lite 2.5), against the embedded index.

Both backends are built from the same index files (the session's index, copied), so every difference
below is a difference of the engines, not of the data.
"""

from __future__ import annotations

import shutil

import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from hoidap.eval.gold import load_gold  # noqa: E402
from hoidap.indexer.milvus import MilvusIndex, MilvusStore  # noqa: E402
from hoidap.indexer.search import HybridIndex  # noqa: E402
from hoidap.indexer.store import read_manifest  # noqa: E402
from hoidap.service.qa import QAService, build_index  # noqa: E402
from hoidap.settings import Settings  # noqa: E402

BAR = 0.95
SMALL_DOC = """ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI
Số: 77/KH-UBND
KẾ HOẠCH
Nâng cấp bến neo đậu tàu thuyền tránh trú bão Sa Kỳ

I. NHIỆM VỤ
1. Nạo vét luồng lạch và mở rộng vùng nước bến neo đậu Sa Kỳ.
- Thời gian thực hiện: năm 2027.
- Cơ quan chủ trì: Sở Nông nghiệp và Môi trường.
- Cơ quan phối hợp: UBND huyện Sơn Tịnh, Sở Tài chính.
"""


def _questions() -> list[str]:
    return [g.question for g in load_gold() if g.split in ("dev", "test")]


@pytest.fixture(scope="module")
def milvus_settings(built_index, tmp_path_factory) -> Settings:
    """A copy of the session's index, loaded into a new milvus-lite file (`hoidap index --backend milvus`)."""
    root = tmp_path_factory.mktemp("milvus")
    shutil.copytree(built_index[0], root / "index")
    settings = Settings(
        data_dir=root / "data",
        index_dir=root / "index",
        backend="milvus",
        milvus_uri=str(root / "milvus.db"),
        milvus_collection="hoidap_test",
        reload_check_seconds=0,
    )
    report = build_index(settings)
    assert report.embedded == 0  # the stored vectors were reused
    return settings


@pytest.fixture(scope="module")
def milvus_index(milvus_settings, embedder) -> MilvusIndex:
    s = milvus_settings
    return MilvusIndex.open(s.index_path, embedder, s.milvus_target, s.milvus_collection)


@pytest.fixture(scope="module")
def embedded_index(milvus_settings, embedder) -> HybridIndex:
    return HybridIndex.load(milvus_settings.index_path, embedder)


def test_collection_holds_every_entry(milvus_index, embedded_index):
    assert milvus_index.counts() == embedded_index.counts()
    assert milvus_index.health()["backend"] == "milvus"
    assert milvus_index.token_lists == embedded_index.token_lists


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_top5_agrees_with_the_embedded_backend(milvus_index, embedded_index, mode):
    questions = _questions()
    assert len(questions) >= 100
    same, scores_close = 0, 0
    for q in questions:
        a = embedded_index.search(q, k=5, mode=mode)
        b = milvus_index.search(q, k=5, mode=mode)
        same += [h.entry.entry_id for h in a] == [h.entry.entry_id for h in b]
        scores_close += all(
            abs(x.lexical - y.lexical) < 1e-3 and abs(x.dense - y.dense) < 1e-3
            for x, y in zip(a, b, strict=False)
        )
    assert same / len(questions) >= BAR, f"{mode}: same top 5 on {same}/{len(questions)}"
    assert scores_close / len(questions) >= BAR  # BM25 on bm25s's scale, cosine as FAISS


def test_document_filter_and_matched_terms(milvus_index, embedded_index):
    doc = "qng-kh-214-2024"
    a = embedded_index.search("Ai chủ trì nhiệm vụ 5.4?", k=5, doc_ids=[doc])
    b = milvus_index.search("Ai chủ trì nhiệm vụ 5.4?", k=5, doc_ids=[doc])
    assert b and all(h.entry.doc_id == doc for h in b)
    assert [(h.entry.entry_id, h.matched_terms) for h in a] == [
        (h.entry.entry_id, h.matched_terms) for h in b
    ]
    assert milvus_index.search("nhiệm vụ 5.4", k=5, doc_ids=["khong-co"]) == []


def test_ask_gives_the_same_answers_through_the_service(milvus_settings, embedder):
    embedded = QAService.open(milvus_settings.model_copy(update={"backend": "embedded"}), embedder)
    milvus = QAService.open(milvus_settings, embedder)
    assert (
        type(milvus.searcher).__name__ == "MilvusIndex" and type(embedded.searcher).__name__ == "HybridIndex"
    )
    questions = _questions()
    same = 0
    for q in questions:
        a, b = embedded.ask(q).to_dict(), milvus.ask(q).to_dict()
        a.pop("took_ms"), b.pop("took_ms")
        same += a == b
    assert same / len(questions) >= BAR, f"identical answers on {same}/{len(questions)}"
    assert milvus.health().entries == embedded.health().entries


def test_add_and_remove_are_visible_to_the_next_query(milvus_settings, embedder):
    service = QAService.open(milvus_settings, embedder)
    query = "nạo vét luồng lạch bến neo đậu Sa Kỳ"
    entries_before = service.health().entries

    result = service.add_document(
        "sa-ky.txt", SMALL_DOC.encode(), title="Kế hoạch bến Sa Kỳ", number="77/KH-UBND"
    )
    assert result.added
    doc_id = result.info.doc_id
    hits = service.search(query, k=3)
    assert hits[0].doc_id == doc_id and hits[0].quote  # quotes come from the stored original
    added = service.health().entries
    assert added > entries_before
    store = MilvusStore(milvus_settings.milvus_target, milvus_settings.milvus_collection)
    assert store.count() == added == read_manifest(milvus_settings.index_path).counts["entries"]

    # Re-adding the same content changes nothing; an upsert of the same entries never duplicates.
    assert not service.add_document("copy.txt", SMALL_DOC.encode()).added
    index = HybridIndex.load(milvus_settings.index_path, embedder)
    rows = [i for i, e in enumerate(index.entries) if e.doc_id == doc_id]
    entries = [index.entries[i] for i in rows]
    assert (
        store.upsert_document(
            doc_id, entries, [index.token_lists[i] for i in rows], index.dense.vectors[rows]
        )
        == 0
    )
    assert store.count() == added

    service.remove_document(doc_id)
    assert all(h.doc_id != doc_id for h in service.search(query, k=10))
    assert service.health().entries == entries_before == store.count()


@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt])
def test_failed_build_leaves_the_old_collection_answering(milvus_settings, embedder, monkeypatch, failure):
    s = milvus_settings
    store = MilvusStore(s.milvus_target, s.milvus_collection)
    live = store.live()
    manifest = (s.index_path / "manifest.json").read_text()
    serving = MilvusIndex.open(s.index_path, embedder, s.milvus_target, s.milvus_collection)
    expected = [h.entry.entry_id for h in serving.search("Ai chủ trì nhiệm vụ 5.4?", k=5)]

    from pymilvus import MilvusClient

    original = MilvusClient.insert
    calls = []

    def insert_then_die(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 1:  # the first batch is written, then the build dies
            raise failure("killed mid-build")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MilvusClient, "insert", insert_then_die)
    monkeypatch.setattr("hoidap.indexer.milvus.INSERT_BATCH", 100)
    with pytest.raises(failure):
        build_index(s)
    monkeypatch.undo()
    assert len(calls) == 2
    assert store.live() == live  # the pointer never moved
    assert (s.index_path / "manifest.json").read_text() == manifest  # nor did the index files
    assert [h.entry.entry_id for h in serving.search("Ai chủ trì nhiệm vụ 5.4?", k=5)] == expected
    reopened = MilvusIndex.open(s.index_path, embedder, s.milvus_target, s.milvus_collection)
    assert [h.entry.entry_id for h in reopened.search("Ai chủ trì nhiệm vụ 5.4?", k=5)] == expected
    assert [c for c in store.client.list_collections() if c.startswith("hoidap_test_2")] == [live]


def test_an_add_that_fails_after_milvus_changed_leaves_both_in_step(milvus_settings, embedder, monkeypatch):
    """Issue 22 §6: the Milvus half of an add is undone like the store half (the journal names it)."""
    s = milvus_settings
    service = QAService.open(s, embedder)
    store = MilvusStore(s.milvus_target, s.milvus_collection)
    before = store.count()
    manifest = (s.index_path / "manifest.json").read_text()

    import hoidap.indexer.build as build

    def die(*args, **kwargs):
        raise RuntimeError("disk full while writing the manifest")

    # Milvus has taken the new rows (publish runs first); writing the index files then fails.
    monkeypatch.setattr(build, "write_manifest", die)
    with pytest.raises(RuntimeError):
        service.add_document("hong.txt", SMALL_DOC.replace("Sa Kỳ", "Hòn Khô").encode())
    monkeypatch.undo()
    assert (s.index_path / "manifest.json").read_text() == manifest
    assert store.count() == before == read_manifest(s.index_path).counts["entries"]
    MilvusIndex.open(s.index_path, embedder, s.milvus_target, s.milvus_collection)  # serves again
    assert not build.journal_path(s.index_path).exists()
