"""Question understanding over the real parsed corpus: intents, references, agencies, gaps."""

from __future__ import annotations

import time

import pytest

from hoidap.corpus.normalize import strip_diacritics
from hoidap.corpus.parse import info_from_text, parse_document
from hoidap.service.understanding import (
    Catalog,
    QueryAnalysis,
    analyze,
    gap_for,
    missing_task_ids,
    resolve_task_ids,
)

KH214 = "qng-kh-214-2024"
CTR31 = "qng-ctr-31-2023"
CTR37 = "qng-kh-ctr37"
QNAM = "qnam-ctr-nq29"
HN3 = "qng-nq-hn3-khoa20"
SKHDT = "Sở Kế hoạch và Đầu tư"


@pytest.fixture(scope="module")
def catalog(parsed) -> Catalog:
    return Catalog.from_documents(list(parsed.values()))


@pytest.fixture(scope="module")
def ask(catalog):
    def run(question: str) -> QueryAnalysis:
        return analyze(question, catalog)

    return run


# --- intents: accented, diacritics-free and colloquial phrasings ---------------------------

INTENT_CASES: dict[str, list[str]] = {
    "lead": [
        "Ai chủ trì nhiệm vụ 5.4?",
        "ai lo vụ 5.4",
        "Đơn vị nào thực hiện nhiệm vụ 4.3?",
        "nhiệm vụ 4.3 giao cho ai",
        "Nhiệm vụ 7 kế hoạch 214 ai phụ trách",
        "đầu mối thực hiện nhiệm vụ 9.5 là ai",
        "Tổ chức nào lo hỗ trợ nhà ở cho người lao động?",
    ],
    "coordinating": [
        "Nhiệm vụ 5.4 phối hợp với những đơn vị nào?",
        "ai phối hợp nhiệm vụ 3.6",
        "Nhiệm vụ 5.4 cùng với ai thực hiện",
        "đơn vị phối hợp nhiệm vụ II.3.a",
    ],
    "deadline": [
        "hạn chót nhiệm vụ II.1.a là khi nào",
        "Thời gian thực hiện nhiệm vụ II.5.b",
        "nhiệm vụ II.6.b bao giờ xong",
        "Nhiệm vụ II.7.d phải hoàn thành năm nào?",
        "điểm b mục 2 của kế hoạch 37-CTr/TU thời hạn khi nào",
    ],
    "figure": [
        "Mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?",
        "Tỷ lệ đô thị hóa đến năm 2030?",
        "GRDP bình quân đầu người năm 2030 đạt bao nhiêu USD",
        "năng suất lao động tăng trưởng bình quân mấy %/năm",
    ],
    "document": [
        "Kế hoạch 214 do ai ký?",
        "Kế hoạch triển khai chương trình 37 có số hiệu là gì",
        "Chương trình 31-CTr/TU ban hành ngày nào",
        "cơ quan nào ban hành kế hoạch 37",
        "Kế hoạch 214 thực hiện nghị quyết nào",
    ],
    "listing": [
        "Sở KH&ĐT phối hợp những nhiệm vụ nào?",
        "sở tài chính chủ trì những việc gì",
        "Liệt kê các nhiệm vụ của Sở Xây dựng",
        "các nhiệm vụ đến hạn năm 2025",
        "Sở TT&TT chủ trì bao nhiêu nhiệm vụ",
    ],
    "lookup": [
        "Chính sách thu hút đầu tư vào khu công nghiệp",
        "Nội dung nhiệm vụ 6.1 là gì",
        "phát triển điện gió ở Quảng Ngãi",
    ],
}


@pytest.mark.parametrize(("intent", "question"), [(i, q) for i, qs in INTENT_CASES.items() for q in qs])
def test_intent_accented_and_plain(ask, intent, question):
    assert ask(question).intent == intent, question
    plain = strip_diacritics(question)
    assert ask(plain).intent == intent, plain


@pytest.mark.parametrize(
    "question",
    [
        "Sở Tài chính báo cáo kết quả cho cơ quan nào?",
        "Ban Chỉ đạo gửi báo cáo sơ kết cho ai",
        "UBND các huyện cung cấp số liệu cho đơn vị nào?",
    ],
)
def test_a_body_after_an_ordinary_verb_is_not_a_lead(ask, question):
    """The wh-word after "báo cáo … cho", "gửi … cho": the body that receives the action, read after the same
    words in a clause (an object frame), not the lead of the task whose subject the question names."""
    a = ask(question)
    assert a.intent != "lead" and a.frame is not None and a.frame.side == "object", question
    assert ask(strip_diacritics(question)).intent != "lead"


def test_an_assignment_verb_before_the_wh_word_still_asks_the_lead(ask):
    assert ask("nhiệm vụ 4.3 giao cho ai").intent == "lead"
    # "… thuộc trách nhiệm (của) sở nào": whose duty it is, not who receives it (a city's tourism plan).
    assert ask("Việc chỉnh trang công trình phục vụ du lịch thuộc trách nhiệm sở nào?").intent == "lead"
    assert ask("cong tac luu tru ho so la trach nhiem cua don vi nao").intent == "lead"
    assert ask("Nhiệm vụ 5.4 phối hợp với những đơn vị nào?").intent == "coordinating"


def test_diacritics_free_reads_the_same(ask):
    for qs in INTENT_CASES.values():
        for q in qs:
            a, b = ask(q), ask(strip_diacritics(q))
            for name in ("intent", "document_fact", "doc_ids", "agencies", "province", "years", "roles"):
                assert getattr(a, name) == getattr(b, name), (q, name)
            assert [t.replace("đ", "d") for t in a.task_ids] == b.task_ids, q


