"""Parser on documents of other bodies (evalsets/unseen/docs) and on synthetic layouts; no model."""

from __future__ import annotations

from pathlib import Path

import pytest

from hoidap.corpus.deadlines import deadline_range
from hoidap.corpus.extract import extract_text
from hoidap.corpus.parse import parse_document, parse_file
from hoidap.corpus.records import DocumentInfo
from hoidap.corpus.vocab import provinces
from hoidap.service.strategies.fact_values import printed_degrees

DOCS = Path(__file__).resolve().parents[2] / "evalsets" / "unseen" / "docs"
INFO = DocumentInfo("t", "Thử", "Thử", "Kế hoạch", "t.txt")


@pytest.fixture(scope="module")
def doc():
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = parse_file(DOCS / name)
        return cache[name]

    return get


def _by_id(d, task_id):
    return [t for t in d.tasks if t.task_id == task_id]


def _quote_ok(d):
    for t in d.tasks:
        q = d.original[t.char_start : t.char_end]
        assert q and q == q.strip(), t.task_id


def test_flattened_bar_table_row_2_2_of_dong_nai(doc):
    d = doc("kh-179-kh-ubnd-dong-nai-2025-kinh-te-so.md")
    # The appendix numbers its tasks anew under each heading: the repeated "2.2" is qualified ("II.2.2").
    (t,) = [t for t in d.tasks if t.task_id.split(".", 1)[-1] == "2.2" and "giao thông" in t.content]
    assert len({x.task_id for x in d.tasks}) == len(d.tasks)
    assert t.lead == ("Sở Xây dựng",)
    assert t.coordinating == ("Các sở, ban, ngành", "UBND các phường, xã")
    assert t.deadline == "2026 - 2030" and (t.deadline_start, t.deadline_end) == ("2026-01-01", "2030-12-31")
    assert ("Sản phẩm đầu ra", "Chiến lược và Kế hoạch") in t.other
    assert d.header.title.startswith("Kế hoạch phát triển kinh tế số và xã hội số")
    assert (d.header.number, d.header.date, d.header.issuer) == (
        "179/KH-UBND",
        "2025-11-18",
        "UBND tỉnh Đồng Nai",
    )
    _quote_ok(d)


def test_tables_numbered_anew_under_each_heading_get_one_id_per_task(doc):
    d = doc("kh-144-kh-ubnd-bac-ninh-2025-kinh-te-so.md")
    first, second = _by_id(d, "I.1"), _by_id(d, "II.1")
    assert first and "45% GRDP" in first[0].content and first[0].lead == ("Sở Tài chính",)
    assert first[0].printed_id == "1"  # the number as printed, for questions that give it bare
    assert second and "băng rộng" in second[0].content
    assert not _by_id(d, "1")


def test_labelled_lines_at_two_levels_of_2623(doc):
    d = doc("qd-2623-qd-ttg-2025-kh-luat-bao-ve-du-lieu-ca-nhan.md")
    first, second = _by_id(d, "II.5-1")[0], _by_id(d, "II.5-2")[0]
    assert first.lead == ("Bộ Công an",) and first.deadline == "trước ngày 01 tháng 01 năm 2026"
    assert first.deadline_end == "2026-01-01" and first.deadline_start is None
    assert "Văn phòng Chính phủ" in first.coordinating
    assert second.deadline.startswith("Theo tiến độ được giao")
    (portal,) = _by_id(d, "II.6")
    assert portal.lead == ("Bộ Công an",) and portal.deadline == "năm 2026 - 2027"
    assert (d.header.number, d.header.date, d.header.doc_type) == ("2623/QĐ-TTg", "2025-11-29", "Quyết định")
    assert d.header.attached_to and "/QĐ-TTg" in d.header.attached_to  # caption leaves the number blank


def test_sections_per_agency_of_dong_thap(doc):
    d = doc("kh-556-kh-ubnd-dong-thap-2025-bien-hai-dao.md")
    section = [t for t in d.tasks if t.layout == "agency_section"]
    assert len({t.section[-1] for t in section}) >= 10
    first = [t for t in section if t.section[-1].startswith("1. Sở Nông nghiệp và Môi trường")]
    assert first and all(t.lead == ("Sở Nông nghiệp và Môi trường",) for t in first)
    assert d.header.issuer == "UBND tỉnh Đồng Tháp"


def test_word_table_with_merged_cells(doc):
    d = doc("kh-cchc-2026-2030-ubnd-lam-dong.docx")
    rows = [t for t in d.tasks if t.layout == "table"]
    assert len(rows) >= 50
    (t,) = [t for t in rows if t.content.startswith("Định kỳ thực hiện việc công bố danh mục")]
    assert t.deadline == "Trước ngày 31/01 năm liền kề" and t.deadline_end is None
    assert t.lead == ("Sở Tư pháp", "UBND các xã, phường, đặc khu")
    assert ("Theo dõi, kiểm tra, đôn đốc", "Sở Tư pháp") in t.other
    ioc = [t for t in rows if t.content.startswith("Hoàn thành và đưa Trung tâm IOC")]
    assert ioc and ioc[0].lead == ("Văn phòng UBND tỉnh (Trung tâm Thông tin)",)
    # "Số: /KH-UBND", "ngày tháng 3 năm 2026": blank, so unknown, never invented.
    assert d.header.number is None and d.header.date is None
    assert d.header.title == "Kế hoạch cải cách hành chính nhà nước giai đoạn 2026 - 2030 của tỉnh Lâm Đồng"
    assert d.header.signer == "Nguyễn Ngọc Phúc" and d.header.signer_kind == "KT."


