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
        ("Cơ quan chỉ đạo", "directing", "directing"),
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


def test_a_noun_ending_in_a_stop_verb_stays_inside_the_name() -> None:
    """ "trình" (submit) ends a name ("Sở Xây dựng trình …"), "công trình" (works) does not."""
    from hoidap.corpus.agencies import clean_agency

    got = clean_agency("Trung tâm Quản lý công trình đô thị huyện phối hợp với các xã")
    assert got == "Trung tâm Quản lý công trình đô thị huyện"
    assert clean_agency("Sở Xây dựng trình Ủy ban nhân dân tỉnh") == "Sở Xây dựng"
