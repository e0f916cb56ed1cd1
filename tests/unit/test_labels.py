"""One rule for what a table header cell and a task field line name."""

import pytest

from hoidap.corpus.labels import field_role, header_role


@pytest.mark.parametrize(
    ("label", "header", "field"),
    [
        ("Thời gian thực hiện", "deadline", "deadline"),  # the head word, not "thực hiện"
        ("Nội dung thực hiện", "content", "content"),
        ("Cơ quan thực hiện nhiệm vụ", "lead", "lead"),
        ("Cơ quan tham mưu, thực hiện", "lead", "lead"),
        ("Cơ quan phối hợp thực hiện", "coordinating", "coordinating"),
        ("Cơ quan chủ trì thẩm tra", "review", "lead"),
        ("Cơ quan tổ chức thực hiện", "lead", "implementing"),  # a table has no such column
        ("Cơ quan chỉ đạo", None, "directing"),
        ("Sản phẩm", "output", "output"),
        ("Chỉ tiêu đạt được", "output", "output"),
        ("Nguồn lực thực hiện", "other", "lead"),
        ("Bộ phận tham mưu", None, "lead"),  # a field line naming no role names the body doing the work
    ],
)
def test_label_roles(label, header, field):
    assert header_role(label) == header
    assert field_role(label) == field


def test_number_column_and_footnote_marks():
    assert header_role("STT") == "number"
    assert header_role("Cơ quan chủ trì[1]") == "lead"
    assert header_role("x" * 61) is None
