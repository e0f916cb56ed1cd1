"""Layouts read the same whatever body wrote them (issue 23 §3). Each text is written for the test in
the manner of a body none of the development documents come from."""

from __future__ import annotations

import pytest

from hoidap.corpus.parse import info_from_text, parse_document
from hoidap.service.answer_types import expected_kinds, fits
from hoidap.service.catalog import find_doc_refs
from hoidap.service.extract import role_phrase
from hoidap.service.strategies.task_record import labels_task

HOI_ND = """HỘI NÔNG DÂN TỈNH KON TUM
Số: 07-KH/HND
KẾ HOẠCH
Thực hiện phong trào nông dân thi đua sản xuất, kinh doanh giỏi năm 2024

Căn cứ Chương trình công tác năm 2024 của Ban Thường vụ Hội Nông dân tỉnh;

1. Tuyên truyền
1.1.
Phổ biến mô hình sản xuất nông nghiệp hữu cơ đến hội viên.
Ban Tuyên huấn Hội Nông dân tỉnh chủ trì, hoàn thành trong quý III năm 2024.
1.2.
Tổ chức hội thi nhà nông đua tài cấp tỉnh.
"""

BO_TT = """BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH
Số: 05/2024/TT-BVHTTDL
THÔNG TƯ
HƯỚNG DẪN CÔNG TÁC THI ĐUA, KHEN THƯỞNG TRONG NGÀNH VĂN HÓA
-----------
Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;
Điều 1. Phạm vi điều chỉnh
Thông tư này hướng dẫn công tác thi đua, khen thưởng.
"""


def _doc(text: str):
    return parse_document(info_from_text("x.txt", text), text)


def test_a_number_alone_on_its_line_opens_its_item():
    doc = _doc(HOI_ND)
    item = [c for c in doc.clauses if c.text.startswith("1.1.")]
    assert item and "hữu cơ" in item[0].text
    # The lines after it belong to 1.1, not to the paragraph before it.
    lead = next(c for c in doc.clauses if "Ban Tuyên huấn" in c.text)
    assert "1.1." in lead.breadcrumb and "1.2" not in lead.breadcrumb
    assert not any(c.text.rstrip().endswith("1.1.") for c in doc.clauses)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HOI_ND, "Kế hoạch thực hiện phong trào nông dân thi đua sản xuất, kinh doanh giỏi năm 2024"),
        (BO_TT, "Thông tư hướng dẫn công tác thi đua, khen thưởng trong ngành văn hóa"),
    ],
)
def test_subject_lines_that_open_like_a_preamble_or_a_type_word_are_the_title(text, expected):
    assert info_from_text("x.txt", text).title == expected


def test_a_numbered_reference_with_its_year_is_not_a_period():
    refs = find_doc_refs("chi thi 05/2025 quy mo hoat dong")
    assert [r.number for r, _ in refs] == ["5"]
    assert find_doc_refs("ke hoach 5 nam") == []


def test_items_are_labelled_by_their_own_line_or_heading():
    assert labels_task("1.1. Phổ biến mô hình", "1. Tuyên truyền", ["1.1"]) == "text"
    assert (
        labels_task("Ban Tuyên huấn chủ trì", "1. Tuyên truyền > 1.1. Phổ biến mô hình", ["1.1"]) == "section"
    )
    assert labels_task("Ban Tuyên huấn chủ trì, 1.1 tỷ đồng", "1. Tuyên truyền", ["1.1"]) is None
    assert labels_task("11. Khác", "1. Tuyên truyền", ["1.1"]) is None


def test_values_must_be_of_the_kind_asked():
    assert fits("Ban Tuyên huấn Hội Nông dân tỉnh", expected_kinds("lead"))
    assert not fits("Phổ biến mô hình sản xuất", expected_kinds("lead"))
    assert fits("hoàn thành trong quý III năm 2024", expected_kinds("deadline"))
    assert not fits("Tổ chức hội thi nhà nông đua tài", expected_kinds("deadline"))
    assert fits("Nguyễn Văn An", expected_kinds("document", "signer"))
    assert fits("bất kỳ câu nào", expected_kinds("fact"))


