"""The answer layer's candidates read values from the text a document prints (service/strategies).

The document is a ward Youth Union letter written for this test, a layout none of the development
documents has; the answerer is built without an index (no search is run).
"""

from __future__ import annotations

from hoidap.corpus.normalize import fold
from hoidap.corpus.parse import info_from_text, parse_document
from hoidap.indexer.entries import document_entries
from hoidap.indexer.search import SearchHit
from hoidap.service.answer import Answerer
from hoidap.service.answer_types import fits
from hoidap.service.ranker import Candidate, RankerModel
from hoidap.service.strategies.candidates import rank
from hoidap.service.strategies.fields import task_field
from hoidap.service.strategies.sections import as_printed, named_section, with_list
from hoidap.service.understanding import analyze

LETTER = """ĐOÀN TNCS HỒ CHÍ MINH
BAN CHẤP HÀNH ĐOÀN PHƯỜNG TÂN AN
Số: 08-CV/ĐTN
Tân An, ngày 02 tháng 3 năm 2026

Kính gửi: Các chi đoàn khu phố.

1. Giao Văn phòng Đoàn phường chủ trì tổng hợp danh sách đoàn viên tham gia hiến máu tình nguyện,
hoàn thành trước ngày 20 tháng 3 năm 2026.
2. Đề nghị các chi đoàn khu phố báo cáo kết quả về Ban Thường vụ Đoàn phường trước ngày 31 tháng 3 năm 2026.

TM. BAN CHẤP HÀNH
BÍ THƯ
Nguyễn Văn Bình
"""


def test_a_task_record_is_read_as_printed_not_with_its_search_labels() -> None:
    doc = parse_document(info_from_text("cv-doan-phuong.txt", LETTER), LETTER)
    tasks = [e for e in document_entries(doc) if e.kind == "task"]
    assert tasks, "the letter's requests are task records"
    assert any("Thời gian thực hiện:" in e.text for e in tasks)  # the labels the search reads
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    pool = [SearchHit(entry=e, score=1.0) for e in tasks]
    for hit in as_printed(answerer, pool):
        assert hit.entry.text == doc.original[hit.entry.char_start : hit.entry.char_end]
        assert "Thời gian thực hiện:" not in hit.entry.text and "Cơ quan chủ trì:" not in hit.entry.text


def test_a_clause_read_at_question_time_covers_the_words_it_prints() -> None:
    """A member-list item read whole for a post asked ("Trưởng ban") has no index match to count; its
    coverage of the question is read from its words, not taken as nothing."""
    doc = parse_document(info_from_text("cv-doan-phuong.txt", LETTER), LETTER)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    entry = next(e for e in document_entries(doc) if "hiến máu" in e.text and e.kind != "task")
    content = [("hiến_máu", 1.0), ("danh_sách", 1.0), ("bóng_đá", 2.0)]
    read = answerer.coverage("", SearchHit(entry=entry, score=1.0), content)
    assert read == 0.5
    matched = answerer.coverage("", SearchHit(entry=entry, score=1.0, matched_terms=["hiến_máu"]), content)
    assert matched == 0.25  # a search hit counts what the index matched


def test_a_value_not_of_the_kind_asked_is_marked_for_the_ranker() -> None:
    """ "Ai là Bí thư …" asks for a person or an office held: a sentence of the letter's body read as the
    value is not one, and the ranker is told so (a feature), while the signer's line is."""
    doc = parse_document(info_from_text("cv-doan-phuong.txt", LETTER), LETTER)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    a = analyze("Ai là người ký công văn hiến máu của Đoàn phường Tân An?", answerer.catalog)
    hits = [
        SearchHit(entry=e, score=1.0 - i / 10)
        for i, e in enumerate(document_entries(doc))
        if e.kind != "task"
    ]
    cands = rank(answerer, a.question, a, hits, "lookup")
    flags = {c.value: c.features["kind_mismatch"] for c in cands if c.value}
    assert any(v == 1.0 for v in flags.values()), flags
    assert all(v == 0.0 for value, v in flags.items() if fits(value, ["person", "role", "agency"])), flags