def test_docx_keeps_title_block_in_reading_order():
    text = extract_text("x.docx", (DOCS / "kh-cchc-2026-2030-ubnd-lam-dong.docx").read_bytes())
    assert text.index("ỦY BAN NHÂN DÂN") < text.index("KẾ HOẠCH") < text.index("| STT |")


def test_malformed_pipe_table_of_1339(doc):
    d = doc("nq-1339-nq-ubtvqh15-2024-kh-sua-doi-luat.md")
    rows = [t for t in d.tasks if t.layout == "table"]
    assert len(rows) >= 10
    assert rows[0].content.startswith("Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Quốc hội")
    assert rows[0].lead == ("Ủy ban Thường vụ Quốc hội",)
    assert "Kỳ họp bất thường lần thứ 9" in rows[0].deadline
    # Number and date are printed only in the caption naming this resolution.
    assert (d.header.number, d.header.date) == ("1339/NQ-UBTVQH15", "2024-12-28")


def test_agency_inherited_from_the_row_above_in_2530(doc):
    d = doc("qd-2530-qd-ttg-2025-kh-khong-khi.md")
    (t,) = [t for t in d.tasks if t.content.startswith("- Xây dựng quy chế phối hợp, biện pháp quản lý chất")]
    assert t.lead == ("Bộ Nông nghiệp và Môi trường",)
    assert t.deadline.startswith("Ban hành trong năm 2026")


def test_website_text_is_outside_the_document(doc):
    d = doc("cv-4085-ubnd-dt-tphcm-2025-du-lieu-so-nha.md")
    assert len(d.header.outside) == 2
    for c in d.clauses:
        assert "Mã số thuế" not in c.text and "Đăng nhập" not in c.text and "Số hiệu" not in c.text
    (t,) = _by_id(d, "1.1")
    assert t.lead == ("Sở Nông nghiệp và Môi trường",) and t.deadline == "trước ngày 05 tháng 12 năm 2025"
    assert d.header.number == "4085/UBND-ĐT"


def test_markdown_bullets_and_bold_letter_headings_of_3260(doc):
    d = doc("kh-3260-kh-ddqh15-2025-nq57.md")
    tasks = [t for t in d.tasks if t.layout == "agency_section"]
    assert any(t.lead == ("Tổ đảng ở Thường trực Ủy ban KH,CN&MT",) for t in tasks)
    assert not any("**" in c.text for c in d.clauses)


# --- synthetic forms the real files lack ---------------------------------------------------------


def test_steps_with_completion_lines():
    original = (
        "II. CÁC BƯỚC THỰC HIỆN\nBước 1: Rà soát hiện trạng hạ tầng.\n- Cơ quan chủ trì: Sở Xây dựng.\n"
        "- Thời gian hoàn tất: trước ngày 30/6/2026.\nBước 2: Lập danh mục dự án.\n"
        "- Cơ quan chủ trì: Sở Tài chính.\n- Thời gian hoàn tất: Quý III/2026.\n"
    )
    d = parse_document(INFO, original)
    steps = {t.task_id: t for t in d.tasks}
    assert steps["II.Bước 1"].lead == ("Sở Xây dựng",)
    assert steps["II.Bước 1"].deadline == "trước ngày 30/6/2026"
    assert (steps["II.Bước 2"].deadline_start, steps["II.Bước 2"].deadline_end) == (
        "2026-07-01",
        "2026-09-30",
    )


def test_parenthesised_giao_sentence():
    original = (
        "I. NHIỆM VỤ\n1. Bảo đảm an ninh trật tự tại các khu công nghiệp "
        "(Giao Công an tỉnh chủ trì, phối hợp với Sở Công Thương, UBND các xã thực hiện).\n"
    )
    (t,) = parse_document(INFO, original).tasks
    assert t.lead == ("Công an tỉnh",) and t.coordinating == ("Sở Công Thương", "UBND các xã")


def test_a_body_given_a_task_passes_it_on():
    # A provincial council's resolution on its question session: "Đề nghị/Giao X chỉ đạo Y …" — Y acts.
    original = (
        "Điều 1. Yêu cầu Ủy ban nhân dân tỉnh thực hiện các nội dung sau:\n"
        "1. Đề nghị Ủy ban nhân dân tỉnh chỉ đạo Sở Tài chính, Sở Xây dựng khẩn trương hoàn thành quyết toán "
        "các dự án trước ngày 30 tháng 6 năm 2025.\n"
        "2. Giao Ủy ban nhân dân tỉnh chỉ đạo Sở Công Thương chủ trì, phối hợp với Công an tỉnh kiểm tra các "
        "cơ sở kinh doanh xăng dầu.\n"
    )
    tasks = {t.task_id: t for t in parse_document(INFO, original).tasks}
    assert tasks["Điều 1.1"].lead == ("Sở Tài chính", "Sở Xây dựng")
    assert tasks["Điều 1.1"].directing == ("Ủy ban nhân dân tỉnh",)
    assert tasks["Điều 1.2"].lead == ("Sở Công Thương",) and tasks["Điều 1.2"].coordinating == (
        "Công an tỉnh",
    )


