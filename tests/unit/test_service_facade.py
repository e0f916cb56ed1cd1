"""`QAService` over the real bundled corpus with a fake searcher: no embedding model, no index.

Task listing and lookup, document-id checks, search validation, record-based answers, the read-only
service and the documented shapes of `health()` / `document_detail()`.
"""

from __future__ import annotations

from typing import Any

import pytest

from hoidap.corpus.normalize import fold
from hoidap.corpus.records import ParsedDocument, Task
from hoidap.indexer.entries import Entry, document_entries
from hoidap.indexer.search import MODES, SearchHit
from hoidap.service.filters import TaskFilter, deadline_matches, deadline_needle_years
from hoidap.service.qa import QAService
from hoidap.service.records import NotFoundError, QuestionError
from hoidap.service.resources import DocumentDetail, Health

KH214 = "qng-kh-214-2024"
CTR37 = "qng-kh-ctr37"
STC = "Sở Tài chính"
SKHDT = "Sở Kế hoạch và Đầu tư"


class FakeSearcher:
    """Stands in for `HybridIndex`: ranks entries by the share of folded query words they contain.

    Records every call, so tests can check what the service passed on (or that it never searched).
    """

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.calls: list[dict[str, Any]] = []

    def search(
        self,
        query: str,
        k: int = 10,
        doc_ids: list[str] | None = None,
        mode: str = "hybrid",
        dense_query: str | None = None,
    ) -> list[SearchHit]:
        self.calls.append({"query": query, "k": k, "doc_ids": doc_ids, "mode": mode})
        words = fold(query).split()
        hits: list[SearchHit] = []
        for e in self.entries:
            if doc_ids and e.doc_id not in doc_ids:
                continue
            hay = fold(e.text)
            matched = [w for w in words if w in hay]
            if matched:
                share = len(matched) / len(words)
                hits.append(SearchHit(e, score=share, lexical=share, matched_terms=matched))
        hits.sort(key=lambda h: -h.score)
        return hits[:k]


class EmptySearcher:
    """Finds nothing: answers must then come from the task records alone."""

    def search(
        self, query: str, k: int = 10, doc_ids: list[str] | None = None, mode: str = "hybrid"
    ) -> list[SearchHit]:
        return []


@pytest.fixture(scope="module")
def docs(parsed: dict[str, ParsedDocument]) -> list[ParsedDocument]:
    return list(parsed.values())


@pytest.fixture(scope="module")
def fake(docs: list[ParsedDocument]) -> FakeSearcher:
    return FakeSearcher([e for d in docs for e in document_entries(d)])


@pytest.fixture(scope="module")
def shared(docs: list[ParsedDocument], fake: FakeSearcher, settings) -> QAService:
    """Built once (the catalog takes a moment); settings point into a temp dir, nothing is written."""
    return QAService(docs, fake, settings)


@pytest.fixture()
def svc(shared: QAService, fake: FakeSearcher) -> QAService:
    """The shared service with the searcher's call log reset."""
    fake.calls.clear()
    return shared


def keys(rows: list[tuple[ParsedDocument, Task]]) -> set[tuple[str, str]]:
    return {(d.doc_id, t.task_id) for d, t in rows}


def names_in_role(t: Task, role: str) -> tuple[str, ...]:
    return {"lead": t.lead, "coordinating": t.coordinating, "any": t.lead + t.coordinating}[role]


# --- tasks(): agency, role, deadline ------------------------------------------------------------


@pytest.mark.parametrize("agency", ["so tai chinh", "SO TAI CHINH", "Sở Tài chính"])
def test_tasks_agency_without_diacritics(svc: QAService, agency: str) -> None:
    rows = svc.tasks(TaskFilter(agency=agency))
    assert rows, agency
    assert keys(rows) == keys(svc.tasks(TaskFilter(agency=STC)))
    assert (KH214, "5.4") in keys(rows)
    for _, t in rows:
        assert any(svc.catalog.canonical_agency(a) == STC for a in t.lead + t.coordinating), t.task_id


