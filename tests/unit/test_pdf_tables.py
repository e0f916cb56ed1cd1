"""A PDF's ruled task table is read cell by cell (hoidap.corpus.pdf_tables), not as its lines interleaved."""

from __future__ import annotations

import io

import pytest

from hoidap.corpus.extract import extract_text, table_pipe_lines
from hoidap.corpus.ingest import prepare_document
from hoidap.corpus.pdf_tables import table_pages

pytest.importorskip("pdfplumber")

COLUMNS = (0.06, 0.12, 0.52, 0.70, 0.86, 0.96)  # x of the rules, as a share of the page's width
HEADER = ("STT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn")


def _table_pdf(*pages: tuple[list[str], list[tuple[str, ...]]]) -> bytes:
    """A PDF of pages, each with lines of text above a ruled table whose cells wrap over two lines (as a Word
    table printed to PDF): pypdf gives the cells' lines interleaved."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.lines import Line2D

    buf = io.BytesIO()
    with PdfPages(buf) as pdf:
        for above, rows in pages:
            fig = plt.figure(figsize=(8.27, 11.69))
            for i, line in enumerate(above):
                fig.text(0.06, 0.95 - i * 0.025, line, fontsize=9)
            top, height = 0.95 - len(above) * 0.025 - 0.02, 0.05
            bottom = top - height * len(rows)
            for k in range(len(rows) + 1):
                y = [top - k * height] * 2
                fig.add_artist(Line2D([COLUMNS[0], COLUMNS[-1]], y, color="black", lw=0.8))
            for x in COLUMNS:
                fig.add_artist(Line2D([x, x], [bottom, top], color="black", lw=0.8))
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    words = cell.split()
                    half = (len(words) + 1) // 2 if len(words) > 3 else len(words)
                    for j, part in enumerate((" ".join(words[:half]), " ".join(words[half:]))):
                        if part:
                            y = top - r * height - 0.018 - j * 0.015
                            fig.text(COLUMNS[c] + 0.005, y, part, fontsize=7)
            pdf.savefig(fig)
            plt.close(fig)
    return buf.getvalue()


ROWS = [
    HEADER,
    (
        "1",
        "Rà soát hồ sơ đất đai tồn đọng trên địa bàn",
        "Phòng Kinh tế",
        "Công an xã, Văn phòng Đảng ủy",
        "Quý III/2026",
    ),
    (
        "2",
        "Tuyên truyền kê khai đăng ký đất đai cho Nhân dân",
        "Ủy ban MTTQ xã",
        "Đoàn Thanh niên, Hội Nông dân",
        "Tháng 9/2026",
    ),
]
MORE = [
    (
        "3",
        "Số hóa hồ sơ thủ tục hành chính về đất đai",
        "Trung tâm Phục vụ hành chính công",
        "Phòng Kinh tế",
        "Tháng 12/2026",
    )
]


def test_a_ruled_task_table_comes_out_as_pipe_rows_with_the_text_around_it():
    text = extract_text("kh.pdf", _table_pdf((["KẾ HOẠCH", "Phân công nhiệm vụ như sau:"], ROWS)))
    assert "| STT | Nhiệm vụ | Đơn vị chủ trì | Đơn vị phối hợp | Thời hạn |" in text
    assert (
        "| 1 | Rà soát hồ sơ đất đai tồn đọng trên địa bàn | Phòng Kinh tế | Công an xã, Văn phòng Đảng ủy |"
        in text
    )
    assert text.index("Phân công nhiệm vụ như sau:") < text.index("| STT |")


def test_its_tasks_are_read_with_the_lead_and_the_coordinating_bodies_of_their_own_row():
    data = _table_pdf((["KẾ HOẠCH", "Phân công nhiệm vụ như sau:"], ROWS), ([], MORE))
    tasks = prepare_document("kh.pdf", data).parsed.tasks
    by_lead = {t.lead[0]: t for t in tasks if t.lead}
    assert set(by_lead) == {"Phòng Kinh tế", "Ủy ban MTTQ xã", "Trung tâm Phục vụ hành chính công"}
    assert "Công an xã" in by_lead["Phòng Kinh tế"].coordinating
    assert by_lead["Ủy ban MTTQ xã"].content.startswith("Tuyên truyền kê khai")
    # The row on the next page, whose table does not repeat its header, is read with the first page's.
    assert by_lead["Trung tâm Phục vụ hành chính công"].coordinating == ("Phòng Kinh tế",)


def test_a_page_without_a_data_table_keeps_the_text_layer_as_it_was():
    layout = [
        ("UBND XÃ A", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("Số: 12/KH-UBND", "Độc lập - Tự do - Hạnh phúc"),
    ]
    data = _table_pdf((["Nơi nhận:"], layout))
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert table_pages(data, pages, table_pipe_lines) == pages


def test_a_file_the_table_reader_cannot_open_keeps_its_text():
    assert table_pages(b"not a pdf", ["trang 1"], table_pipe_lines) == ["trang 1"]