def test_a_dateline_or_a_scene_setting_date_is_no_time_a_task_is_due_by() -> None:
    """ "… trước ngày nào": the letter's own date and a sentence opening "Ngày …, X họp" tell when something
    was written or happened; the dates a task is due by are not marked so (a feature for the ranker)."""
    text = LETTER.replace("Kính gửi: Các chi đoàn khu phố.", "Ngày 01/3/2026, Ban Thường vụ Đoàn phường họp.")
    doc = parse_document(info_from_text("cv-doan-phuong.txt", text), text)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    a = analyze("Văn phòng Đoàn phường tổng hợp danh sách hiến máu trước ngày nào?", answerer.catalog)
    assert a.asks_term
    hits = [SearchHit(entry=e, score=1.0 - i / 10) for i, e in enumerate(document_entries(doc))]
    cands = rank(answerer, a.question, a, hits, "task")
    flags = {fold(c.value): c.features["event_date"] for c in cands if c.value}
    assert flags.get(fold("ngày 02 tháng 3 năm 2026")) == 1.0, flags  # the dateline
    assert flags.get(fold("Ngày 01/3/2026")) == 1.0, flags  # the meeting's date
    assert flags.get(fold("hoàn thành trước ngày 20 tháng 3 năm 2026")) == 0.0, flags
    due = {fold(c.value): c.features["due_value"] for c in cands if c.value}
    assert due[fold("hoàn thành trước ngày 20 tháng 3 năm 2026")] == 1.0, due  # marked as due
    assert due[fold("Ngày 01/3/2026")] == 0.0, due


BAN_BAU_CU = """ỦY BAN NHÂN DÂN
XÃ AN PHÚ
Số: 12/QĐ-UBND
An Phú, ngày 05 tháng 01 năm 2026

QUYẾT ĐỊNH
Thành lập Ban bầu cử đại biểu Hội đồng nhân dân xã An Phú ở đơn vị bầu cử số 4

Điều 1. Thành lập Ban bầu cử gồm các ông, bà có tên sau:
1. Ông Lê Văn Tám, Phó Chủ tịch Ủy ban nhân dân xã, Trưởng ban;
2. Bà Trần Thị Hoa, Chủ tịch Hội Liên hiệp Phụ nữ xã, Phó Trưởng ban;
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.

CHỦ TỊCH
Nguyễn Văn Minh
"""


def test_a_clause_is_scoped_by_its_documents_full_title() -> None:
    """ "… đơn vị bầu cử số 4" is printed in the decision's title only: a member-list item of that decision
    states the number asked through its title, which the short title ("Quyết định 12/QĐ-UBND") leaves out."""
    doc = parse_document(info_from_text("qd-ban-bau-cu.txt", BAN_BAU_CU), BAN_BAU_CU)
    assert "số 4" in doc.info.title and "số 4" not in doc.info.short_title
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    a = analyze("Ai là Trưởng ban bầu cử ở đơn vị bầu cử số 4 xã An Phú?", answerer.catalog)
    hits = [SearchHit(entry=e, score=1.0) for e in document_entries(doc) if "Lê Văn Tám" in e.text]
    cands = rank(answerer, a.question, a, hits, "lookup")
    assert cands and cands[0].features["heading_numbers"] == 1.0


DIRECTIVE = """ỦY BAN NHÂN DÂN
HUYỆN ĐÔNG SƠN
Số: 15/CT-UBND
Đông Sơn, ngày 10 tháng 4 năm 2026

CHỈ THỊ
Về tăng cường phòng, chống cháy rừng mùa khô năm 2026

1. Các xã, thị trấn rà soát phương án chữa cháy rừng tại chỗ; Hạt Kiểm lâm huyện kiểm tra, đôn đốc, tổng hợp
báo cáo Chủ tịch UBND huyện kết quả thực hiện Chỉ thị này trước ngày 30/5/2026.

CHỦ TỊCH
Lò Văn Sơn
"""