@pytest.mark.parametrize(
    ("question", "fact"),
    [
        ("Kế hoạch 214 do ai ký?", "signer"),
        ("ai ky ke hoach 214", "signer"),
        ("người ký chương trình hành động 31 là ai", "signer"),
        ("Kế hoạch 214 số mấy", "number"),
        ("số hiệu của kế hoạch triển khai CTr 37", "number"),
        ("ke hoach 214 ky ngay nao", "date"),
        ("Kế hoạch 214 ban hành ngày nào", "date"),
        ("Kế hoạch 214 của cơ quan nào", "issuer"),
        ("ai ban hành nghị quyết khóa XX", "issuer"),
        ("kế hoạch 214 căn cứ vào văn bản nào", "basis"),
        ("Chương trình 31 thực hiện nghị quyết nào", "basis"),
        ("quyet dinh 12 can cu ke hoach so may cua ban thuong vu", "basis"),  # the cited one's number
        ("Kế hoạch 214 thay thế kế hoạch nào?", "replaces"),
        ("nghi quyet khoa XX bai bo nhung van ban nao", "replaces"),
        ("Kế hoạch 214 làm hết hiệu lực những quyết định nào", "replaces"),
        ("thong tu huong dan thay the thong tu so may", "replaces"),  # the number asked is the replaced one
        ("Nghị định 77/2031/NĐ-CP sửa đổi nghị định nào?", "amends"),
        ("nghi dinh 77/2031 sua doi bo sung nghi dinh so may", "amends"),
    ],
)
def test_document_facts(ask, question, fact):
    a = ask(question)
    assert (a.intent, a.document_fact) == ("document", fact)


def test_document_fact_only_for_document_intent(ask):
    assert ask("Ai chủ trì nhiệm vụ 5.4?").document_fact is None
    # "hợp đồng được ký kết" is no signature question.
    assert ask("bao nhiêu hợp đồng được ký kết đến năm 2025").intent == "figure"
    # A role word inside the measure's name ("tham gia xuất khẩu") does not make it a who-question.
    assert ask("Giá trị hàng hóa tham gia xuất khẩu năm 2027 là bao nhiêu?").intent == "figure"
    assert ask("Cơ quan nào tham gia thẩm định, bao nhiêu ngày?").intent == "coordinating"
    # "AI" in capitals is artificial intelligence, not "ai" (who).
    assert ask("Nhiệm vụ đưa AI vào dịch vụ công có cơ quan nào phối hợp?").intent == "coordinating"
    assert ask("ứng dụng AI trong y tế do ai chủ trì").intent == "lead"
    # "<kind of body> nào" asks who (kinds are data); "nhiệm vụ hỗ trợ" is a task, not a helper.
    assert ask("viện nào soạn thảo đề án về kinh tế tuần hoàn").intent == "lead"
    assert ask("to dang nao ra soat luat dau tu cong").intent == "lead"
    assert ask("Lập quy hoạch cảng cần những sở, ban nào phối hợp?").intent == "coordinating"
    assert ask("Nhiệm vụ hỗ trợ doanh nghiệp xuất khẩu do ai chủ trì?").intent == "lead"
    # Who holds a post is asked in words, not as the agency leading a task.
    assert ask("Ai là Trưởng ban chỉ đạo chuyển đổi số của tỉnh?").intent == "lookup"
    # The target is the subject, its year is asked.
    assert ask("Tỉnh đặt mục tiêu trở thành trung tâm logistics của vùng vào năm nào?").intent == "deadline"
    assert ask("Mục tiêu tỷ lệ che phủ rừng năm 2030 là bao nhiêu?").intent == "figure"
    # Which places must cut 15%: the figure is a condition, the places are asked.
    assert ask("Những huyện nào phải giảm 15% tỷ lệ hộ nghèo vào năm 2027?").intent == "lookup"
    assert ask("Các huyện phải giảm tỷ lệ hộ nghèo bao nhiêu % vào năm 2027?").intent == "figure"


def test_roles(ask):
    assert ask("Sở KH&ĐT phối hợp những nhiệm vụ nào?").roles == ["coordinating"]
    assert ask("sở tài chính chủ trì những việc gì").roles == ["lead"]
    assert ask("Liệt kê các nhiệm vụ của Sở Xây dựng").roles == []
    assert ask("Ai chủ trì nhiệm vụ 5.4?").roles == ["lead"]
    assert ask("ai phối hợp nhiệm vụ 3.6").roles == ["coordinating"]


def test_listing_needs_no_task_id(ask):
    assert ask("nhiệm vụ 5.4 gồm những gì").intent == "lookup"
    a = ask("các nhiệm vụ đến hạn năm 2025")
    assert (a.intent, a.years) == ("listing", [2025])


# --- task ids -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "ids"),
    [
        ("Ai chủ trì nhiệm vụ 5.4?", ["5.4"]),
        ("5.4 do ai làm", ["5.4"]),
        ("nhiệm vụ 3.6 phối hợp với ai", ["3.6"]),
        ("nv 3.6", ["3.6"]),
        ("mục 5.4 kế hoạch 214", ["5.4"]),
        ("nhiệm vụ 7 kế hoạch 214 ai phụ trách", ["7"]),
        ("stt 7", ["7"]),
        ("nhiệm vụ 7 và 8 kế hoạch 214", ["7", "8"]),
        ("nhiệm vụ 3.1 và 3.3 của KH 214", ["3.1", "3.3"]),
        ("điểm b mục 2 của kế hoạch 37-CTr/TU thời hạn khi nào", ["2.b"]),
        ("mục 2 điểm b kế hoạch 37", ["2.b"]),
        ("điểm đ khoản 2 mục II do ai chủ trì", ["II.2.đ"]),
        ("điểm a, khoản 1, mục II kế hoạch 37", ["II.1.a"]),
        ("hạn chót nhiệm vụ II.1.a là khi nào", ["II.1.a"]),
        ("nhiệm vụ ii.2.b(2) ai chủ trì", ["II.2.b(2)"]),
        ("nhiem vu III.2-3 chuong trinh 31 thoi han", ["III.2-3"]),
        ("mục 2 phần III chương trình 31", ["III.2"]),
        ("khoản 2 mục II kế hoạch 37 gồm gì", ["II.2"]),
        ("Phần IV chương trình 31 ai chủ trì", ["IV"]),
    ],
)
def test_task_ids(ask, question, ids):
    assert ask(question).task_ids == ids


