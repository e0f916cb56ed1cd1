"""Syllables run together by a lossy conversion are split, only in documents where that is frequent
(corpus/syllables). The texts are a farmers' association's plan and a province's letter written for this
test, not the commune Party committee's files whose conversion showed the damage."""

from __future__ import annotations

from hoidap.corpus.parse import info_from_text, parse_document
from hoidap.corpus.syllables import glued_cuts, glued_share, split_share

GLUED = """HỘI NÔNG DÂN XÃ TÂN LẬP
KẾ HOẠCH
Tổ chức hội thi nhà nông đua tài năm 2026
1. Ban Thường vụHội Nông dân xã chủtrì, phối hợp với Đoàn Thanh niên xã tổ chức hội thi.
2. Các chi hội nông dân thôn lựa chọn hội viên tham gia, gửi danh sách vềVăn phòng Hội trước ngày 15/4/2026.
3. Đềnghị Uỷban nhân dân xã hỗtrợkinh phí tổ chức hội thi.
"""

NORMAL = """ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK
Về việc triển khai ứng dụng Zalo và nền tảng online
Giao Sở Khoa học và Công nghệ chủ trì hướng dẫn người dân ở Buôn Ma Thuột, Ea H'leo, Krông Pắc.
"""


def test_a_glued_word_splits_where_its_syllables_meet():
    assert glued_cuts("chủtrì") == (3,)
    assert glued_cuts("hỗtrợkinh") == (2, 5)
    assert glued_cuts("vụHội") == (2,)  # vụ|Hội, not vụH|ội: a consonant opens the next syllable
    for word in ("Nguyễn", "nghiêng", "quyết", "Đắk", "Pắc", "Krông", "online", "UBND", "Chamaléa", "Pinăng"):
        assert glued_cuts(word) == ()


def test_only_a_document_whose_words_are_often_glued_is_split():
    assert glued_share(GLUED) > 0.05
    assert glued_share(NORMAL) == 0.0


def test_glued_words_are_read_as_words_and_quoted_as_printed():
    doc = parse_document(info_from_text("kh-hoi-nong-dan.txt", GLUED), GLUED)
    (task,) = [t for t in doc.tasks if "hội thi" in t.content and t.coordinating]
    assert task.lead == ("Ban Thường vụ Hội Nông dân xã",)
    assert task.coordinating[0].startswith("Đoàn Thanh niên xã")
    clause = next(c for c in doc.clauses if "hỗ trợ kinh phí" in c.text)
    assert "hỗtrợkinh phí" in GLUED[clause.char_start : clause.char_end]  # the quote is the file's text
    assert doc.repairs["glued_words"] >= 5
    assert parse_document(info_from_text("cv-dak-lak.txt", NORMAL), NORMAL).repairs["glued_words"] == 0


def test_a_word_run_into_a_number_is_parted_from_it_in_any_document():
    """A provincial office's monthly programme whose title lost its spaces around the month; codes keep
    their digits."""
    text = (
        "CHƯƠNG TRÌNH CÔNG TÁC THÁNG8NĂM 2026\n"
        "Phòng chống dịch H5N1, cúm A/H1N1, thi Tiếng Anh B1; Điều 3a, khoản 2đ.\n"
    )
    doc = parse_document(info_from_text("ctr-thang-8.txt", text), text)
    assert doc.clauses[0].text.startswith("CHƯƠNG TRÌNH CÔNG TÁC THÁNG 8 NĂM 2026")
    assert "H5N1, cúm A/H1N1, thi Tiếng Anh B1; Điều 3a, khoản 2đ" in " ".join(c.text for c in doc.clauses)


# A district Youth Union's plan as a PDF text layer that broke syllables at its kerning (written for this
# test; the damage was seen in a city education department's joint plan).
BROKEN = """HUYỆN ĐOÀN CỦ CHI
KẾ HOẠCH
Tổ chức ngày hội thanh niên tình nguy ện năm 2026
1. Ban Thường v ụ Huyện đoàn chủ trì, ph ối hợp với Trung tâm Văn hóa huy ện tổ ch ức ngày hội.
2. Ông Nguy ễn Văn Bình, Phó Bí thư Huy ện đoàn, Tr ưởng ban tổ chức; ông Nguyễn Văn Hải, thư ký.
3. Các cơ sở Đoàn gửi danh sách về Văn phòng Huyện đoàn trước ngày 15/3/2026; nhiệm vụ c ụ thể do xã P
thực hiện, ý kiến gửi cho ý kiến chung.
"""


def test_only_a_document_whose_syllables_are_often_broken_is_joined():
    assert split_share(BROKEN) > 0.02
    assert split_share(NORMAL) == 0.0 and split_share(GLUED) < 0.01


def test_broken_syllables_are_read_whole_and_quoted_as_printed():
    doc = parse_document(info_from_text("kh-huyen-doan.txt", BROKEN), BROKEN)
    (task,) = [t for t in doc.tasks if "ngày hội" in t.content]
    assert task.lead == ("Ban Thường vụ Huyện đoàn",)
    assert task.coordinating[0].startswith("Trung tâm Văn hóa huyện")
    text = " ".join(c.text for c in doc.clauses)
    assert "Ông Nguyễn Văn Bình, Phó Bí thư Huyện đoàn, Trưởng ban tổ chức" in text
    assert "nhiệm vụ cụ thể do xã P thực hiện, ý kiến gửi cho ý kiến chung" in text  # words left apart
    clause = next(c for c in doc.clauses if "Trưởng ban" in c.text)
    assert "Ông Nguy ễn Văn Bình" in BROKEN[clause.char_start : clause.char_end]  # the quote is the file's
    assert doc.repairs["split_syllables"] >= 8
    assert parse_document(info_from_text("cv-dak-lak.txt", NORMAL), NORMAL).repairs["split_syllables"] == 0
