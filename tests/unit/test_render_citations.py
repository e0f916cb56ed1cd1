"""Paste-ready citations (issue 25 §1): the section path once, a signer as a công văn names one, a place
not said twice."""

from __future__ import annotations

from types import SimpleNamespace

from hoidap.ui.text import citation_text, doc_reference, section_ref

PLAN = SimpleNamespace(
    number="214/KH-UBND",
    doc_type="Kế hoạch",
    date="2024-11-06",
    issuer="UBND tỉnh Quảng Ngãi",
    signer_title="Phó Chủ tịch",
    short_title="Kế hoạch 214",
)


def test_a_task_id_that_spells_the_path_is_not_repeated():
    assert section_ref("II. NHIỆM VỤ > 3. Chuyển đổi số > b) Hạ tầng", "II.3.b") == "Mục II.3.b"
    assert section_ref("III. GIẢI PHÁP > 9. Tổ chức thực hiện", "III.9-3") == "Mục III.9-3"  # a row
    assert section_ref("II. NHIỆM VỤ > 3. Chuyển đổi số", "a") == "Mục II.3.a"
    assert section_ref("1. Nhiệm vụ chung", "12") == "Mục 1.12"  # "12" is not under "1." by its digits
    assert section_ref("Phụ lục > 8. Khác", "8.4") == "Mục 8.4 Phụ lục"


def test_a_signer_is_cited_as_a_cong_van_writes_it():
    c = {"char_start": 0, "char_end": 15, "section": "Chữ ký", "quote": "Trần Phước Hiền"}
    assert citation_text(c, None, PLAN) == (
        "Kế hoạch số 214/KH-UBND ngày 06/11/2024 của UBND tỉnh Quảng Ngãi do đồng chí Trần Phước Hiền, "
        "Phó Chủ tịch UBND tỉnh Quảng Ngãi ký"
    )


def test_a_title_naming_its_place_is_not_followed_by_its_issuer():
    plan = SimpleNamespace(
        number=None,
        doc_type="Kế hoạch",
        date=None,
        issuer="UBND tỉnh Lâm Đồng",
        short_title="Kế hoạch cải cách hành chính của tỉnh Lâm Đồng",
    )
    assert doc_reference(plan) == "Kế hoạch cải cách hành chính của tỉnh Lâm Đồng"
    assert doc_reference(PLAN).endswith("của UBND tỉnh Quảng Ngãi")


def test_a_table_row_is_pasted_without_pipes_and_not_found_keeps_its_reason():
    from hoidap.ui.text import answer_text

    row = {
        "doc_id": "kh",
        "char_start": 0,
        "char_end": 9,
        "section": "Phụ lục",
        "task_id": "7",
        "quote": "7 | Hoàn thành IOC | Sở KH&CN",
    }
    assert citation_text(row, None, PLAN).endswith("«7; Hoàn thành IOC; Sở KH&CN»")
    data = {"found": False, "message": "Không tìm thấy nhiệm vụ 9.9.", "related": [row]}
    text = answer_text(data, {}, {})
    assert "Không tìm thấy nhiệm vụ 9.9." in text and "Các đoạn gần nhất" in text and "Hoàn thành IOC" in text


def test_the_deadline_column_sorts_by_date_with_undated_and_blank_ones_last():
    import re

    from hoidap.ui.tabs.tasks import _deadline_key, task_table_html

    deadlines = ["trước ngày 30/4/2026", "", "Thường xuyên", "Quý II/2026", "năm 2025"]
    assert sorted(deadlines, key=_deadline_key) == [
        "năm 2025",
        "trước ngày 30/4/2026",
        "Quý II/2026",
        "Thường xuyên",
        "",
    ]
    row = dict.fromkeys(["Văn bản", "Số hiệu nhiệm vụ", "Nội dung", "Chủ trì", "Phối hợp"], "x")
    html = task_table_html([{**row, "Thời hạn": "trước ngày 30/4/2026"}])
    assert re.search(r'class="c-deadline"[^>]*data-key="2026-04-30 ', html)


