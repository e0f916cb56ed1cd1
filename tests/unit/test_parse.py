"""Parsing the real corpus into clauses, tasks, gaps and header facts."""

from __future__ import annotations

import json
import re

import pytest

from hoidap.cli import main
from hoidap.corpus.normalize import normalize_text
from hoidap.corpus.parse import parse_document
from hoidap.corpus.records import DocumentInfo
from hoidap.corpus.store import DocumentError, decode_text

STD = ("Các sở, ban, ngành", "UBND các huyện, thị xã, thành phố")
# Every row of the 214/KH-UBND appendix, read off the source text: id -> (lead, coordinating).
APPENDIX_214 = {
    "1.1": (STD, ("Sở Thông tin và Truyền thông", "Đài Phát thanh truyền hình tỉnh")),
    "1.2": ((), ()),
    "2.1": (STD, ()),
    "3.3": (("Sở Tài chính",), STD),
    "3.4": (("Sở Xây dựng",), STD),
    "3.5": (("Sở Khoa học và Công nghệ",), STD),
    "3.6": (("BCH Quân sự tỉnh", "Công An tỉnh"), ("Sở Khoa học và Công nghệ",)),
    "4.1": (STD, ()),
    "4.2": (("Sở Nông nghiệp và Phát triển nông thôn",), STD),
    "4.3": (("Sở Công Thương",), STD),
    "4.4": (("Sở Khoa học và Công nghệ",), STD),
    "4.5": (("Sở Lao động - Thương binh và Xã hội",), STD),
    "4.6": (("Sở Thông tin và Truyền thông",), STD),
    "4.7": (("Ngân hàng Nhà nước Việt Nam chi nhánh tỉnh Quảng Ngãi",), STD),
    "5.1": (STD, ()),
    "5.2": (("Sở Khoa học và Công nghệ",), STD),
    "5.3": (("Sở Kế hoạch và Đầu tư",), STD),
    "5.4": (("Sở Tài chính",), STD),
    "5.5": (("Sở Giáo dục và Đào tạo",), STD),
    "5.6": (("Sở Lao động - Thương binh và Xã hội",), STD),
    "6.1": (("Sở Giao thông vận tải",), STD),
    "6.2": (("Sở Thông tin và Truyền thông",), STD),
    "6.3": (("Sở Xây dựng",), STD),
    "6.4": (("Sở Kế hoạch và Đầu tư",), STD),
    "6.5": (("Sở Nông nghiệp và Phát triển nông thôn",), STD),
    "7": (("Sở Kế hoạch và Đầu tư",), STD),
    "8.1": (STD, ()),
    "8.2": (("Sở Tài chính",), STD),
    "8.3": (("Ngân hàng Nhà nước Việt Nam chi nhánh Quảng Ngãi",), STD),
    "8.4": (("Sở Kế hoạch và Đầu tư",), STD),
    "9.1": (("Sở Kế hoạch và Đầu tư",), STD),
    "9.2": (("Sở Công Thương",), ("Các sở, ban, ngành", "UBND các huyện, thị xã. thành phố")),
    "9.3": (("Sở Tài nguyên và Môi trường",), STD),
    "9.4": (("Sở Tài chính",), STD),
    "9.5": (("Sở Ngoại vụ", "Sở Kế hoạch và Đầu tư"), STD),
    "10.1": (("Sở Văn hóa, Thể thao và Du lịch",), STD),
    "10.2": (("Sở Lao động - Thương binh và Xã hội",), STD),
    "10.3": (("Sở Khoa học và Công nghệ",), STD),
    "10.4": (("Sở Xây dựng",), STD),
    "10.5": (("Sở Kế hoạch và Đầu tư",), STD),
    "10.6": (("Liên đoàn Lao động Việt Nam tỉnh Quảng Ngãi",), STD),
}


def _tasks(parsed, doc_id):
    return {t.task_id: t for t in parsed[doc_id].tasks}


def test_every_appendix_row_of_214(parsed):
    doc = parsed["qng-kh-214-2024"]
    tasks = {t.task_id: t for t in doc.tasks if t.layout == "appendix_table"}
    assert list(tasks) == list(APPENDIX_214)
    for task_id, (lead, coordinating) in APPENDIX_214.items():
        t = tasks[task_id]
        assert (t.lead, t.coordinating) == (lead, coordinating), task_id
        quote = doc.original[t.char_start : t.char_end]
        assert quote.split("\n", 1)[0] == task_id
        assert normalize_text(t.content.split(" ")[0]) in quote
        if lead:
            assert (coordinating or lead)[-1] in quote.rsplit("\n", 1)[
                -1
            ]  # the row ends with its last agency cell