def test_another_subject_of_a_record_is_a_candidate_of_its_own() -> None:
    """A record's lead is the subject of its first sentence; when another sentence of it states the
    predicate asked with its own subject, that subject is proposed too, and the frame marks it."""
    doc = parse_document(info_from_text("ct-15-ubnd-dong-son.txt", DIRECTIVE), DIRECTIVE)
    task = next(t for t in doc.tasks if "rà soát" in t.content)
    assert task.lead and task.lead[0].startswith("Các xã")
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    q = "Ai kiểm tra, đôn đốc, tổng hợp báo cáo kết quả thực hiện Chỉ thị về phòng cháy rừng?"
    entry = next(e for e in document_entries(doc) if e.kind == "task" and e.task_id == task.task_id)
    cands = rank(answerer, q, analyze(q, answerer.catalog), [SearchHit(entry=entry, score=1.0)], "task")
    framed = {c.value: c.features["frame"] for c in cands}
    assert framed.get("Hạt Kiểm lâm huyện") == 1.0, framed
    assert any(v and v.startswith("Các xã") for v in framed), framed  # the record's own lead stays


def test_a_name_after_an_honorific_is_a_persons_whatever_the_family_name() -> None:
    # "Liêu", "Khuất" … and names of peoples no list holds: "Bà"/"Ông"/"đồng chí" mark the name.
    assert fits("Bà Liêu Ngọc Hằng", ["holder"]) and fits("ông Xa Văn Pó", ["person"])
    assert not fits("Ban Chỉ đạo", ["person"])


DECISION = """ỦY BAN NHÂN DÂN
HUYỆN ĐÔNG SƠN
Số: 77/QĐ-UBND
Đông Sơn, ngày 02 tháng 3 năm 2026

QUYẾT ĐỊNH
Kiện toàn Tổ công tác cải cách hành chính huyện

Điều 1. Kiện toàn Tổ công tác cải cách hành chính huyện, gồm các thành viên sau:
1. Ông Lò Văn Sơn, Chủ tịch UBND huyện, Tổ trưởng;
2. Bà Hà Thị Mai, Trưởng phòng Nội vụ, Tổ phó.
Điều 2. Nhiệm vụ của Tổ công tác
1. Kiểm tra việc giải quyết thủ tục hành chính tại các xã.
2. Báo cáo Chủ tịch UBND huyện hằng quý.
Điều 3. Quyết định này có hiệu lực kể từ ngày ký.

CHỦ TỊCH
Lò Văn Sơn
"""


def test_a_listed_answer_stops_where_the_lead_ins_article_ends() -> None:
    """ "… gồm các thành viên sau:" answers with its members, not with the next article's duties."""
    doc = parse_document(info_from_text("qd-77-ubnd-dong-son.txt", DECISION), DECISION)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    entry = next(e for e in document_entries(doc) if e.text.startswith("Điều 1.") and e.kind != "task")
    lead_in = Candidate(hit=SearchHit(entry=entry, score=1.0), value="gồm các thành viên sau:")
    listed = with_list(answerer, lead_in)
    assert listed.value is not None and "Hà Thị Mai" in listed.value
    assert "thủ tục hành chính" not in listed.value


CIRCULAR = """BỘ TÀI CHÍNH
Số: 12/2026/TT-BTC
Hà Nội, ngày 05 tháng 01 năm 2026

THÔNG TƯ
Quy định mức thu phí thẩm định hồ sơ cấp phép hoạt động thú y

Điều 1. Phạm vi điều chỉnh
Thông tư này quy định mức thu, chế độ thu, nộp phí thẩm định hồ sơ cấp phép hoạt động thú y.
Điều 2. Đối tượng áp dụng
1. Tổ chức, cá nhân đề nghị cấp giấy phép hoạt động thú y.
2. Cơ quan thú y có thẩm quyền thu phí.
3. Cơ quan, tổ chức khác có liên quan.
Điều 3. Hiệu lực thi hành
Thông tư này có hiệu lực từ ngày 20 tháng 02 năm 2026.
"""