def test_the_kind_asked_comes_from_the_wh_phrase_before_the_intent():
    assert expected_kinds("lead", None, "toa an xu ly theo nguyen tac nao") == []
    assert expected_kinds("fact", None, "co quan nao cap giay phep") == ["agency", "role"]
    assert expected_kinds("fact", None, "nguoi bao nhieu tuoi thi duoc lam chu ho") == ["number"]
    assert expected_kinds("lead", None, "chu tri nhiem vu 2.5 ke hoach 15") == ["agency", "role"]


def test_who_is_answered_by_an_office_as_well_as_an_agency_name():
    # Decrees and circulars assign duties to offices, not named bodies (another source than the plans
    # where the agency kind was first written).
    kinds = expected_kinds("lead", None, "ai co trach nhiem giao cho van thu quan ly con dau")
    assert fits("Người đứng đầu cơ quan, tổ chức có trách nhiệm giao cho Văn thư", kinds)
    assert fits("Chủ tịch Ủy ban nhân dân cấp tỉnh quyết định", kinds)
    assert not fits("trong thời hạn 20 ngày làm việc kể từ ngày nhận được", kinds)


def test_a_document_fact_takes_its_own_kind_whatever_the_wh_word():
    assert expected_kinds("document", "number", "ke hoach 37 co so hieu la gi") == ["code"]
    assert fits("Kế hoạch số 12/KH-UBND ngày 3/4/2025", ["code"])
    assert not fits("Tiếp tục thực hiện có hiệu quả kế hoạch phát triển kinh tế tư nhân", ["code"])


def test_a_section_per_body_assigns_its_items_to_that_body():
    from hoidap.service.strategies.fields import section_agency

    assert section_agency("I. Nhiệm vụ trước mắt > 3. Sở Tư pháp > a) Rà soát thủ tục") == "Sở Tư pháp"
    assert section_agency("II. Giải pháp > 1. Tuyên truyền > b) Tổ chức hội nghị") is None


def test_a_time_window_is_read_whole():
    from hoidap.service.extract import deadline_phrase

    text = "Kiểm tra việc niêm yết danh sách cử tri từ ngày 02/3/2026 đến ngày 16/3/2026 tại các thôn."
    assert deadline_phrase(text) == "từ ngày 02/3/2026 đến ngày 16/3/2026"


def test_the_place_and_date_line_is_not_part_of_the_subject():
    text = (
        "UBND HUYỆN ĐỨC TRỌNG\nSố: 88/UBND-VP\nV/v rà soát hồ sơ đất đai tồn đọng\n"
        "Đức Trọng, ngày 05 tháng 3 năm 2025\n\nKính gửi: Phòng Tài nguyên và Môi trường.\n"
        "Ủy ban nhân dân huyện đề nghị rà soát toàn bộ hồ sơ tồn đọng.\n"
    )
    info = info_from_text("x.txt", text)
    assert info.title == "Công văn V/v rà soát hồ sơ đất đai tồn đọng"
    assert info.date == "2025-03-05"


def test_thousands_grouped_by_three_are_figures_not_item_numbers():
    from hoidap.service.extract import figure_phrase

    # A wage table row of a decree, a bid price of a commune's decision: bare grouped numbers.
    assert figure_phrase("Vùng I 5.310.000 25.500", ["mức lương tối thiểu tháng vùng I"])[0] == "5.310.000"
    assert figure_phrase("Cộng 76.651.779", ["tổng giá trị gói thầu"])[0] == "76.651.779"
    assert figure_phrase("2.1 Rà soát thủ tục hành chính", ["rà soát"]) is None  # an item number


def test_an_article_title_does_not_swallow_its_text():
    # A ministry's circular laid out in articles (the plans the wrapping rules were tuned on use numbered
    # items): a short title, then the article's text; a title that goes on after "và" is joined.
    text = (
        "BỘ NỘI VỤ\nTHÔNG TƯ\nHướng dẫn về hòa giải lao động cơ sở tại các huyện, thị xã và thành phố\n"
        "Điều 2. Thành lập Hội đồng hòa giải\n"
        "Trong thời hạn 10 ngày làm việc kể từ ngày nhận đủ hồ sơ đề nghị của Phòng Nội vụ, Chủ tịch\n"
        "Ủy ban nhân dân cấp huyện ban hành quyết định thành lập Hội đồng hòa giải lao động cơ sở.\n"
        "Điều 3. Trách nhiệm của Sở Nội vụ, Sở Kế hoạch và\n"
        "Đầu tư\n"
        "Sở Nội vụ hướng dẫn, kiểm tra việc thực hiện Thông tư này trên địa bàn tỉnh hằng năm.\n"
    )
    doc = parse_document(info_from_text("tt.txt", text), text)
    quotes = [c.text for c in doc.clauses]
    assert any(q.startswith("Trong thời hạn 10 ngày làm việc") for q in quotes)
    duty = [c for c in doc.clauses if c.text.startswith("Sở Nội vụ hướng dẫn")]
    assert duty and "Sở Kế hoạch và Đầu tư" in duty[0].breadcrumb