def test_a_heading_bodys_standing_role_and_auxiliaries_end_names():
    # A district's festival plan: "Thường trực, chủ trì, phối hợp với …" under a body's heading is that
    # body's lead (not a body called "Thường trực"); "sẽ", "gửi" end a name.
    original = (
        "IV. TỔ CHỨC THỰC HIỆN\n1. Phòng Văn hóa và Thông tin huyện\n"
        "- Thường trực, chủ trì, phối hợp với Trung tâm Văn hóa huyện tổ chức Liên hoan.\n"
        "- Tổng hợp, báo cáo kết quả.\n"
        "2. Ban tổ chức sẽ kiểm tra hồ sơ dự thi trước ngày 10/5/2026.\n"
    )
    tasks = parse_document(INFO, original).tasks
    first = next(t for t in tasks if t.content.startswith("Thường trực"))
    assert first.lead == ("Phòng Văn hóa và Thông tin huyện",)
    assert first.coordinating[0].startswith("Trung tâm Văn hóa huyện")
    assert all(not lead.endswith(" sẽ") for t in tasks for lead in t.lead)


def test_an_item_under_a_bodys_heading_that_has_another_body_act():
    # A commune Party committee's conclusion: under "Đảng ủy xã:", "Chỉ đạo UBND xã rà soát …" is done by
    # the commune's People's Committee, which the heading's body directs; its own duties stay its own.
    original = (
        "III. TỔ CHỨC THỰC HIỆN\n1. Đảng ủy xã:\n"
        "- Chỉ đạo Ủy ban nhân dân xã phối hợp với Công an xã rà soát các hộ nghèo trên địa bàn.\n"
        "- Định kỳ sơ kết, đánh giá việc thực hiện.\n"
    )
    first, second = parse_document(INFO, original).tasks
    assert (first.lead, first.coordinating, first.directing) == (
        ("Ủy ban nhân dân xã",),
        ("Công an xã",),
        ("Đảng ủy xã",),
    )
    assert second.lead == ("Đảng ủy xã",) and second.directing == ()


def test_a_sector_in_charge_of_a_criterion():
    # A district's criteria for a cultural title: the sector that follows each criterion ("Ngành …").
    original = (
        "Điều 5. Tiêu chuẩn\n\n| TT | Nội dung tiêu chí | Ngành phụ trách |\n|---|---|---|\n"
        "| 1 | Tỷ lệ hộ gia đình văn hóa đạt từ 80% trở lên | Ngành VHTT&DL |\n"
        "| 2 | Không có người nghiện ma túy mới | Ngành Công an, Y tế |\n"
        "| 3 | Ngành nghề truyền thống được duy trì | Ngành |\n"
    )
    tasks = parse_document(INFO, original).tasks
    assert [t.lead for t in tasks] == [("Ngành VHTT&DL",), ("Ngành Công an, Y tế",), ()]


def test_lettered_agency_lines():
    original = (
        "I. NHIỆM VỤ\n1. Xây dựng đề án phát triển nguồn nhân lực số.\n"
        "a) Cơ quan chủ trì: Bộ Khoa học và Công nghệ.\nb) Cơ quan phối hợp: Bộ Nội vụ, Bộ Tài chính.\n"
        "c) Thời gian thực hiện: Quý IV/2025 - Quý II/2026.\n"
    )
    (t,) = parse_document(INFO, original).tasks
    assert t.lead == ("Bộ Khoa học và Công nghệ",) and t.coordinating == ("Bộ Nội vụ", "Bộ Tài chính")
    assert (t.deadline_start, t.deadline_end) == ("2025-10-01", "2026-06-30")


def test_people_in_charge_in_a_plans_table():
    # A school's or a commune Youth Union's schedule: the column of who is in charge ("Phụ trách",
    # "Người thực hiện") names people and posts as well as bodies, each kept as printed.
    original = (
        "II. LỊCH HOẠT ĐỘNG\n\n| STT | Nội dung | Phụ trách | Phối hợp | Thời gian |\n|---|---|---|---|---|\n"
        "| 1 | Ra quân tình nguyện hè | Đ/c Lê Văn Tâm - Bí thư Đoàn xã | Hội Nông dân xã | 01/6/2026 |\n"
        "| 2 | Sinh hoạt hè | Tổ trưởng các thôn; Chi đoàn thôn | Giáo viên chủ nhiệm | 7/2026 |\n"
        "| 3 | Tổng kết hè | Ban Chấp hành Đoàn xã | | 31/8/2026 |\n"
    )
    tasks = parse_document(INFO, original).tasks
    assert [t.lead for t in tasks] == [
        ("Đ/c Lê Văn Tâm - Bí thư Đoàn xã",),
        ("Tổ trưởng các thôn", "Chi đoàn thôn"),
        ("Ban Chấp hành Đoàn xã",),
    ]
    assert tasks[1].coordinating == ("Giáo viên chủ nhiệm",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thường xuyên", (None, None)),
        ("hằng năm", (None, None)),
        ("giai đoạn 2026-2030", ("2026-01-01", "2030-12-31")),
        ("Quý III Năm 2026", ("2026-07-01", "2026-09-30")),
        ("trước ngày 31/01 năm liền kề", (None, None)),
    ],
)
def test_deadline_ranges(text, expected):
    assert deadline_range(text) == expected


