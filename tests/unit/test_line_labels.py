"""A labelled line ("Địa điểm: …") answers the question that asks for its label (ranker label_match)."""

import pytest

from hoidap.service.catalog import Catalog
from hoidap.service.line_labels import label_match, line_label
from hoidap.service.understanding import analyze

_EMPTY = Catalog.from_documents([])


def _match(question: str, clause: str) -> float:
    a = analyze(question, _EMPTY)
    return label_match(clause, a.words, a.asked_labels)


@pytest.mark.parametrize(
    ("clause", "label"),
    [
        ("3. Địa điểm: Hội trường Ủy ban nhân dân xã", ("dia", "diem")),
        ("- Nguồn kinh phí: Ngân sách huyện", ("nguon", "kinh", "phi")),
        ("a) Cơ quan chủ trì: Sở Tài chính", ("co", "quan", "chu", "tri")),
        ("II.2. Thời gian: 02 ngày", ("thoi", "gian")),
        ("+ Thành phần: Thường trực Đảng ủy", ("thanh", "phan")),
        # a sentence that introduces a list is no label, nor is a date or a number before the colon
        ("Để triển khai có hiệu quả Nghị quyết, Ban Thường vụ Huyện ủy đề nghị các cơ quan như sau:", ()),
        ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015: xem", ()),
        ("Lúc 8 giờ 30: khai mạc", ()),
        ("Ủy ban nhân dân tỉnh giao Sở Y tế chủ trì.", ()),
    ],
)
def test_the_label_a_line_opens_with(clause: str, label: tuple[str, ...]) -> None:
    assert line_label(clause) == label


def test_a_label_the_question_asks_for_by_its_kind() -> None:
    # A commune's invitation and a ministry's plan: "ở đâu" / "khi nào" share no word with the label.
    assert _match("Hội nghị sơ kết tổ chức ở đâu?", "2. Địa điểm: Hội trường UBND xã Tân Phú") == 1.0
    assert _match("hoi thao dien ra khi nao", "- Thời gian: 01 buổi, từ 8 giờ ngày 14/5/2026") == 1.0
    assert _match("Kinh phí tập huấn lấy từ đâu?", "4. Nguồn kinh phí: Ngân sách Trung ương") == 1.0


def test_a_label_sharing_the_questions_words_counts_by_share() -> None:
    assert _match("Phương án bố trí xe đưa đón ra sao?", "- Phương án di chuyển: mỗi đoàn một xe") == 0.5
    # A label of another field does not match the question, nor does a line without one.
    assert _match("Hội nghị tổ chức ở đâu?", "3. Thành phần: đại diện các sở") == 0.0
    assert _match("Hội nghị tổ chức ở đâu?", "Hội nghị tổ chức tại Hội trường tỉnh.") == 0.0