@pytest.mark.parametrize("agency", ["Sở KH&ĐT", "so khdt", "SKHĐT", "so ke hoach va dau tu"])
def test_tasks_agency_abbreviation_resolved_by_catalog(svc: QAService, agency: str) -> None:
    # Current behaviour: the catalog resolves these abbreviations to the canonical agency.
    assert svc.catalog.canonical_agency(agency) == SKHDT
    rows = svc.tasks(TaskFilter(agency=agency))
    assert rows
    assert keys(rows) == keys(svc.tasks(TaskFilter(agency=SKHDT)))
    for _, t in rows:
        assert any(svc.catalog.canonical_agency(a) == SKHDT for a in t.lead + t.coordinating), t.task_id


def test_tasks_known_agency_with_no_task_lists_nothing(svc: QAService) -> None:
    assert svc.tasks(TaskFilter(agency="Sở Y tế")) == []


def test_tasks_role_lead_vs_coordinating(svc: QAService) -> None:
    roles = ("any", "lead", "coordinating")
    by_role = {r: svc.tasks(TaskFilter(agency="so tai chinh", role=r)) for r in roles}
    lead, coord = keys(by_role["lead"]), keys(by_role["coordinating"])
    assert lead and coord
    assert (KH214, "5.4") in lead and (KH214, "5.4") not in coord
    assert lead | coord == keys(by_role["any"])
    for role in ("lead", "coordinating"):
        for _, t in by_role[role]:
            named = {svc.catalog.canonical_agency(a) for a in names_in_role(t, role)}
            assert STC in named, (role, t.task_id)  # the agency sits in the asked role's column


def test_tasks_deadline_year_inside_printed_range(svc: QAService) -> None:
    rows = svc.tasks(TaskFilter(deadline="2022"))
    # No deadline prints "2022": every match comes from a range such as "Từ năm 2020 - 2025".
    assert rows
    assert all("2022" not in (t.deadline or "") for _, t in rows)
    assert any("2020 - 2025" in (t.deadline or "") for _, t in rows)
    assert all(t.deadline and deadline_matches(t.deadline, "2022") for _, t in rows)
    assert not keys(rows) & keys(svc.tasks(TaskFilter(deadline="2026")))  # past the range's end


@pytest.mark.parametrize(
    ("deadline", "needle", "expected"),
    [
        ("Từ năm 2020 - 2025", "2023", True),
        ("2020–2025", "2025", True),  # en dash, bound included
        ("Từ năm 2020 - 2025", "2026", False),
        ("Thường xuyên", "thuong xuyen", True),
        ("Thường xuyên", "2020", False),
        (None, "2020", False),
        (None, None, True),
    ],
)
def test_deadline_matches(deadline: str | None, needle: str | None, expected: bool) -> None:
    assert deadline_matches(deadline, needle) is expected


@pytest.mark.parametrize(
    ("needle", "years"),
    [
        ("2025-2027", (2025, 2027)),
        ("2025 – 2027", (2025, 2027)),
        ("từ 2025 đến 2027", (2025, 2027)),
        ("2025 đến 2027", (2025, 2027)),
        ("Từ năm 2025 đến năm 2027", (2025, 2027)),
        ("tu 2025 den 2027", (2025, 2027)),
        ("2027-2025", (2025, 2027)),  # written backwards: the same years
        ("2025", (2025, 2025)),
        ("năm 2025", (2025, 2025)),
        ("thường xuyên", None),
        ("20252027", None),
        ("2025-2027 và 2030", None),  # not a year nor a range: plain substring only
    ],
)
def test_deadline_needle_years(needle: str, years: tuple[int, int] | None) -> None:
    assert deadline_needle_years(needle) == years