def test_vocabulary_is_data():
    names = provinces()
    assert "Đồng Nai" in names and "Tiền Giang" in names and len(set(names)) >= 63


def test_md_is_accepted_verbatim():
    raw = "**KẾ HOẠCH**\n\nThử nghiệm\n"
    assert extract_text("a.md", raw.encode()) == raw


# --- agency values, table boundaries, roles (issue 10) ---------------------------------------------


def test_clean_agency_accepts_names_and_rejects_sentences():
    from hoidap.corpus.tasks import clean_agency

    assert clean_agency("Sở KH&CN chủ trì hướng dẫn, tổng hợp") == "Sở KH&CN"
    assert clean_agency("- Bộ Công Thương;") == "Bộ Công Thương"
    assert clean_agency("Các bộ, ngành liên quan") == "Các bộ, ngành liên quan"
    assert clean_agency("Ban Công tác đại biểu (Viện Nghiên cứu phối hợp chuẩn bị)") == (
        "Ban Công tác đại biểu (Viện Nghiên cứu phối hợp chuẩn bị)"
    )
    for text in (
        "Vụ",
        "Sở",
        "Thanh tra, kiểm tra, giám sát và xử lý vi phạm",
        "I, II, IV",
        "Xây dựng lộ trình cung ứng nhiên liệu đạt chuẩn khí thải Euro 5",
    ):
        assert clean_agency(text) is None, text


def test_second_appendix_table_is_not_rows_of_the_first_in_2530(doc):
    d = doc("qd-2530-qd-ttg-2025-kh-khong-khi.md")
    for t in d.tasks:
        for name in t.lead + t.coordinating + t.implementing:
            assert len(name.split()) <= 25 and not name.startswith(("Xây dựng", "Tăng cường", "PHỤ LỤC")), (
                name
            )
    (fuel,) = [t for t in d.tasks if "lộ trình cung ứng nhiên liệu đạt chuẩn khí thải" in t.content]
    assert fuel.lead == ("Bộ Công Thương",)
    decree = [
        t
        for t in d.tasks
        if "Nghị định về xử lý vi phạm hành chính trong lĩnh vực bảo vệ môi trường" in t.content
    ]
    assert decree and all(t.lead == ("Bộ Nông nghiệp và Môi trường",) for t in decree)
    assert any(t.deadline.startswith("Ban hành trong quý I năm 2026") for t in decree)
    (front,) = [t for t in d.tasks if t.content.startswith("Tăng cường vai trò giám sát, vận động đoàn viên")]
    assert front.lead == ("Mặt trận Tổ quốc Việt Nam và các tổ chức thành viên",)


def test_heading_wrapped_inside_bold_keeps_the_whole_name_in_2954(doc):
    d = doc("qd-2954-qd-ubnd-son-la-2025-kh-xuat-khau.md")
    leads = {a for t in d.tasks for a in t.lead}
    assert "Sở Ngoại Vụ" in leads and "Sở Khoa học và Công Nghệ" in leads
    assert not leads & {"Vụ", "Sở", "Ban"}
    (t,) = [
        t for t in d.tasks if "Sở Công Thương chủ trì, phối hợp với các Sở, ban, ngành của tỉnh" in t.content
    ]
    assert t.lead == ("Sở Công Thương",) and t.coordinating[0] == "các Sở, ban, ngành của tỉnh"


def test_review_body_is_its_own_role_in_1339(doc):
    d = doc("nq-1339-nq-ubtvqh15-2024-kh-sua-doi-luat.md")
    rows = [t for t in d.tasks if t.layout == "table"]
    assert sum(bool(t.lead) for t in rows) == len(rows)
    law = rows[0]
    assert "Luật Tổ chức Quốc hội" in law.content
    (label, names) = law.other_roles[0]
    assert "thẩm tra" in label and names[0] == "Ủy ban Pháp luật"
    assert "Ủy ban Pháp luật" not in law.coordinating


def test_targets_table_maps_each_target_to_its_lead_in_144(doc):
    d = doc("kh-144-kh-ubnd-bac-ninh-2025-kinh-te-so.md")
    rows = {t.content: t for t in d.tasks if t.layout == "table"}
    assert rows["Kinh tế số chiếm 45% GRDP tỉnh."].lead == ("Sở Tài chính",)
    (innov,) = [
        t for c, t in rows.items() if c.startswith("Tỷ lệ doanh nghiệp có hoạt động đổi mới sáng tạo")
    ]
    assert innov.lead == ("Sở Khoa học và Công nghệ",)
    (sig,) = [t for c, t in rows.items() if "chữ ký số" in c and "trưởng thành" in c]
    assert sig.lead == ("Tỉnh đoàn",)
    for t in rows.values():
        assert all(len(a.split()) <= 12 for a in t.lead), t.lead