@pytest.mark.parametrize(
    "question",
    [
        "tốc độ tăng trưởng GRDP đạt 7,25% mỗi năm",
        "GRDP bình quân đầu người đạt 7.700 USD vào năm nào",
        "sản lượng 8,5 triệu tấn",
        "sản lượng 8.5 triệu tấn",
        "thời kỳ 2021-2030 tăng trưởng ra sao",
        "hạn 15/11 là gì",
        "kế hoạch ban hành ngày 06/11/2024",
        "Kế hoạch 214/KH-UBND",
        "Nghị quyết 29-NQ/TW",
        "đến năm 2030",
        "Nghị quyết Hội nghị lần thứ 3",
        "mạng 5G và Covid-19",
        "tỷ lệ bao phủ bảo hiểm y tế trong nhiệm vụ 6 tháng cuối năm 2017",  # a number counting a time
        "nhiem vu nam 2026 cua so tai chinh",
    ],
)
def test_figures_are_not_task_ids(ask, question):
    assert ask(question).task_ids == []


def test_point_b_section_2_resolves_both_rows(ask, catalog):
    a = ask("điểm b mục 2 của kế hoạch 37-CTr/TU thời hạn khi nào")
    assert a.doc_ids == [CTR37]
    assert resolve_task_ids(a, catalog, CTR37) == ["II.2.b", "II.2.b(2)"]
    assert resolve_task_ids(ask("nhiệm vụ II.2.b kế hoạch 37"), catalog, CTR37) == ["II.2.b", "II.2.b(2)"]


def test_letter_d_and_đ(ask, catalog):
    accented = ask("điểm đ khoản 2 mục II kế hoạch 37")
    assert resolve_task_ids(accented, catalog, CTR37) == ["II.2.đ-1", "II.2.đ-2"]
    assert resolve_task_ids(ask("điểm d khoản 2 mục II kế hoạch 37"), catalog, CTR37) == [
        "II.2.d-1",
        "II.2.d-2",
        "II.2.d-3",
    ]
    # Typed without diacritics, "d" may be "đ": both are candidates.
    plain = resolve_task_ids(ask("diem d khoan 2 muc II ke hoach 37"), catalog, CTR37)
    assert set(plain) == {"II.2.d-1", "II.2.d-2", "II.2.d-3", "II.2.đ-1", "II.2.đ-2"}
    assert ask("diem dd muc 2").task_ids == ["2.đ"]


def test_resolution_exact_children_and_positional(ask, catalog):
    assert resolve_task_ids(ask("nhiệm vụ 5.4"), catalog, KH214) == ["5.4"]
    assert resolve_task_ids(ask("nhiệm vụ 7"), catalog, KH214) == ["7"]
    assert resolve_task_ids(ask("mục 5 kế hoạch 214"), catalog, KH214) == [f"5.{i}" for i in range(1, 7)]
    assert resolve_task_ids(ask("nhiệm vụ III.2-3"), catalog, CTR31) == ["III.2-3"]
    assert resolve_task_ids(ask("hạn chót nhiệm vụ II.1.a"), catalog, CTR37) == ["II.1.a"]
    assert resolve_task_ids(ask("nhiệm vụ 5.4"), catalog, CTR37) == []


# --- documents ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "doc_ids"),
    [
        ("Kế hoạch 214 do ai ký?", [KH214]),
        ("214/KH-UBND ban hành ngày nào", [KH214]),
        ("ke hoach 214 ai ky", [KH214]),
        ("KH 214 có bao nhiêu nhiệm vụ", [KH214]),
        ("kế hoạch số 214", [KH214]),
        ("kh214 ai ky", [KH214]),
        ("37-CTr/TU", [CTR37]),
        ("chương trình 37 do ai ký", [CTR37]),
        ("kế hoạch 37 có số hiệu không", [CTR37]),
        ("31-CTr/TU ban hành ngày nào", [CTR31]),
        ("chương trình hành động 31 ai ký", [CTR31]),
        ("Nghị quyết Hội nghị lần thứ 3 đặt mục tiêu gì", [HN3]),
        ("nghị quyết khóa XX về huy động nguồn lực", [HN3]),
        ("Chương trình của Quảng Nam đặt chỉ tiêu gì", [QNAM]),
        ("Nghị quyết 23 về công nghiệp", [CTR37]),
    ],
)
def test_document_references(ask, question, doc_ids):
    a = ask(question)
    assert a.doc_ids == doc_ids
    assert a.unknown_doc_refs == []


def test_resolution_29_is_not_pinned(ask):
    for q in ("Nghị quyết 29 đặt mục tiêu gì", "nghi quyet 29-NQ/TW tam nhin 2045", "NQ 29"):
        a = ask(q)
        assert a.doc_ids == [] and a.implements_refs == ["29-NQ/TW"], q
    a = ask("Kế hoạch 37-CTr/TU")
    assert a.implements_refs == ["37-CTr/TU"] and a.doc_ids == [CTR37]