def test_a_list_question_is_answered_by_the_items_under_the_heading_it_names() -> None:
    """ "áp dụng với những đối tượng nào": the items of "Điều 2. Đối tượng áp dụng", all of them."""
    doc = parse_document(info_from_text("tt-12-2026-tt-btc.txt", CIRCULAR), CIRCULAR)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    said = set(fold("Thông tư 12/2026 áp dụng với những đối tượng nào?").lower().replace("?", "").split())
    under = named_section(answerer, doc.info.doc_id, said)
    assert [c.text.split(".")[0] for c in under] == ["1", "2", "3"]
    # Every word of the heading must be the question's: "đối tượng" alone is not "Đối tượng áp dụng".
    assert named_section(answerer, doc.info.doc_id, {"doi", "tuong"}) == []


LETTER_BY_BODY = """ỦY BAN NHÂN DÂN TỈNH AN PHÚ
Số: 91/UBND-NC
V/v triển khai các giải pháp cải thiện Chỉ số PAPI năm 2025

1. Sở Tư pháp
a) Rà soát thủ tục hành chính lĩnh vực hộ tịch, hoàn thành trong tháng 12/2025.
b) Phối hợp với Công an tỉnh đẩy mạnh cấp phiếu lý lịch tư pháp trực tuyến.
"""


def test_the_partner_of_the_body_a_question_names_is_the_one_asked():
    """ "Sở Tư pháp phối hợp với cơ quan nào …" of an item Sở Tư pháp takes part in under its own heading:
    the answer is the body it works with, not itself."""
    doc = parse_document(info_from_text("cv-91-ubnd-an-phu.txt", LETTER_BY_BODY), LETTER_BY_BODY)
    task = next(t for t in doc.tasks if "lý lịch" in t.content)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    q = "Sở Tư pháp phối hợp với cơ quan nào cấp phiếu lý lịch tư pháp trực tuyến?"
    assert task_field(task, "coordinating", analyze(q, answerer.catalog)) == "Công an tỉnh"


def test_a_person_heading_the_items_is_who_does_them():
    """A commune decision assigning duties: "1. Công chức Văn phòng - Thống kê, Ông Nguyễn Văn A." over
    the items that person carries out."""
    from hoidap.service.strategies.fields import section_agency

    section = "Điều 1. Phân công > 1. Công chức Văn phòng - Thống kê, Ông Hà Văn Pó. > b) Trực tiếp thực hiện"
    assert section_agency(section) == "Ông Hà Văn Pó"
    assert section_agency("Điều 2. Trách nhiệm của Sở Nội vụ > 1. Hướng dẫn") == "Sở Nội vụ"


def test_a_duties_heading_names_its_body_in_lower_case_and_no_person_hides_in_a_word():
    """A province's regulation: "Điều 10. Trách nhiệm của các đơn vị cung ứng dịch vụ công ích đô thị" over
    items with no subject. The body is named after "của" in lower case; "công ích" holds no "ông Ích" (the
    range À-Ỹ of a character class holds small accented letters too)."""
    from hoidap.service.answer_types import fits
    from hoidap.service.strategies.fields import section_agency

    section = (
        "Chương III > Điều 10. Trách nhiệm của các đơn vị cung ứng dịch vụ công ích đô thị > 4. Chấp hành"
    )
    assert section_agency(section) == "Các đơn vị cung ứng dịch vụ công ích đô thị"
    assert section_agency("Điều 5. Trách nhiệm thi hành > 1. Hướng dẫn") is None
    assert section_agency("1. Công chức Tư pháp - Hộ tịch, bà Lò Thị Ánh. > a) Thực hiện") == "bà Lò Thị Ánh"
    assert not fits("ông ích đô", ["person"])


def test_a_number_and_year_cite_the_whole_code() -> None:
    # A commune's plan cites "Luật số 85/2015/QH13"; a question says "Luật 85/2015". A code with its
    # issuer part must match whole.
    from types import SimpleNamespace

    from hoidap.corpus.normalize import fold
    from hoidap.service.strategies.context import AnswerContext

    texts = {
        "kh": "Căn cứ Luật Bầu cử số 85/2015/QH13 ngày 25/6/2015;",
        "qd": "Theo Quyết định 12/2020/QĐ-UBND.",
    }
    fake = SimpleNamespace(docs=texts, folded_text=lambda d: " ".join(fold(texts[d]).split()))
    assert AnswerContext.citing_docs(fake, ["Luật 85/2015"]) == ["kh"]
    assert AnswerContext.citing_docs(fake, ["Luật 85/2015/QH14"]) == []
    assert AnswerContext.citing_docs(fake, ["Quyết định 12/2020/QĐ-UBND"]) == ["qd"]