def test_ministry_heading_with_lead_and_partner_bullets():
    original = (
        "III. TỔ CHỨC THỰC HIỆN\n1. Bộ Công an\n"
        "- Chủ trì xây dựng Nghị định quy định chi tiết Luật Căn cước.\n"
        "- Phối hợp với Bộ Tư pháp rà soát các văn bản quy phạm pháp luật có liên quan.\n"
        "2. Bộ Tài chính\n- Chủ trì, phối hợp với các bộ, cơ quan bố trí kinh phí thực hiện Kế hoạch.\n"
    )
    tasks = parse_document(INFO, original).tasks
    by_start = {t.content[:20]: t for t in tasks}
    assert by_start["Chủ trì xây dựng Ngh"].lead == ("Bộ Công an",)
    partner = by_start["Phối hợp với Bộ Tư p"]
    assert partner.lead == ("Bộ Tư pháp",) and partner.coordinating == ("Bộ Công an",)
    money = by_start["Chủ trì, phối hợp vớ"]
    assert money.lead == ("Bộ Tài chính",) and money.coordinating == ("các bộ", "cơ quan")


def test_flattened_appendix_with_lead_partner_and_completion_columns():
    original = (
        "PHỤ LỤC I\nDANH MỤC NHIỆM VỤ\n|\nSTT\n|\nNhiệm vụ\n|\nCơ quan chủ trì\n|\n"
        "Cơ quan phối hợp\n|\nThời gian hoàn thành\n|\nSản phẩm\n|\n|\n"
        "1\n|\nXây dựng cơ sở dữ liệu dân cư dùng chung\n|\nBộ Công an\n|\n"
        "Các bộ, ngành; UBND các tỉnh\n|\nQuý IV/2026\n|\nCơ sở dữ liệu\n|\n|\n"
        "2\n|\nBan hành quy chế khai thác dữ liệu\n|\nVăn phòng Chính phủ\n|\n"
        "Bộ Công an\n|\nNăm 2027\n|\nQuy chế\n|\n"
    )
    rows = [t for t in parse_document(INFO, original).tasks if t.layout == "table"]
    assert [t.lead for t in rows] == [("Bộ Công an",), ("Văn phòng Chính phủ",)]
    assert rows[0].coordinating == ("Các bộ, ngành", "UBND các tỉnh")
    assert rows[0].deadline == "Quý IV/2026" and rows[0].deadline_end == "2026-12-31"
    assert ("Sản phẩm", "Quy chế") in rows[1].other


def test_steps_whose_text_names_the_lead_and_ends_with_a_completion_line():
    original = (
        "II. CÁC BƯỚC THỰC HIỆN\nBước 1. Sở Nội vụ chủ trì rà soát hồ sơ đề nghị.\n"
        "Thời gian hoàn tất: trước ngày 15/3/2026.\n"
        "Bước 2. Sở Tài chính thẩm định kinh phí.\nThời gian hoàn tất: trước ngày 30/4/2026.\n"
    )
    tasks = {t.task_id: t for t in parse_document(INFO, original).tasks}
    assert tasks["II.Bước 1"].lead == ("Sở Nội vụ",)
    assert tasks["II.Bước 1"].deadline == "trước ngày 15/3/2026"
    assert tasks["II.Bước 2"].lead == ("Sở Tài chính",) and tasks["II.Bước 2"].deadline_end == "2026-04-30"


def test_lettered_lead_and_partner_lists_per_task():
    original = (
        "II. NHIỆM VỤ\n1. Hoàn thiện thể chế về chuyển đổi số.\n"
        "a) Cơ quan chủ trì: Bộ Khoa học và Công nghệ.\n"
        "b) Cơ quan phối hợp: Bộ Tư pháp, Văn phòng Chính phủ và các bộ, ngành liên quan.\n"
        "2. Phát triển hạ tầng số.\na) Cơ quan chủ trì: Bộ Khoa học và Công nghệ; Bộ Công an.\n"
        "b) Cơ quan phối hợp: Các tập đoàn viễn thông.\n"
    )
    tasks = {t.task_id: t for t in parse_document(INFO, original).tasks}
    assert tasks["II.1"].coordinating == ("Bộ Tư pháp", "Văn phòng Chính phủ và các bộ, ngành liên quan")
    assert tasks["II.2"].lead == ("Bộ Khoa học và Công nghệ", "Bộ Công an")


def test_a_recurring_report_date_keeps_its_recurrence():
    original = (
        "III. TỔ CHỨC THỰC HIỆN\n1. Sở Tài chính chủ trì tổng hợp, định kỳ trước ngày 15 tháng 6 hằng\n"
        "năm báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh.\n"
    )
    (t,) = parse_document(INFO, original).tasks
    assert " ".join((t.deadline or "").split()) == "trước ngày 15 tháng 6 hằng năm"


def test_dated_report_duties_in_closing_paragraphs(doc):
    d = doc("kh-556-kh-ubnd-dong-thap-2025-bien-hai-dao.md")
    (t,) = [t for t in d.tasks if t.deadline == "chậm nhất ngày 17 tháng 12"]
    assert t.lead == ("Các đơn vị, địa phương",)
    d = doc("qd-2954-qd-ubnd-son-la-2025-kh-xuat-khau.md")
    assert any(
        t.lead == ("Sở Công Thương",) and "trước ngày 30/11 hàng năm" in (t.deadline or "") for t in d.tasks
    )
    d = doc("qd-2530-qd-ttg-2025-kh-khong-khi.md")
    (t,) = [t for t in d.tasks if t.content.startswith("Hàng năm, trước ngày 25 tháng 12")]
    assert t.lead == ("các cơ quan, đơn vị",) and "trước ngày 25 tháng 12" in t.deadline


