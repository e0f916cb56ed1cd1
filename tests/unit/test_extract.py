"""Answer-phrase extraction helpers (no model needed)."""

from __future__ import annotations

import pytest

from hoidap.corpus.normalize import fold
from hoidap.corpus.vocab import find_provinces, name_key, province_of
from hoidap.service.extract import best_sentence, deadline_phrase, figure_phrase, locate
from hoidap.service.strategies.fields import clause_subject


def test_figure_phrase_skips_years_item_numbers_and_document_numbers():
    text = (
        "- Tốc độ tăng trưởng GRDP bình quân thời kỳ 2021 - 2030 đạt 7,25 - 8,25%/năm; trong đó: "
        "tốc độ tăng trưởng của khu vực Công nghiệp đạt 8,25 - 9,25%/năm."
    )
    assert figure_phrase(text, ["tăng trưởng GRDP"]) == ("7,25 - 8,25%/năm", text.index("7,25"))
    assert figure_phrase(text, ["khu vực Công nghiệp"])[0] == "8,25 - 9,25%/năm"
    assert figure_phrase("- Tốc độ tăng trưởng GRDP bình quân trên 9%/năm.", ["GRDP"])[0] == "trên 9%/năm"
    assert figure_phrase("Kết luận số 536-KL/TU, ngày 08/12/2022 của Ban Thường vụ", ["kết luận"]) is None
    assert figure_phrase("2.1. Mục tiêu tổng quát đến năm 2030", ["mục tiêu"]) is None
    assert figure_phrase("diện tích 45.000 ha, hệ thống kết cấu hạ tầng", ["diện tích"])[0] == "45.000 ha"


def test_deadline_phrase_in_prose():
    assert deadline_phrase("xây dựng chương trình hành động ... Hoàn thành trong quý II/2023.") == (
        "Hoàn thành trong quý II/2023"
    )
    assert deadline_phrase("báo cáo UBND tỉnh (qua Sở Kế hoạch và Đầu tư) trước ngày 15/11 để tổng hợp") == (
        "trước ngày 15/11"
    )
    assert deadline_phrase("cơ bản trở thành tỉnh có công nghiệp theo hướng hiện đại vào năm 2030.") == (
        "vào năm 2030"
    )
    assert deadline_phrase("Phát triển công nghiệp bền vững.") is None


def test_a_deadline_keeps_its_last_day_a_bare_date_and_a_term_before_an_event():
    """Forms written for this test in the wording of a Hội Nông dân notice, not of a development document."""
    assert deadline_phrase("Giấy xác nhận cũ có giá trị sử dụng đến hết ngày 30 tháng 9 năm 2026.") == (
        "đến hết ngày 30 tháng 9 năm 2026"
    )
    assert (
        deadline_phrase("Các chi hội gửi danh sách về Văn phòng chậm nhất 15/10/2026.")
        == "chậm nhất 15/10/2026"
    )
    assert deadline_phrase("Chi hội đăng ký với Ban Thường vụ 10 ngày trước khi tổ chức hội nghị.") == (
        "10 ngày trước khi tổ chức hội nghị"
    )


def test_a_figure_written_in_words_is_a_figure_with_its_measure():
    """Laws print numbers in words; written for this test in the style of a statute on commune militia."""
    got = figure_phrase(
        "Mỗi trung đội dân quân có từ hai mươi lăm đến ba mươi lăm người.", ["trung đội"], None, (), "nguoi"
    )
    assert got is not None and got[0] == "từ hai mươi lăm đến ba mươi lăm người"
    share = figure_phrase("Số dân quân nữ chiếm ít nhất mười lăm phần trăm.", ["dân quân nữ"], "percent")
    assert share is not None and "mười lăm phần trăm" in share[0]
    assert figure_phrase("Đại hội lần thứ hai họp trong năm học mới.", ["đại hội"]) is None  # ordinal, year
    assert figure_phrase("Một số xã chưa bố trí đủ lực lượng.", ["xã"]) is None  # "một số": some


def test_the_date_of_a_cited_document_is_not_a_time_of_the_clause():
    assert deadline_phrase("Thực hiện Kế hoạch số 17-KH/TU ngày 27/8/2025 của Ban Thường vụ Tỉnh ủy") is None
    assert deadline_phrase("Căn cứ Luật Đấu thầu số 22/2023/QH15 ngày 23 tháng 6 năm 2023;") is None
    # A date of its own after one.
    told = deadline_phrase("Theo Kế hoạch 17-KH/TU ngày 27/8/2025, báo cáo ngày 30/9/2025")
    assert told == "ngày 30/9/2025"


def test_a_yearly_month_and_an_immediate_term_are_times():
    # A law's annual month (not just "hằng năm"), and a term that starts with an event.
    assert deadline_phrase("Tháng hành động được tổ chức vào tháng 6 hằng năm để thúc đẩy …") == (
        "vào tháng 6 hằng năm"
    )
    assert deadline_phrase("Các chi bộ báo cáo Đảng ủy trước ngày 20 tháng 11 hàng năm.") == (
        "trước ngày 20 tháng 11 hàng năm"
    )
    assert deadline_phrase("Công an xã có trách nhiệm xác minh ngay khi tiếp nhận tin báo, tố giác.") == (
        "ngay khi tiếp nhận tin báo"
    )