def test_only_a_distinctive_short_title_or_a_title_of_the_same_type_names_a_document():
    from hoidap.service.catalog import _distinctive

    assert not _distinctive("Quyết định")  # an untitled decision: any "quyết định" is not it
    assert not _distinctive("Kế hoạch tỉnh Quảng Ngãi")
    assert _distinctive("Kế hoạch 214/KH-UBND")
    assert _distinctive("Hội đồng hòa giải lao động")  # "hòa", "lao" are also syllables of provinces


def test_who_holds_an_office_is_answered_by_a_person_or_an_office_held_by_one():
    kinds = expected_kinds("lookup", None, "ai la truong ban chi dao quoc gia ve khac phuc o nhiem khong khi")
    assert kinds == ["holder"]
    assert not fits("Thành lập Ban Chỉ đạo quốc gia về khắc phục ô nhiễm không khí", kinds)
    assert fits("Phó Thủ tướng Trần Hồng Hà làm Trưởng ban", kinds)
    assert fits("Chủ tịch UBND tỉnh", kinds)  # "Trưởng ban: Chủ tịch UBND tỉnh" (the office, no name)
    assert not fits("Sở Tài chính", kinds)


def test_who_acts_as_focal_point_or_standing_body_is_asked_of_a_body_not_a_post():
    """ "ai làm đầu mối …", "ai là cơ quan thường trực …" name a role a body takes, not an office a
    person holds: a body answers (a commune unit here, a ministry's department in the test above)."""
    for q in ("ai lam dau moi tham muu trien khai ke hoach", "ai la co quan thuong truc cua hoi dong"):
        kinds = expected_kinds("lead", None, q)
        assert "holder" not in kinds
        assert fits("Bộ phận Văn hóa - Xã hội", kinds)


def test_a_label_naming_a_kind_of_body_and_a_role_is_a_task_field() -> None:
    """ "Bộ phận chủ trì: …" (a ward's plan), "Ngành phối hợp: …" are fields like "Cơ quan chủ trì: …";
    a label naming neither ("Phòng họp: …") is text."""
    from hoidap.corpus.layout import classify

    assert classify("- Bộ phận chủ trì: bộ phận Tư pháp - Hộ tịch.")[:2] == ("field", "Bộ phận chủ trì")
    assert classify("- Ngành phối hợp: Công an, Quân sự")[:2] == ("field", "Ngành phối hợp")
    assert classify("Phòng họp: số 2")[0] == "text"


def test_an_article_whose_text_stands_on_its_heading_line_is_a_clause():
    """A provincial People's Committee's decision (one article per line, no article titles): each
    provision is citable; a bare article title that introduces items is not a clause of its own."""
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH\nSố: 12/QĐ-UBND\nBình Định, ngày 03 tháng 3 năm 2025\n"
        "QUYẾT ĐỊNH\nVề việc thành lập Tổ công tác chuyển đổi số\n"
        "Điều 1. Thành lập Tổ công tác chuyển đổi số của tỉnh.\n"
        "Điều 2. Thành phần Tổ công tác\n"
        "1. Tổ trưởng: Phó Chủ tịch UBND tỉnh.\n"
        "2. Tổ phó: Giám đốc Sở Khoa học và Công nghệ.\n"
        "Điều 3. Sở Khoa học và Công nghệ là cơ quan thường trực của Tổ công tác.\n"
        "Điều 4. Quyết định này có hiệu lực kể từ ngày ký.\n"
    )
    clauses = {c.text: c for c in _doc(text).clauses}
    assert "Điều 4. Quyết định này có hiệu lực kể từ ngày ký." in clauses
    standing = clauses["Điều 3. Sở Khoa học và Công nghệ là cơ quan thường trực của Tổ công tác."]
    assert standing.section[-1].startswith("Điều 3.") and text.find(standing.text) == standing.char_start
    assert "Điều 2. Thành phần Tổ công tác" not in clauses


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        # A commune Front's supervision plan.
        (
            "1. Ban Thường trực Ủy ban MTTQ xã chủ trì, phối hợp với Hội Nông dân xã, "
            "Hội Liên hiệp Phụ nữ xã thành lập đoàn giám sát, hoàn thành trước ngày 28/11/2025.",
            "Hội Nông dân xã; Hội Liên hiệp Phụ nữ xã",
        ),
        # A ward Youth Union's plan.
        (
            "Đoàn Thanh niên phường phối hợp với Hội Cựu chiến binh phường vận động thanh niên tham gia.",
            "Hội Cựu chiến binh phường",
        ),
    ],
)
def test_a_list_of_coordinating_bodies_ends_where_a_verb_begins(clause: str, expected: str):
    assert role_phrase(clause, "coordinating") == expected


