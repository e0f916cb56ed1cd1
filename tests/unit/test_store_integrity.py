"""Issue 22 §6: the document store is checksummed; one damaged document is quarantined, never served."""

from __future__ import annotations

import pytest

from hoidap.corpus.parse import parse_corpus
from hoidap.corpus.store import DamagedDocument, DocumentStore

TEXT = "KẾ HOẠCH thử nghiệm\n\n1. Sở Tài chính chủ trì, hoàn thành trong năm 2026.\n"
FIELDS = {"title": "Kế hoạch thử nghiệm", "short_title": "Kế hoạch thử nghiệm", "doc_type": "Kế hoạch"}


@pytest.fixture
def store(tmp_path) -> DocumentStore:
    (tmp_path / "bundled" / "manifests").mkdir(parents=True)
    return DocumentStore(tmp_path / "bundled", tmp_path / "user")


def test_an_edited_text_is_not_read_as_intact(store):
    good = store.store(TEXT, dict(FIELDS), "kh-1")
    bad = store.store(TEXT.replace("1.", "2."), dict(FIELDS), "kh-2")
    path = store.user / "documents" / bad.source_file
    path.write_text(path.read_text(encoding="utf-8").replace("Tài chính", "Tài chánh"), encoding="utf-8")
    with pytest.raises(DamagedDocument, match="sha256"):
        store.read_original(bad)
    assert [d.doc_id for d in parse_corpus(store)] == [good.doc_id]
    assert bad.doc_id in store.damaged and "hoidap remove" in store.damaged[bad.doc_id]


def test_a_truncated_or_missing_text_is_quarantined(store):
    info = store.store(TEXT, dict(FIELDS), "kh-1")
    (store.user / "documents" / info.source_file).write_bytes(TEXT.encode()[:17])
    assert parse_corpus(store) == [] and info.doc_id in store.damaged
    (store.user / "documents" / info.source_file).unlink()
    fresh = DocumentStore(store.bundled, store.user)
    assert parse_corpus(fresh) == [] and "không đọc được" in fresh.damaged[info.doc_id]


def test_a_broken_manifest_spares_the_others_and_can_be_removed(store):
    good = store.store(TEXT, dict(FIELDS), "kh-1")
    bad = store.store(TEXT.replace("1.", "3."), dict(FIELDS), "kh-2")
    (store.user / "manifests" / f"{bad.doc_id}.json").write_text("{", encoding="utf-8")
    assert [d.doc_id for d in parse_corpus(store)] == [good.doc_id]
    assert "manifest" in store.damaged[bad.doc_id]
    store.delete(bad.doc_id)
    assert not list((store.user / "documents").glob(f"{bad.doc_id}_*"))
    assert bad.doc_id not in store.damaged
    assert [d.doc_id for d in parse_corpus(DocumentStore(store.bundled, store.user))] == [good.doc_id]


def test_intact_documents_carry_their_full_checksum(store):
    import hashlib

    info = store.store(TEXT, dict(FIELDS), "kh-1")
    assert info.provenance["sha256"] == hashlib.sha256(TEXT.encode()).hexdigest()
    assert store.read_original(info) == TEXT