def test_appendix_rows_keep_their_own_content(parsed):
    t = _tasks(parsed, "qng-kh-214-2024")
    assert t["5.4"].content.startswith("Bảo đảm cân đối chi thường xuyên ngân sách nhà nước")
    assert "Đẩy nhanh thể chế hóa các Nghị quyết" in t["2.1"].content  # second content cell of the row
    assert "Phối hợp với Bộ Tài nguyên và Môi trường" in t["9.3"].content  # content, not an agency cell
    assert t["1.2"].content.startswith("Tận dụng có hiệu quả công nghệ số")
    assert "Sở" not in t["1.2"].content


def test_cli_tasks_5_4(capsys):
    assert main(["tasks", "--id", "5.4", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    row = rows[0]
    assert row["doc_id"] == "qng-kh-214-2024" and row["lead"] == ["Sở Tài chính"]
    assert "ngân sách nhà nước" in row["content"] and "khoa học, công nghệ" in row["content"]
    assert set(row) >= {
        "doc_id",
        "task_id",
        "section",
        "content",
        "lead",
        "coordinating",
        "directing",
        "deadline",
        "quote",
        "char_start",
        "char_end",
    }


def test_cli_agency_filter_is_diacritics_insensitive(capsys):
    main(["tasks", "--agency", "so tai chinh", "--json"])
    plain = json.loads(capsys.readouterr().out)
    main(["tasks", "--agency", "Sở Tài chính", "--json"])
    accented = json.loads(capsys.readouterr().out)
    assert plain == accented
    ids = {(r["doc_id"], r["task_id"]) for r in plain}
    assert {("qng-kh-214-2024", "5.4"), ("qng-kh-214-2024", "3.3"), ("qng-kh-ctr37", "II.3.b")} <= ids


def test_cli_unknown_document_is_a_clear_error():
    with pytest.raises(SystemExit, match="không có văn bản"):
        main(["tasks", "--doc", "khong-co"])


def test_labelled_bullets_of_000(parsed):
    t = _tasks(parsed, "qng-ctr-31-2023")
    first = t["III.1-1"]
    assert first.lead == ("Ban Tuyên giáo Tỉnh ủy",)
    assert first.directing == ("Ban Thường vụ Tỉnh ủy",)
    assert first.deadline == "Thường xuyên"
    assert "Giai đoạn 2031 – 2045" in first.content  # '+' sub-bullets belong to the task
    assert first.implementing[0].startswith("Các cấp ủy")
    assert t["III.2-9"].deadline == "Từ năm 2023"
    assert t["III.2-9"].lead == ("Ban cán sự đảng Ủy ban nhân dân tỉnh",)
    assert "Khu kinh tế Dung Quất" in t["III.2-9"].content
    assert sum(1 for k in t if k.startswith("III.")) == 50
    assert t["IV.4"].lead == ("Văn phòng Tỉnh ủy",) and t["IV.4"].layout == "narrative"
    # The intro paragraph of III.2 is not part of its first task.
    assert not t["III.2-1"].content.startswith("Nghiên cứu cụ thể hóa")


def test_labelled_fields_of_002(parsed):
    t = _tasks(parsed, "qng-kh-ctr37")
    assert t["II.1.a"].lead == ("Sở Kế hoạch và Đầu tư",)
    assert t["II.1.a"].coordinating == (
        "Sở Công Thương",
        "Ban Quản lý KKT Dung Quất và các KCN Quảng Ngãi",
        "UBND các huyện, thành phố liên quan",
    )
    assert t["II.1.a"].deadline == "năm 2020"
    # The repeated b) in section 2: both parse, with distinct ids.
    assert t["II.2.b"].lead == ("Sở Tài nguyên và Môi trường",)
    assert t["II.2.b(2)"].lead == ("Sở Nông nghiệp và Phát triển nông thôn",)
    assert t["II.2.b(2)"].content.startswith("Xây dựng chính sách khuyến khích các doanh nghiệp")
    # '+' field lines (c) and '+' sub-bullets of a deadline (5.b).
    assert (
        t["II.2.c"].lead == ("Sở Nông nghiệp và Phát triển nông thôn",) and t["II.2.c"].deadline == "năm 2019"
    )
    assert "năm 2020" in t["II.5.b"].deadline and "05 hợp đồng" in t["II.5.b"].deadline
    assert t["II.2.đ-1"].deadline == "năm 2019" and t["II.2.đ-1"].coordinating == ("UBND huyện Bình Sơn",)
    assert t["II.2.đ-2"].lead == ("Sở Công Thương",)
    assert t["II.4.d"].lead == (
        "Ban Quản lý KKT Dung Quất và các KCN Quảng Ngãi",
        "UBND các huyện, thành phố",
    )
    assert t["II.2.h"].lead == () and t["II.2.h"].coordinating == ()
    assert "b)" not in t["II.6.b"].content[:3] and "Chương trình phát triển thị trường" in t["II.6.b"].content
    assert t["III.2"].lead == ("Sở Công Thương",)


def test_narrative_tasks(parsed):
    t214 = _tasks(parsed, "qng-kh-214-2024")["VI.2"]
    assert t214.lead == ("Sở Kế hoạch và Đầu tư",)
    assert t214.coordinating == ("các sở, ban, ngành", "các tổ chức, doanh nghiệp và hội đoàn thể liên quan")
    qnam = parsed["qnam-ctr-nq29"].tasks
    assert [x.lead for x in qnam] == [("Ban cán sự đảng UBND tỉnh",)]


def test_numbering_gap_of_214(parsed):
    gaps = parsed["qng-kh-214-2024"].gaps
    assert len(gaps) == 1
    gap = gaps[0]
    assert (gap.after, gap.before) == ("2.1", "3.3")
    assert {"3.1", "3.2"} <= set(gap.missing)
    assert gap.contains("2.3") and gap.contains("3.1") and gap.contains("2.2")
    assert not gap.contains("3.3") and not gap.contains("1.2") and not gap.contains("5.4")
    for doc_id in ("qng-ctr-31-2023", "qng-kh-ctr37", "qnam-ctr-nq29", "qng-nq-hn3-khoa20"):
        assert parsed[doc_id].gaps == [], doc_id


def test_legacy_font_repair(parsed):
    doc = parsed["qnam-ctr-nq29"]
    assert sum(doc.repairs["legacy_font"].values()) >= 16
    for c in doc.clauses:
        assert not re.search("[ƣƢÐð]", c.text), c.text
    clause = next(
        c for c in doc.clauses if c.text.startswith("- Đẩy mạnh công nghiệp hóa, hiện đại hóa đất nước")
    )
    assert doc.original[clause.char_start : clause.char_end].startswith(
        "- Ðẩy mạnh"
    )  # the quote stays original
    heading = [c for c in doc.clauses if "tư duy" in c.breadcrumb]
    assert heading and "1. Đổi mới tư duy" in heading[0].breadcrumb


def _no_ws(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _is_subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return all(ch in it for ch in needle)


def test_every_record_maps_to_its_original_text(parsed):
    """Offset property: each record's text is read, in order, from original[char_start:char_end]."""
    for doc in parsed.values():
        records = [(c.text, c.char_start, c.char_end) for c in doc.clauses]
        records += [(t.content, t.char_start, t.char_end) for t in doc.tasks]
        assert records
        for text, start, end in records:
            assert 0 <= start < end <= len(doc.original)
            quote = doc.original[start:end]
            assert quote == quote.strip(), (doc.doc_id, quote[:40])
            norm, want = _no_ws(normalize_text(quote)), _no_ws(text)
            assert _is_subsequence(want, norm), (doc.doc_id, text[:60])
        for c in doc.clauses:
            quote_norm = _no_ws(normalize_text(doc.original[c.char_start : c.char_end]))
            assert quote_norm[:6] == _no_ws(c.text)[:6] and quote_norm[-1:] == _no_ws(c.text)[-1:], c.text[
                :60
            ]


def test_hard_wraps_are_undone_but_structure_is_kept(parsed):
    texts = [c.text for c in parsed["qng-ctr-31-2023"].clauses]
    assert "- Tốc độ tăng trưởng GRDP bình quân đạt 7,25 - 8,25% giai đoạn 2021 - 2030." in texts
    assert "- GRDP bình quân đầu người đến năm 2030 đạt trong khoảng 7.700 - 7.900 USD." in texts
    qnam = [c.text for c in parsed["qnam-ctr-nq29"].clauses]
    # "2025. Khai thác ..." is a wrapped line, not a numbered heading.
    assert any("giai đoạn 2021 - 2025. Khai thác và sử dụng tài nguyên hiệu quả" in t for t in qnam)
    # Page numbers and footnote markers do not end up inside sentences.
    assert any("Chương trình mục tiêu ứng phó với biến đổi khí hậu và tăng trưởng xanh" in t for t in qnam)
    footnotes = [c for c in parsed["qnam-ctr-nq29"].clauses if c.kind == "footnote"]
    assert len(footnotes) == 2 and footnotes[0].text.startswith("Nghị quyết số 16-NQ/TU")
    q004 = [c.text for c in parsed["qng-nq-hn3-khoa20"].clauses]
    assert any("đạt bình quân từ 7 -8%/năm" in t for t in q004)


def test_sections_are_breadcrumbs(parsed):
    t = _tasks(parsed, "qng-kh-214-2024")["5.4"]
    assert t.breadcrumb.startswith("Phụ lục > 5. Phát triển khoa học - công nghệ") and t.breadcrumb.endswith(
        "5.4"
    )
    c = next(c for c in parsed["qng-nq-hn3-khoa20"].clauses if "8 - 9%/năm" in c.text)
    assert c.section[:3] == (
        "II. Quan điểm chỉ đạo và mục tiêu",
        "2. Mục tiêu",
        "2.2. Mục tiêu cụ thể đến năm 2025",
    )


def test_header_facts_match_manifests(parsed):
    h = parsed["qng-kh-214-2024"].header
    assert (h.number, h.date, h.signer, h.signer_title) == (
        "214/KH-UBND",
        "2024-11-06",
        "Trần Phước Hiền",
        "Phó Chủ tịch",
    )
    assert parsed["qng-kh-ctr37"].header.signer == "Nguyễn Tăng Bính"
    assert parsed["qnam-ctr-nq29"].header.signer == "Phan Việt Cường"
    assert parsed["qng-ctr-31-2023"].header.signer is None  # name lost in the extraction
    for doc in parsed.values():
        assert doc.warnings == [], (doc.doc_id, doc.warnings)


def test_clause_and_task_counts(parsed):
    counts = {k: (len(d.clauses), len(d.tasks)) for k, d in parsed.items()}
    # 43: the closing "Để thực hiện thắng lợi …, UBND tỉnh yêu cầu các sở, ban ngành … triển khai" is a
    # request given by the body named before its opener.
    assert counts["qng-kh-214-2024"][1] == 43
    assert counts["qng-ctr-31-2023"][1] == 51
    # 57: II.6.d (a titled point followed directly by its field lines) is found since issue 10; 58: the
    # closing "Yêu cầu các cơ quan, đơn vị, địa phương nghiêm túc triển khai thực hiện" is a request too.
    assert counts["qng-kh-ctr37"][1] == 58
    assert all(n_clauses > 60 for n_clauses, _ in counts.values())


# --- bad input -------------------------------------------------------------------------------

INFO = DocumentInfo("test-doc", "Tài liệu thử", "Thử", "Kế hoạch", "x.txt")


def test_empty_binary_and_wrong_encodings_are_refused():
    with pytest.raises(DocumentError, match="rỗng"):
        decode_text(b"  \n\n ", "a.txt")
    with pytest.raises(DocumentError, match="nhị phân"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "a.png")
    cp1258 = "Kế hoạch phát triển công nghiệp".encode("cp1258", errors="replace")
    with pytest.raises(DocumentError, match="UTF-8"):
        decode_text(cp1258 + "Sở Tài chính".encode("cp1258", errors="replace"), "b.txt")


def test_utf16_with_bom_is_decoded():
    text, encoding = decode_text("Sở Tài chính chủ trì.".encode("utf-16"), "c.txt")
    assert text == "Sở Tài chính chủ trì." and encoding == "utf-16"


def test_unstructured_text_falls_back_to_paragraph_clauses():
    original = "Đây là một đoạn văn\nbị ngắt dòng giữa câu.\n\nĐoạn thứ hai ngắn hơn.\n"
    doc = parse_document(INFO, original)
    assert doc.fallback and doc.warnings
    assert [c.text for c in doc.clauses] == [
        "Đây là một đoạn văn bị ngắt dòng giữa câu.",
        "Đoạn thứ hai ngắn hơn.",
    ]
    assert doc.tasks == []
    for c in doc.clauses:
        assert original[c.char_start : c.char_end].startswith(c.text[:5])


def test_structured_snippet_parses_tasks():
    original = (
        "II. NHIỆM VỤ\n1. Phát triển công nghiệp\na) Xây dựng đề án thu hút đầu tư.\n"
        "- Thời gian thực hiện: năm 2025.\n- Cơ quan chủ trì: Sở Công Thương.\n"
        "- Cơ quan phối hợp: Sở Tài chính, UBND các huyện, thành phố.\n"
    )
    doc = parse_document(INFO, original)
    assert not doc.fallback
    (task,) = doc.tasks
    assert (task.task_id, task.lead, task.coordinating, task.deadline) == (
        "II.1.a",
        ("Sở Công Thương",),
        ("Sở Tài chính", "UBND các huyện, thành phố"),
        "năm 2025",
    )


def test_a_committee_office_under_its_committee_issues_the_document():
    """A letterhead of three caps lines, the committee, its province and its office (a Nghệ An office's
    notice): the office issues, not the committee."""
    original = (
        "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\nVĂN PHÒNG\nSố: 35/TB-VP\n"
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        "Nghệ An, ngày 12 tháng 3 năm 2026\nTHÔNG BÁO\nLịch làm việc của Thường trực UBND tỉnh\n"
        "1. Họp giao ban tuần.\n2. Làm việc với các sở, ngành.\n"
    )
    assert parse_document(INFO, original).header.issuer == "Văn phòng UBND tỉnh Nghệ An"


def test_abbreviated_and_local_bodies_in_a_lead_column():
    """A district's task table names its bodies in short forms: the Party committee's inspection commission
    ("UB KT"), a bank branch ("NH"), an association ("Hiệp hội"), a town, "the bodies concerned", and the
    units a commune's plan names (a Party cell's committee, a militia platoon, a women's branch)."""
    original = (
        "| STT | Nội dung | Cơ quan chủ trì | Thời gian |\n| --- | --- | --- | --- |\n"
        "| 1 | Kiểm tra việc chấp hành Điều lệ Đảng | UB KT Huyện ủy | Quý II |\n"
        "| 2 | Giải ngân vốn vay giải quyết việc làm | NH Chính sách xã hội huyện | Tháng 6 |\n"
        "| 3 | Tọa đàm doanh nghiệp trẻ | Hiệp hội DN huyện | Tháng 7 |\n"
        "| 4 | Giải phóng mặt bằng tuyến tránh | Thị xã Hương Trà | Tháng 8 |\n"
        "| 5 | Chuẩn bị hội nghị sơ kết | Các ĐV liên quan | Tháng 9 |\n"
        "| 6 | Sinh hoạt chuyên đề quý III | Chi ủy Trường Tiểu học | Tháng 9 |\n"
        "| 7 | Trực sẵn sàng chiến đấu dịp Tết | Trung đội dân quân cơ động | Tháng 1 |\n"
        "| 8 | Vận động hội viên vay vốn | Chi hội Phụ nữ thôn 2 | Quý IV |\n"
    )
    leads = [t.lead for t in parse_document(INFO, original).tasks]
    assert leads == [
        ("UB KT Huyện ủy",),
        ("NH Chính sách xã hội huyện",),
        ("Hiệp hội DN huyện",),
        ("Thị xã Hương Trà",),
        ("Các ĐV liên quan",),
        ("Chi ủy Trường Tiểu học",),
        ("Trung đội dân quân cơ động",),
        ("Chi hội Phụ nữ thôn 2",),
    ]


def test_a_pdf_letterhead_with_its_columns_on_one_line():
    """A Youth Union provincial committee's instruction extracted from a PDF: the number and the
    place-and-date columns stand on one line, far apart, and the number has a space after its dash."""
    original = (
        "TỈNH ĐOÀN BÌNH PHƯỚC          ĐOÀN TNCS HỒ CHÍ MINH\n"
        "       Số:  12  /HD- TĐTN              Đồng Xoài, ngày  05 tháng 3  năm 2026\n"
        "HƯỚNG DẪN\nTổ chức Tháng Thanh niên năm 2026\n"
        "1. Các cơ sở Đoàn tổ chức ra quân Tháng Thanh niên.\n"
    )
    header = parse_document(INFO, original).header
    assert (header.number, header.date) == ("12/HD-TĐTN", "2026-03-05")


def test_a_blank_number_is_not_a_column_gap():
    """A district plan left unnumbered: "Số:        /KH-UBND" is one cell, the date the other."""
    original = (
        "ỦY BAN NHÂN DÂN HUYỆN TÂN KỲ          CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Số:          /KH-UBND                 Tân Kỳ, ngày      tháng 9 năm 2026\n"
        "KẾ HOẠCH\nRà soát hộ nghèo năm 2026\n1. Các xã rà soát hộ nghèo.\n"
    )
    texts = [c.text for c in parse_document(INFO, original).clauses]
    assert "Số: /KH-UBND" in texts and any(t.startswith("Tân Kỳ, ngày") for t in texts)