@pytest.mark.parametrize(
    ("question", "unknown"),
    [
        ("Kế hoạch 999/KH-UBND do ai ký?", ["Kế hoạch 999/KH-UBND"]),
        ("Ai chủ trì nhiệm vụ 1.1 trong Kế hoạch 999?", ["Kế hoạch 999"]),
        ("Quyết định 123/QĐ-UBND quy định gì", ["Quyết định 123/QĐ-UBND"]),
        ("Ai chủ trì nhiệm vụ trong Quyết định 1881/QĐ-TTg", ["Quyết định 1881/QĐ-TTg"]),
        ("Quyết định 1881/QĐ-TTg do ai ký", ["Quyết định 1881/QĐ-TTg"]),
    ],
)
def test_unknown_document_references(ask, question, unknown):
    a = ask(question)
    assert a.unknown_doc_refs == unknown
    assert a.doc_ids == []


def test_a_cited_documents_date_is_asked_of_the_documents_citing_it(ask):
    # The corpus prints "Quyết định số 1881/QĐ-TTg ngày 20/11/2020" where it cites it; its signer it does not.
    a = ask("Quyết định 1881/QĐ-TTg ban hành ngày nào")
    assert a.intent == "document" and a.document_fact == "date"
    assert a.unknown_doc_refs == [] and a.cited_refs == ["Quyết định 1881/QĐ-TTg"]


def test_cited_documents_are_legitimate_subjects(ask):
    for q in (
        "Quyết định số 1881/QĐ-TTg nói về gì",
        "Quyết định 858/QĐ-TTg về cơ giới hóa nông nghiệp do ai chủ trì thực hiện",
    ):
        a = ask(q)
        assert a.unknown_doc_refs == [] and len(a.cited_refs) == 1, q


def test_years_are_not_documents(ask):
    a = ask("Kế hoạch 2025 có gì mới")
    assert a.unknown_doc_refs == [] and a.years == [2025]


# --- agencies and province -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "agency"),
    [
        ("Sở KH&ĐT phối hợp những nhiệm vụ nào?", SKHDT),
        ("SKHĐT chủ trì gì", SKHDT),
        ("sở kế hoạch đầu tư chủ trì nhiệm vụ nào", SKHDT),
        ("Sở KH & ĐT", SKHDT),
        ("Sở TT&TT chủ trì bao nhiêu nhiệm vụ", "Sở Thông tin và Truyền thông"),
        ("Sở TTTT", "Sở Thông tin và Truyền thông"),
        ("Sở LĐ-TB&XH chủ trì nhiệm vụ nào", "Sở Lao động - Thương binh và Xã hội"),
        ("so LDTBXH", "Sở Lao động - Thương binh và Xã hội"),
        ("Sở NN&PTNT chủ trì gì", "Sở Nông nghiệp và Phát triển nông thôn"),
        ("SNN phối hợp gì", "Sở Nông nghiệp và Phát triển nông thôn"),
        ("Sở TN&MT phối hợp nhiệm vụ nào", "Sở Tài nguyên và Môi trường"),
        ("Sở TNMT", "Sở Tài nguyên và Môi trường"),
        ("Sở KH&CN chủ trì bao nhiêu nhiệm vụ", "Sở Khoa học và Công nghệ"),
        ("Sở KHCN", "Sở Khoa học và Công nghệ"),
        ("Sở GD&ĐT phụ trách gì", "Sở Giáo dục và Đào tạo"),
        ("Sở GDĐT", "Sở Giáo dục và Đào tạo"),
        ("Sở VHTTDL chủ trì nhiệm vụ nào", "Sở Văn hóa, Thể thao và Du lịch"),
        ("Sở GTVT chủ trì gì", "Sở Giao thông vận tải"),
        ("BQL KKT Dung Quất chủ trì những nhiệm vụ nào", "Ban Quản lý KKT Dung Quất và các KCN Quảng Ngãi"),
        ("ban quan ly khu kinh te dung quat", "Ban Quản lý KKT Dung Quất và các KCN Quảng Ngãi"),
        ("UBND tỉnh chỉ đạo gì", "UBND tỉnh"),
        ("Sở Tài chính chủ trì gì", "Sở Tài chính"),
        ("so tai chinh phoi hop gi", "Sở Tài chính"),
        ("Sở Công Thương chủ trì gì", "Sở Công Thương"),
        ("so cong thuong chu tri nhung nhiem vu nao", "Sở Công Thương"),
        ("Công an tỉnh", "Công An tỉnh"),  # the canonical name is the documents' own spelling
        ("UBND các huyện phối hợp gì", "UBND các huyện, thị xã, thành phố"),
    ],
)
def test_agencies(ask, question, agency):
    assert ask(question).agencies == [agency]


def test_no_agency_without_so(ask):
    assert ask("Chính sách tài chính tín dụng thế nào").agencies == []
    assert ask("số kế hoạch đã ban hành").agencies == []
    # "SKHĐT" inside a document number is no agency.
    assert ask("Công văn số 2057/SKHĐT-KTN").agencies == []


def test_agency_without_tasks_is_still_named(ask):
    a = ask("Sở Y tế chủ trì những nhiệm vụ nào")
    assert (a.intent, a.agencies) == ("listing", ["Sở Y tế"])


def test_canonical_agency_of_task_spellings(catalog):
    assert catalog.canonical_agency("Sở Tài Chính") == "Sở Tài chính"
    assert catalog.canonical_agency("Ban quản lý KKT Dung Quất và các KCN Quảng Ngãi") == (
        "Ban Quản lý KKT Dung Quất và các KCN Quảng Ngãi"
    )
    assert (
        catalog.canonical_agency("UBND các huyện, thành phố liên quan") == "UBND các huyện, thị xã, thành phố"
    )
    assert catalog.canonical_agency("Ngân hàng Nhà nước Việt Nam chi nhánh Quảng Ngãi") == (
        "Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Quảng Ngãi"
    )