def test_a_province_named_by_another_of_its_names_is_named() -> None:
    # A university's notice writes "TP.HCM"; a flood notice "Thừa Thiên - Huế": a question naming
    # "Thành phố Hồ Chí Minh" or "Huế" is not about a place no stored text names.
    from types import SimpleNamespace

    from hoidap.service.answer import Answerer

    text = "Trường Đại học Sư phạm Kỹ thuật TP.HCM; UBND tỉnh Thừa Thiên - Huế"
    docs = {"tb": SimpleNamespace(original=text)}
    fake = SimpleNamespace(docs=docs, _named_provinces={})
    named = Answerer._provinces_named(fake, "tb")
    assert {"Thành phố Hồ Chí Minh", "Huế"} <= named


def test_a_code_broken_over_two_lines_is_the_same_code() -> None:
    # Text from a provincial notice's PDF wraps "số 6138/UBND-" / "KGVX ngày 13/11/2024".
    import re

    from hoidap.service.strategies.context import code_pattern

    rx = re.compile(code_pattern("6138/ubnd-kgvx", either_d=True), re.IGNORECASE)
    assert rx.search("và số 6138/UBND-\nKGVX ngày 13/11/2024")
    assert rx.search("số 6138 / UBND - KGVX")
    assert not rx.search("số 6138/UBND-VX")


PLAN = """ỦY BAN NHÂN DÂN
HUYỆN TÂN PHÚ
Số: 30/KH-UBND
Tân Phú, ngày 10 tháng 02 năm 2026

KẾ HOẠCH
Phòng, chống dịch bệnh trên đàn gia súc năm 2026

| STT | Nhiệm vụ | Cơ quan chủ trì | Thời gian hoàn thành |
| --- | --- | --- | --- |
| 1 | Tiêm phòng vắc xin lở mồm long móng cho đàn trâu, bò | Phòng Nông nghiệp và Môi trường | Tháng 4/2026 |
| 2 | Tuyên truyền phòng, chống dịch bệnh trên đàn gia súc | Phòng Văn hóa - Thông tin | Tháng 3/2026 |
| 3 | Kiểm tra việc vận chuyển gia súc qua địa bàn | Công an huyện | Quý II/2026 |
"""


def test_a_task_found_only_by_its_number_holding_none_of_the_questions_words_is_no_answer() -> None:
    """ "khoản 1 Điều 97 Luật …" numbers a provision of a law the store does not hold: task 1 of a plan
    about cattle says nothing the question asks, so its record does not answer by itself; a question that
    says nothing but the number, or words of that task, is answered from it."""
    from hoidap.service.strategies.task_record import _words_elsewhere

    doc = parse_document(info_from_text("kh-30-ubnd-tan-phu.txt", PLAN), PLAN)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    tasks = list(doc.tasks)
    assert {t.task_id for t in tasks} >= {"1", "2"}

    def elsewhere(q: str) -> bool:
        a = analyze(q, answerer.catalog)
        return _words_elsewhere(answerer, q, a, [t for t in tasks if t.task_id in a.task_ids])

    assert elsewhere("Khoản 1 Điều 36 Luật Thủy sản giao ai quy định về giấy phép khai thác thủy sản?")
    assert not elsewhere("Ai chủ trì nhiệm vụ 1?")
    assert not elsewhere("Ai chủ trì nhiệm vụ 1 tiêm phòng vắc xin lở mồm long móng?")


ANNEX = """DANH MỤC
CÁC CÔNG TRÌNH TRỌNG ĐIỂM CẦN ĐẨY NHANH TIẾN ĐỘ NĂM 2026
(Ban hành kèm theo Quyết định số 215/QĐ-UBND ngày 12/3/2026 của Ủy ban nhân dân tỉnh Sơn La)

| STT | Tên công trình | Đơn vị thực hiện |
| --- | --- | --- |
| 1 | Đường nối Quốc lộ 6 với cửa khẩu Lóng Sập | Ban Quản lý dự án giao thông |
| 2 | Kè chống sạt lở bờ suối Nậm La | Ban Quản lý dự án nông nghiệp |
"""


