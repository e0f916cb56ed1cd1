"""Rows of a Word table that list several items side by side are read item by item (corpus/cell_items).

The documents here are a district Party committee's weekly schedule and a ministry's task table, not the
provincial monthly programmes whose layout first showed the need.
"""

from __future__ import annotations

import io

import docx

from hoidap.corpus.cell_items import split_rows
from hoidap.corpus.extract import extract_text
from hoidap.corpus.parse import parse_document
from hoidap.corpus.records import DocumentInfo

LONG = (
    "- Hội nghị Ban Thường vụ Huyện ủy nghe báo cáo kết quả thực hiện Nghị quyết về phát triển "
    "kinh tế tập thể, hợp tác xã và định hướng nhiệm vụ trọng tâm những tháng cuối năm"
)


def _schedule(rows: list[list[list[str]]]) -> bytes:
    d = docx.Document()
    d.add_paragraph("LỊCH CÔNG TÁC TUẦN CỦA BAN THƯỜNG VỤ HUYỆN ỦY")
    t = d.add_table(rows=len(rows), cols=len(rows[0]))
    for i, row in enumerate(rows):
        for j, paras in enumerate(row):
            cell = t.cell(i, j)
            cell.paragraphs[0].text = paras[0]
            for p in paras[1:]:
                cell.add_paragraph(p)
    d.add_paragraph("Nơi nhận:")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


HEADER = [["Thứ, ngày"], ["Nội dung công việc"], ["Cơ quan chuẩn bị"], ["Lãnh đạo chủ trì"]]
DAYS = [
    HEADER,
    [
        ["Thứ Hai 14/9"],
        ["Sáng: - Giao ban Thường trực Huyện ủy", LONG, "Chiều: - Làm việc với Đảng ủy xã Tân Lập"],
        ["- Văn phòng Huyện ủy", "- Ban Tuyên giáo Huyện ủy", "", "", "- Đảng ủy xã Tân Lập"],
        [
            "- Đ/c Bí thư",
            "- Đ/c Phó Bí thư Thường trực,",
            "Đ/c Trưởng ban Tuyên giáo",
            "",
            "- Đ/c Phó Bí thư",
        ],
    ],
    [
        ["Thứ Ba 15/9"],
        ["Sáng: - Kiểm tra công tác chuẩn bị Đại hội Hội Nông dân huyện", "Chiều: - Tiếp công dân định kỳ"],
        ["- Hội Nông dân huyện", "", "- Ban Tiếp công dân"],
        ["- Đ/c Phó Bí thư", "", "- Đ/c Bí thư"],
    ],
    [
        ["Thứ Tư 16/9"],
        ["Thứ Tư", "Sáng: - Họp Ban Chỉ đạo phòng chống thiên tai", "- Duyệt đề án sáp nhập thôn"],
        ["", "- Phòng Nông nghiệp", "- Phòng Nội vụ"],
        ["", "- Đ/c Chủ tịch UBND huyện", "- Đ/c Phó Chủ tịch UBND huyện"],
    ],
]


def _pipe_rows(text: str) -> list[list[str]]:
    return [
        [c.strip() for c in line.strip("|").split("|")] for line in text.splitlines() if line.startswith("|")
    ]


def test_each_item_of_a_day_gets_the_entries_printed_beside_it():
    rows = _pipe_rows(extract_text("lich.docx", _schedule(DAYS)))
    assert rows[0] == ["Thứ, ngày", "Nội dung công việc", "Cơ quan chuẩn bị", "Lãnh đạo chủ trì"]
    by_item = {r[1]: (r[0], r[2], r[3]) for r in rows[1:]}
    # The long item wraps over three printed lines; the body two blank spacers below it is the next item's.
    assert by_item[LONG] == (
        "Thứ Hai 14/9",
        "- Ban Tuyên giáo Huyện ủy",
        "- Đ/c Phó Bí thư Thường trực, Đ/c Trưởng ban Tuyên giáo",
    )
    assert by_item["Chiều: - Làm việc với Đảng ủy xã Tân Lập"][1:] == (
        "- Đảng ủy xã Tân Lập",
        "- Đ/c Phó Bí thư",
    )
    assert by_item["Chiều: - Tiếp công dân định kỳ"] == ("Thứ Ba 15/9", "- Ban Tiếp công dân", "- Đ/c Bí thư")
    # A weekday label above the day's first item is that item's label, not an item of its own.
    assert by_item["Thứ Tư Sáng: - Họp Ban Chỉ đạo phòng chống thiên tai"][1] == "- Phòng Nông nghiệp"
    assert by_item["- Duyệt đề án sáp nhập thôn"][2] == "- Đ/c Phó Chủ tịch UBND huyện"


def test_items_become_tasks_with_their_preparing_body_and_chairing_leader():
    text = extract_text("lich.docx", _schedule(DAYS))
    info = DocumentInfo("lich", "Lịch công tác tuần", "Lịch", "Lịch công tác", "lich.docx")
    tasks = {t.content: t for t in parse_document(info, text).tasks}
    task = tasks["Chiều: - Tiếp công dân định kỳ"]
    assert task.lead == ("Ban Tiếp công dân",)
    assert task.directing == ("Đ/c Bí thư",)
    assert ("Lãnh đạo chủ trì", ("Đ/c Bí thư",)) in task.other_roles


def test_a_line_break_that_opens_an_item_parts_it_from_the_one_before():
    rows = [
        [
            ["7/10"],
            ["Sáng: - Họp Hội đồng thi đua\nChiều: - Kiểm tra trường học"],
            ["- Phòng Nội vụ", "- Phòng GD"],
        ],
        [
            ["8/10"],
            ["Sáng: - Tập huấn chuyển đổi số\nChiều: - Làm việc với xã"],
            ["- Phòng VH-TT", "", "- UBND xã"],
        ],
    ]
    out = split_rows(rows, [1.0, 4.0, 2.0])
    assert out is not None
    assert ["7/10", "Chiều: - Kiểm tra trường học", "- Phòng GD"] in out
    assert ["8/10", "Chiều: - Làm việc với xã", "- UBND xã"] in out


def test_a_task_of_several_paragraphs_led_by_two_bodies_stays_one_row():
    """A ministry's task table: the task cell holds a title and its parts, the lead cell two bodies with no
    spacers and no item of their own; both bodies lead the whole task."""
    rows = [
        [
            ["1"],
            ["Xây dựng cơ sở dữ liệu ngành", "a) Rà soát dữ liệu hiện có", "b) Chuẩn hóa và tích hợp"],
            ["Cục Chuyển đổi số", "Văn phòng Bộ"],
        ],
        [
            ["2"],
            ["Hoàn thiện quy chế phối hợp", "a) Dự thảo quy chế", "b) Lấy ý kiến các đơn vị"],
            ["Vụ Pháp chế", "Vụ Tổ chức cán bộ"],
        ],
    ]
    assert split_rows(rows, [1.0, 5.0, 2.0]) is None