def test_a_footer_or_recipient_ending_in_a_place_is_not_the_signer():
    # A decision reprinted in a provincial gazette: its pages end with the gazette's running footer.
    footer = (
        "QUYẾT ĐỊNH\nVề việc công bố thủ tục hành chính\n\nĐiều 1. Công bố kèm theo Quyết định này.\n"
        "Nơi nhận:\n- Như Điều 3;\n- UBND TP Vũng Tàu;\n- Lưu: VT.\n\n"
        "26 CÔNG BÁO BÀ RỊA - VŨNG TÀU/Số 09/ Ngày 25-02-2025 Bà Rịa Vũng Tàu\n"
    )
    assert parse_document(INFO, footer).header.signer is None
    signed = footer.replace("- Lưu: VT.\n", "- Lưu: VT.\n\nKT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Văn An\n")
    assert parse_document(INFO, signed).header.signer == "Nguyễn Văn An"
    capital = footer.replace("- Lưu: VT.\n", "- Lưu: VT, Hà Nội\n")
    assert parse_document(INFO, capital).header.signer is None


def test_a_party_title_in_lower_case_after_the_type_word_is_read():
    # A commune Party committee's layout (not the People's Committees' the title reader was written on):
    # issuer, "*", an unnumbered "Số -KH/ĐU", the Party's motto, then the type word and a lower-case subject.
    text = (
        "ĐẢNG BỘ HUYỆN PHÚ VANG\nĐẢNG ỦY XÃ PHÚ AN\n*\nSố -KH/ĐU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
        "Phú An, ngày tháng 3 năm 2026\n\nKẾ HOẠCH\nthực hiện công tác kiểm tra, giám sát năm 2026\n-----\n"
        "Thực hiện Chương trình kiểm tra, giám sát năm 2026 của Ban Chấp hành Đảng bộ huyện,\n"
        "Ban Thường vụ Đảng ủy xã xây dựng kế hoạch như sau:\nI. MỤC ĐÍCH, YÊU CẦU\n"
        "1. Nâng cao chất lượng công tác kiểm tra của các chi bộ.\n"
    )
    d = parse_document(INFO, text)
    assert d.header.title == "Kế hoạch thực hiện công tác kiểm tra, giám sát năm 2026"
    assert d.header.number is None  # printed without its number: unknown, never invented


def test_a_number_or_date_printed_blank_is_kept_as_an_empty_slot():
    # A draft or a Party document printed before it was numbered and dated: the slot is there, empty.
    text = "ĐẢNG ỦY XÃ PHÚ AN\nSố -KH/ĐU\nPhú An, ngày   tháng 3 năm 2026\n\nKẾ HOẠCH\nkiểm tra năm 2026\n"
    h = parse_document(INFO, text).header
    assert h.number is None and h.date is None
    assert "number" in h.spans and "date" in h.spans  # absence is evidenced, not a parse miss


def test_a_number_typed_with_a_space_before_its_slash_is_the_number():
    # A school's notice typed "Số: 473 /QĐ-…" (as a university and a provincial office print it).
    text = (
        "TRƯỜNG CAO ĐẲNG Y TẾ AN GIANG\nSố: 473 /TB-CĐYT\n"
        "An Giang, ngày 02 tháng 3 năm 2026\n\nTHÔNG BÁO\nlịch thi\n"
    )
    h = parse_document(INFO, text).header
    assert h.number == "473/TB-CĐYT"


def test_a_commune_decision_head_laid_out_by_a_pdf_is_read():
    # A ward's decision as a PDF text layer gives it (other source than the provincial plans): a blank
    # number, the motto right after it, the date, then the type line and the subject.
    text = (
        "ỦY BAN NHÂN DÂN \n PHƯỜNG 2 \n                   \nSố:          /QĐ-UBND \n"
        " CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM \nĐộc lập -Tự do -Hạnh phúc \n \n"
        "Phường 2, ngày 14 tháng 3 năm 2025 \n \nQUYẾT ĐỊNH \n"
        "Về việc phê duyệt kế hoạch lựa chọn nhà thầu \n"
        "Dự án: Đo đạc, chỉnh lý bản đồ địa chính năm 2025 \n \n"
        "Căn cứ Luật Đấu thầu số 22/2023/QH15 ngày 23 tháng 6 năm 2023; \n"
    )
    d = parse_document(INFO, text)
    assert d.header.date == "2025-03-14"
    assert d.header.title.startswith("Quyết định phê duyệt kế hoạch lựa chọn nhà thầu")


def test_a_subject_run_on_into_the_opening_sentence_ends_where_the_basis_begins():
    text = (
        "ỦY BAN NHÂN DÂN\nPHƯỜNG 2\nSố: /KH-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\nPhường 2, ngày tháng 03 năm 2025\nKẾ HOẠCH\n"
        "Triển khai xây dựng phường đạt chuẩn tiếp cận pháp luật năm 2025 Thực hiện Kế hoạch số 2300/KH-UBND "
        "ngày 21/03/2025 của Ủy ban nhân dân thành phố về xây dựng xã, phường đạt chuẩn tiếp cận pháp luật; "
        "UBND Phường 2 ban hành Kế hoạch triển khai thực hiện trên địa bàn phường như sau:\n"
        "I. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích: nâng cao nhận thức pháp luật của người dân.\n"
    )
    d = parse_document(INFO, text)
    assert d.header.title == "Kế hoạch triển khai xây dựng phường đạt chuẩn tiếp cận pháp luật năm 2025"