def test_clause_subject():
    assert clause_subject("5. Ban cán sự đảng UBND tỉnh giúp Tỉnh ủy, Ban Thường vụ Tỉnh ủy theo dõi") == (
        "Ban cán sự đảng UBND tỉnh"
    )
    assert clause_subject("2. Giao Sở Kế hoạch và Đầu tư chủ trì, phối hợp các sở") == "Sở Kế hoạch và Đầu tư"
    assert clause_subject("- Phát triển hạ tầng năng lượng tái tạo, năng lượng sạch") is None


def test_best_sentence_and_locate():
    text = "Phát triển du lịch. Xây dựng huyện đảo Lý Sơn thành trung tâm du lịch biển - đảo. Khác."
    assert best_sentence(text, ["lý_sơn", "trung_tâm"]).startswith("Xây dựng huyện đảo Lý Sơn")
    original = "abc Sở Tài\nchính chủ trì"
    span = locate(original, 0, len(original), "Sở Tài chính")
    assert span is not None and original[span[0] : span[1]] == "Sở Tài\nchính"


def test_provinces_come_from_the_data_file():
    def names(text: str) -> list[str]:
        return [n for n, _ in find_provinces(name_key(text))]

    assert names("muc tieu tang truong GRDP cua Da Nang den 2030") == ["Đà Nẵng"]
    assert names("Quảng Nam và Thừa Thiên Huế") == ["Quảng Nam", "Huế"]  # the name since 2025
    assert names("kế hoạch của TP.HCM") == ["Thành phố Hồ Chí Minh"]
    assert names("Sở Kế hoạch và Đầu tư") == []
    # A document's province: its issuer first (a Thủ tướng decision signed in Hà Nội has none).
    assert province_of("UBND tỉnh Đồng Nai", "Kế hoạch ...") == "Đồng Nai"
    assert province_of("Thủ tướng Chính phủ", "Quyết định về chất lượng không khí") is None


def test_a_range_written_with_den_is_one_figure_and_a_year_range_is_none():
    from hoidap.service.extract import figure_phrase

    got = figure_phrase("Thu hút kỹ sư có từ 3 đến 5 năm kinh nghiệm ở nước ngoài", ["nam kinh nghiem"])
    assert got is not None and got[0] == "từ 3 đến 5 năm kinh nghiệm"  # the duration is its measure
    assert figure_phrase("giai đoạn từ năm 2021 đến 2025 đạt 10%", ["dat"])[0] == "10%"


def test_a_duration_is_a_figure_and_the_counted_noun_picks_among_several():
    from hoidap.corpus.normalize import fold
    from hoidap.service.extract import asked_measure, figure_phrase

    # A decree's article (another source than the plans the figure reader was written on).
    clause = (
        "Hội đồng quản lý quỹ có tối thiểu 03 thành viên. Nhiệm kỳ Hội đồng quản lý quỹ do điều lệ quỹ "
        "quy định nhưng không quá 05 năm."
    )
    unit = asked_measure(fold("nhiệm kỳ hội đồng quản lý quỹ tối đa bao nhiêu năm"))
    assert unit == "nam"
    assert figure_phrase(clause, ["nhiệm kỳ hội đồng quản lý quỹ"], None, (), unit)[0] == "không quá 05 năm"
    members = asked_measure(fold("hội đồng có mấy thành viên"))
    assert figure_phrase(clause, ["hội đồng"], None, (), members)[0] == "tối thiểu 03 thành viên"
    assert figure_phrase("hoàn thành trong năm 2025 với 22 trạm", ["trạm"])[0] == "22 trạm"  # a date


def test_owner_of_the_whole_plan():
    from hoidap.corpus.normalize import fold
    from hoidap.service.extract import ASKS_OWNER_RE, owner_clause

    assert ASKS_OWNER_RE.search(fold("Ai được giao chủ trì tổ chức triển khai Kế hoạch về chuyển đổi số?"))
    assert ASKS_OWNER_RE.search(fold("co quan nao chu tri thuc hien chuong trinh nay"))
    # A task inside the plan is led, not the plan.
    assert not ASKS_OWNER_RE.search(fold("Ai chủ trì triển khai phát triển hải quan số trong kế hoạch?"))
    clauses = [
        ("Các sở, ngành chủ trì, tổ chức thực hiện Kế hoạch này theo chức năng.", "IV"),
        ("a) Sở Y tế chủ trì các nhiệm vụ được giao, phối hợp tổ chức thực hiện Kế hoạch này.", "IV > 1"),
        (
            "2. Giao Sở Tài chính chủ trì, phối hợp các sở, ngành triển khai thực hiện Kế hoạch này; "
            "định kỳ báo cáo Ủy ban nhân dân tỉnh.",
            "IV",
        ),
    ]
    assert owner_clause(clauses) == (2, "Sở Tài chính")
    assert owner_clause(clauses[:2]) is None