def test_a_letterhead_flattened_to_one_line_is_read_cell_by_cell():
    """A crawled decree puts the letterhead table's cells on one line each, joined by ' | '."""
    text = (
        "BỘ TÀI CHÍNH -------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc ----------\n"
        "Số: 45/2025/TT-BTC | Hà Nội, ngày 12 tháng 6 năm 2025\n"
        "THÔNG TƯ\nHướng dẫn quản lý kinh phí chuyển đổi số\n"
        "Điều 1. Thông tư này có hiệu lực từ ngày 01 tháng 8 năm 2025.\n"
    )
    info = _doc(text).info
    assert (info.number, info.date) == ("45/2025/TT-BTC", "2025-06-12")


def test_a_data_table_of_pipe_rows_gives_one_clause_per_row():
    """A guidance's appendix (delegates allocated per province) as a markdown pipe table whose header
    names no task roles: each row is one clause quoting the row, its figures next to its name."""
    text = (
        "HƯỚNG DẪN\nTổ chức đại hội nhiệm kỳ 2025 - 2030\n"
        "1. Số đại biểu được phân bổ như sau:\n"
        "| STT | Đơn vị | Số hội viên | Số đại biểu |\n"
        "| --- | --- | --- | --- |\n"
        "| 1 | Hội tỉnh Bắc Ninh | 120 | 5 |\n"
        "| 2 | Hội tỉnh Phú Thọ | 96 | 4 |\n"
        "| | Tổng cộng | 216 | 9 |\n"
    )
    doc = _doc(text)
    rows = [c for c in doc.clauses if "Phú Thọ" in c.text]
    assert len(rows) == 1 and rows[0].text == "2 | Hội tỉnh Phú Thọ | 96 | 4"
    assert text[rows[0].char_start : rows[0].char_end] == rows[0].text
    assert rows[0].section[-1] == "Bảng: STT | Đơn vị | Số hội viên | Số đại biểu"  # what its figures are
    assert not any(c.text.strip("-| ") == "" for c in doc.clauses)  # the rule line is no clause


def test_an_appendix_text_is_citable():
    """A provincial guidance's appendix (an allocation written as numbered lines after the signature):
    its lines are clauses under the appendix's heading, so a question about them finds them."""
    text = (
        "ỦY BAN NHÂN DÂN\nTỈNH BẾN TRE\nSố: 20/HD-UBND\nBến Tre, ngày 01 tháng 3 năm 2025\n"
        "HƯỚNG DẪN\nTổ chức đại hội các hội đặc thù nhiệm kỳ 2025 - 2030\n"
        "I. YÊU CẦU\nĐại hội tổ chức trước ngày 30/6/2025.\n"
        "Nơi nhận:\n- Như trên;\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nLê Văn Tư\n"
        "PHỤ LỤC 01\nPHÂN BỔ ĐẠI BIỂU\n"
        "1. Hội Luật gia tỉnh được 25 đại biểu chính thức.\n"
        "2. Hội Nhà báo tỉnh được 18 đại biểu chính thức.\n"
    )
    clause = next(c for c in _doc(text).clauses if "Hội Nhà báo" in c.text)
    assert clause.section[0].startswith("Phụ lục")
    assert text[clause.char_start : clause.char_end] == clause.text