def test_province(ask):
    assert ask("phát triển điện gió ở Quảng Ngãi").province == "Quảng Ngãi"
    assert ask("quang nam dat chi tieu gi").province == "Quảng Nam"
    assert ask("chỉ tiêu tăng trưởng công nghiệp của tỉnh Quảng Nam").province == "Quảng Nam"
    assert ask("Ai chủ trì nhiệm vụ 5.4?").province is None
    # Inside an agency name the province is no question scope.
    assert ask("BQL KKT Dung Quất và các KCN Quảng Ngãi chủ trì gì").province is None
    both = ask("Quảng Ngãi và Quảng Nam khác nhau thế nào về chỉ tiêu GRDP")
    assert both.province is None and both.provinces == ["Quảng Ngãi", "Quảng Nam"]


# --- years, figure terms, keywords -----------------------------------------------------------


def test_years(ask):
    assert ask("nhiệm vụ đến hạn năm 2025").years == [2025]
    assert ask("tốc độ tăng trưởng thời kỳ 2021-2030").years == [2021, 2030]
    assert ask("muc tieu den nam 2030").years == [2030]
    assert ask("Kế hoạch 214/KH-UBND").years == []


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("Mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?", ["tăng trưởng GRDP"]),
        ("GRDP bình quân đầu người năm 2030 đạt bao nhiêu USD", ["GRDP bình quân đầu người"]),
        ("Tỷ lệ đô thị hóa đến năm 2030 là bao nhiêu", ["Tỷ lệ đô thị hóa"]),
        ("năng suất lao động tăng trưởng bình quân mấy %/năm", ["năng suất lao động tăng trưởng bình quân"]),
        ("Quảng Nam đặt chỉ tiêu tỷ lệ lao động qua đào tạo bao nhiêu", ["tỷ lệ lao động qua đào tạo"]),
        ("toc do tang truong GRDP binh quan la bao nhieu", ["toc do tang truong GRDP binh quan"]),
        ("ty le do thi hoa dat bao nhieu", ["ty le do thi hoa"]),
    ],
)
def test_figure_terms(ask, question, terms):
    a = ask(question)
    assert a.intent == "figure"
    assert a.figure_terms == terms


@pytest.mark.parametrize(
    "question",
    ["Thí điểm ứng dụng 5G cho tối thiểu mấy dự án?", "thi diem ung dung 5G cho toi thieu may du an"],
)
def test_how_many_asked_with_may_is_a_figure(ask, question):
    assert ask(question).intent == "figure"


def test_nha_may_typed_without_marks_asks_no_figure(ask):
    # "máy" in "nhà máy" folds to "may": no count is asked.
    assert ask("nha may loc dau dung quat do ai quan ly").intent != "figure"


def test_keywords(ask):
    assert ask("Ai chủ trì nhiệm vụ 5.4?").keywords == "5.4"
    assert ask("Sở KH&ĐT phối hợp những nhiệm vụ nào?").keywords == SKHDT
    assert ask("điểm đ khoản 2 mục II do ai chủ trì").keywords == "II.2.đ"
    assert ask("Chính sách thu hút đầu tư vào khu công nghiệp").keywords == (
        "Chính sách thu hút đầu tư khu công nghiệp"
    )
    assert ask("Quyết định số 1881/QĐ-TTg nói về gì").keywords.startswith("Quyết định số 1881/QĐ-TTg")


def test_analysis_fields(ask):
    a = ask("  Ai   chủ trì nhiệm vụ 5.4? ")
    assert a.question == "  Ai   chủ trì nhiệm vụ 5.4? "
    assert a.normalized == "Ai chủ trì nhiệm vụ 5.4?"
    assert a.folded == "ai chu tri nhiem vu 5.4?"
    assert a.to_dict()["task_ids"] == ["5.4"]


# --- gaps and missing ids -------------------------------------------------------------------


def test_gap_detection(ask, catalog):
    for tid in ("2.3", "3.1"):
        hits = gap_for(ask(f"Ai chủ trì nhiệm vụ {tid} kế hoạch 214?"), catalog)
        assert [(d, t) for d, t, _ in hits] == [(KH214, tid)]
        assert (hits[0][2].after, hits[0][2].before) == ("2.1", "3.3")
    assert gap_for(ask("Ai chủ trì nhiệm vụ 3.3 kế hoạch 214?"), catalog) == []
    # No document named: every document is searched.
    assert [(d, t) for d, t, _ in gap_for(ask("nhiệm vụ 3.2 do ai chủ trì"), catalog)] == [(KH214, "3.2")]


def test_missing_task_ids(ask, catalog):
    assert missing_task_ids(ask("nhiệm vụ 1.3 kế hoạch 214"), catalog) == ["1.3"]
    assert missing_task_ids(ask("nhiệm vụ 5.4 kế hoạch 214"), catalog) == []
    assert missing_task_ids(ask("nhiệm vụ 5.4"), catalog, [CTR37]) == ["5.4"]
    assert missing_task_ids(ask("nhiệm vụ 5.4 và 12.9"), catalog) == ["12.9"]


# --- speed ----------------------------------------------------------------------------------


def test_speed(ask):
    questions = [q for qs in INTENT_CASES.values() for q in qs]
    start = time.perf_counter()
    for i in range(1000):
        ask(questions[i % len(questions)])
    elapsed = time.perf_counter() - start
    print(f"1000 analyses: {elapsed:.3f} s")
    assert elapsed < 20  # loose: the budget is 5 s; this only catches pathological regressions


def test_a_number_followed_by_a_period_word_is_no_document_reference():
    from hoidap.service.catalog import find_doc_refs

    assert find_doc_refs("cac so gui bao cao 6 thang ve so cong thuong") == []
    assert find_doc_refs("ke hoach 5 nam cua tinh") == []
    assert [r.number for r, _ in find_doc_refs("bao cao 6 ve ket qua")] == ["6"]