def test_numbers_the_question_gives_are_not_its_answer():
    text = "Khi chỉ số bụi từ 250 trở lên trong 05 ngày liên tiếp, tổ chức cảnh báo cộng đồng."
    found = figure_phrase(text, ["ngày liên tiếp"], None, ["250"])
    assert found is not None and found[0].startswith("05 ngày")
    assert figure_phrase("Tỷ lệ đạt 95% vào năm 2030.", ["tỷ lệ"], None, ["95%"]) is None


def test_a_verb_spelled_like_an_agency_is_no_agency():
    from hoidap.service.extract import role_phrase

    assert role_phrase("- Ban hành Chương trình hỗ trợ doanh nghiệp thực hiện chuyển đổi số.", "lead") is None
    assert role_phrase("- Ban Quản lý các khu công nghiệp thực hiện rà soát quỹ đất.", "lead") == (
        "Ban Quản lý các khu công nghiệp"
    )


def test_questions_asking_for_several_things():
    from hoidap.corpus.normalize import fold
    from hoidap.service.extract import asks_list

    assert asks_list(fold("Những tỉnh nào quanh Hà Nội phải giảm bụi mịn?"))
    assert asks_list(fold("ưu tiên những ngành có lợi thế nào"))
    assert asks_list(fold("Đề án gồm những gì?"))
    assert not asks_list(fold("phủ sóng trong các khu công nghiệp vào năm nào"))


def test_a_share_of_grdp_is_a_percentage_even_of_money():
    from hoidap.service.extract import unit_kind

    assert unit_kind("chi ngân sách cho khoa học trên GRDP tối thiểu bao nhiêu") == "percent"
    assert unit_kind("kinh phí thực hiện đề án là bao nhiêu") == "money"
    # A level of a pollutant, not its cut in percent.
    text = "Các tỉnh lân cận giảm tối thiểu 15%; tại thành phố, nồng độ bụi PM10 năm 2030 dưới 50 μg/m3."
    kind = unit_kind("nồng độ bụi PM10 của thành phố năm 2030 là bao nhiêu")
    assert kind == "concentration" and figure_phrase(text, ["nồng độ bụi"], kind)[0] == "dưới 50 μg/m3"


def test_words_of_the_previous_sentence_do_not_govern_a_figure():
    text = (
        "Có ít nhất 02 vùng dự án nuôi thủy sản công nghệ cao. Có 30% diện tích nuôi thủy sản chủ lực "
        "áp dụng các quy trình sản xuất tiên tiến."
    )
    phrase, _ = figure_phrase(text, ["co it nhat may vung nuoi thuy san cong nghe cao"])
    assert phrase.startswith("ít nhất 02 vùng")
    phrase, _ = figure_phrase(text, ["dien tich nuoi thuy san chu luc ap dung quy trinh tien tien"])
    assert phrase == "30%"


def test_a_question_typed_with_diacritics_names_its_measure_as_typed():
    # Folded, "công bố" names "bộ dữ liệu"; typed with diacritics it does not.
    text = (
        "Phấn đấu mỗi năm phát triển từ 05 bộ dữ liệu mở chất lượng cao. Đến năm 2030, tỉnh có ít nhất "
        "20 tập dữ liệu mở được công bố."
    )
    phrase, _ = figure_phrase(text, ["ít nhất", "tập dữ liệu mở", "công bố"])
    assert phrase == "ít nhất 20 tập dữ liệu mở"


def test_a_count_whose_noun_the_question_names_wins_over_the_subject_before_another():
    text = "Bộ tiêu chí được cấu trúc thành 7 lĩnh vực đánh giá, 43 tiêu chí và 95 tiêu chí thành phần."
    phrase, _ = figure_phrase(text, ["Bộ tiêu chí", "tiêu chí thành phần"])
    assert phrase == "95 tiêu chí thành phần"
    phrase, _ = figure_phrase(text, ["lĩnh vực đánh giá"])
    assert phrase == "7 lĩnh vực đánh giá"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Kiểm tra việc lập danh sách cử tri (từ ngày 01/12/2025 đến ngày 14/12/2025).",
            "từ ngày 01/12/2025 đến ngày 14/12/2025",
        ),
        (
            "Thời gian: từ ngày 05/01/2026 đến hết ngày 20/01/2026",
            "từ ngày 05/01/2026 đến hết ngày 20/01/2026",
        ),
        ("Thực hiện từ tháng 3 đến tháng 9/2026.", "Thực hiện từ tháng 3 đến tháng 9/2026"),
        ("Tổ chức trong thời gian từ 01/3/2026 - 15/3/2026.", "từ 01/3/2026 - 15/3/2026"),
    ],
)
def test_a_time_window_is_read_whole(text: str, expected: str) -> None:
    """A window whose start leaves out what its end states (the month's year, the word "ngày") is one
    time expression, as a ward's plan, a province's schedule and a notice print them."""
    from hoidap.service.extract import deadline_phrase

    assert deadline_phrase(text) == expected