def test_a_document_without_a_number_of_its_own_is_known_by_the_one_it_was_issued_with() -> None:
    from hoidap.service.strategies.fact_values import fact_value

    doc = parse_document(info_from_text("dm-cong-trinh-son-la.txt", ANNEX), ANNEX)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    value, cite, _ = fact_value(answerer, doc.info.doc_id, "number")
    assert value is not None and "215/QĐ-UBND" in value, value
    assert cite is not None and "215/QĐ-UBND" in ANNEX[cite.char_start : cite.char_end]


SCHEDULE = """HUYỆN ỦY ĐÔNG HÒA
LỊCH CÔNG TÁC TUẦN

| Ngày | Nội dung công việc | Cơ quan chuẩn bị | Lãnh đạo chủ trì |
| --- | --- | --- | --- |
| 14/9 | Sáng: - Lãnh đạo huyện thăm hỏi các gia đình chính sách | - Phòng LĐ-TB và XH | - Đ/c Bí thư |
| 14/9 | Chiều: - Họp Ban Chỉ đạo chuyển đổi số | - Phòng VH-TT | - Đ/c Phó Bí thư |
| 15/9 | Sáng: - Tiếp công dân định kỳ | - Ban Tiếp công dân | - Đ/c Chủ tịch UBND huyện |
"""


def test_a_column_of_leaders_answers_only_when_asked_by_its_name():
    """A district's weekly schedule: "lãnh đạo nào chủ trì …" asks the leaders' column; "cơ quan nào chuẩn
    bị" of an event whose own words hold "lãnh đạo" still asks the preparing body."""
    lead = _lead_asker("lich-huyen-uy.md", SCHEDULE, "thăm hỏi")
    assert (
        lead("Lãnh đạo huyện thăm hỏi các gia đình chính sách do cơ quan nào chuẩn bị?")
        == "Phòng LĐ-TB và XH"
    )
    assert lead("Lãnh đạo nào chủ trì buổi thăm hỏi các gia đình chính sách?") == "Đ/c Bí thư"


def _lead_asker(name: str, text: str, task_words: str):
    """The lead field a question reads off the task of `text` whose content holds `task_words`."""
    doc = parse_document(info_from_text(name, text), text)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    task = next(t for t in doc.tasks if task_words in t.content)
    return lambda q: task_field(task, "lead", analyze(q, answerer.catalog))


DRILL_PLAN = """TRƯỜNG THPT NGUYỄN TRÃI
KẾ HOẠCH PHÒNG CHÁY, CHỮA CHÁY NĂM HỌC 2026 - 2027

| STT | Nội dung | Thời gian | Chủ trì | Thực hiện |
| --- | --- | --- | --- | --- |
| 1 | Kiểm tra bình chữa cháy các phòng học | Tháng 9/2026 | Phó Hiệu trưởng | Tổ Văn phòng |
| 2 | Diễn tập thoát nạn cho học sinh | Tháng 11/2026 | Ban Giám hiệu | Đoàn Thanh niên trường |
"""


def test_a_column_that_carries_out_what_another_leads_is_asked_by_its_verb():
    """A school's plan with "Chủ trì | Thực hiện" columns: "đơn vị nào thực hiện" asks the second, "ai chủ
    trì" (even "chủ trì thực hiện") the first."""
    lead = _lead_asker("kh-pccc-thpt.md", DRILL_PLAN, "Diễn tập")
    assert lead("Đơn vị nào thực hiện diễn tập thoát nạn cho học sinh?") == "Đoàn Thanh niên trường"
    assert lead("Ai chủ trì thực hiện diễn tập thoát nạn cho học sinh?") == "Ban Giám hiệu"


DISTRICT_DECISION = """ỦY BAN NHÂN DÂN
HUYỆN CẦN GIỜ
Số: 118/QĐ-UBND
Cần Giờ, ngày 04 tháng 5 năm 2026
QUYẾT ĐỊNH
Về việc thành lập Tổ công tác chuyển đổi số huyện
CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN CẦN GIỜ
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Xét đề nghị của Trưởng phòng Nội vụ huyện tại Tờ trình số 45/TTr-NV ngày 28 tháng 4 năm 2026.
QUYẾT ĐỊNH:
Điều 1. Thành lập Tổ công tác chuyển đổi số huyện.
"""


