"""Stages reported while a document is added: their labels, the reading worker's pipe, the page's bar."""

from __future__ import annotations

from hoidap.cli import _step_printer
from hoidap.corpus.ingest import Typed, prepare_document
from hoidap.corpus.isolate import run_isolated
from hoidap.corpus.progress import STAGES, Step
from hoidap.ui.app import upload_bar

DOC = "KẾ HOẠCH\nNâng cấp bến cá An Bình\nI. NHIỆM VỤ\n1. Nạo vét luồng vào bến cá.\n2. Xây kè chắn sóng.\n"


def test_labels_are_vietnamese_and_count_only_counted_stages() -> None:
    assert Step("ocr", 2, 5).label == "Nhận dạng chữ (OCR): trang 2/5"
    assert Step("embed", 16, 40).label == "Tính vectơ ngữ nghĩa: đoạn 16/40"
    assert Step("parse").label == "Tách điều khoản và nhiệm vụ"
    assert Step("write").label == "Ghi chỉ mục"
    assert len({Step(s).label for s in STAGES}) == len(STAGES)


def test_worker_reports_read_then_parse_through_its_pipe() -> None:
    seen: list[Step] = []
    prepared = run_isolated(
        prepare_document,
        ("ben-ca.txt", DOC.encode(), Typed(), 10**6, 10**6),
        timeout=60,
        memory_bytes=3 * 1024**3,
        progress=seen.append,
    )
    assert prepared.text == DOC and prepared.fields["title"]
    assert seen == [Step("read"), Step("parse")]  # typed Steps back in the parent, in order; no OCR


def test_upload_bar_moves_forward_through_every_stage() -> None:
    steps = [
        Step("read"),
        *(Step("ocr", n, 3) for n in (1, 2, 3)),
        Step("parse"),
        *(Step("embed", n, 40) for n in (0, 16, 32, 40)),
        Step("write"),
    ]
    bars = [upload_bar(s) for s in steps]
    fractions = [f for f, _ in bars]
    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    assert 0 < fractions[0] and fractions[-1] < 1  # "Xong" (1.0) is said once the page has the document
    assert bars[2][1] == "Nhận dạng chữ (OCR): trang 2/3…"
    assert bars[-2][1] == "Tính vectơ ngữ nghĩa: đoạn 40/40…"


def test_cli_prints_each_stage_and_embedding_by_quarters(capsys) -> None:
    say = _step_printer()
    for step in [Step("read"), Step("ocr", 1, 2), Step("ocr", 2, 2), Step("parse")]:
        say(step)
    for n in range(0, 101, 16):
        say(Step("embed", n, 100))
    say(Step("embed", 100, 100))
    say(Step("write"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == [
        "  Đọc tệp",
        "  Nhận dạng chữ (OCR): trang 1/2",
        "  Nhận dạng chữ (OCR): trang 2/2",
        "  Tách điều khoản và nhiệm vụ",
    ]
    embed = [line.split()[-1] for line in lines if "vectơ" in line]
    assert embed == ["0/100", "32/100", "64/100", "80/100", "100/100"]  # one a quarter, not one a batch
    assert lines[-1] == "  Ghi chỉ mục"