def test_a_number_range_is_no_time_window() -> None:
    from hoidap.service.extract import deadline_phrase

    assert deadline_phrase("Mỗi tổ có từ 3 đến 5 người.") is None


def test_a_count_of_things_is_not_answered_by_a_share() -> None:
    """ "bao nhiêu xã" counts communes: "60 - 70%" does not answer it (a central resolution), while a rate
    asked "bao nhiêu mỗi năm" is a share (a province's plan)."""
    text = "Giảm khoảng 60 - 70% số đơn vị hành chính cấp xã, còn 3.321 xã, phường, đặc khu."
    assert figure_phrase(text, ["xã"], measure_asked="xa")[0].startswith("3.321")
    growth = "Khu vực công nghiệp tăng trưởng bình quân 8,25 - 9,25%/năm."
    assert figure_phrase(growth, ["tăng trưởng"], measure_asked="moi")[0] == "8,25 - 9,25%/năm"


def test_a_lead_run_on_after_an_items_title():
    from hoidap.service.extract import role_phrase

    # A provincial department's plan, the line break between an item's title and its lead lost.
    text = (
        "3.2. Kế hoạch tuyên truyền chuyển đổi số năm 2026 Sở Văn hóa, Thể thao và Du lịch chủ trì,"
        " phối hợp các sở"
    )
    assert role_phrase(text, "lead") == "Sở Văn hóa, Thể thao và Du lịch"
    assert role_phrase("Tăng cường công tác chủ trì hội nghị giao ban", "lead") is None
    # A name made of two heads ("Đảng ủy" of "UBND xã") is read whole.
    run_on = "1.2. Chương trình chuyển đổi số cấp xã năm 2026 Đảng ủy UBND xã chủ trì, phối hợp Công an xã"
    assert role_phrase(run_on, "lead") == "Đảng ủy UBND xã"


def test_a_time_stated_by_a_term_or_an_event():
    # A ministry's circular and a district decision (other bodies than where the forms were seen).
    assert deadline_phrase(
        "Trong thời hạn 15 ngày làm việc kể từ ngày nhận đủ hồ sơ, Sở Nội vụ thẩm định và trình."
    ).startswith("Trong thời hạn 15 ngày làm việc kể từ ngày nhận đủ hồ sơ")
    assert deadline_phrase(
        "Tổ công tác tự giải thể sau khi hoàn thành việc bàn giao hồ sơ cho Phòng Nội vụ."
    ) == ("sau khi hoàn thành việc bàn giao hồ sơ cho Phòng Nội vụ")
    # A date, when stated, is the time asked, not an event around it.
    assert (
        deadline_phrase("Sau khi kiểm tra, các xã báo cáo trước ngày 15/11/2025.") == "trước ngày 15/11/2025"
    )


def test_words_opening_with_a_head_word_that_name_no_body():
    from hoidap.corpus.tasks import clean_agency

    assert clean_agency("Báo cáo kết quả thực hiện") is None
    assert clean_agency("Trường hợp không đủ điều kiện") is None
    assert clean_agency("Trường Đại học Cần Thơ") == "Trường Đại học Cần Thơ"
    assert clean_agency("Báo Bình Định") == "Báo Bình Định"


def test_a_list_of_kinds_of_body_names_no_subject():
    from hoidap.service.strategies.fields import clause_subject

    assert clause_subject("2. Cơ quan, tổ chức, cá nhân có liên quan.") is None
    assert clause_subject("3. Sở Nội vụ, Sở Tài chính tổ chức thực hiện") is not None


def test_a_law_cited_by_its_title_before_its_number():
    from hoidap.service.extract import document_reference

    text = "2. Pháp lệnh Dân số số 06/2003/PL-UBTVQH11 hết hiệu lực kể từ ngày Luật này có hiệu lực thi hành."
    assert document_reference(text, "phap lenh", []) == "Pháp lệnh Dân số số 06/2003/PL-UBTVQH11"
    # Blanks lost in a PDF's text do not hide a reference.
    assert (
        document_reference("Thực hiện Chỉ thịsố05-CT/TU của Ban Thường vụ", "chi thi", [])
        == "Chỉ thịsố05-CT/TU"
    )


def test_district_and_ward_offices_are_bodies():
    from hoidap.corpus.tasks import clean_agency

    assert clean_agency("Phòng Văn hóa - Xã hội") == "Phòng Văn hóa - Xã hội"
    assert clean_agency("Trạm Y tế phường") == "Trạm Y tế phường"
    assert clean_agency("Bộ phận Tư pháp") == "Bộ phận Tư pháp"
    # "Phòng, chống …" prevents something; it names no office.
    assert clean_agency("Phòng, chống tham nhũng") is None
    assert clean_agency("Phòng chống dịch bệnh") is None


def test_locate_a_phrase_typed_with_decomposed_marks():
    """A PDF's text may keep its marks decomposed (NFD): the phrase is still found, never past the clause."""
    import unicodedata

    from hoidap.service.extract import locate

    original = "Tuyên truyền, " + unicodedata.normalize("NFD", "phổ biến") + " kiến thức pháp luật"
    span = locate(original, 0, len(original), unicodedata.normalize("NFD", "phổ biến kiến"))
    assert span is not None and original[span[0] : span[1]].startswith(unicodedata.normalize("NFD", "phổ"))