@pytest.mark.parametrize(
    ("deadline", "needle", "expected"),
    [
        ("2025 - 2030", "2026-2027", True),  # printed range holds the asked one
        ("giai đoạn 2026-2030", "2025 – 2026", True),  # overlap at one end
        ("giai đoạn 2026-2030", "2031-2035", False),
        ("giai đoạn 2026-2030", "từ 2020 đến 2025", False),
        ("trước 30/6/2026", "2025-2027", True),  # a date counts by its year
        ("trước 30/6/2026", "2027-2028", False),
        ("Quý II/2026", "2026 đến 2028", True),
        ("tháng 12/2026", "từ 2025 đến 2026", True),
        ("tháng 12/2026", "2027-2028", False),
        ("năm 2019, 2020", "2020-2021", True),
        ("Từ năm 2021 đến năm 2025", "2023-2024", True),  # years between two joined points
        ("Quý IV/2025 - Quý II/2026", "2026-2027", True),
        ("Thường xuyên", "2025-2027", False),  # no year: never in a range
        ("Hằng năm", "2025-2027", False),
        ("thực hiện thường xuyên, hàng năm", "2000-2099", False),
        (None, "2025-2027", False),
        # Two years named apart are not a span, nor is a range and a later vision year.
        ("Hoàn thành chính sách trong năm 2020; ký kết ít nhất 05 hợp đồng đến năm 2025", "2021-2023", False),
        ("giai đoạn 2026-2030, tầm nhìn 2045", "2035-2040", False),
        ("giai đoạn 2026-2030, tầm nhìn 2045", "2044-2046", True),
    ],
)
def test_deadline_matches_year_range(deadline: str | None, needle: str, expected: bool) -> None:
    assert deadline_matches(deadline, needle) is expected


def test_tasks_deadline_range_over_the_corpus(svc: QAService) -> None:
    rows = svc.tasks(TaskFilter(deadline="2021-2023"))
    printed = {t.deadline for _, t in rows}
    # A year in the range ('năm 2021', 'Từ năm 2023') or a printed range overlapping it ('2020 - 2025').
    assert {"năm 2021", "Từ năm 2023", "Từ năm 2020 - 2025"} <= printed
    assert not printed & {"năm 2020", "Thường xuyên", "đến năm 2025", None}
    for spelled in ("2021 – 2023", "từ 2021 đến 2023", "2021 đến 2023", "từ năm 2021 đến năm 2023"):
        assert keys(svc.tasks(TaskFilter(deadline=spelled))) == keys(rows), spelled
    # Each year's tasks are inside the range's, and the range holds no task none of its years has.
    by_year = [keys(svc.tasks(TaskFilter(deadline=str(y)))) for y in (2021, 2022, 2023)]
    assert set().union(*by_year) == keys(rows)


def test_tasks_unknown_doc_filter_is_question_error(svc: QAService) -> None:
    with pytest.raises(QuestionError, match="khong-co"):
        svc.tasks(TaskFilter(doc_ids=("khong-co",)))


# --- task(): found, numbering gap, unknown --------------------------------------------------------


def test_task_found(svc: QAService) -> None:
    doc, t = svc.task(KH214, " 5.4 ")
    assert doc.doc_id == KH214 and t.task_id == "5.4"
    assert t.lead == (STC,)


def test_task_in_numbering_gap(svc: QAService) -> None:
    with pytest.raises(NotFoundError) as err:
        svc.task(KH214, "2.3")
    msg = err.value.message
    assert "Nhiệm vụ 2.3 không có trong" in msg
    assert "nhảy từ 2.1 sang 3.3" in msg
    assert err.value.extra["gap"]["after"] == "2.1" and err.value.extra["gap"]["before"] == "3.3"


def test_task_missing_without_gap_and_unknown_document(svc: QAService) -> None:
    with pytest.raises(NotFoundError) as err:
        svc.task(KH214, "99.1")
    assert "Không có nhiệm vụ 99.1" in err.value.message and "gap" not in err.value.extra
    with pytest.raises(NotFoundError, match="khong-co"):
        svc.task("khong-co", "5.4")
    with pytest.raises(NotFoundError, match="Thiếu số hiệu"):
        svc.task(KH214, "  ")


# --- known_docs() ---------------------------------------------------------------------------------


def test_known_docs_collapses_duplicates(svc: QAService) -> None:
    assert svc.known_docs(None) is None
    assert svc.known_docs([]) is None
    assert svc.known_docs([KH214, CTR37, KH214]) == [KH214, CTR37]


