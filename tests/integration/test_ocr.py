"""A scanned copy of a real document is added and asked (issue 15), with the real Tesseract and model.

The first three pages of a bundled plan are drawn as images (no text layer), wrapped as a PDF and
added through the service; a lead agency, a deadline and a figure printed on those pages are asked,
and the answers must quote the OCR'd text that was stored.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from hoidap.corpus.progress import STAGES, Step
from hoidap.eval.scans import DEFAULT_FONT, character_error_rate, render_text


def _tesseract_vie() -> bool:
    exe = shutil.which("tesseract")
    if exe is None:
        return False
    langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False).stdout
    return "vie" in langs.split()


pytestmark = pytest.mark.skipif(
    not _tesseract_vie() or not DEFAULT_FONT.exists(),
    reason="needs Debian tesseract-ocr, tesseract-ocr-vie and fonts-dejavu-core (.ci/run installs them)",
)

QUESTIONS = [
    # (question, what the answer must hold)
    ("Cơ quan nào chủ trì phát triển KCN Phổ Phong?", "Ban Quản lý KKT Dung Quất"),
    ("Thời gian thực hiện xây dựng đề án thúc đẩy chuyển dịch cơ cấu nội ngành công nghiệp?", "2019, 2020"),
    ("Mấy năm tổ chức sơ kết, tổng kết một lần?", "3 năm, 5 năm"),
]


def test_scanned_plan_is_added_and_answered(built_index, settings, embedder, tmp_path):
    from hoidap.service.qa import QAService, document_store

    cfg = settings.model_copy(update={"data_dir": tmp_path / "data", "index_dir": tmp_path / "index"})
    shutil.copytree(built_index[0], cfg.index_path)
    store = document_store(cfg)
    source = next(i for i in store.manifests() if i.doc_id == "qng-kh-ctr37")
    scan = render_text(store.read_original(source), dpi=300, max_pages=3)
    assert len(scan.pages) == 3

    service = QAService.open(cfg, embedder)
    seen: list[tuple[int, int]] = []
    stages: list[str] = []

    def progress(step: Step) -> None:
        stages.append(step.stage)
        if step.stage == "ocr":
            seen.append((step.done, step.total))

    result = service.add_document("ke-hoach-scan.pdf", scan.pdf(), progress=progress)
    assert result.added
    doc = service.document(result.info.doc_id)
    assert doc.info.ocr["pages"] == [1, 2, 3] and doc.info.ocr["language"] == "vie"
    assert sorted(seen) == [(1, 3), (2, 3), (3, 3)]
    assert [st for i, st in enumerate(stages) if i == 0 or stages[i - 1] != st] == list(STAGES)
    assert service.document_detail(doc.doc_id).model_extra["ocr"]["page_count"] == 3

    # The stored text is the OCR output (not the original file), close to what was drawn.
    assert doc.original == store.read_original(doc.info)
    cer = character_error_rate(scan.reference, doc.original)
    print(f"CER of the 3-page scan at 300 dpi: {cer:.2%}")
    assert cer <= 0.03

    for question, expected in QUESTIONS:
        answer = service.ask(question, doc_ids=[doc.doc_id]).to_dict()
        assert answer["found"], (question, answer["message"])
        assert expected in answer["answer"], (question, answer["answer"])
        assert answer["citations"]
        for c in answer["citations"]:
            assert c["doc_id"] == doc.doc_id
            assert c["quote"] == doc.original[c["char_start"] : c["char_end"]]
        assert any(expected in c["quote"] for c in answer["citations"])