# A provincial People's Council resolution exported from an e-office system: the signature is not laid out
# as one (no "TM." line), and a stamp line stands between the title and the name.
HDND = """HỘI ĐỒNG NHÂN DÂN
TỈNH BÌNH ĐỊNH
Số: 12/2025/NQ-HĐND
Bình Định, ngày 10 tháng 7 năm 2025

NGHỊ QUYẾT
Quy định mức chi hỗ trợ công tác hòa giải ở cơ sở

Điều 1. Mức chi hỗ trợ hòa giải viên là 200.000 đồng/vụ việc.
Điều 2. Nghị quyết này có hiệu lực từ ngày 20 tháng 7 năm 2025.
Nghị quyết này được Hội đồng nhân dân tỉnh khóa XIII, kỳ họp thứ 28 thông qua ngày 10 tháng 7 năm 2025.

CHỦ TỊCH HỘI ĐỒNG NHÂN DÂN TỈNH
Ký bởi: Hội đồng nhân dân tỉnh Bình Định
Hồ Quốc Dũng
"""


def test_a_signature_the_layout_did_not_mark_is_read():
    doc = _doc(HDND)
    assert doc.header.signer == "Hồ Quốc Dũng"
    assert doc.header.signer_title == "Chủ tịch Hội đồng nhân dân tỉnh"
    # The same with the name on the stamp's line.
    stamped = _doc(
        HDND.replace("Ký bởi: Hội đồng nhân dân tỉnh Bình Định\nHồ Quốc Dũng", "Đã ký: Hồ Quốc Dũng")
    )
    assert stamped.header.signer == "Hồ Quốc Dũng"


def test_a_number_line_with_its_kind_before_it():
    text = HDND.replace("Số: 12/2025/NQ-HĐND", "Nghị quyết số: 12/2025/NQ-HĐND")
    assert _doc(text).header.number == "12/2025/NQ-HĐND"
    law = "\n".join(
        ["ỦY BAN THƯỜNG VỤ QUỐC HỘI", "Pháp lệnh số: 02/2022/UBTVQH15", "", "PHÁP LỆNH", "Chi phí tố tụng"]
    )
    assert _doc(law).header.number == "02/2022/UBTVQH15"


# A district plan's closing requests to bodies outside its line (other bodies than where the form was seen).
KIEN_NGHI = """ỦY BAN NHÂN DÂN
HUYỆN TUY PHƯỚC
Số: 77/KH-UBND

KẾ HOẠCH
Phòng, chống thiên tai năm 2026

III. KIẾN NGHỊ
1. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam huyện và các tổ chức chính trị - xã hội tăng cường vận động.
2. Đề nghị Điện lực Tuy Phước chỉ đạo kiểm tra hành lang lưới điện trước mùa mưa bão.
3. Yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện.
"""


def test_a_request_to_a_body_gives_it_a_task():
    leads = {t.task_id: t.lead for t in _doc(KIEN_NGHI).tasks}
    assert ("Điện lực Tuy Phước",) in leads.values()
    assert ("Ủy ban Mặt trận Tổ quốc Việt Nam huyện và các tổ chức chính trị - xã hội",) in leads.values()
    assert ("các cơ quan, đơn vị",) in leads.values()


def _docx_bytes(paragraphs: list[str], tables: list[list[list[str]]]) -> bytes:
    import io

    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    for rows in tables:
        t = d.add_table(rows=len(rows), cols=len(rows[0]))
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                t.cell(i, j).text = value
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_a_schedule_table_after_the_signature_keeps_its_rows():
    """A Word plan whose inspection schedule is a table after the signature (a district's, not the province
    whose file showed the layout): each row is one clause of the appendix, a group row's empty cell shifts
    nothing."""
    from hoidap.corpus.extract import extract_text

    data = _docx_bytes(
        [
            "KẾ HOẠCH",
            "Kiểm tra công tác văn thư, lưu trữ năm 2026",
            "I. NỘI DUNG",
            "1. Kiểm tra hồ sơ lưu trữ.",
        ],
        [
            [["Nơi nhận:\n- Lưu: VT.", "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nLê Văn Hòa"]],
            [
                ["STT", "Đơn vị được kiểm tra", "Thời gian kiểm tra"],
                ["I", "Các phòng chuyên môn", ""],
                ["1", "Phòng Nội vụ", "Tháng 4/2026"],
                ["2", "Phòng Tư pháp", "Tháng 5/2026"],
                ["II", "Các xã", ""],
                ["1", "UBND xã Phước Hòa", "Quý III/2026"],
            ],
        ],
    )
    doc = _doc(extract_text("kt.docx", data))
    rows = [c for c in doc.clauses if c.breadcrumb.startswith("Phụ lục")]
    texts = [" ".join(c.text.split()) for c in rows]
    assert "1 | Phòng Nội vụ | Tháng 4/2026" in texts and "1 | UBND xã Phước Hòa | Quý III/2026" in texts
    assert all("Thời gian kiểm tra" in c.breadcrumb for c in rows if c.text[:1].isdigit())  # under its header