def test_known_docs_rejects_unknown_with_bounded_message(svc: QAService) -> None:
    unknown = [f"khong-co-{i}" for i in range(8)]
    with pytest.raises(QuestionError) as err:
        svc.known_docs([KH214, *unknown])
    msg = str(err.value)
    assert all(u in msg for u in unknown[:5])
    assert not any(u in msg for u in unknown[5:])  # only the first five are named...
    assert "(và 3 mã khác)" in msg  # ...with a count of the rest
    assert KH214 in msg  # the ids that do exist are listed


def test_known_docs_names_repeated_unknown_once(svc: QAService) -> None:
    with pytest.raises(QuestionError) as err:
        svc.known_docs(["khong-co"] * 7)
    assert str(err.value).count("khong-co") == 1


# --- search(): validation and pass-through ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "kwargs", "message"),
    [
        ("", {}, "trống"),
        ("   ", {}, "trống"),
        (None, {}, "trống"),
        ("x" * 1001, {}, "quá dài"),
        ("ngân sách", {"k": 0}, "k phải trong khoảng"),
        ("ngân sách", {"k": 51}, "k phải trong khoảng"),
        ("ngân sách", {"mode": "fuzzy"}, "Chế độ tìm"),
        ("ngân sách", {"doc_ids": ["khong-co"]}, "khong-co"),
    ],
)
def test_search_validation(
    svc: QAService, fake: FakeSearcher, query: str | None, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(QuestionError, match=message):
        svc.search(query, **kwargs)  # type: ignore[arg-type]
    assert fake.calls == []  # rejected before searching


def test_search_limits_follow_settings(svc: QAService, settings) -> None:
    assert svc.max_question_chars == settings.answer.max_question_chars == 1000
    assert svc.max_top_k == settings.answer.max_top_k == 50
    svc.search("x" * svc.max_question_chars, k=svc.max_top_k)  # both bounds included


def test_search_passes_scope_and_quotes_exactly(svc: QAService, fake: FakeSearcher) -> None:
    hits = svc.search("  ngân sách khoa học  ", k=3, doc_ids=[KH214, KH214], mode="lexical")
    assert fake.calls == [{"query": "ngân sách khoa học", "k": 3, "doc_ids": [KH214], "mode": "lexical"}]
    assert 0 < len(hits) <= 3
    for h in hits:
        assert h.doc_id == KH214
        assert h.quote == svc.docs[KH214].original[h.char_start : h.char_end]
    svc.search("ngân sách")
    assert fake.calls[-1]["mode"] == svc.mode and fake.calls[-1]["doc_ids"] is None
    for mode in MODES:
        svc.search("ngân sách", mode=mode)
        assert fake.calls[-1]["mode"] == mode


# --- ask(): task-number questions come from the records ------------------------------------------


@pytest.mark.parametrize("searcher", ["fake", "empty"])
def test_ask_task_number_answered_from_records(
    docs: list[ParsedDocument], fake: FakeSearcher, settings, searcher: str
) -> None:
    svc = QAService(docs, fake if searcher == "fake" else EmptySearcher(), settings)
    a = svc.ask("Ai chủ trì nhiệm vụ 5.4?")
    assert a.found and a.question_type == "lead"
    assert a.answer == STC
    c = a.citations[0]
    original = svc.docs[c.doc_id].original
    assert c.doc_id == KH214 and c.task_id == "5.4"
    assert c.quote == original[c.char_start : c.char_end]
    assert c.highlight is not None
    assert c.char_start <= c.highlight[0] < c.highlight[1] <= c.char_end
    assert original[c.highlight[0] : c.highlight[1]] == STC


def test_ask_validates_documents_and_question(svc: QAService) -> None:
    with pytest.raises(QuestionError, match="khong-co"):
        svc.ask("Ai chủ trì nhiệm vụ 5.4?", doc_ids=["khong-co"])
    with pytest.raises(QuestionError, match="trống"):
        svc.ask("   ")
    with pytest.raises(QuestionError, match="top_k"):
        svc.ask("Ai chủ trì nhiệm vụ 5.4?", top_k=0)


def test_ask_task_in_gap_is_not_found(svc: QAService) -> None:
    a = svc.ask("Ai chủ trì nhiệm vụ 2.3 của Kế hoạch 214?")
    assert not a.found and a.answer is None
    assert "nhảy từ 2.1 sang 3.3" in a.message


# --- read-only and offline services ---------------------------------------------------------------


def test_read_only_service_refuses_changes(docs: list[ParsedDocument]) -> None:
    ro = QAService(docs, EmptySearcher(), None)
    with pytest.raises(QuestionError, match="chỉ đọc"):
        ro.add_document("moi.txt", "KẾ HOẠCH\nNội dung.".encode())
    with pytest.raises(QuestionError, match="chỉ đọc"):
        ro.remove_document(KH214)
    with pytest.raises(QuestionError, match="chỉ đọc"):
        ro.reload()
    with pytest.raises(QuestionError, match="chỉ đọc"):
        _ = ro.feedback_path
    assert set(ro.docs) == {d.doc_id for d in docs}  # nothing changed


def test_offline_lists_tasks_without_index(settings, parsed: dict[str, ParsedDocument]) -> None:
    off = QAService.offline(settings)
    assert off.settings is None  # read-only
    assert set(off.docs) == set(parsed)
    assert (KH214, "5.4") in keys(off.tasks(TaskFilter(agency="so tai chinh", role="lead")))
    assert off.task(KH214, "5.4")[1].lead == (STC,)
    assert off.search("ngân sách") == []
    assert off.health().entries is None


# --- documented shapes ----------------------------------------------------------------------------


def test_health_keys(svc: QAService, fake: FakeSearcher, parsed: dict[str, ParsedDocument]) -> None:
    h = svc.health()
    # Every field of the API's /health record is the service's (none left to its default), but "ui",
    # which the serving app says.
    assert isinstance(h, Health) and h.model_fields_set == set(Health.model_fields)
    assert h.ui is False and svc.health(ui=True).ui is True
    assert h.status == "ok"
    assert h.documents == len(parsed)
    assert h.entries == len(fake.entries)
    assert h.tasks == sum(len(d.tasks) for d in parsed.values())
    assert h.clauses == sum(len(d.clauses) for d in parsed.values())
    assert h.model_id is None and h.dimension is None  # the fake has no manifest
    assert h.mode == svc.mode


def test_document_detail_keys(svc: QAService) -> None:
    d = svc.document_detail(KH214)
    assert isinstance(d, DocumentDetail)
    # Every declared field is filled by the service (none left to its default).
    unset = set(DocumentDetail.model_fields) - d.model_fields_set
    assert not unset, unset
    doc = svc.docs[KH214]
    assert d.doc_id == KH214
    assert d.length == len(doc.original)
    assert d.task_ids == [t.task_id for t in doc.tasks] and "5.4" in d.task_ids
    assert d.tasks == len(doc.tasks) and d.clauses == len(doc.clauses)
    assert [g["after"] for g in d.gaps] == ["2.1"]
    assert all(isinstance(v, list) for v in d.header["spans"].values())
    spans = [(c["char_start"], c["char_end"]) for sec in d.outline for c in sec["clauses"]]
    assert len(spans) == len(doc.clauses)
    assert all(0 <= s < e <= d.length for s, e in spans)
    with pytest.raises(NotFoundError, match="khong-co"):
        svc.document_detail("khong-co")


def test_an_agency_typed_without_its_filler_words_still_filters():
    from types import SimpleNamespace

    from hoidap.service.filters import TaskFilter

    task = SimpleNamespace(lead=("UBND các huyện, thị xã, thành phố",), coordinating=(), deadline=None)
    assert TaskFilter(agency="ubnd huyen").matches(task)
    assert TaskFilter(agency="UBND các huyện").matches(task)
    assert not TaskFilter(agency="ubnd tinh").matches(task)