def test_confidence_is_said_in_words_a_reader_acts_on() -> None:
    """Issue 25 §4: a percentage alone ("trung bình (61%)") read as usable on wrong answers; the words say
    what to do: rely on it, read the quote closely, or look at the nearest clauses."""
    from hoidap.ui.render import confidence_html

    assert "Độ tin cậy: chắc chắn (91%)" in confidence_html(0.91)
    assert "Độ tin cậy: nên đọc kỹ trích dẫn (61%)" in confidence_html(0.61)
    assert "Độ tin cậy: không chắc — xem các đoạn gần nhất (32%)" in confidence_html(0.32)


def test_an_unsure_answer_is_shown_as_the_nearest_clauses() -> None:
    """Issue 25 §4: below the calibrated level a lookup is not set out as the answer to paste."""
    from hoidap.ui.render import CHECK_CONFIDENCE, answer_html

    cite = {
        "doc_id": "d",
        "doc_title": "Kế hoạch 5",
        "doc_number": "5/KH-UBND",
        "section": "II. Nhiệm vụ",
        "task_id": None,
        "char_start": 0,
        "char_end": 12,
        "quote": "Sở Y tế làm.",
    }
    data = {
        "question": "ai làm",
        "question_type": "lookup",
        "answer": "Sở Y tế",
        "found": True,
        "message": "",
        "citations": [cite],
        "related": [],
        "answers": [],
        "took_ms": 3.0,
    }
    unsure = answer_html({**data, "confidence": CHECK_CONFIDENCE - 0.1}, {"d": "Sở Y tế làm."})
    sure = answer_html({**data, "confidence": CHECK_CONFIDENCE + 0.2}, {"d": "Sở Y tế làm."})
    assert (
        "Chưa chắc có câu trả lời" in unsure
        and "Các đoạn gần nhất" in unsure
        and "<b>Sở Y tế</b>" not in unsure
    )
    assert "<b>Sở Y tế</b>" in sure and "Chưa chắc" not in sure


def test_each_places_answer_is_shown_beside_its_own_quote() -> None:
    """Issue 25 §4: a figure asked without a place gives each place's answer side by side with its quote,
    not one answer with the other places' clauses as related ones."""
    from hoidap.ui.render import answer_html
    from hoidap.ui.text import answer_text

    texts = {"qng": "- Tỷ lệ đô thị hóa đạt trên 50%.", "qnam": "- Tỷ lệ đô thị hoá khoảng 40%."}
    infos = {
        "qng": SimpleNamespace(**{**vars(PLAN), "province": "Quảng Ngãi"}),
        "qnam": SimpleNamespace(
            number=None, doc_type="Chương trình", date=None, issuer="Tỉnh ủy Quảng Nam", province="Quảng Nam"
        ),
    }

    def cite(doc: str, title: str, phrase: str) -> dict:
        at = texts[doc].index(phrase)
        return {
            "doc_id": doc,
            "doc_title": title,
            "section": "II. Mục tiêu",
            "task_id": None,
            "char_start": 0,
            "char_end": len(texts[doc]),
            "quote": texts[doc],
            "highlight": [at, at + len(phrase)],
        }

    data = {
        "question": "Mục tiêu tỷ lệ đô thị hóa đến năm 2030?",
        "question_type": "figure",
        "answer": "Kế hoạch 214: trên 50%; Chương trình 29: khoảng 40%",
        "found": True,
        "message": "Nhiều văn bản cùng trả lời; mỗi câu trả lời kèm văn bản của nó.",
        "citations": [cite("qng", "Kế hoạch 214", "trên 50%"), cite("qnam", "Chương trình 29", "khoảng 40%")],
        "related": [],
        "answers": [
            {"doc_id": "qng", "doc_title": "Kế hoạch 214", "answer": "trên 50%"},
            {"doc_id": "qnam", "doc_title": "Chương trình 29", "answer": "khoảng 40%"},
        ],
        "confidence": 0.6,
        "took_ms": 5.0,
    }
    html = answer_html(data, texts, infos)
    assert "<b>Quảng Ngãi: trên 50% · Quảng Nam: khoảng 40%</b>" in html  # the short answer names each place
    columns = html.split('<li class="hd-perdoc-item">')[1:]
    assert len(columns) == 2
    for column, place, value, quote in zip(
        columns, ("Quảng Ngãi", "Quảng Nam"), ("trên 50%", "khoảng 40%"), texts.values(), strict=True
    ):
        assert place in column and value in column
        assert f'<mark class="hd-hl">{value}</mark>' in column  # its own quote, the figure marked
        assert quote.split()[-1].rstrip(".") in column
        assert "Chép trích dẫn" in column
    assert "Trích dẫn (2)" not in html  # the quotes are not listed a second time
    assert answer_text(data, texts, infos).splitlines()[0] == "Quảng Ngãi: trên 50% · Quảng Nam: khoảng 40%"