def test_a_bare_time_in_a_schedule_cell():
    from hoidap.service.extract import deadline_phrase

    assert deadline_phrase("2 | Phòng Tư pháp | Tháng 5/2026") == "Tháng 5/2026"
    assert deadline_phrase("Báo cáo tháng 4/2026 gửi trước ngày 05/5/2026") == "trước ngày 05/5/2026"


def test_a_letter_whose_letterhead_follows_its_body_is_titled_by_its_subject_line():
    from hoidap.corpus.extract import extract_text

    data = _docx_bytes(
        ["Thực hiện chỉ đạo của UBND huyện, UBND xã đề nghị các thôn rà soát hộ nghèo.", "1. Thôn Đông"],
        [
            [
                ["ỦY BAN NHÂN DÂN\nXÃ HÒA AN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
                ["Số: 12/UBND\nV/v rà soát hộ nghèo năm 2026", "Hòa An, ngày 05 tháng 3 năm 2026"],
            ]
        ],
    )
    doc = _doc(extract_text("cv.docx", data))
    assert doc.info.title == "Công văn V/v rà soát hộ nghèo năm 2026" and doc.info.doc_type == "Công văn"


RESOLUTION = """HỘI ĐỒNG NHÂN DÂN
TỈNH PHÚ BÌNH
Số: 14/NQ-HĐND
Phú Bình, ngày 08 tháng 12 năm 2025

NGHỊ QUYẾT
Về chương trình giám sát năm 2026

Điều 1. Thông qua chương trình giám sát năm 2026 của Hội đồng nhân dân tỉnh.
Điều 2. Hội đồng nhân dân tỉnh giao Ủy ban nhân dân tỉnh tổ chức thực hiện Nghị quyết này.
Hội đồng nhân dân tỉnh giao
Thường trực Hội đồng nhân dân tỉnh, các Ban của Hội đồng nhân dân tỉnh giám sát việc thực hiện Nghị quyết.
"""


def test_the_body_a_council_gives_a_task_leads_it():
    """A People's Council resolution, hard-wrapped: "X giao Y tổ chức thực hiện" is Y's task, and a line
    "Hội đồng nhân dân tỉnh giao" that the wrap cut off names no body of its own."""
    doc = parse_document(info_from_text("nq-14-hdnd-phu-binh.txt", RESOLUTION), RESOLUTION)
    leads = {t.content[:20]: t.lead for t in doc.tasks}
    assert any(lead == ("Ủy ban nhân dân tỉnh",) for lead in leads.values()), leads
    assert not any("giao" in name for lead in leads.values() for name in lead), leads
    # The wrapped "… giao" line goes on over the next: the standing committee is given the supervision.
    standing = "Thường trực Hội đồng nhân dân tỉnh"
    assert any(lead and lead[0].startswith(standing) for lead in leads.values()), leads


def test_a_text_layer_of_one_word_a_line_is_rejoined_into_its_sentences():
    """A university union's scheme, as its PDF writer placed it: one word a line between blank lines."""
    from hoidap.corpus.extract import rejoin_word_lines

    text = (
        "Bước 1: Ban Thư ký Hội Sinh viên Trường dự thảo đề án nhân sự, trình TP. Hồ Chí Minh góp ý;\n"
        "Bước 2: Hiệp thương thống nhất với Ban Thường vụ Đoàn Trường.\n"
        "3. Kinh phí do Hội Sinh viên Trường bảo đảm."
    )
    page = "\n \n".join(text.split())
    assert rejoin_word_lines(page) == text
    prose = "Điều 1. Phạm vi điều chỉnh\nNghị định này quy định mức lương.\n" * 10
    assert rejoin_word_lines(prose) == prose  # ordinary lines are left as they are


def test_the_dated_opening_sentence_of_a_notice_is_not_part_of_its_title():
    # A district office's conclusion notice: mixed-case title lines, then "Ngày …, …" with no blank line.
    text = """ỦY BAN NHÂN DÂN
HUYỆN ĐỨC TRỌNG
Số:    /TB-UBND
THÔNG BÁO
Kết luận của Chủ tịch UBND huyện tại buổi làm việc với các xã, thị trấn
về tiến độ giải phóng mặt bằng dự án đường cao tốc qua địa bàn huyện trong năm 2024
Ngày 05/3/2024, Chủ tịch UBND huyện chủ trì buổi làm việc với các xã về tiến độ giải phóng mặt bằng.
Sau khi nghe báo cáo, Chủ tịch UBND huyện kết luận như sau.
"""
    doc = _doc(text)
    assert doc.header.title is not None
    assert doc.header.title.startswith("Thông báo kết luận của Chủ tịch UBND huyện")
    assert "Ngày 05/3/2024" not in doc.header.title


def test_a_step_that_states_what_is_done_is_a_citable_clause():
    """A procedure of numbered steps (a ward's one-stop service guide here; a student union's election
    plan in the development corpus): "Bước 2: Bộ phận Một cửa chuyển hồ sơ …" is content, cited with its
    step; a step that only titles the items under it stays a heading."""
    text = (
        "ỦY BAN NHÂN DÂN PHƯỜNG AN BÌNH\n\nHƯỚNG DẪN\nQuy trình giải quyết hồ sơ chứng thực\n\n"
        "I. QUY TRÌNH\n"
        "Bước 1: Công dân nộp hồ sơ tại Bộ phận tiếp nhận và trả kết quả của phường trong giờ hành chính.\n"
        "Bước 2: Bộ phận Một cửa chuyển hồ sơ cho công chức Tư pháp - Hộ tịch thẩm định trong ngày.\n"
        "Bước 3: Trả kết quả\n"
        "- Công chức Tư pháp - Hộ tịch trả kết quả cho công dân.\n"
    )
    doc = _doc(text)
    step = [c for c in doc.clauses if "chuyển hồ sơ cho công chức" in c.text]
    assert step and step[0].section[-1].startswith("Bước 2")
    assert text[step[0].char_start : step[0].char_end].startswith("Bước 2: Bộ phận Một cửa")
    assert not [c for c in doc.clauses if c.text.strip() == "Bước 3: Trả kết quả"]
    assert [c for c in doc.clauses if c.text.startswith("- Công chức Tư pháp") and "Bước 3" in c.breadcrumb]


def test_a_short_numbered_line_nothing_follows_inside_is_content():
    """A commune's allocation of targets listing its villages as numbered lines (a table read as items; seen
    first in a university's notice of required levels): each line is content, searchable and citable; a
    short numbered title over paragraphs stays a title."""
    text = (
        "ỦY BAN NHÂN DÂN XÃ TÂN LẬP\n\nKẾ HOẠCH\nPhân bổ chỉ tiêu xây dựng nhà ở năm 2025\n\n"
        "I. CHỈ TIÊU TỪNG THÔN\n"
        "1. Thôn An Lạc   12 căn   Quý II/2025\n"
        "2. Thôn Bình Minh   8 căn   Quý III/2025\n"
        "II. TỔ CHỨC THỰC HIỆN\n"
        "1. Công chức Địa chính\n"
        "Công chức Địa chính theo dõi tiến độ từng thôn.\n"
    )
    doc = _doc(text)
    row = [c for c in doc.clauses if c.text.startswith("2. Thôn Bình Minh")]
    assert row and "8 căn" in row[0].text
    assert [c for c in doc.clauses if c.text.startswith("1. Thôn An Lạc")]
    assert not [c for c in doc.clauses if c.text in ("1. Công chức Địa chính", "II. TỔ CHỨC THỰC HIỆN")]


def test_who_holds_a_post_is_answered_by_a_value_that_names_someone_first():
    """ "ai là Tổ trưởng …" of a district decision (seen first in a provincial council's resolution): a
    sentence that opens with the decision and names a person far on says what was done; a member line or a
    textbook row names the person at its head."""
    kinds = expected_kinds("lookup", None, "ai la to truong to cong tac chuyen doi so cua huyen")
    assert kinds == ["holder"]
    cited = (
        "Quyết định số 15/QĐ-UBND ngày 02 tháng 01 năm 2024 của Ủy ban nhân dân huyện về việc kiện toàn "
        "Tổ công tác chuyển đổi số do bà Trần Thị Lan ký"
    )
    assert not fits(cited, kinds)
    assert fits("Bà Trần Thị Lan, Phó Chủ tịch UBND huyện, Tổ trưởng", kinds)
    assert fits("36. Tin học 4 Nguyễn Chí Công (Tổng Chủ biên)", kinds)


HUYEN_UY_BUNDLE = """HUYỆN ỦY ĐẠI LỘC
Số: 112-QĐ/HU
ĐẢNG CỘNG SẢN VIỆT NAM
Đại Lộc, ngày 10 tháng 3 năm 2026
QUYẾT ĐỊNH
ban hành Quy chế làm việc của Ban Chỉ đạo chuyển đổi số huyện
Điều 1. Ban hành kèm theo Quyết định này Quy chế làm việc của Ban Chỉ đạo.
Điều 2. Quyết định có hiệu lực kể từ ngày ký.
Nơi nhận:
- Như Điều 2,
- Lưu Văn phòng Huyện ủy.
T/M BAN THƯỜNG VỤ
BÍ THƯ
Nguyễn Văn Hòa
Văn bản hướng dẫn
ĐẢNG CỘNG SẢN VIỆT NAM
QUY CHẾ
làm việc của Ban Chỉ đạo chuyển đổi số huyện
Điều 1. Trưởng ban chủ trì các phiên họp định kỳ hằng quý.
Điều 2. Văn phòng Huyện ủy là cơ quan thường trực, tổng hợp báo cáo trước ngày 25 hằng tháng.
"""

WEB_PAGE = """Số hiệu: 15/KH-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
KẾ HOẠCH
Phòng chống dịch bệnh trên cây trồng năm 2026
1. Phòng Kinh tế chủ trì kiểm tra đồng ruộng hằng tuần.
Nơi nhận:
- Lưu VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Trần Văn Bình
Văn bản liên quan
Tải văn bản
Đăng nhập
"""


def test_a_bundle_is_read_whole_and_a_web_page_loses_its_chrome():
    """A district Party committee's bundle (a decision, then the regulation it issues, a line "Văn bản hướng
    dẫn" between them): nothing after the first signature is web text, since a second document follows.
    A pasted web page still loses its related-documents list and log-in lines."""
    d = parse_document(info_from_text("qd-112-hu.txt", HUYEN_UY_BUNDLE), HUYEN_UY_BUNDLE)
    assert d.header.outside == ()
    assert any("trước ngày 25 hằng tháng" in c.text for c in d.clauses)
    page = parse_document(info_from_text("kh-15-ubnd.txt", WEB_PAGE), WEB_PAGE)
    assert page.header.outside
    assert not any("Đăng nhập" in c.text or "Tải văn bản" in c.text for c in page.clauses)


UBND_DANH_MUC = """ỦY BAN NHÂN DÂN TỈNH NINH THUẬN
Số: 45/QĐ-UBND
Ninh Thuận, ngày 15 tháng 1 năm 2026
QUYẾT ĐỊNH
Phê duyệt danh mục dự án kêu gọi đầu tư năm 2026
Điều 1. Phê duyệt danh mục dự án kêu gọi đầu tư năm 2026 (chi tiết tại Danh mục kèm theo).
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
Nơi nhận:
- Như Điều 2;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Lê Văn Bình
DANH MỤC DỰ ÁN KÊU GỌI ĐẦU TƯ NĂM 2026
(Kèm theo Quyết định số 45/QĐ-UBND ngày 15/01/2026 của UBND tỉnh)
1. Khu du lịch sinh thái Vĩnh Hy, quy mô 120 ha.
2. Nhà máy điện gió Phước Hữu, công suất 50 MW.
"""


def test_an_attachment_after_the_signature_is_content_not_recipients():
    """A provincial decision with its list of projects after the signature, titled in capitals with a
    "(Kèm theo Quyết định …)" note: its items are the attachment's clauses, searchable as content."""
    d = parse_document(info_from_text("qd-45-ubnd.txt", UBND_DANH_MUC), UBND_DANH_MUC)
    (item,) = [c for c in d.clauses if "Phước Hữu" in c.text]
    assert item.kind not in ("recipients", "signature")
    assert item.section[0].startswith("Danh mục dự án kêu gọi đầu tư")
    assert d.header.signer == "Lê Văn Bình"