def test_a_document_and_what_day_asks_for_its_date_not_a_deadline():
    from hoidap.service.intent_rules import document_fact as _document_fact

    assert _document_fact("chuong trinh hanh dong 31 ctr tu ngay nao", True, False) == "date"
    assert _document_fact("han nop bao cao ke hoach 214 ngay nao", True, False) is None
    assert _document_fact("cuoc hop dien ra ngay nao", False, False) is None  # no document named


def test_a_number_of_something_in_the_document_is_not_its_own_number():
    from hoidap.service.intent_rules import document_fact as _document_fact

    # A commune's election plan: the polling unit's number, not the plan's.
    assert _document_fact("ke hoach 08 khu vuc bo phieu so may dat tai nha van hoa thon", True, False) is None
    assert _document_fact("hoi nghi ke hoach 08 to chuc o phong so may", True, False) is None
    assert _document_fact("ke hoach bau cu xa tan lap so may", True, False) == "number"


@pytest.mark.parametrize(
    "question",
    [
        "Kế hoạch 214 thực hiện trong giai đoạn nào?",
        "ke hoach 214 ap dung den nam nao",
        "Kế hoạch 214 thời kỳ nào?",
    ],
)
def test_a_documents_own_period_is_a_document_fact(ask, question):
    a = ask(question)
    assert (a.intent, a.document_fact) == ("document", "period")


@pytest.mark.parametrize(
    "question",
    ["Mục tiêu tăng trưởng GRDP của Kế hoạch 214 đến năm nào?", "Kế hoạch 214 ban hành năm nào?"],
)
def test_a_target_or_issue_year_is_not_the_documents_period(ask, question):
    assert ask(question).document_fact != "period"


def test_a_reference_with_a_year_names_that_year_only() -> None:
    """Numbers restart every year ("Nghị quyết 01/2019/NQ-HĐTP", "01/2020/NQ-HĐTP", "Kế hoạch 01/KH-UBND" of
    each year): a reference giving the year matches a document of that year, one without it any."""
    from hoidap.service.catalog import find_doc_refs

    ((ref_2020, _),) = find_doc_refs("nghi quyet 01/2020/nq-hdtp co hieu luc tu ngay nao")
    ((own_2019, _),) = find_doc_refs("01/2019/nq-hdtp")
    ((bare, _),) = find_doc_refs("nghi quyet 01/nq-hdtp")
    assert ref_2020.year == "2020" and own_2019.year == "2019"
    assert not own_2019.matches(ref_2020)
    assert own_2019.matches(bare) and bare.matches(ref_2020)


def test_whose_conclusion_a_notice_conveys_is_not_who_issued_it(ask):
    """A notice conveying an official's conclusions, signed by another: 'là kết luận của ai' asks
    whose conclusion; 'của cơ quan nào' after the document's name still asks its issuer."""
    assert ask("Thông báo 214 là kết luận của ai?").document_fact != "issuer"
    assert ask("Kế hoạch 214 của cơ quan nào?").document_fact == "issuer"


def test_who_issues_a_thing_that_is_no_document_is_a_task(ask):
    """'Cơ quan nào ban hành danh mục …' asks who is to issue something (a task); with a document named or
    a kind of document, it asks the document's issuer."""
    assert ask("Cơ quan nào ban hành danh mục tiêu chuẩn kỹ thuật về dữ liệu?").intent != "document"
    assert ask("Cơ quan nào ban hành Kế hoạch 214?").document_fact == "issuer"
    assert ask("Nghị định về tiền lương do cơ quan nào ban hành?").document_fact == "issuer"


def test_when_a_document_takes_effect(ask):
    assert ask("Kế hoạch 214 có hiệu lực từ ngày nào?").document_fact == "effective"
    assert ask("thong tu 07/2025/TT-BNV co hieu luc thi hanh khi nao").document_fact == "effective"
    assert ask("Kế hoạch 214 ký ngày nào?").document_fact == "date"
    assert ask("Khi nào Nghị quyết 12/2025/NQ-HĐND có hiệu lực?").document_fact == "effective"
    # "có hiệu lực" dating a condition is not what is asked (a school's rule, not the law where seen).
    got = ask("Học sinh đã đăng ký trước khi Quy chế 15/QC-THPT có hiệu lực được học tiếp đến khi nào?")
    assert got.document_fact != "effective"


def test_a_law_number_without_a_kind_code_is_a_reference():
    from hoidap.service.catalog import find_doc_refs

    ((ref, _),) = find_doc_refs("luat so 26/2023/qh15 co hieu luc")
    assert (ref.kind, ref.number, ref.year, ref.issuer) == ("luat", "26", "2023", "qh")
    ((ref, _),) = find_doc_refs("phap lenh 02/2022/ubtvqh15")
    assert ref.number == "2" and ref.issuer == "ubtvqh"
    assert find_doc_refs("tang 15/2023 so voi") == []  # a number and a year, no code: no document


def test_a_document_without_a_letterhead_belongs_to_the_province_its_opening_names():
    """A People's Council resolution copied without its letterhead names its council under the title."""
    text = (
        "NGHỊ QUYẾT\nVề nhiệm vụ phát triển kinh tế - xã hội 6 tháng cuối năm 2017\n"
        "HỘI ĐỒNG NHÂN DÂN TỈNH HẬU GIANG\nKHÓA IX KỲ HỌP THỨ SÁU\n"
        "Căn cứ Nghị quyết số 12/NQ-HĐND của Hội đồng nhân dân tỉnh Sóc Trăng;\n"
        "QUYẾT NGHỊ:\nĐiều 1. Tỷ lệ bao phủ bảo hiểm y tế đạt 78%.\n"
    )
    doc = parse_document(info_from_text("nq-01-2017-hdnd.txt", text), text)
    assert Catalog.from_documents([doc]).docs_by_province == {"Hậu Giang": ("nq-01-2017-hdnd",)}


