"""`hoidap add` in one pass (issue 24 §4), counted with the real model: each stored document is parsed at
most once and the index is read once; nothing is loaded to serve; an empty data folder gets an index."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

import hoidap.corpus.ingest as ingest_module
import hoidap.corpus.parse as parse_module
from hoidap import cli
from hoidap.corpus.parse import parse_document as fresh_parse  # bound before any spy is set
from hoidap.corpus.store import DocumentStore
from hoidap.indexer.dense import DenseIndex
from hoidap.indexer.lexical import LexicalIndex
from hoidap.indexer.search import HybridIndex
from hoidap.indexer.store import read_manifest

PORT = """KẾ HOẠCH
Phát triển cảng cá và khu neo đậu tàu thuyền huyện đảo Lý Sơn
I. NHIỆM VỤ
1. Lập dự án nạo vét luồng vào cảng cá Lý Sơn.
- Thời gian thực hiện: năm 2026.
- Cơ quan chủ trì: Sở Nông nghiệp và Môi trường.
"""
SEA = """KẾ HOẠCH
Nuôi biển công nghệ cao tại đảo Lý Sơn
I. NHIỆM VỤ
1. Chuyển đổi lồng bè gỗ sang lồng HDPE chịu sóng gió cấp 12.
- Cơ quan chủ trì: Ủy ban nhân dân huyện Lý Sơn.
- Thời hạn: 2025 - 2027.
"""
CAGE = """KẾ HOẠCH
Nuôi cá lồng trên sông Trà Khúc
I. NHIỆM VỤ
1. Quy hoạch vùng nuôi cá lồng an toàn trên sông Trà Khúc.
- Cơ quan chủ trì: Phòng Nông nghiệp thành phố Quảng Ngãi.
"""
FOREST_2 = """KẾ HOẠCH
Phòng cháy rừng phòng hộ đầu nguồn Sơn Tây
I. NHIỆM VỤ
1. Làm đường băng cản lửa 30 km trong rừng phòng hộ Sơn Tây.
- Cơ quan chủ trì: Ban Quản lý rừng phòng hộ Sơn Tây.
"""
FOREST = """KẾ HOẠCH
Trồng rừng ngập mặn ven biển Bình Sơn
I. NHIỆM VỤ
1. Trồng mới 120 ha rừng ngập mặn ven biển Bình Sơn.
- Cơ quan chủ trì: Hạt Kiểm lâm Bình Sơn.
"""


@pytest.fixture
def counts(monkeypatch) -> Counter:
    """Parses by document id (in this process), reading workers started, and index files loaded."""
    seen: Counter = Counter()
    real_parse = parse_module.parse_document

    def parse(info, original):
        seen[f"parse {info.doc_id}"] += 1
        return real_parse(info, original)

    real_worker = ingest_module.run_isolated

    def worker(fn, args, **kw):
        seen["worker"] += 1  # where the added file is read and parsed, once
        return real_worker(fn, args, **kw)

    monkeypatch.setattr(parse_module, "parse_document", parse)
    monkeypatch.setattr(ingest_module, "run_isolated", worker)
    for cls, label in ((DenseIndex, "dense"), (LexicalIndex, "lexical"), (HybridIndex, "served")):
        real = cls.__dict__["load"].__func__

        def load(klass, *args, _real=real, _label=label, **kwargs):
            seen[f"load {_label}"] += 1
            return _real(klass, *args, **kwargs)

        monkeypatch.setattr(cls, "load", classmethod(load))
    return seen


def _parses(counts: Counter) -> dict[str, int]:
    return {k.removeprefix("parse "): v for k, v in counts.items() if k.startswith("parse ")}


def _env(monkeypatch, cfg) -> None:
    """The settings `hoidap` reads from its environment."""
    monkeypatch.setenv("HOIDAP_DATA_DIR", str(cfg.data_dir))
    monkeypatch.setenv("HOIDAP_CACHE_DIR", str(cfg.cache_dir))
    monkeypatch.delenv("HOIDAP_INDEX_DIR", raising=False)
    if cfg.corpus_dir is None:
        monkeypatch.delenv("HOIDAP_CORPUS_DIR", raising=False)
    else:
        monkeypatch.setenv("HOIDAP_CORPUS_DIR", str(cfg.corpus_dir))


def _cold_cache(settings, tmp_path: Path) -> Path:
    """A cache folder with no parsed document yet, sharing the converted model."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "models").symlink_to(settings.model_cache_dir)
    return cache


def _add(tmp_path: Path, name: str, text: str) -> int:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return cli.main(["add", str(path)])


