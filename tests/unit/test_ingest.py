"""One ingest pass (issue 24 §4): an added file is parsed once, in the reading worker, and every stored
document is parsed once across start-up, adds and reloads (the parse cache), with results identical to
parsing afresh."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

import hoidap.corpus.ingest as ingest_module
import hoidap.corpus.parse as parse_module
from hoidap.corpus.ingest import prepare_document, store_prepared
from hoidap.corpus.parse import parse_corpus, parse_document, parse_file, relabel
from hoidap.corpus.parsed_cache import KEEP_STAMPS, ParsedCache, decode, encode, parser_stamp
from hoidap.corpus.records import ParsedDocument
from hoidap.corpus.store import DocumentStore

ROOT = Path(__file__).resolve().parents[2]
# Real documents of other bodies, added as uploads are (text files: no OCR in a unit test).
UNSEEN = sorted((ROOT / "evalsets" / "unseen" / "docs").glob("*.md"))
TEXT = "KẾ HOẠCH thử nghiệm\n\n1. Sở Tài chính chủ trì, hoàn thành trong năm 2026.\n"


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """Ids of the documents `parse_document` is called on (through `parse_corpus` too)."""
    seen: list[str] = []
    real = parse_module.parse_document

    def spy(info, original):
        seen.append(info.doc_id)
        return real(info, original)

    monkeypatch.setattr(parse_module, "parse_document", spy)
    monkeypatch.setattr(ingest_module, "parse_document", spy)
    return seen


def _bundled(settings) -> DocumentStore:
    return DocumentStore(settings.bundled_corpus_path, Path("/nonexistent-user-corpus"))


def _added(tmp_path: Path) -> tuple[DocumentStore, list[str]]:
    """The unseen documents added to a fresh store as `hoidap add` adds them (read, parse, store)."""
    store = DocumentStore(tmp_path / "bundled", tmp_path / "user", ParsedCache(tmp_path / "cache"))
    ids = [store_prepared(store, prepare_document(p.name, p.read_bytes())).doc_id for p in UNSEEN]
    return store, ids


def test_unseen_documents_are_there():
    assert len(UNSEEN) >= 8


def test_records_survive_the_json_round_trip_exactly(settings):
    docs = parse_corpus(_bundled(settings)) + [parse_file(p) for p in UNSEEN]
    for doc in docs:
        back = decode(ParsedDocument, encode(doc))
        assert back == doc  # dataclass equality: a tuple come back as a list would differ
        assert isinstance(back.clauses[0].section, tuple)
    # Every nested shape is exercised: (label, value) pairs, (role, names) pairs, spans, gaps, outside.
    tasks = [t for d in docs for t in d.tasks]
    assert any(t.other for t in tasks) and any(t.other_roles for t in tasks)
    assert any(d.gaps for d in docs) and any(d.header.outside for d in docs)


def test_an_added_document_is_parsed_once_and_equals_a_fresh_parse(tmp_path, counted):
    store, ids = _added(tmp_path)
    assert counted == ["new"] * len(UNSEEN)  # the worker's parse, under the provisional id, only
    docs = {d.doc_id: d for d in parse_corpus(store)}
    assert counted == ["new"] * len(UNSEEN) and sorted(docs) == sorted(ids)  # read from the cache
    for info, text in store.readable():
        # The relabelled parse is what parsing the stored text and manifest gives (title re-read too).
        assert docs[info.doc_id] == parse_module.parse_document(info, text)


def test_relabelling_rereads_a_title_read_from_the_text_as_parsing_does(settings):
    info, text = _bundled(settings).readable()[0]
    # A manifest whose title was read from the text by an older parser: the current one reads it again.
    old = dataclasses.replace(info, title="Tiêu đề cũ", provenance={"printed_in_text": ["title"]})
    provisional = parse_document(dataclasses.replace(old, doc_id="new", source_file="x.txt"), text)
    assert relabel(provisional, old) == parse_document(old, text)
    assert relabel(provisional, old).info.title != "Tiêu đề cũ"


def test_the_cache_on_disk_serves_a_new_store_and_a_new_process(tmp_path, counted, settings):
    store, ids = _added(tmp_path)
    before = {d.doc_id: d for d in parse_corpus(store)}
    counted.clear()
    # Another process (the server after `hoidap add`): a new store, a new cache object, same folder.
    again = DocumentStore(store.bundled, store.user, ParsedCache(tmp_path / "cache"))
    assert {d.doc_id: d for d in parse_corpus(again)} == before and counted == []
    # Without the folder, the same documents are parsed again, once each.
    fresh = DocumentStore(store.bundled, store.user)
    assert {d.doc_id: d for d in parse_corpus(fresh)} == before and sorted(counted) == sorted(ids)
    parse_corpus(fresh)
    assert sorted(counted) == sorted(ids)  # and remembered in memory from then on


def test_a_changed_text_manifest_or_parser_misses(tmp_path, settings):
    store = _bundled(settings)
    info, text = store.readable()[0]
    doc = parse_document(info, text)
    cache = ParsedCache(tmp_path)
    cache.put(info, text, doc)
    assert ParsedCache(tmp_path).get(info, text) == doc
    assert ParsedCache(tmp_path).get(info, text + "\n") is None
    assert ParsedCache(tmp_path).get(dataclasses.replace(info, number="9/KH"), text) is None
    assert ParsedCache(tmp_path, stamp="0" * 64).get(info, text) is None
    # A damaged entry (a killed writer, a full disk) is a miss, not an error.
    entry = next(tmp_path.rglob("*.json"))
    entry.write_text('{"format": 1, "doc": {"info": ', encoding="utf-8")
    assert ParsedCache(tmp_path).get(info, text) is None


def test_parser_stamp_follows_the_parsers_code_and_data_only(tmp_path):
    from importlib import resources

    corpus = Path(str(resources.files("hoidap.corpus")))
    copy = tmp_path / "corpus"
    shutil.copytree(corpus, copy, ignore=shutil.ignore_patterns("__pycache__"))
    stamp = parser_stamp(copy)
    assert stamp == parser_stamp(copy) == parser_stamp()  # the copy is the installed parser
    (copy / "documents" / "extra.txt").write_text("một văn bản nữa", encoding="utf-8")
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "parse.cpython-311.pyc").write_bytes(b"\0")
    assert parser_stamp(copy) == stamp  # documents and bytecode are not the parser
    data = copy / "data" / "agencies.json"
    data.write_text(data.read_text(encoding="utf-8") + " ", encoding="utf-8")
    changed = parser_stamp(copy)
    assert changed != stamp
    (copy / "tasks.py").write_text((copy / "tasks.py").read_text(encoding="utf-8") + "\n# x\n", "utf-8")
    assert parser_stamp(copy) not in (stamp, changed)


def test_old_parsers_entries_are_pruned(tmp_path, settings):
    info, text = _bundled(settings).readable()[0]
    doc = parse_document(info, text)
    stamps = [f"{n:016d}" + "0" * 48 for n in range(KEEP_STAMPS + 2)]
    for n, stamp in enumerate(stamps):
        cache = ParsedCache(tmp_path, stamp=stamp)
        cache.put(info, text, doc)
        os.utime(cache.folder, (1000 + n, 1000 + n))  # in the order they were used, whatever the clock
    assert sorted(p.name for p in tmp_path.iterdir()) == [s[:16] for s in stamps[-KEEP_STAMPS:]]


def test_removing_a_document_drops_its_parse(tmp_path):
    store = DocumentStore(tmp_path / "bundled", tmp_path / "user", ParsedCache(tmp_path / "cache"))
    fields = {"title": "Kế hoạch thử nghiệm", "short_title": "Kế hoạch thử nghiệm", "doc_type": "Kế hoạch"}
    info = store.store(TEXT, fields, "kh-1")
    parse_corpus(store)
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 1
    store.delete(info.doc_id)
    assert list((tmp_path / "cache").rglob("*.json")) == []
    assert store.parsed.get(info, TEXT) is None
