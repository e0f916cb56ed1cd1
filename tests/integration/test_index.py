"""The hybrid index on the real corpus with the real converted model."""

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

from hoidap.corpus.store import DocumentError, DocumentStore
from hoidap.indexer.build import add_document, build_index, remove_document
from hoidap.indexer.search import HybridIndex
from hoidap.indexer.store import IndexLoadError, read_manifest


def top(index, query, **kw):
    hits = index.search(query, k=5, **kw)
    assert hits, query
    return hits


def test_manifest_counts(built_index, index, store):
    target, report = built_index
    manifest = read_manifest(target)
    assert manifest.counts["documents"] == 5 and report.embedded == report.entries == len(index.entries)
    assert set(manifest.documents) == {i.doc_id for i in store.manifests()}
    assert manifest.counts["tasks"] == 153  # 51 + 43 + 58 + 1 + 0 (tests/unit/test_parse.py)
    assert len({e.entry_id for e in index.entries}) == len(index.entries)  # content ids never duplicate


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("Ai chủ trì nhiệm vụ 5.4?", "ai chu tri nhiem vu 5.4"),
        (
            "Tỷ lệ lao động nông nghiệp trong tổng lao động xã hội",
            "ty le lao dong nong nghiep trong tong lao dong xa hoi",
        ),
        (
            "Sở Tài chính chủ trì quỹ tín dụng doanh nghiệp nhỏ và vừa",
            "so tai chinh chu tri quy tin dung doanh nghiep nho va vua",
        ),
        ("nhà máy điện gió công suất", "nha may dien gio cong suat"),
        (
            "xây dựng huyện đảo Lý Sơn thành trung tâm du lịch",
            "xay dung huyen dao ly son thanh trung tam du lich",
        ),
    ],
)
def test_diacritics_do_not_change_the_top_clause(index, accented, plain):
    a, b = top(index, accented)[0], top(index, plain)[0]
    assert (a.entry.doc_id, a.entry.char_start) == (b.entry.doc_id, b.entry.char_start)


@pytest.mark.parametrize(
    ("query", "doc_id", "task_id"),
    [
        ("nhiệm vụ 5.4", "qng-kh-214-2024", "5.4"),
        ("5.4", "qng-kh-214-2024", "5.4"),
        ("nhiem vu 3.6 ke hoach 214", "qng-kh-214-2024", "3.6"),
        ("nhiệm vụ 10.6", "qng-kh-214-2024", "10.6"),
    ],
)
def test_task_number_query_returns_that_task_first(index, query, doc_id, task_id):
    hit = top(index, query)[0]
    assert (hit.entry.doc_id, hit.entry.task_id) == (doc_id, task_id)
    assert task_id in hit.matched_terms or task_id.replace(".", "_") in " ".join(hit.matched_terms)


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        (
            "ngân sách hằng năm dành cho nghiên cứu khoa học do cơ quan nào lo",
            "chi thường xuyên ngân sách nhà nước hàng năm cho khoa học",
        ),
        ("nhà ở cho người lao động có thu nhập thấp", "nhà ở xã hội cho công nhân và người có thu nhập thấp"),
        ("phủ sóng mạng di động thế hệ mới khắp tỉnh", "phủ sóng 5G"),
        ("thu nhập bình quân mỗi người dân năm 2030 ở Quảng Ngãi", "7.700 - 7.900 USD"),
        ("mở rộng nhà máy lọc dầu", "Nhà máy lọc dầu Dung Quất"),
    ],
)
def test_paraphrase_finds_its_clause_in_top5(index, query, needle):
    texts = [h.entry.text for h in index.search(query, k=5)]
    assert any(needle in t for t in texts), (query, texts)


def test_search_modes_and_document_filter(index):
    q = "GRDP bình quân đầu người"
    for mode in ("hybrid", "lexical", "dense"):
        hits = index.search(q, k=5, mode=mode, doc_ids=["qnam-ctr-nq29"])
        assert hits and all(h.entry.doc_id == "qnam-ctr-nq29" for h in hits)
    lexical = index.search(q, k=3, mode="lexical")
    assert all(h.dense == 0.0 and h.lexical > 0 for h in lexical)
    assert "grdp" in lexical[0].matched_terms
    assert index.search(q, k=5, doc_ids=["khong-co"]) == []
    with pytest.raises(ValueError):
        index.search(q, mode="fuzzy")


def test_hits_carry_exact_quotes(index, store):
    originals = {info.doc_id: store.read_original(info) for info in store.manifests()}
    for h in index.search("Cơ quan chủ trì phát triển du lịch", k=10):
        d = h.to_dict(originals[h.entry.doc_id])
        assert d["quote"] == originals[h.entry.doc_id][h.entry.char_start : h.entry.char_end]
        assert d["quote"].strip()


def test_model_mismatch_is_refused(built_index, embedder, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(built_index[0], copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["model_id"] = "some-other-model"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexLoadError, match="hoidap index"):
        HybridIndex.load(copy, embedder)
    manifest["model_id"], manifest["format_version"] = embedder.model_id, 999
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexLoadError, match="định dạng"):
        HybridIndex.load(copy, embedder)
    with pytest.raises(IndexLoadError, match="Chưa có chỉ mục"):
        HybridIndex.load(tmp_path / "missing", embedder)