def test_the_words_naming_the_document_do_not_decide_what_is_asked():
    """A letter titled "… cải thiện các chỉ số cải cách hành chính": "chỉ số" there names the letter, and
    "đơn vị nào được giao" asks who leads."""
    text = (
        "ỦY BAN NHÂN DÂN TỈNH AN PHÚ\nSố: 88/UBND-NC\nV/v cải thiện các chỉ số cải cách hành chính năm 2025\n"
        "1. Sở Tư pháp\na) Hướng dẫn các xã thực hiện chứng thực điện tử trong tháng 12/2025.\n"
    )
    doc = parse_document(info_from_text("cv-88-ubnd-an-phu.txt", text), text)
    catalog = Catalog.from_documents([doc])
    q = "Theo công văn về cải thiện các chỉ số cải cách hành chính năm 2025, đơn vị nào được giao hướng dẫn "
    q += "các xã?"
    assert analyze(q, catalog).intent == "lead"


def test_a_short_title_that_is_only_a_type_names_no_document() -> None:
    # A notice, a report and a submission whose number and title were not read keep their type as their
    # short title: a question saying "thông báo" names none of them; a title with words of its own does.
    from hoidap.service.catalog import _distinctive

    for bare in ("Thông báo", "Báo cáo", "Tờ trình", "Hướng dẫn", "Thông báo kết luận", "Quyết định"):
        assert not _distinctive(bare), bare
    assert _distinctive("Kế hoạch 123")
    assert _distinctive("Thông báo tuyển dụng viên chức giáo dục")


def test_a_word_that_folds_like_a_roman_numeral_after_a_cue_is_no_task_number() -> None:
    # "Danh mục vị trí việc làm" (a job-position list of a commune) holds "mục vị"; "Mục VI" typed in
    # capitals, with or without diacritics, is a section.
    from hoidap.service.task_refs import find_task_ids
    from hoidap.service.views import aligned_views

    question = "Danh mục vị trí việc làm của công chức cấp xã được phê duyệt ở đâu?"
    assert find_task_ids(aligned_views(question), []) == []
    assert [t for t, _ in find_task_ids(aligned_views("Ai chủ trì Mục VI?"), [])] == ["VI"]
    assert [t for t, _ in find_task_ids(aligned_views("ai chu tri muc VI"), [])] == ["VI"]


def test_a_document_named_by_its_number_is_not_part_of_the_predicate() -> None:
    # A circular that replaces another says "Thông tư này … thay thế Thông tư số …": the predicate asked is
    # "thay thế", which the whole frame must be to match it fully.
    a = analyze("Quyết định 15/2024/QĐ-UBND thay thế quyết định nào?", Catalog.from_documents([]))
    assert a.frame is not None and a.frame.words == ("thay", "the")
    # Without the number nothing is left to anchor: the frame keeps the document's words.
    a = analyze("Ai ký Quyết định 15/2024/QĐ-UBND?", Catalog.from_documents([]))
    assert a.frame is not None and a.frame.words[0] == "ky"


DECREE = """CHÍNH PHỦ
Số: 77/2031/NĐ-CP
Hà Nội, ngày 05 tháng 5 năm 2031

NGHỊ ĐỊNH
Quy định về quản lý bến thủy nội địa

Điều 1. Phạm vi điều chỉnh
Nghị định này quy định về quản lý bến thủy nội địa.
Điều 2. Hiệu lực thi hành
1. Nghị định này có hiệu lực thi hành từ ngày 01 tháng 7 năm 2031; thay thế Nghị định số 12/2020/NĐ-CP ngày
10 tháng 01 năm 2020 của Chính phủ về bến thủy và Nghị định số 30/2024/NĐ-CP ngày 15 tháng 3 năm 2024 của
Chính phủ sửa đổi Nghị định số 12/2020/NĐ-CP.
2. Kể từ ngày Nghị định này có hiệu lực thi hành, các Thông tư sau đây hết hiệu lực thi hành:
a) Thông tư số 05/2021/TT-BGTVT ngày 02 tháng 3 năm 2021;
b) Thông tư số 11/2022/TT-BGTVT ngày 20 tháng 6 năm 2022.
"""


def test_what_a_document_replaces_is_read_from_its_own_provisions() -> None:
    from hoidap.corpus.parse import info_from_text, parse_document
    from hoidap.service.answer import Answerer
    from hoidap.service.ranker import RankerModel
    from hoidap.service.strategies.fact_values import fact_value

    doc = parse_document(info_from_text("nd-77-2031.txt", DECREE), DECREE)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    value, cite, _ = fact_value(answerer, doc.doc_id, "replaces")
    # The documents it names where it says "thay thế", not one cited inside another's description.
    assert value == (
        "Nghị định số 12/2020/NĐ-CP ngày 10 tháng 01 năm 2020; "
        "Nghị định số 30/2024/NĐ-CP ngày 15 tháng 3 năm 2024"
    )
    assert cite is not None and "thay thế" in cite.quote
    a = analyze("Nghị định 77/2031/NĐ-CP thay thế nghị định nào?", answerer.catalog)
    assert (a.intent, a.document_fact) == ("document", "replaces")