def test_hoidap_add_parses_each_document_once_and_reads_the_index_once(
    built_index, settings, tmp_path, monkeypatch, counts
):
    from hoidap.service.qa import QAService, document_store

    data = tmp_path / "data"
    cfg = settings.model_copy(
        update={"data_dir": data, "index_dir": None, "cache_dir": _cold_cache(settings, tmp_path)}
    )
    shutil.copytree(built_index[0], cfg.index_path)
    _env(monkeypatch, cfg)
    bundled = {i.doc_id for i in document_store(cfg).manifests()}

    # A cold parse cache (the first add after an upgrade): the bundled documents once each, the new one
    # only in the reading worker; the current index read once, for its vectors; nothing loaded to serve.
    assert _add(tmp_path, "cang-ca.txt", PORT) == 0
    assert _parses(counts) == dict.fromkeys(bundled, 1) and counts["worker"] == 1
    assert counts["load dense"] == counts["load lexical"] == 1 and counts["load served"] == 0

    # Warm (any later add, or one after the server started): no stored document is parsed.
    counts.clear()
    assert _add(tmp_path, "nuoi-bien.txt", SEA) == 0
    assert _parses(counts) == {} and counts["worker"] == 1
    assert counts["load dense"] == counts["load lexical"] == 1 and counts["load served"] == 0

    # Start-up parses nothing either, and what it serves is what parsing the stored texts gives.
    counts.clear()
    service = QAService.open(cfg)
    assert _parses(counts) == {} and counts["load served"] == 1
    added = [d for d in service.docs.values() if d.doc_id not in bundled]
    assert len(added) == 2
    store = document_store(cfg)
    for info, text in store.readable():
        assert service.docs[info.doc_id] == fresh_parse(info, text)
    hit = service.search("nạo vét luồng vào cảng cá Lý Sơn", k=1)[0]
    assert hit.doc_id in {d.doc_id for d in added} and "nạo vét" in hit.text

    # The page and the API add through the same path, then reload: still no parse of a stored document;
    # the build reuses the vectors the service holds, so the index is read once, by the reload, which
    # starts no second one behind it.
    counts.clear()
    result = service.add_document("rung.txt", FOREST.encode())
    assert not service.reloading and result.info.doc_id in service.docs
    assert _parses(counts) == {} and counts["worker"] == 1
    assert counts["load dense"] == counts["load lexical"] == 1 and counts["load served"] == 1
    assert result.report is not None and result.report.embedded < 40  # the stored documents' vectors reused
    assert service.search("trồng rừng ngập mặn ven biển", k=1)[0].doc_id == result.info.doc_id

    # Another process's build since the service loaded its index (`hoidap add` from a shell): the build
    # reads the files on disk, not the copy the service holds, and nothing that process added is lost.
    served = set(service.docs)
    assert _add(tmp_path, "ca-long.txt", CAGE) == 0
    elsewhere = {i.doc_id for i in document_store(cfg).manifests()} - served - {result.info.doc_id}
    counts.clear()
    again = service.add_document("rung-2.txt", FOREST_2.encode())
    assert again.added and counts["load dense"] == counts["load lexical"] == 2
    assert elsewhere and elsewhere <= set(service.docs) and again.info.doc_id in service.docs
    assert not service.reloading


def test_add_into_an_empty_data_folder_builds_the_index(settings, tmp_path, monkeypatch, counts):
    from hoidap.service.qa import QAService

    # A small bundled corpus (one plan), so that indexing it from nothing takes seconds.
    bundled = tmp_path / "bundled"
    fields = {"title": "Kế hoạch nuôi biển Lý Sơn", "short_title": "KH nuôi biển", "doc_type": "Kế hoạch"}
    own = DocumentStore(tmp_path / "none", bundled).store(SEA, fields, "kh-nuoi-bien")
    cfg = settings.model_copy(
        update={
            "data_dir": tmp_path / "empty",
            "index_dir": None,
            "corpus_dir": bundled,
            "cache_dir": _cold_cache(settings, tmp_path),
        }
    )
    _env(monkeypatch, cfg)
    assert not cfg.data_dir.exists()

    assert _add(tmp_path, "cang-ca.txt", PORT) == 0
    manifest = read_manifest(cfg.index_path)
    added = next(d for d in manifest.documents if d != own.doc_id)
    assert set(manifest.documents) == {own.doc_id, added} and manifest.counts["documents"] == 2
    assert counts["load dense"] == 0  # there was nothing to read
    service = QAService.open(cfg)
    assert service.search("nạo vét luồng vào cảng cá Lý Sơn", k=1)[0].doc_id == added
    assert service.search("lồng HDPE chịu sóng gió", k=1)[0].doc_id == own.doc_id