def test_killed_build_leaves_previous_index_usable(built_index, embedder, tmp_path):
    target = tmp_path / "index"
    shutil.copytree(built_index[0], target)
    before = (target / "manifest.json").read_text()
    env = dict(os.environ, HOIDAP_INDEX_DIR=str(target), HOIDAP_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "hoidap.cli", "index", "--full"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Wait until the build is under way (its temporary directory exists), then kill it hard.
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp_path.glob(".index.tmp-*")) and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode != 0, "the build finished before it could be killed"
    assert (target / "manifest.json").read_text() == before
    index = HybridIndex.load(target, embedder)
    assert index.search("nhiệm vụ 5.4", k=1)[0].entry.task_id == "5.4"


def test_bad_files_change_nothing(built_index, embedder, tmp_path, settings):
    st = DocumentStore(settings.bundled_corpus_path, tmp_path / "data" / "corpus")
    target = tmp_path / "index"
    shutil.copytree(built_index[0], target)
    before = (target / "manifest.json").read_text()
    cases = {
        "a.exe": b"MZ\x90\x00binary",
        "empty.txt": b"",
        "blank.txt": b"   \n\n",
        "image.txt": bytes(range(256)) * 4,
        "legacy.txt": "Kế hoạch số 12 về phát triển công nghiệp".encode("cp1258", errors="replace")
        + b"\xd2\xe3",
        "broken.docx": b"PK\x03\x04 not really a zip",
        "broken.pdf": b"%PDF-1.4 garbage",
    }
    for name, data in cases.items():
        with pytest.raises(DocumentError):
            add_document(st, target, name, data, embedder)
    assert (target / "manifest.json").read_text() == before
    assert not (tmp_path / "data" / "corpus" / "manifests").exists() or not list(
        (tmp_path / "data" / "corpus" / "manifests").glob("*.json")
    )


SMALL_DOC = """KẾ HOẠCH
Phát triển cảng cá và khu neo đậu tàu thuyền huyện đảo Lý Sơn
I. MỤC TIÊU
1. Đến năm 2027, hoàn thành nâng cấp cảng cá Lý Sơn đạt công suất 50.000 tấn hàng mỗi năm.
II. NHIỆM VỤ
1. Đầu tư hạ tầng cảng cá
a) Lập dự án nạo vét luồng vào cảng cá Lý Sơn.
- Thời gian thực hiện: năm 2026.
- Cơ quan chủ trì: Sở Nông nghiệp và Môi trường.
- Cơ quan phối hợp: UBND đặc khu Lý Sơn, Sở Tài chính.
"""