AMENDING = """CHÍNH PHỦ
Số: 81/2032/NĐ-CP
Hà Nội, ngày 02 tháng 3 năm 2032

NGHỊ ĐỊNH
SỬA ĐỔI, BỔ SUNG MỘT SỐ ĐIỀU CỦA NGHỊ ĐỊNH
QUY ĐỊNH VỀ QUẢN LÝ BẾN THỦY NỘI ĐỊA

Căn cứ Luật Giao thông đường thủy nội địa số 23/2004/QH11 đã được sửa đổi, bổ sung một số điều theo
Luật số 48/2014/QH13;
Chính phủ ban hành Nghị định sửa đổi, bổ sung một số điều của Nghị định số 77/2031/NĐ-CP ngày 05 tháng 5 năm
2031 của Chính phủ quy định về quản lý bến thủy nội địa.

Điều 1. Sửa đổi, bổ sung một số điều của Nghị định số 77/2031/NĐ-CP
1. Sửa đổi khoản 2 Điều 5 như sau:
Điều 2. Hiệu lực thi hành
Nghị định này có hiệu lực thi hành từ ngày 01 tháng 5 năm 2032.
"""


def test_what_a_document_amends_is_read_from_its_enacting_line_and_articles() -> None:
    from hoidap.corpus.parse import info_from_text, parse_document
    from hoidap.service.answer import Answerer
    from hoidap.service.ranker import RankerModel
    from hoidap.service.strategies.fact_values import fact_value

    doc = parse_document(info_from_text("nd-81-2032.txt", AMENDING), AMENDING)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    value, cite, _ = fact_value(answerer, doc.info.doc_id, "amends")
    assert value is not None and "77/2031/NĐ-CP" in value, value
    assert "48/2014" not in value and "23/2004" not in value  # the basis's own amendment is not this one's
    assert value.count("77/2031") == 1, value  # named in the enacting line and Điều 1: once
    assert cite is not None


UNNUMBERED = """ỦY BAN NHÂN DÂN
HUYỆN TÂN AN
Số:        /KH-UBND
Tân An, ngày     tháng 4 năm 2031

KẾ HOẠCH
Tổ chức Ngày Sách và Văn hóa đọc năm 2031

1. Các xã, thị trấn tổ chức trưng bày sách tại nhà văn hóa.
"""


def test_a_number_left_blank_answers_with_the_symbol_the_document_prints() -> None:
    from hoidap.corpus.parse import info_from_text, parse_document
    from hoidap.service.answer import Answerer
    from hoidap.service.ranker import RankerModel
    from hoidap.service.strategies.fact_values import fact_value

    doc = parse_document(info_from_text("kh-tan-an.txt", UNNUMBERED), UNNUMBERED)
    assert doc.header.number is None  # not numbered: no number is made up
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    value, cite, source = fact_value(answerer, doc.info.doc_id, "number")
    assert value == "Số: /KH-UBND"
    assert cite is not None and "/KH-UBND" in cite.quote and "chưa điền số" in source


def test_the_day_a_document_is_dated_or_drawn_up(ask):
    """'đề ngày nào', 'được lập ngày nào' of a named document ask its date; a body's founding does not."""
    assert ask("Kế hoạch 214 đề ngày nào?").document_fact == "date"
    assert ask("Kế hoạch 214 được lập ngày nào?").document_fact == "date"
    assert ask("Ban chỉ đạo của Kế hoạch 214 được thành lập ngày nào?").document_fact != "date"


def test_the_role_verb_beside_the_wh_word_is_the_role_asked(ask):
    """A task described with a role word of its own ("tham gia bồi dưỡng", "tham gia hội thao"): the verb
    beside "ai" / "đơn vị nào" says what is asked; "phối hợp với cơ quan nào" still asks the partner."""
    assert ask("Nhiệm vụ tham gia bồi dưỡng nghiệp vụ cho dân quân do ai chủ trì?").intent == "lead"
    assert ask("Việc tham gia hội thao do đơn vị nào của Trung tâm thực hiện?").intent == "lead"
    assert ask("Sở Tư pháp phối hợp với cơ quan nào cấp phiếu lý lịch tư pháp?").intent == "coordinating"


def test_a_post_asked_by_its_holder_takes_a_persons_name(ask):
    """A ward Youth Union's decision lists its committee ("2. Đồng chí X, … - Phó Bí thư."): "Phó Bí thư
    Đoàn phường gồm những ai" and "… là ai" are answered by a name, as "ai là Phó Bí thư" is."""
    from hoidap.service.answer_types import fits

    for q in ("Phó Bí thư Đoàn phường Tân An gồm những ai?", "Phó Bí thư Đoàn phường Tân An là ai?"):
        assert fits("Đồng chí Lê Thị Hoa", ask(q).expected_kinds), q


@pytest.mark.parametrize(
    "question",
    [
        "Đơn vị nào tham mưu UBND tỉnh bố trí kinh phí thực hiện các nhiệm vụ của Đề án?",
        "Cơ quan nào hướng dẫn các địa phương thực hiện các nhiệm vụ của Chương trình?",
    ],
)
def test_a_who_word_asks_for_a_body_though_the_question_names_tasks(ask, question):
    """ "… các nhiệm vụ của Kế hoạch" names what the body does; the wh-word asks which body, not a list."""
    assert ask(question).intent == "lead", question
    assert ask("Sở Y tế chủ trì những nhiệm vụ nào?").intent == "listing"


def test_a_question_opening_with_han_asks_a_deadline(ask):
    """ "Hạn Phòng Tài chính nộp dự toán?": the time it is due by ("hạn chế", "hạn mức" are other words)."""
    assert ask("Hạn Phòng Tài chính - Kế hoạch nộp dự toán năm 2026?").intent == "deadline"
    assert ask("han ubnd cac xa gui bao cao so ket").intent == "deadline"
    assert ask("Hạn chế của công tác tuyên truyền là gì?").intent != "deadline"
    assert ask("Hạn mức hỗ trợ mỗi hộ là bao nhiêu?").intent == "figure"