def test_who_proposed_a_decision_is_read_from_its_opening() -> None:
    """A district decision "Xét đề nghị của Trưởng phòng Nội vụ …": who it was issued on the proposal of."""
    from hoidap.service.strategies.fact_values import fact_value

    doc = parse_document(info_from_text("qd-118-can-gio.txt", DISTRICT_DECISION), DISTRICT_DECISION)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    a = analyze("Quyết định 118/QĐ-UBND được ban hành theo đề nghị của ai?", answerer.catalog)
    assert a.document_fact == "proposer"
    value, cite, _ = fact_value(answerer, doc.info.doc_id, "proposer")
    assert value == "Trưởng phòng Nội vụ huyện", value
    assert cite is not None and "Xét đề nghị" in DISTRICT_DECISION[cite.char_start : cite.char_end]


ROSTER = """ĐẢNG ỦY XÃ HÒA BÌNH
Số: 21-QĐ/ĐU
Hòa Bình, ngày 05 tháng 01 năm 2026
QUYẾT ĐỊNH
Thành lập Ban kiểm tra công tác đảng viên năm 2026
Điều 1. Thành lập Ban kiểm tra công tác đảng viên năm 2026 của Đảng ủy xã Hòa Bình, gồm:
1. Đồng chí Hà Thị Mai, Phó Bí thư Đảng ủy, Trưởng ban;
2. Mời ông Lò Văn Pấng, Phó Bí thư Chi bộ, Trưởng ban Công tác Mặt trận bản Nà Làng, Ủy viên;
3. Đồng chí Vi Văn Tình, Chủ nhiệm Ủy ban Kiểm tra Đảng ủy, Phó Trưởng ban;
4. Đồng chí Đinh Thị Lan, chuyên viên Văn phòng Đảng ủy, Thư ký.
Điều 2. Quyết định có hiệu lực kể từ ngày ký.
"""


def test_a_post_asked_is_answered_by_the_member_the_list_gives_it() -> None:
    """A commune Party committee's board: "ai là Phó Trưởng ban" is answered by the line whose post is "Phó
    Trưởng ban" with its member's name, not by a line naming another post that shares the words ("Trưởng
    ban Công tác Mặt trận …, Ủy viên"), though the question's words for the board are in no member's line."""
    doc = parse_document(info_from_text("qd-21-du-hoa-binh.txt", ROSTER), ROSTER)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    hits = [
        SearchHit(entry=e, score=1.0 - i / 100)
        for i, e in enumerate(document_entries(doc))
        if e.kind != "task"
    ]
    for question, member in [
        (
            "Phó Trưởng ban kiểm tra công tác đảng viên năm 2026 của xã Hòa Bình là ai?",
            "Đồng chí Vi Văn Tình",
        ),
        ("ai la thu ky ban kiem tra cong tac dang vien xa hoa binh", "Đồng chí Đinh Thị Lan"),
        ("thu ky ban kiem tra dang vien hoa binh", "Đồng chí Đinh Thị Lan"),  # keywords: the post opens them
    ]:
        a = analyze(question, answerer.catalog)
        cands = rank(answerer, a.question, a, hits, "lookup")
        framed = {c.value for c in cands if c.features["frame"] == 1.0}
        assert framed == {member}, (question, framed)


HEALTH_LETTER = """UBND TỈNH NINH BÌNH
SỞ Y TẾ
Số: 812/SYT-NVY
V/v tăng cường phòng, chống sốt xuất huyết
Ninh Bình, ngày 12 tháng 8 năm 2026
Kính gửi:
- Ủy ban nhân dân các huyện, thành phố;
- Trung tâm Kiểm soát bệnh tật tỉnh.

Thực hiện chỉ đạo của Bộ Y tế, Sở Y tế đề nghị các đơn vị triển khai ngay các biện pháp phòng, chống dịch.
"""


