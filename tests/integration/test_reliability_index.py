"""Faults injected into a real index (real model): damaged files, killed adds, live reload.

Issue 12: no damaged index is ever served (each file truncated, bit-flipped or deleted is refused by
name with the rebuild command); a `hoidap add` killed at any moment leaves store and index consistent
and the document can be added again; a running service picks up an index built by another process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hoidap.indexer.search import HybridIndex
from hoidap.indexer.store import REBUILD, IndexLoadError, read_manifest

DOC = """KẾ HOẠCH
Phát triển nuôi biển công nghệ cao tại đảo Lý Sơn giai đoạn 2025 - 2030

I. MỤC TIÊU
1. Đến năm 2030, diện tích nuôi biển công nghệ cao đạt 450 ha lồng bè HDPE.
2. Giá trị sản lượng nuôi biển tăng bình quân 12% mỗi năm.

II. NHIỆM VỤ
1. Rà soát quy hoạch vùng nuôi biển quanh đảo Lý Sơn.
Cơ quan chủ trì: Sở Nông nghiệp và Phát triển nông thôn.
Thời hạn: năm 2025.
2. Hỗ trợ ngư dân chuyển đổi lồng bè gỗ sang lồng HDPE chịu sóng gió cấp 12.
Cơ quan chủ trì: Ủy ban nhân dân huyện Lý Sơn.
Thời hạn: 2025 - 2027.
"""


def _copy_index(built_index, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(built_index[0], target)
    return target


def _settings(settings, tmp_path: Path, **extra):
    return settings.model_copy(
        update={"data_dir": tmp_path / "data", "index_dir": tmp_path / "index", **extra}
    )


# --- damaged files --------------------------------------------------------------------------------


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "delete":
        path.unlink()
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "bitflip":
        pos = len(data) // 2
        path.write_bytes(data[:pos] + bytes([data[pos] ^ 0x01]) + data[pos + 1 :])


@pytest.mark.parametrize("how", ["delete", "empty", "truncate", "bitflip"])
def test_every_damaged_index_file_is_refused_by_name(built_index, embedder, tmp_path, how):
    files = list(read_manifest(built_index[0]).files)
    assert "entries.jsonl" in files and any(f.startswith("dense/") for f in files)
    assert any(f.startswith("lexical/") for f in files)
    for rel in files:
        target = tmp_path / f"{how}-{rel.replace('/', '_')}"
        shutil.copytree(built_index[0], target)
        _damage(target / rel, how)
        with pytest.raises(IndexLoadError) as info:
            HybridIndex.load(target, embedder)
        message = str(info.value)
        assert rel in message and REBUILD in message, message


@pytest.mark.parametrize("how", ["delete", "empty", "truncate", "bitflip"])
def test_damaged_manifest_is_refused(built_index, embedder, tmp_path, how):
    target = _copy_index(built_index, tmp_path)
    _damage(target / "manifest.json", how)
    with pytest.raises(IndexLoadError, match="hoidap index"):
        HybridIndex.load(target, embedder)


def test_manifest_without_checksums_is_refused(built_index, embedder, tmp_path):
    target = _copy_index(built_index, tmp_path)
    data = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    del data["files"], data["checksum"]  # as the previous version wrote it
    (target / "manifest.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexLoadError, match="mã kiểm tra"):
        HybridIndex.load(target, embedder)


def test_interrupted_swap_and_stray_temp_folders_are_recovered(built_index, embedder, tmp_path):
    target = _copy_index(built_index, tmp_path)
    old = target.with_name(f".{target.name}.old")
    target.rename(old)  # killed between the two renames of a swap
    stray = target.with_name(f".{target.name}.tmp-1-2")
    stray.mkdir()
    (stray / "entries.jsonl").write_text("half")
    index = HybridIndex.load(target, embedder)
    assert len(index.entries) == built_index[1].entries
    assert not old.exists() and not stray.exists()


# --- killed adds ------------------------------------------------------------------------------------


def _hoidap(args: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
    script = Path(sys.executable).with_name("hoidap")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hoidap.cli"]
    return subprocess.Popen([*command, *args], env=env, **kw)


def _consistent(settings, embedder) -> tuple[set[str], set[str]]:
    from hoidap.service.qa import QAService, document_store

    service = QAService.open(settings, embedder)  # recovery runs at start
    stored = {i.doc_id for i in document_store(settings).manifests()}
    indexed = set(service.searcher.manifest.documents)
    assert stored == indexed, (stored, indexed)
    return stored, indexed


@pytest.mark.parametrize("moment", ["stored", "building"])
def test_kill_during_add_leaves_store_and_index_consistent(built_index, settings, embedder, tmp_path, moment):
    _copy_index(built_index, tmp_path)
    cfg = _settings(settings, tmp_path)
    doc = tmp_path / "nuoi-bien.txt"
    doc.write_text(DOC, encoding="utf-8")
    env = {
        **os.environ,
        "HOIDAP_DATA_DIR": str(cfg.data_dir),
        "HOIDAP_INDEX_DIR": str(cfg.index_path),
        "HOIDAP_CACHE_DIR": str(cfg.cache_dir),
    }
    proc = _hoidap(["add", str(doc)], env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    manifests = cfg.user_corpus_path / "manifests"
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if moment == "stored" and manifests.is_dir() and any(manifests.glob("*.json")):
                break
            if moment == "building" and any(cfg.index_path.parent.glob(".index.tmp-*/entries.jsonl")):
                break
            time.sleep(0.005)
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    journal = cfg.index_path.with_name(".index.journal.json")
    assert journal.exists()  # the kill left an unfinished add

    stored, _ = _consistent(cfg, embedder)
    assert not journal.exists() and not any(cfg.index_path.parent.glob(".index.tmp-*"))
    assert len(stored) == 5  # rolled back: the index never had it

    # Added again: really added, not "already in store, nothing changed".
    from hoidap.service.qa import QAService

    service = QAService.open(cfg, embedder)
    result = service.add_document("nuoi-bien.txt", DOC.encode())
    assert result.added
    hit = service.search("lồng HDPE nuôi biển Lý Sơn", k=1)[0]
    assert hit.doc_id == result.info.doc_id
    assert not service.add_document("lai.txt", DOC.encode()).added
    _consistent(cfg, embedder)


def test_leftover_stored_copy_is_indexed_on_readd(built_index, settings, embedder, tmp_path):
    """A stored document the index lacks, without a journal (e.g. copied in by hand), is indexed on re-add."""
    from hoidap.service.qa import QAService, document_store

    _copy_index(built_index, tmp_path)
    cfg = _settings(settings, tmp_path)
    fields = {"title": "Nuôi biển", "short_title": "Nuôi biển", "doc_type": "Kế hoạch"}
    info = document_store(cfg).store(DOC, fields, "nuoi-bien")
    service = QAService.open(cfg, embedder)
    assert info.doc_id not in service.docs
    result = service.add_document("nuoi-bien.txt", DOC.encode())
    assert result.added and result.info.doc_id == info.doc_id and info.doc_id in service.docs


# --- live reload ------------------------------------------------------------------------------------


def _wait_for(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_running_service_sees_an_add_by_another_process(built_index, settings, embedder, tmp_path):
    from hoidap.indexer.build import add_document, remove_document
    from hoidap.service.qa import QAService, document_store

    _copy_index(built_index, tmp_path)
    cfg = _settings(settings, tmp_path, reload_check_seconds=0.1)
    served = QAService.open(cfg, embedder)
    before = served.health()
    assert before.index_version == 1 and before.index_built_at

    # "Another process": the same functions `hoidap add` runs, on the same folders, not via `served`.
    result = add_document(document_store(cfg), cfg.index_path, "nuoi-bien.txt", DOC.encode(), embedder)
    doc_id = result.info.doc_id
    assert _wait_for(lambda: doc_id in served.docs), "the running service never saw the new document"
    assert served.search("lồng HDPE nuôi biển Lý Sơn", k=1)[0].doc_id == doc_id
    assert served.health().index_version == 2

    # A damaged newer index is not served: the service keeps answering from the one it has.
    remove_document(document_store(cfg), cfg.index_path, doc_id, embedder)
    entries = cfg.index_path / "entries.jsonl"
    entries.write_bytes(entries.read_bytes()[:-100])
    assert _wait_for(lambda: served.health().reload_error is not None)
    assert doc_id in served.docs and served.search("lồng HDPE nuôi biển", k=1)[0].doc_id == doc_id
    assert "entries.jsonl" in served.health().reload_error


def test_answers_say_the_index_is_reloading_until_the_new_one_is_served(
    built_index, settings, embedder, tmp_path, monkeypatch
):
    import threading

    from hoidap.indexer.build import add_document
    from hoidap.service.qa import RELOADING_NOTE, QAService, document_store

    _copy_index(built_index, tmp_path)
    cfg = _settings(settings, tmp_path, reload_check_seconds=0.1)
    served = QAService.open(cfg, embedder)
    question = "Lồng HDPE nuôi biển ở Lý Sơn do ai chủ trì?"
    assert RELOADING_NOTE not in served.ask(question).message and not served.health().reloading

    # Hold the background reload until the test has asked during it.
    release = threading.Event()
    original = QAService.reload

    def slow_reload(self):
        release.wait(30)
        original(self)

    monkeypatch.setattr(QAService, "reload", slow_reload)
    doc_id = add_document(
        document_store(cfg), cfg.index_path, "nuoi-bien.txt", DOC.encode(), embedder
    ).info.doc_id
    assert _wait_for(lambda: served.health().reloading)
    during = served.ask(question)
    assert during.message.startswith(RELOADING_NOTE)
    assert doc_id not in served.docs
    # Every read route of the API says so too, not only the answer's words.
    from fastapi.testclient import TestClient

    from hoidap.api.app import create_app

    client = TestClient(create_app(served), base_url="http://127.0.0.1")
    for path in ("/documents", "/search?q=nuôi biển", "/health"):
        assert client.get(path).headers.get("x-index-reloading") == "1", path
    release.set()
    assert _wait_for(lambda: doc_id in served.docs and not served.health().reloading)
    after = served.ask(question)
    assert RELOADING_NOTE not in after.message
    assert "x-index-reloading" not in client.get("/documents").headers


def test_remove_interrupted_after_the_index_changed_completes_at_next_start(
    built_index, settings, embedder, tmp_path, monkeypatch
):
    from hoidap.corpus.store import DocumentStore
    from hoidap.indexer import build
    from hoidap.service.qa import QAService, document_store

    _copy_index(built_index, tmp_path)
    cfg = _settings(settings, tmp_path)
    doc_id = QAService.open(cfg, embedder).add_document("nuoi-bien.txt", DOC.encode()).info.doc_id

    def killed(self, doc_id):  # the process dies between the index swap and the store delete
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(DocumentStore, "delete", killed)
        with pytest.raises(KeyboardInterrupt):
            build.remove_document(document_store(cfg), cfg.index_path, doc_id, embedder)
    assert build.journal_path(cfg.index_path).exists()
    stored, _ = _consistent(cfg, embedder)  # the start-up recovery finishes the removal
    assert doc_id not in stored and not build.journal_path(cfg.index_path).exists()


def test_a_document_stored_but_not_yet_indexed_is_not_listed(built_index, settings, tmp_path):
    """While an add runs (or after one was killed) the stored text is not listed by `hoidap tasks`/`parse`."""
    from hoidap.service.qa import QAService, committed_documents, document_store

    _copy_index(built_index, tmp_path)
    cfg = _settings(settings, tmp_path)
    before = {d.doc_id for d in committed_documents(cfg)}
    fields = {"title": "Kế hoạch nuôi biển", "short_title": "Kế hoạch nuôi biển", "doc_type": "Kế hoạch"}
    info = document_store(cfg).store(DOC, fields, "nuoi-bien")
    assert info.doc_id in {i.doc_id for i in document_store(cfg).manifests()}  # stored …
    assert {d.doc_id for d in committed_documents(cfg)} == before  # … but not listed
    assert info.doc_id not in {d.doc_id for d in QAService.offline(cfg).docs.values()}