def test_the_post_a_member_list_gives():
    from hoidap.service.strategies.sections import line_post

    assert line_post("3. Phó Trưởng Ban: Đồng chí Lê Văn A, Giám đốc Sở Y tế.", "Điều 1") == "Phó Trưởng Ban"
    assert line_post("2. Mời ông Trần B, Phó Chủ tịch UBND xã, Phó Trưởng ban;", "Điều 1") == "Phó Trưởng ban"
    assert line_post("- Đồng chí Ngô C, Giám đốc Công an tỉnh;", "Điều 1 > 4. Các Ủy viên:") == "Ủy viên"
    assert line_post("Sở Y tế chủ trì tổ chức thực hiện.", "III. Nhiệm vụ") is None
    # The question is read once: whose post it asks is on its analysis.
    from hoidap.service.understanding import Catalog, analyze

    a = analyze("Ông Trần Văn B giữ chức vụ gì trong Tổ công tác?", Catalog.from_documents([]))
    assert a.post_of == "tran van b" and not a.asks_duties
    b = analyze("Tổ công tác có nhiệm vụ gì?", Catalog.from_documents([]))
    assert b.asks_duties


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A commune office's report and a student union's scheme: two days of one month are one time.
        ("Hội thi diễn ra từ ngày 02 – 03/7/2026 tại phường Quy Nhơn.", "từ ngày 02 – 03/7/2026"),
        ("Đại hội lần thứ XI được tổ chức ngày 14-15/5/2023 tại Hội trường.", "ngày 14-15/5/2023"),
    ],
)
def test_two_days_of_one_month_are_read_whole(text: str, expected: str) -> None:
    assert deadline_phrase(text) == expected


def test_a_letter_cited_by_its_number_is_a_reference() -> None:
    # A commune report cites a department's letters ("Văn bản số …" with a joined office code); a
    # ward's plan writes "văn bản số" in lower case.
    from hoidap.service.extract import document_reference

    text = "- Rà soát nhà ở theo Văn bản số 4337/SNV-TĐKT&NCC ngày 24 tháng 6 năm 2026 của Sở Nội vụ."
    cited = "Văn bản số 4337/SNV-TĐKT&NCC ngày 24 tháng 6 năm 2026"
    assert document_reference(text, "van ban", ["ra_soat"]) == cited
    text = "Thực hiện văn bản số 125/UBND-VX ngày 3/4/2025 của UBND quận, Phường xây dựng kế hoạch."
    assert document_reference(text, "van ban", []) == "văn bản số 125/UBND-VX ngày 3/4/2025"


def test_a_document_noun_before_a_body_noun_asks_a_document() -> None:
    from hoidap.service.answer_types import expected_kinds

    assert "agency" not in expected_kinds("document", "basis", "thuc hien theo van ban nao cua so noi vu")
    assert "agency" in expected_kinds("lookup", None, "ban nao chiu trach nhiem tong hop")


def test_best_sentence_asked_for_a_time_is_one_that_states_a_time() -> None:
    from hoidap.service.answer_types import fits

    # A provincial conclusion notice: the sentence holding most of the question's words has no date.
    text = (
        "3. Giao Sở Nội vụ tiếp thu các ý kiến tại cuộc họp, rà soát, kiện toàn Ban Chỉ đạo cổ phần hóa. "
        "Báo cáo Ủy ban nhân dân tỉnh trước ngày 20/02/2025."
    )
    terms = [("sở_nội_vụ", 2.0), ("rà_soát", 1.5), ("kiện_toàn", 1.5), ("ban_chỉ_đạo", 1.5)]
    assert best_sentence(text, terms).startswith("3. Giao Sở Nội vụ")
    got = best_sentence(text, terms, fitting=lambda s: fits(s, ["time"]))
    assert got == "Báo cáo Ủy ban nhân dân tỉnh trước ngày 20/02/2025."
    # No sentence states one: the best by the question's words, as without the check.
    plain = "Giao Sở Nội vụ rà soát, kiện toàn Ban Chỉ đạo. Các sở phối hợp."
    assert best_sentence(plain, terms, fitting=lambda s: fits(s, ["time"])).startswith("Giao Sở Nội vụ")


def test_a_figure_glossed_in_brackets_keeps_its_measure():
    """A decree's time limits print the number twice, in words and in figures ("mười lăm (15) ngày"), or a
    figure with its words after it ("05 (năm) năm"): the measure noun follows the gloss."""
    text = "Hồ sơ được giải quyết trong thời hạn không quá mười lăm (15) ngày, kể từ ngày nhận đủ hồ sơ."
    assert figure_phrase(text, ["thời hạn giải quyết"])[0] == "không quá mười lăm (15) ngày"
    assert figure_phrase("Giấy phép có thời hạn 05 (năm) năm.", ["thời hạn"])[0] == "05 (năm) năm"