def test_whom_a_letter_is_addressed_to_is_read_from_its_kinh_gui_lines() -> None:
    """A provincial health department's letter: "Kính gửi:" then the bodies listed under it."""
    from hoidap.service.strategies.fact_values import fact_value

    doc = parse_document(info_from_text("cv-812-syt-ninh-binh.txt", HEALTH_LETTER), HEALTH_LETTER)
    answerer = Answerer([doc], searcher=None, ranker=RankerModel.untrained())  # type: ignore[arg-type]
    for q in ("Công văn 812/SYT-NVY được gửi đến những cơ quan nào?", "cong van 812 kinh gui ai"):
        assert analyze(q, answerer.catalog).document_fact == "recipient", q
    assert analyze("Các xã gửi báo cáo kết quả về đâu?", answerer.catalog).document_fact != "recipient"
    value, cite, _ = fact_value(answerer, doc.info.doc_id, "recipient")
    assert value == "Ủy ban nhân dân các huyện, thành phố; Trung tâm Kiểm soát bệnh tật tỉnh", value
    assert cite is not None and "Trung tâm Kiểm soát" in HEALTH_LETTER[cite.char_start : cite.char_end]


def test_an_item_opening_with_the_predicate_asked_is_done_by_the_body_its_heading_names():
    """A commune Women's Union plan: "3. Chi hội Phụ nữ các thôn" over "- Vận động hội viên tham gia …". The
    item has no subject of its own; "đơn vị nào vận động hội viên …" is answered by the heading's body, and an
    item that opens with other words is not."""
    from types import SimpleNamespace

    from hoidap.service.catalog import Catalog
    from hoidap.service.strategies.fields import heading_subject, prose_value
    from hoidap.service.understanding import analyze

    empty = Catalog.from_documents([])
    section = "IV. Tổ chức thực hiện > 3. Chi hội Phụ nữ các thôn > - Vận động hội viên"
    text = "- Vận động hội viên tham gia mô hình “Nhà sạch, vườn đẹp”, hỗ trợ phụ nữ khởi nghiệp."
    for q in (
        "Đơn vị nào vận động hội viên tham gia mô hình Nhà sạch, vườn đẹp?",
        "don vi nao van dong hoi vien tham gia mo hinh nha sach vuon dep",
    ):
        a = analyze(q, Catalog.from_documents([]))
        assert a.frame is not None
        hit = SimpleNamespace(entry=SimpleNamespace(text=text, section=section))
        assert prose_value(a, hit) == "Chi hội Phụ nữ các thôn", q
    a = analyze("Đơn vị nào vận động hội viên tham gia mô hình Nhà sạch, vườn đẹp?", empty)
    other = "- Tổ chức hội thi nấu ăn; vận động hội viên tham gia mô hình “Nhà sạch, vườn đẹp”."
    assert heading_subject(a.frame, other, section) is None
    # "hỗ trợ" reads as a coordinating role; what the item opens with is still done by the heading's body.
    a = analyze("Đơn vị nào hỗ trợ phụ nữ khởi nghiệp?", Catalog.from_documents([]))
    assert a.intent == "coordinating"
    item = "- Hỗ trợ phụ nữ khởi nghiệp, vay vốn ưu đãi."
    hit = SimpleNamespace(entry=SimpleNamespace(text=item, section=section))
    assert prose_value(a, hit) == "Chi hội Phụ nữ các thôn"


def test_a_duties_heading_naming_a_post_says_whose_the_items_are():
    """A university's examination rules: "Điều 6. Nhiệm vụ của Thư ký Hội đồng thi" over items with no
    subject; a post, not a body, and still who does them."""
    from hoidap.service.strategies.fields import section_agency

    assert (
        section_agency("Điều 6. Nhiệm vụ của Thư ký Hội đồng thi > 1. Lập danh sách") == "Thư ký Hội đồng thi"
    )
    assert section_agency("Điều 7. Nhiệm vụ của Phó Trưởng ban coi thi > a) Giúp") == "Phó Trưởng ban coi thi"
    # A duties heading of a topic is no one's.
    assert section_agency("Điều 8. Nhiệm vụ của công tác coi thi > a) Bảo đảm") is None