def _pdf_bytes(text: str) -> bytes:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(8.27, 11.69))
    for i, line in enumerate(text.splitlines()):
        fig.text(0.05, 0.95 - i * 0.03, line, fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    return buf.getvalue()


def test_add_document_reports_its_stages(built_index, embedder, tmp_path, settings):
    """Through the service facade, as the web page and the CLI call it: every stage, in order."""
    from hoidap.corpus.progress import STAGES, Step
    from hoidap.service.qa import QAService

    cfg = settings.model_copy(update={"data_dir": tmp_path / "data", "index_dir": tmp_path / "index"})
    shutil.copytree(built_index[0], cfg.index_path)
    # Enough clauses for the new passages to take several batches of the encoder.
    items = "\n".join(
        f"{i}. Nhiệm vụ số {i}: nâng cấp bến cá thứ {i} tại xã đảo An Bình, hoàn thành năm {2025 + i % 5}."
        for i in range(1, 41)
    )
    doc = f"KẾ HOẠCH\nPhát triển hạ tầng nghề cá xã đảo An Bình\nI. NHIỆM VỤ\n{items}\n"
    seen: list[Step] = []
    result = QAService.open(cfg, embedder).add_document("an-binh.txt", doc.encode(), progress=seen.append)
    assert result.added and result.report is not None

    stages = [s.stage for s in seen]
    order = [st for i, st in enumerate(stages) if i == 0 or stages[i - 1] != st]
    assert order == [st for st in STAGES if st != "ocr"]  # a text file: nothing to OCR
    embed = [(s.done, s.total) for s in seen if s.stage == "embed"]
    assert {t for _, t in embed} == {result.report.embedded}  # the passages embedded in this add
    assert embed[0][0] == 0 and embed[-1][0] == embed[-1][1]  # from none to all of them
    assert [d for d, _ in embed] == sorted(d for d, _ in embed) and len(embed) > 2  # batch by batch
    assert all(s.label for s in seen) and "đoạn" in seen[-2].label


def test_add_search_and_remove_documents(built_index, embedder, tmp_path, settings):
    st = DocumentStore(settings.bundled_corpus_path, tmp_path / "data" / "corpus")
    target = tmp_path / "index"
    shutil.copytree(built_index[0], target)
    n_before = read_manifest(target).counts["entries"]

    result = add_document(
        st,
        target,
        "cang-ca.txt",
        SMALL_DOC.encode(),
        embedder,
        title="Kế hoạch cảng cá Lý Sơn",
        number="99/KH-UBND",
        date="2025-03-01",
    )
    assert result.added and result.report is not None
    assert 0 < result.report.embedded < 20  # only the new document was embedded
    doc_id = result.info.doc_id
    index = HybridIndex.load(target, embedder)
    hit = index.search("nạo vét luồng cảng cá Lý Sơn", k=1)[0]
    assert hit.entry.doc_id == doc_id
    assert index.search("nao vet luong cang ca", k=1)[0].entry.doc_id == doc_id

    again = add_document(st, target, "copy.txt", SMALL_DOC.encode(), embedder)
    assert not again.added and again.info.doc_id == doc_id

    import docx

    d = docx.Document()
    for line in ["KẾ HOẠCH", "Trồng rừng ngập mặn ven biển Bình Sơn", "1. Trồng mới 120 ha rừng ngập mặn."]:
        d.add_paragraph(line)
    buf = tmp_path / "rung.docx"
    d.save(buf)
    docx_result = add_document(st, target, "rung.docx", buf.read_bytes(), embedder)
    assert docx_result.added
    pdf_result = add_document(
        st,
        target,
        "sanbay.pdf",
        _pdf_bytes("Ke hoach mo rong san bay Chu Lai\n1. Keo dai duong bang."),
        embedder,
    )
    assert pdf_result.added
    index = HybridIndex.load(target, embedder)
    assert index.search("rừng ngập mặn Bình Sơn", k=1)[0].entry.doc_id == docx_result.info.doc_id
    assert index.search("san bay Chu Lai duong bang", k=1)[0].entry.doc_id == pdf_result.info.doc_id

    report = remove_document(st, target, doc_id, embedder)
    assert report.embedded == 0
    index = HybridIndex.load(target, embedder)
    assert doc_id not in index.doc_ids
    with pytest.raises(DocumentError, match="đi kèm"):
        remove_document(st, target, "qng-kh-214-2024", embedder)
    remove_document(st, target, docx_result.info.doc_id, embedder)
    remove_document(st, target, pdf_result.info.doc_id, embedder)
    assert read_manifest(target).counts["entries"] == n_before


def test_scanned_pdf_is_refused(embedder, tmp_path, settings):
    st = DocumentStore(settings.bundled_corpus_path, tmp_path / "data" / "corpus")
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    import io

    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(DocumentError, match="scan"):
        add_document(st, tmp_path / "index", "scan.pdf", buf.getvalue(), embedder)


def test_rebuild_reuses_vectors(built_index, embedder, tmp_path, store):
    target = tmp_path / "index"
    shutil.copytree(built_index[0], target)
    from hoidap.corpus.parse import parse_corpus

    report = build_index(parse_corpus(store), embedder, target)
    assert report.embedded == 0 and report.entries == built_index[1].entries
    assert Path(target / "manifest.json").exists()


def test_hnsw_switch_reuses_vectors_and_add_keeps_the_kind(built_index, embedder, tmp_path, settings, store):
    st = DocumentStore(settings.bundled_corpus_path, tmp_path / "data" / "corpus")
    target = tmp_path / "index"
    shutil.copytree(built_index[0], target)
    from hoidap.corpus.parse import parse_corpus

    report = build_index(parse_corpus(store), embedder, target, dense_kind="hnsw")
    assert report.embedded == 0 and read_manifest(target).dense_kind == "hnsw"
    result = add_document(st, target, "cang-ca.txt", SMALL_DOC.encode(), embedder)
    assert result.report is not None and 0 < result.report.embedded < 20
    assert read_manifest(target).dense_kind == "hnsw"
    index = HybridIndex.load(target, embedder)
    assert index.search("nạo vét luồng cảng cá Lý Sơn", k=1)[0].entry.doc_id == result.info.doc_id


def test_added_document_over_its_passage_budget_changes_nothing(built_index, embedder, tmp_path, settings):
    st = DocumentStore(settings.bundled_corpus_path, tmp_path / "data" / "corpus")
    target = tmp_path / "index"
    shutil.copytree(built_index[0], target)
    before = read_manifest(target)
    items = "\n".join(f"{i}. Nhiệm vụ số {i}: sửa chữa trạm bơm thứ {i}." for i in range(1, 41))
    doc = f"KẾ HOẠCH\nSửa chữa trạm bơm\nI. NHIỆM VỤ\n{items}\n"
    with pytest.raises(DocumentError, match="MAX_DOCUMENT_PASSAGES"):
        add_document(st, target, "tram-bom.txt", doc.encode(), embedder, max_passages=10)
    assert read_manifest(target).version == before.version
    assert {i.doc_id for i in st.manifests()} == set(before.documents)  # the stored copy is gone too
    # Embedding that runs past its time is stopped between batches, with nothing changed.
    with pytest.raises(DocumentError, match="EMBED_TIMEOUT"):
        add_document(st, target, "tram-bom.txt", doc.encode(), embedder, embed_timeout=1e-9)
    assert read_manifest(target).version == before.version
    assert {i.doc_id for i in st.manifests()} == set(before.documents)