def test_a_recurrence_in_words_is_a_time():
    """A Youth Union charter's meetings: "hai tháng một lần" answers "bao lâu một lần"."""
    text = "Ban Chấp hành Đoàn cơ sở họp thường kỳ hai tháng một lần, họp bất thường khi cần."
    assert deadline_phrase(text) == "hai tháng một lần"
    assert deadline_phrase("Đại hội Chi đoàn tổ chức 01 năm một lần.") == "01 năm một lần"


def test_a_day_and_month_without_a_year_after_before_is_a_deadline():
    """A ward's reporting schedule: "Trước 10/11" (the 10th of November) in a table's time cell."""
    assert deadline_phrase("Báo cáo kết quả thực hiện năm | Trước 10/11 |") == "Trước 10/11"
    assert deadline_phrase("Văn bản số 15/12 của phường") is None


def test_a_figure_in_the_measure_the_question_counts_in():
    from hoidap.corpus.normalize import fold
    from hoidap.service.extract import asked_measure, measure_fits, unit_kind

    q = "ban chap hanh hoi nong dan xa co bao nhieu uy vien"
    assert measure_fits("15 ủy viên", unit_kind(q), asked_measure(fold(q)))
    assert not measure_fits("03 năm", unit_kind(q), asked_measure(fold(q)))
    share = "Tỷ lệ hộ dùng nước sạch đạt bao nhiêu?"
    assert measure_fits("98%", unit_kind(share), asked_measure(fold(share)))
    assert not measure_fits("120 hộ", None, None)  # the question names no measure


def test_a_sum_keeps_its_currency_and_the_rate_it_is_paid_at():
    # A provincial council's spending rates (another body than the fee circular the units were first read in).
    rates = "1. Mức phụ cấp lưu trú để trả cho người đi công tác: 200.000 đồng/ngày/người."
    assert figure_phrase(rates, ["phụ cấp lưu trú"])[0] == "200.000 đồng/ngày/người"
    monthly = figure_phrase("mức 350.000đ/người/tháng, đối với xã", ["người theo dõi"])
    assert monthly[0] == "350.000đ/người/tháng"
    assert figure_phrase("Mức mai táng phí tối đa là 8.100.000 đồng/người.", ["mai táng phí"])[0] == (
        "8.100.000 đồng/người"
    )
    # A document number after a figure is no rate: "214/KH-UBND" stays out.
    assert figure_phrase("theo Kế hoạch số 214/KH-UBND cấp 30 tỷ đồng", ["cấp"])[0] == "30 tỷ đồng"


def test_a_measure_word_the_question_uses_is_not_cut_in_half():
    # "cơ sở" is one word: "0,5 mức lương cơ" would name no measure (a school's allowance, not a council's).
    text = "Giáo viên trường mầm non ngoài công lập được hỗ trợ 0,5 mức lương cơ sở/người/tháng."
    got = figure_phrase(text, ["giáo viên", "cơ sở giáo dục mầm non"])
    assert got[0] == "0,5 mức lương cơ sở/người/tháng"


def test_an_amount_asked_in_a_foreign_currency_is_not_answered_in_dong():
    from hoidap.service.extract import unit_kind

    kind = unit_kind("Cán bộ đi công tác nước ngoài được phụ cấp bao nhiêu USD một ngày?")
    assert kind == "foreign_money"
    assert figure_phrase("Mức phụ cấp lưu trú: 200.000 đồng/ngày/người.", ["phụ cấp lưu trú"], kind) is None
    abroad = figure_phrase("Phụ cấp lưu trú ở nước ngoài: 60 USD/ngày.", ["phụ cấp lưu trú"], kind)
    assert abroad[0] == "60 USD/ngày"
    assert unit_kind("mức hỗ trợ bao nhiêu tiền") == "money"


def test_a_rate_is_chosen_by_the_condition_it_is_printed_under():
    # A school's fee schedule (not the council resolutions where rate lists were first seen): groups
    # headed "Đối với …", rows "+ condition: rate", and a rate whose condition ends in "thì".
    from hoidap.service.extract import asked_measure, unit_kind

    fees = (
        "2. Mức thu học phí: - Đối với học sinh trung học cơ sở: + Khu vực thành thị: 300.000 đồng/tháng; "
        "+ Khu vực nông thôn: 150.000 đồng/tháng. - Đối với học sinh trung học phổ thông: + Khu vực thành "
        "thị: 350.000 đồng/tháng; + Khu vực nông thôn: 200.000 đồng/tháng."
    )

    def rate(question: str, text: str, terms: list[str]) -> str:
        q = fold(question).lower()
        found = figure_phrase(text, terms, unit_kind(question), (), asked_measure(q), q)
        assert found is not None
        return found[0]

    q = "Mức thu học phí đối với học sinh trung học phổ thông ở khu vực nông thôn là bao nhiêu một tháng?"
    assert asked_measure(fold(q).lower()) is None  # "bao nhiêu một tháng" asks a rate, not a count
    assert rate(q, fees, ["học phí"]) == "200.000 đồng/tháng"
    assert rate("muc thu hoc phi hoc sinh trung hoc co so khu vuc thanh thi", fees, ["hoc phi"]) == (
        "300.000 đồng/tháng"
    )
    allowance = (
        "Cán bộ tăng cường về cơ sở được hỗ trợ 500.000đ/người/tháng, đối với cán bộ công tác tại xã đặc "
        "biệt khó khăn thì mức hỗ trợ là 700.000đ/người/tháng."
    )
    q = "Cán bộ công tác tại xã đặc biệt khó khăn được chi bao nhiêu mỗi tháng?"
    assert unit_kind(q) == "money"
    assert rate(q, allowance, ["cán bộ"]) == "700.000đ/người/tháng"
    assert rate("can bo tang cuong ve co so duoc chi bao nhieu", allowance, ["can bo"]) == (
        "500.000đ/người/tháng"
    )


