"""Issue 22 §7: no question, however its task numbers, numerals, levels and dates are mixed, can raise."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoidap.corpus.normalize import strip_diacritics
from hoidap.corpus.records import NumberingGap
from hoidap.service.understanding import Catalog, analyze, gap_for, missing_task_ids, resolve_task_ids

ROMAN = ["I", "II", "III", "IV", "V", "VIII", "IX", "XII"]
PIECES = st.one_of(
    st.integers(0, 40).map(str),
    st.lists(st.integers(0, 30), min_size=2, max_size=4).map(lambda xs: ".".join(map(str, xs))),
    st.sampled_from(ROMAN),
    st.builds(
        lambda r, n, c: f"{r}.{n}.{c}", st.sampled_from(ROMAN), st.integers(1, 9), st.sampled_from("abcdđe")
    ),
    st.sampled_from(
        [
            "nhiệm vụ",
            "mục",
            "khoản",
            "điểm",
            "Điều",
            "nhóm",
            "cấp",
            "tiểu mục",
            "phần",
            "phụ lục",
            "ai chủ trì",
            "phối hợp",
            "thời hạn",
            "khi nào",
            "bao nhiêu",
            "kế hoạch",
            "quyết định",
            "số",
            "ngày",
            "tháng",
            "năm",
            "quý",
            "trước",
            "đến",
            "giai đoạn",
            "-",
            "/",
            "?",
            "(1)",
            "a)",
        ]
    ),
    st.builds(
        lambda d, m, y: f"{d}/{m}/{y}", st.integers(0, 40), st.integers(0, 13), st.integers(1990, 2060)
    ),
    st.builds(lambda n, y: f"{n}/KH-UBND ngày {y}", st.integers(1, 999), st.integers(2000, 2040)),
)
QUESTIONS = st.lists(PIECES, min_size=1, max_size=12).map(" ".join)


@pytest.fixture(scope="module")
def catalog(parsed) -> Catalog:
    cat = Catalog.from_documents(list(parsed.values()))
    # A gap read around grouped, non-numeric levels ("VIII.1.a" .. "IX") must not break comparisons.
    odd = NumberingGap("x", "Phụ lục", after="VIII.1.a", before="IX", missing=(), note="nhóm")
    for doc_id in list(cat.gaps) or [next(iter(parsed))]:
        cat.gaps[doc_id] = (*cat.gaps.get(doc_id, ()), odd, replace(odd, after="2", before="II.1"))
    return cat


def test_gap_with_non_numeric_bounds_contains_nothing():
    gap = NumberingGap("x", "", after="VIII.1.a", before="3.3", missing=(), note="")
    assert gap.contains("2.5") is False
    assert NumberingGap("x", "", after="2.1", before="3.3", missing=(), note="").contains("2.3")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=QUESTIONS, plain=st.booleans())
def test_no_question_raises(catalog, question, plain):
    q = strip_diacritics(question) if plain else question
    a = analyze(q, catalog)
    gap_for(a, catalog)
    missing_task_ids(a, catalog)
    for doc_id in list(catalog.gaps)[:3]:
        resolve_task_ids(a, catalog, doc_id)


def test_so_of_a_compound_is_not_a_document_number():
    from hoidap.service.understanding import Catalog, analyze

    empty = Catalog.from_documents([])
    asked = analyze("Kế hoạch dân số năm 2026 đặt chỉ tiêu dân số bao nhiêu?", empty)
    assert asked.document_fact is None
    assert analyze("Kế hoạch 214 số bao nhiêu?", empty).document_fact == "number"