def test_signers_of_courts_schools_and_departments_and_a_forms_blank_signature() -> None:
    # The heads a court, a university and a ministry's department sign as (layout.json signer_titles).
    base = (
        "QUYẾT ĐỊNH\nVề việc ban hành quy chế\n\nĐiều 1. Ban hành kèm theo Quyết định này.\n"
        "Nơi nhận:\n- Lưu: VT.\n"
    )
    for title, name, read in [
        ("TM. HỘI ĐỒNG THẨM PHÁN\nCHÁNH ÁN", "Lê Văn Tâm", "Chánh án"),
        ("KT. HIỆU TRƯỞNG\nPHÓ HIỆU TRƯỞNG", "Trần Thị Mai", "Phó Hiệu trưởng"),
        ("KT. CỤC TRƯỞNG\nPHÓ CỤC TRƯỞNG", "Đỗ Văn Hùng", "Phó Cục trưởng"),
    ]:
        h = parse_document(INFO, f"{base}{title}\n\n\n{name}\n").header
        assert (h.signer, h.signer_title) == (name, read)
    # A name line opening with degrees or a rank (a hospital's, a military command's signature): the name
    # is what follows them, and the title is still read.
    for title, line, name, read in [
        ("KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "BSCKII. Trần Văn Bình", "Trần Văn Bình", "Phó Giám đốc"),
        ("CHỈ HUY TRƯỞNG", "Đại tá Lê Văn Cường", "Lê Văn Cường", "Chỉ huy trưởng"),
    ]:
        d = parse_document(INFO, f"{base}{title}\n\n\n{line}\n")
        assert (d.header.signer, d.header.signer_title) == (name, read)
        # Cited as signed: the degrees or rank printed before the name are kept in the answer.
        assert printed_degrees(d.original, d.header.spans.get("signer"), name) + name == line
    # A form annexed after the signature has a blank signature of its own: it does not retitle the signer.
    form = "\nPhụ lục\nMẪU ĐƠN ĐĂNG KÝ\nTM. BAN SÁNG LẬP\nTRƯỞNG BAN\n(Chữ ký)\nHọ và tên\n"
    signed = f"{base}TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nLê Văn Tâm\n{form}"
    h = parse_document(INFO, signed).header
    assert (h.signer, h.signer_title) == ("Lê Văn Tâm", "Phó Chủ tịch")


@pytest.mark.parametrize(
    ("sentence", "lead"),
    [
        # A district Party committee's plan: the body given the task is named with a verb in its name.
        (
            "Ban Thường vụ Huyện ủy giao Ban Tuyên giáo Huyện ủy chủ trì, phối hợp với các chi bộ",
            "Ban Tuyên giáo Huyện ủy",
        ),
        ("Thường trực Huyện ủy giao Ban Xây dựng Đảng chủ trì thẩm định hồ sơ", "Ban Xây dựng Đảng"),
        ("Giao Sở Xây dựng chủ trì, phối hợp với Sở Tài chính", "Sở Xây dựng"),
        ("Giao Ban Quản lý dự án xây dựng kế hoạch", "Ban Quản lý dự án"),
        # After a whole name a capitalised verb opens the next cell of a flattened table.
        (
            "Giao Chi nhánh Văn phòng Đăng ký đất đai Phú Thọ Phối hợp UBND phường",
            "Chi nhánh Văn phòng Đăng ký đất đai Phú Thọ",
        ),
    ],
)
def test_a_verb_written_with_a_capital_after_a_head_word_is_part_of_the_name(sentence, lead):
    from hoidap.corpus.agencies import assignment

    m = assignment(sentence)
    assert m is not None and m["lead"] == lead


def test_a_conclusions_items_under_doi_voi_a_body_are_that_bodys():
    """A provincial conclusion notice: "1. Đối với Ban Quản lý dự án …" over a)–b) items, "2. Giao Sở Tài
    chính:" over its own. The board's name holds "đầu tư xây dựng" and "giao thông", words that elsewhere end
    a name."""
    original = (
        "II. NHIỆM VỤ, GIẢI PHÁP\n"
        "1. Đối với Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh\n"
        "a) Hoàn thiện hồ sơ điều chỉnh dự án, trình cấp có thẩm quyền trước ngày 30/5/2026.\n"
        "b) Đẩy nhanh tiến độ thi công các gói thầu.\n"
        "2. Giao Sở Tài chính:\n"
        "a) Tham mưu bố trí vốn cho dự án trước ngày 20/6/2026.\n"
    )
    tasks = parse_document(INFO, original).tasks
    board = "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông tỉnh"
    assert [t.lead for t in tasks] == [(board,), (board,), ("Sở Tài chính",)]
    from hoidap.service.strategies.fields import section_agency

    assert section_agency(f"II. Nhiệm vụ > 1. Đối với {board} > a) Hoàn thiện") == board


def test_the_body_a_subject_gives_a_task_to_leads_it_and_facilities_are_bodies():
    """A district Party committee's conclusion: "Thường trực Huyện ủy giao Ban Tổ chức Huyện ủy chủ trì …"
    (the body given the task leads, not the giver); a labour department's plan: "Các cơ sở giáo dục nghề
    nghiệp chủ trì …" (facilities act as bodies; "các cơ sở dữ liệu" are none)."""
    original = (
        "II. NHIỆM VỤ\n"
        "1. Thường trực Huyện ủy giao Ban Tổ chức Huyện ủy chủ trì, phối hợp với Ủy ban Kiểm tra Huyện ủy "
        "thẩm định hồ sơ nhân sự, hoàn thành trước ngày 30/6/2026.\n"
        "2. Các cơ sở giáo dục nghề nghiệp chủ trì, phối hợp với Phòng Nội vụ tổ chức tuyển sinh.\n"
    )
    tasks = parse_document(INFO, original).tasks
    assert [t.lead for t in tasks] == [("Ban Tổ chức Huyện ủy",), ("Các cơ sở giáo dục nghề nghiệp",)]
    from hoidap.corpus.agencies import clean_agency

    assert clean_agency("Các cơ sở dữ liệu chuyên ngành được kết nối") is None


def test_a_dash_inside_a_bodys_name_in_a_table_cell_splits_no_list():
    """A district's plan (a table row per task): "Phòng Lao động - Thương binh và Xã hội" is one body, while a
    cell listing bodies with dashes ("- Phòng Tài chính - Kế hoạch - Ủy ban MTTQ huyện") still names two."""
    text = (
        "KẾ HOẠCH\nCông tác phòng, chống dịch bệnh năm 2026 của huyện\n\n"
        "| STT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian |\n"
        "| 1 | Hỗ trợ người lao động | Phòng Lao động - Thương binh và Xã hội"
        " | - Phòng Tài chính - Kế hoạch - Ủy ban MTTQ huyện | Quý I/2026 |\n"
        "| 2 | Tuyên truyền phòng dịch | Phòng Văn hóa - Thông tin"
        " | Các tổ chức chính trị - xã hội; Trung tâm Y tế huyện | Quý II/2026 |\n"
    )
    d = parse_document(INFO, text)
    first, second = _by_id(d, "1")[0], _by_id(d, "2")[0]
    assert first.lead == ("Phòng Lao động - Thương binh và Xã hội",)
    assert first.coordinating == ("Phòng Tài chính - Kế hoạch", "Ủy ban MTTQ huyện")
    assert second.lead == ("Phòng Văn hóa - Thông tin",)
    assert second.coordinating == ("Các tổ chức chính trị - xã hội", "Trung tâm Y tế huyện")


def test_an_office_in_a_lead_column_leads_and_a_duty_verb_ends_a_name():
    """A commune's plan names offices, not bodies, in its "Chủ trì" column; a decree's "Hội đồng quản lý quỹ
    có các nhiệm vụ và quyền hạn sau đây:" heads its items with the council alone."""
    text = (
        "KẾ HOẠCH\nTổng vệ sinh môi trường năm 2026 của xã\n\n"
        "| STT | Nội dung | Chủ trì | Phối hợp | Thời gian |\n"
        "| 1 | Chỉ đạo ra quân | Phó Chủ tịch UBND xã phụ trách | Các ban, ngành | Tháng 3/2026 |\n"
        "| 2 | Vận động hộ gia đình dọn vệ sinh | Tổ trưởng tổ dân phố | Chi hội Phụ nữ | Tháng 4/2026 |\n"
    )
    d = parse_document(INFO, text)
    assert _by_id(d, "1")[0].lead == ("Phó Chủ tịch UBND xã phụ trách",)
    assert _by_id(d, "2")[0].lead == ("Tổ trưởng tổ dân phố",)
    from hoidap.corpus.agencies import clean_agency

    assert clean_agency("Hội đồng quản lý quỹ có các nhiệm vụ và quyền hạn sau đây") == "Hội đồng quản lý quỹ"
    assert clean_agency("Giám đốc Sở Y tế có nhiệm vụ") == "Giám đốc Sở Y tế"
    # A letter's courtesy words end the body that writes ("… trân trọng đề nghị", "… kính đề nghị").
    assert clean_agency("Sở Giáo dục và Đào tạo trân trọng đề nghị các trường") == "Sở Giáo dục và Đào tạo"
    assert clean_agency("Hội Nông dân huyện kính đề nghị Ủy ban nhân dân") == "Hội Nông dân huyện"


def test_a_ministrys_unit_is_the_issuer_not_the_ministry_joined_to_it() -> None:
    # A hospital's and a general department's letterheads (the class was seen on universities' decisions).
    tail = (
        "Số: 12/QĐ-BV\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Hà Nội, ngày 05 tháng 3 năm 2026\nQUYẾT ĐỊNH\nVề việc ban hành quy chế\n"
        "Điều 1. Ban hành kèm theo Quyết định này.\n"
    )
    for head, issuer in [
        ("BỘ Y TẾ\nBỆNH VIỆN BẠCH MAI\n", "bệnh viện bạch mai"),
        ("BỘ TÀI CHÍNH\nTỔNG CỤC THUẾ\n", "tổng cục thuế"),
        # One body's name over two lines stays one name.
        ("BỘ NÔNG NGHIỆP VÀ\nPHÁT TRIỂN NÔNG THÔN\n", "bộ nông nghiệp và phát triển nông thôn"),
        ("ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n", "ubnd tỉnh lâm đồng"),
    ]:
        assert (parse_document(INFO, head + tail).header.issuer or "").lower() == issuer