def test_the_document_of_the_body_asked_is_chosen_among_those_cited():
    # A district Youth Union's plan (not the commune Party plans where the class was seen).
    from hoidap.service.extract import asked_issuer, document_reference

    text = (
        "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị về đột phá phát triển khoa học, "
        "công nghệ; Nghị quyết số 12-NQ/HU ngày 05/3/2025 của Huyện ủy về chuyển đổi số và Nghị quyết số "
        "03/NQ-ĐTN ngày 10/3/2025 của Ban Chấp hành Huyện đoàn, Ban Thường vụ Huyện đoàn xây dựng kế hoạch."
    )
    q = fold("Kế hoạch chuyển đổi số của Huyện đoàn thực hiện nghị quyết nào của Huyện ủy?").lower()
    assert asked_issuer(q) == "huyen uy"
    assert document_reference(text, "nghi quyet", ["chuyen doi so"], asked_issuer(q)) == (
        "Nghị quyết số 12-NQ/HU ngày 05/3/2025"
    )
    # The code alone names the issuer when no "của …" follows: "ĐTN" for "Đoàn thanh niên".
    short = "Căn cứ Nghị quyết số 57-NQ/TW; Nghị quyết số 03/NQ-ĐTN ngày 10/3/2025."
    q = fold("thuc hien nghi quyet nao cua doan thanh nien").lower()
    assert (
        document_reference(short, "nghi quyet", [], asked_issuer(q))
        == "Nghị quyết số 03/NQ-ĐTN ngày 10/3/2025"
    )
    # Without a body asked, the first of equals stands.
    assert document_reference(text, "nghi quyet", [], "") == "Nghị quyết số 57-NQ/TW ngày 22/12/2024"


def test_a_fraction_of_a_whole_is_one_figure_and_a_day_is_none():
    # A Party congress's rules (not the university regulation where the class was seen).
    text = "Đại hội hợp lệ khi có ít nhất 2/3 tổng số đại biểu được triệu tập có mặt. Họp ngày 2/3 hằng năm."
    assert figure_phrase(text, ["đại biểu"])[0] == "ít nhất 2/3 tổng số đại biểu"
    assert figure_phrase("Hội nghị họp ngày 2/3 tại hội trường.", ["hội nghị"]) is None


def test_a_rate_per_a_two_syllable_noun_and_a_range_to_below_are_whole():
    # A vocational school's fees and a youth union's ranking (not the universities where they were seen).
    assert (
        figure_phrase("Học phí 6,5 triệu đồng/học kỳ, thu hai lần.", ["học phí"])[0]
        == "6,5 triệu đồng/học kỳ"
    )
    assert figure_phrase("- Khá: từ 65 đến dưới 80 điểm;", ["khá"])[0] == "từ 65 đến dưới 80 điểm"


def test_a_post_or_role_opening_a_sentence_is_who_does_it():
    # A high school's rules and a commune's regulation (not the university rules where it was seen).
    assert clause_subject("2. Giáo viên chủ nhiệm căn cứ kết quả học tập để xếp loại hạnh kiểm.") == (
        "Giáo viên chủ nhiệm"
    )
    assert clause_subject("Trưởng thôn lập danh sách hộ nghèo gửi UBND xã.") == "Trưởng thôn"
    assert clause_subject("3. Chủ tịch UBND xã quyết định công nhận tổ hòa giải.") == "Chủ tịch UBND xã"
    # A sentence opening with neither a body nor a post names no one.
    assert clause_subject("Hồ sơ gửi về Văn phòng trước ngày 15/6.") is None


def test_how_long_is_answered_by_a_length_of_time():
    # A commune association's charter (not the university regulation where it was seen).
    from types import SimpleNamespace

    from hoidap.service.catalog import Catalog
    from hoidap.service.strategies.fields import prose_value
    from hoidap.service.understanding import analyze

    a = analyze("Nhiệm kỳ của Ban Chấp hành Hội Nông dân xã là bao lâu?", Catalog.from_documents([]))
    assert a.intent == "deadline"
    hit = SimpleNamespace(
        entry=SimpleNamespace(text="Điều 9. Nhiệm kỳ của Ban Chấp hành là 05 năm.", section="")
    )
    assert prose_value(a, hit) == "05 năm"