EVIL = "<script>alert(\"x\")</script> <img src=x onerror='y'> &amp;\n\nline"


def test_every_text_the_templates_show_is_escaped_and_the_chat_gets_no_newline() -> None:
    """Issue 24 §5: the HTML comes from autoescaped templates; a document's or a user's text (quote,
    title, section, task id, question, answer, message, filter) never becomes markup, and a reply is one
    line for the chat's Markdown renderer."""
    from hoidap.service.resources import SearchResult
    from hoidap.ui.render import answer_html, error_html, folded_html, hit_card, source_html

    original = f"Mở đầu. {EVIL} cuối."
    cite = {
        "doc_id": EVIL,
        "doc_title": EVIL,
        "doc_number": EVIL,
        "section": EVIL,
        "task_id": EVIL,
        "char_start": 8,
        "char_end": 8 + len(EVIL),
        "quote": EVIL,
        "highlight": [8, 16],
        "score": 0.5,
    }
    data = {
        "question": EVIL,
        "question_type": EVIL,
        "answer": EVIL,
        "found": True,
        "message": EVIL,
        "citations": [cite, {**cite, "doc_id": "d"}],
        "related": [cite],
        "answers": [
            {"doc_id": EVIL, "doc_title": EVIL, "answer": EVIL},
            {"doc_id": "d", "doc_title": "", "answer": EVIL},
        ],
        "confidence": 0.9,
        "task_filter": {"agency": EVIL, "role": EVIL, "doc_id": EVIL},
        "took_ms": 1.0,
    }
    hit = SearchResult.model_validate(
        {
            **cite,
            "text": EVIL,
            "matched_terms": [EVIL, "line"],
            "lexical": 1.0,
            "dense": 0.5,
            "kind": "clause",
        }
    )
    info = SimpleNamespace(doc_id=EVIL, short_title=EVIL, number=EVIL, date=EVIL, issuer=EVIL)
    outline = [{"path": [EVIL, EVIL], "clauses": [{"char_start": 8}]}]
    shown = {
        "answer": answer_html(data, {EVIL: original, "d": original}, {}),
        "answer without texts": answer_html({**data, "found": False}, {}, {}),
        "hit": hit_card(1, hit, original, EVIL, EVIL),
        "folded": folded_html(EVIL, EVIL, EVIL),
        "error": error_html(EVIL),
        "source": source_html(info, original, outline, 8, 20),
    }
    for name, html in shown.items():
        assert "<script" not in html and "<img" not in html and "onerror='" not in html, name
        assert "&lt;script&gt;" in html or "%3Cscript%3E" in html, name
        assert "&amp;amp;" in html or "%26amp%3B" in html, name  # "&amp;" in the text is shown as typed
        if name != "source":  # the source view keeps the document's line breaks (shown pre-wrapped)
            assert "\n" not in html and "\r" not in html, name