def test_a_rate_asked_per_something_is_not_answered_by_a_rate_per_another():
    # A district's vehicle allowance (not the council resolution where it was seen).
    from hoidap.service.extract import asked_rate

    text = "Khoán kinh phí sử dụng xe 3.000.000 đồng/người/tháng cho cán bộ đi công tác."
    assert figure_phrase(text, ["khoán"], "money", (), None, "", asked_rate("bao nhieu dong/km")) is None
    assert figure_phrase(text, ["khoán"], "money", (), None, "", asked_rate("bao nhieu moi thang"))[0] == (
        "3.000.000 đồng/người/tháng"
    )


def test_who_is_answered_by_the_body_a_clause_assigns_not_its_sentence():
    # A district Youth Union's rules (not the university regulation where it was seen).
    from types import SimpleNamespace

    from hoidap.service.catalog import Catalog
    from hoidap.service.strategies.evidence import assigned_body
    from hoidap.service.understanding import analyze

    text = "3. Hướng dẫn các chi đoàn tổ chức sinh hoạt chuyên đề hằng tháng."
    hit = SimpleNamespace(
        entry=SimpleNamespace(text=text, section=f"Điều 7. Ban Tuyên giáo Huyện đoàn > {text}")
    )
    catalog = Catalog.from_documents([])
    a = analyze("Ai chủ trì hướng dẫn các chi đoàn tổ chức sinh hoạt chuyên đề?", catalog)
    assert assigned_body(a, hit, text) == "Ban Tuyên giáo Huyện đoàn"
    # Asked of that very body, or asked for a partner, the sentence stays the answer.
    a = analyze("Ban Tuyên giáo Huyện đoàn chủ trì hướng dẫn việc gì cho ai?", catalog)
    assert assigned_body(a, hit, text) is None
    a = analyze("Ai phối hợp hướng dẫn các chi đoàn tổ chức sinh hoạt chuyên đề?", catalog)
    assert assigned_body(a, hit, text) is None


def test_words_shared_with_the_subject_of_several_figures_are_no_condition():
    # A province's clean-water targets: the question's words name the general figure, and the second one
    # shares them with a narrower subject ("… trong vùng đồng bào dân tộc thiểu số").
    from hoidap.service.extract import asked_measure, unit_kind

    text = (
        "(1) Tỷ lệ hộ dân nông thôn sử dụng nước sạch đạt 95% tổng số hộ; (2) Tỷ lệ hộ dân nông thôn sử "
        "dụng nước sạch trong vùng đồng bào dân tộc thiểu số đạt 80%."
    )
    q = "Tỷ lệ hộ dân nông thôn sử dụng nước sạch của tỉnh đến năm 2030 là bao nhiêu?"
    folded = fold(q).lower()
    found = figure_phrase(
        text, ["hộ dân nông thôn", "nước sạch"], unit_kind(q), (), asked_measure(folded), folded
    )
    assert found is not None and found[0].startswith("95%")


def test_a_range_and_a_single_figure_are_in_one_unit():
    # A city's urbanisation targets: "khoảng 45 - 50%" and "trên 35%" are both shares, and the question's
    # words sit before both; the first, whose subject the question names whole, answers.
    text = (
        "Tỷ lệ đô thị hóa khoảng 45 - 50%; tỷ lệ đô thị hóa khu vực phía Bắc đạt trên 35%, trong đó nội "
        "thị trên 20%."
    )
    q = "Tỷ lệ đô thị hóa năm 2030 theo nghị quyết về phát triển đô thị?"
    folded = fold(q).lower()
    assert figure_phrase(text, ["Tỷ lệ đô thị hóa"], None, (), None, folded)[0] == "khoảng 45 - 50%"


def test_a_schedule_line_opening_with_a_day_states_that_day() -> None:
    # A district Youth Union's summer schedule: "• 05/6: Ra quân …" is when it happens; a ratio is no day.
    assert deadline_phrase("• 05/6: Ra quân chiến dịch Thanh niên tình nguyện hè.") == "05/6"
    assert deadline_phrase("Tuần 1:\n- 12/6: Tập huấn đội hình tình nguyện.") == "12/6"
    assert deadline_phrase("Tổ chức giao lưu vào ngày 20/7 tại nhà văn hóa xã.") == "vào ngày 20/7"
    assert deadline_phrase("Đạt tỷ lệ 1/2: đủ điều kiện công nhận.") is None


def test_a_time_of_day_before_a_date_is_part_of_when() -> None:
    # A commune Front's notice of a meeting: the hour belongs to the time asked ("lúc nào", "mấy giờ").
    assert (
        deadline_phrase("Hội nghị hiệp thương lần thứ nhất: 7h30, ngày 05/01/2026.")
        == "7h30, ngày 05/01/2026"
    )
    assert deadline_phrase("- Thời gian: 8 giờ 00 đến 11 giờ ngày 20 tháng 3 năm 2026.") == (
        "8 giờ 00 đến 11 giờ ngày 20 tháng 3 năm 2026"
    )
