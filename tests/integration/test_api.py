"""The HTTP API (hoidap.api) and the `ask`/`serve` commands, through the real app.

One QAService over the real index (built once per session by conftest) and the real
embedding model backs every request; each response's quotes are checked against the
original text.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from hoidap.api.app import create_app
from hoidap.corpus.normalize import fold
from hoidap.service.filters import deadline_matches
from hoidap.service.qa import QAService

Q214 = "qng-kh-214-2024"
Q37 = "qng-kh-ctr37"
QNAM = "qnam-ctr-nq29"
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)


@pytest.fixture(scope="module")
def client(service):
    with TestClient(base_url="http://127.0.0.1", app=create_app(service)) as c:
        yield c


def assert_exact_quotes(parsed, data: dict) -> None:
    """Every citation and related entry quotes the original text at its offsets."""
    for c in data["citations"] + data["related"]:
        original = parsed[c["doc_id"]].original
        assert 0 <= c["char_start"] < c["char_end"] <= len(original)
        assert c["quote"] == original[c["char_start"] : c["char_end"]], c
        assert c["doc_title"] == parsed[c["doc_id"]].info.short_title
        if c.get("highlight"):
            h0, h1 = c["highlight"]
            assert c["char_start"] <= h0 < h1 <= c["char_end"], c


def ask(client, parsed, question: str, **extra) -> dict:
    r = client.post("/ask", json={"question": question, **extra})
    assert r.status_code == 200, r.text
    data = r.json()
    assert_exact_quotes(parsed, data)
    expected = {
        "question",
        "question_type",
        "answer",
        "found",
        "message",
        "citations",
        "related",
        "answers",
        "took_ms",
        "confidence",
        "task_filter",
    }
    assert set(data) == expected
    if data["found"]:
        assert data["answer"] and data["citations"]
        assert data["confidence"] is None or 0 <= data["confidence"] <= 1
    else:
        assert data["answer"] is None and data["citations"] == [] and data["confidence"] is None
    return data


def assert_error(r: httpx.Response, statuses: tuple[int, ...]) -> str:
    assert r.status_code in statuses, (r.status_code, r.text)
    body = r.json()
    assert isinstance(body.get("error"), str) and body["error"].strip(), body
    assert VIETNAMESE.search(body["error"]), body["error"]
    return body["error"]


# --- /ask: each kind of question ---------------------------------------------------------------


def test_lead_answer_with_exact_quote(client, parsed):
    data = ask(client, parsed, "Ai chủ trì nhiệm vụ 5.4?")
    assert data["found"] and data["question_type"] == "lead"
    assert data["answer"] == "Sở Tài chính"
    top = data["citations"][0]
    assert (top["doc_id"], top["task_id"]) == (Q214, "5.4")
    assert top["doc_number"] == "214/KH-UBND"
    original = parsed[Q214].original
    assert top["quote"] == original[top["char_start"] : top["char_end"]]
    h0, h1 = top["highlight"]
    assert fold(original[h0:h1]) == fold("Sở Tài chính")


def test_coordinating_answer(client, parsed):
    data = ask(client, parsed, "Ai phối hợp nhiệm vụ 5.4?")
    assert data["found"] and data["question_type"] == "coordinating"
    assert "Các sở, ban, ngành" in data["answer"]
    assert data["answer"] != "Sở Tài chính"
    assert (data["citations"][0]["doc_id"], data["citations"][0]["task_id"]) == (Q214, "5.4")


def test_deadline_answer(client, parsed):
    data = ask(client, parsed, "Thời hạn xây dựng Đề án thành lập Quỹ tín dụng doanh nghiệp nhỏ và vừa?")
    assert data["found"] and data["question_type"] == "deadline"
    assert data["answer"] == "năm 2020"
    top = data["citations"][0]
    assert top["doc_id"] == Q37
    assert "Quỹ tín dụng" in top["quote"]
    h0, h1 = top["highlight"]
    assert parsed[Q37].original[h0:h1] == "năm 2020"


def test_figure_answered_per_document(client, parsed):
    data = ask(client, parsed, "Mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?")
    assert data["found"] and data["question_type"] == "figure"
    assert len(data["answers"]) >= 2
    by_doc = {a["doc_id"]: a["answer"] for a in data["answers"]}
    assert len(by_doc) == len(data["answers"])  # one answer per document
    assert by_doc[QNAM] == "trên 9%/năm"
    cited = {c["doc_id"]: c for c in data["citations"]}
    for doc_id, value in by_doc.items():
        assert value in " ".join(cited[doc_id]["quote"].split())  # each figure backed by its document
        assert value in data["answer"]


def test_province_scoped_question(client, parsed):
    data = ask(client, parsed, "Quảng Nam đặt mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?")
    assert data["found"]
    assert data["answer"] == "trên 9%/năm"
    assert {c["doc_id"] for c in data["citations"] + data["related"]} == {QNAM}
    assert len(data["answers"]) <= 1


def test_document_fact_signer(client, parsed):
    data = ask(client, parsed, "Kế hoạch 214 do ai ký?")
    assert data["found"] and data["question_type"] == "document"
    assert "Trần Phước Hiền" in data["answer"]
    top = data["citations"][0]
    assert top["doc_id"] == Q214
    assert "Trần Phước Hiền" in top["quote"]


def test_listing_by_agency(client, parsed):
    data = ask(client, parsed, "Sở Tài chính chủ trì những nhiệm vụ nào?")
    assert data["found"] and data["question_type"] == "listing"
    assert "5.4" in data["answer"] and "3.3" in data["answer"]
    cited = {(c["doc_id"], c["task_id"]) for c in data["citations"]}
    assert {(Q214, "5.4"), (Q214, "3.3")} <= cited
    for c in data["citations"]:
        task = next(t for t in parsed[c["doc_id"]].tasks if t.task_id == c["task_id"])
        assert any("tai chinh" in fold(a) for a in task.lead)


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("Ai chủ trì nhiệm vụ 5.4?", "Ai chu tri nhiem vu 5.4?"),
        ("Ai phối hợp nhiệm vụ 5.4?", "ai phoi hop nhiem vu 5.4"),
        (
            "Thời hạn xây dựng Đề án thành lập Quỹ tín dụng doanh nghiệp nhỏ và vừa?",
            "Thoi han xay dung De an thanh lap Quy tin dung doanh nghiep nho va vua?",
        ),
        (
            "Mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?",
            "Muc tieu tang truong GRDP den 2030 la bao nhieu?",
        ),
        ("Kế hoạch 214 do ai ký?", "Ke hoach 214 do ai ky?"),
        ("Sở Tài chính chủ trì những nhiệm vụ nào?", "So Tai chinh chu tri nhung nhiem vu nao?"),
        ("Ai chủ trì nhiệm vụ 2.3 trong Kế hoạch 214?", "Ai chu tri nhiem vu 2.3 trong Ke hoach 214?"),
    ],
)
def test_diacritic_free_question_gives_the_same_answer(client, parsed, accented, plain):
    a = ask(client, parsed, accented)
    b = ask(client, parsed, plain)
    assert (b["found"], b["question_type"], b["answer"]) == (a["found"], a["question_type"], a["answer"])

    def spans(d: dict) -> list[tuple]:
        return [(c["doc_id"], c["char_start"], c["char_end"]) for c in d["citations"]]

    assert spans(b) == spans(a)


def test_doc_ids_scope_the_answer(client, parsed):
    data = ask(client, parsed, "Sở Tài chính chủ trì những nhiệm vụ nào?", doc_ids=[Q37])
    assert data["found"]
    assert {c["doc_id"] for c in data["citations"]} == {Q37}
    assert "II.3.b" in data["answer"] and "5.4" not in data["answer"]

    data = ask(client, parsed, "Mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?", doc_ids=[QNAM])
    assert data["answer"] == "trên 9%/năm"
    assert {c["doc_id"] for c in data["citations"] + data["related"]} == {QNAM}

    data = ask(client, parsed, "Ai chủ trì nhiệm vụ 5.4?", doc_ids=[Q37])  # 5.4 is in 214, not here
    assert not data["found"]
    assert {c["doc_id"] for c in data["related"]} <= {Q37}


def test_top_k_bounds_related(client, parsed, service):
    data = ask(client, parsed, "Giá vé xem bóng đá ở sân Hòa Xuân là bao nhiêu?", top_k=2)
    assert 0 < len(data["related"]) <= 2
    data = ask(client, parsed, "Giá vé xem bóng đá ở sân Hòa Xuân là bao nhiêu?", top_k=service.max_top_k)
    assert len(data["related"]) > 2


def test_abstains_on_task_in_numbering_gap(client, parsed):
    data = ask(client, parsed, "Ai chủ trì nhiệm vụ 2.3 trong Kế hoạch 214?")
    assert data["found"] is False
    assert data["answer"] is None
    assert "2.1" in data["message"] and "3.3" in data["message"]
    assert data["related"]
    assert {c["doc_id"] for c in data["related"]} == {Q214}


def test_abstains_off_corpus(client, parsed):
    data = ask(client, parsed, "Giá vé xem bóng đá ở sân Hòa Xuân là bao nhiêu?")
    assert data["found"] is False and data["answer"] is None
    assert data["message"]


def test_ask_is_exactly_answer_to_dict(client, parsed, service):
    q = "Ai chủ trì nhiệm vụ 5.4?"
    data = ask(client, parsed, q, top_k=3)
    expected = service.ask(q, top_k=3).to_dict()
    data.pop("took_ms"), expected.pop("took_ms")
    assert data == expected


# --- /ask: bad input ------------------------------------------------------------------------------

BAD_ASKS = [
    pytest.param({"json": {"question": ""}}, (400, 422), id="empty"),
    pytest.param({"json": {"question": "   \n\t "}}, (400, 422), id="whitespace"),
    pytest.param({"json": {"question": "x" * 1001}}, (400, 422), id="too-long"),
    pytest.param({"json": {"question": "Ai chủ trì nhiệm vụ 5.4?", "top_k": 0}}, (422,), id="top_k-0"),
    pytest.param({"json": {"question": "Ai chủ trì nhiệm vụ 5.4?", "top_k": 51}}, (422,), id="top_k-51"),
    pytest.param({"json": {"question": "Ai chủ trì nhiệm vụ 5.4?", "top_k": -3}}, (422,), id="top_k-neg"),
    pytest.param({"json": {"question": "Ai chủ trì?", "top_k": "năm"}}, (422,), id="top_k-str"),
    pytest.param({"json": {"question": "Ai chủ trì?", "top_k": 2.5}}, (422,), id="top_k-float"),
    pytest.param({"json": {"question": "Ai chủ trì?", "top_k": True}}, (422,), id="top_k-bool"),
    pytest.param(
        {"json": {"question": "Ai chủ trì?", "doc_ids": ["khong-co"]}}, (404, 422), id="unknown-doc"
    ),
    pytest.param({"json": {"question": "Ai chủ trì?", "doc_ids": Q214}}, (422,), id="doc_ids-str"),
    pytest.param({"json": {"question": "Ai chủ trì?", "doc_ids": [1]}}, (422,), id="doc_ids-int"),
    pytest.param({"json": {"question": 123}}, (422,), id="question-int"),
    pytest.param({"json": {"question": ["Ai?"]}}, (422,), id="question-list"),
    pytest.param({"json": {"question": None}}, (422,), id="question-null"),
    pytest.param({"json": {"top_k": 3}}, (422,), id="missing-question"),
    pytest.param({"json": {"question": "Ai?", "topk": 3}}, (422,), id="unknown-field"),
    pytest.param({"json": ["Ai chủ trì nhiệm vụ 5.4?"]}, (422,), id="array-body"),
    pytest.param({"json": "Ai chủ trì nhiệm vụ 5.4?"}, (422,), id="string-body"),
    pytest.param({}, (422,), id="no-body"),
    pytest.param(
        {"content": b'{"question": "Ai', "headers": {"content-type": "application/json"}},
        (400, 422),
        id="malformed-json",
    ),
    pytest.param(
        {"content": b"{'question': 'x'}", "headers": {"content-type": "application/json"}},
        (400, 422),
        id="single-quotes-json",
    ),
    pytest.param(
        {"content": b"question=x", "headers": {"content-type": "application/x-www-form-urlencoded"}},
        (400, 415, 422),
        id="form-body",
    ),
]


@pytest.mark.parametrize(("kwargs", "statuses"), BAD_ASKS)
def test_bad_ask_input_is_a_vietnamese_4xx(client, kwargs, statuses):
    assert_error(client.post("/ask", **kwargs), statuses)


def test_bad_input_messages_say_what_is_wrong(client):
    msg = assert_error(client.post("/ask", json={"question": " "}), (422,))
    assert "trống" in msg
    msg = assert_error(client.post("/ask", json={"question": "x" * 1001}), (422,))
    assert "1000" in msg
    msg = assert_error(client.post("/ask", json={"question": "Ai?", "top_k": 99}), (422,))
    assert "top_k" in msg and "50" in msg
    msg = assert_error(client.post("/ask", json={"question": "Ai?", "doc_ids": ["khong-co"]}), (422,))
    assert "khong-co" in msg and Q214 in msg
    r = client.post("/ask", content=b'{"question": ', headers={"content-type": "application/json"})
    msg = assert_error(r, (400,))
    assert "JSON" in msg
    assert r.json()["details"][0]["type"] == "json_invalid"
    r = client.post("/ask", json={"question": 5})
    assert r.json()["details"][0]["loc"] == ["body", "question"]


def test_question_at_the_length_limit_is_accepted(client, parsed):
    prefix = "Ai chủ trì nhiệm vụ 5.4? "
    question = prefix + "a" * (1000 - len(prefix))
    assert len(question) == 1000
    data = ask(client, parsed, question)
    assert data["question_type"]


# --- /search ----------------------------------------------------------------------------------------


def _check_hits(parsed, hits: list[dict]) -> None:
    for h in hits:
        original = parsed[h["doc_id"]].original
        assert h["quote"] == original[h["char_start"] : h["char_end"]]
        assert {"score", "lexical", "dense", "matched_terms", "section", "task_id", "text"} <= set(h)
        assert isinstance(h["matched_terms"], list)


def test_search_returns_ranked_hits_with_quotes(client, parsed):
    r = client.get("/search", params={"q": "Quỹ tín dụng doanh nghiệp nhỏ và vừa", "k": 3})
    assert r.status_code == 200
    hits = r.json()
    assert 0 < len(hits) <= 3
    _check_hits(parsed, hits)
    assert hits[0]["score"] >= hits[-1]["score"]
    assert any("quy" in fold(t) or "tin" in fold(t) for t in hits[0]["matched_terms"])


def test_search_modes_and_document_filter(client, parsed):
    for mode in ("hybrid", "lexical", "dense"):
        r = client.get("/search", params={"q": "tăng trưởng GRDP", "mode": mode, "k": 4})
        assert r.status_code == 200, r.text
        assert r.json()
        _check_hits(parsed, r.json())
    r = client.get("/search", params=[("q", "tăng trưởng GRDP"), ("doc", QNAM), ("doc", Q214), ("k", 10)])
    hits = r.json()
    assert hits and {h["doc_id"] for h in hits} <= {QNAM, Q214}
    r = client.get("/search", params={"q": "tang truong GRDP", "doc": QNAM})
    assert {h["doc_id"] for h in r.json()} == {QNAM}


@pytest.mark.parametrize(
    ("params", "statuses"),
    [
        ({"q": "GRDP", "mode": "semantic"}, (422,)),
        ({"q": "   "}, (400, 422)),
        ({}, (422,)),
        ({"q": "x" * 1001}, (400, 422)),
        ({"q": "GRDP", "k": 0}, (422,)),
        ({"q": "GRDP", "k": 51}, (422,)),
        ({"q": "GRDP", "k": "mười"}, (422,)),
        ({"q": "GRDP", "doc": "khong-co"}, (404, 422)),
    ],
)
def test_search_bad_input(client, params, statuses):
    assert_error(client.get("/search", params=params), statuses)


# --- /tasks ---------------------------------------------------------------------------------------


def _tasks(client, params) -> list[dict]:
    r = client.get("/tasks", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_tasks_unfiltered_and_by_document(client, parsed):
    rows = _tasks(client, {})
    assert len(rows) == sum(len(d.tasks) for d in parsed.values())
    for row in rows:
        assert row["quote"] == parsed[row["doc_id"]].original[row["char_start"] : row["char_end"]]
    rows = _tasks(client, {"doc": Q214})
    assert len(rows) == len(parsed[Q214].tasks) and {r["doc_id"] for r in rows} == {Q214}
    rows = _tasks(client, [("doc", Q214), ("doc", Q37)])
    assert len(rows) == len(parsed[Q214].tasks) + len(parsed[Q37].tasks)


def test_tasks_by_id(client):
    rows = _tasks(client, {"id": "5.4"})
    assert [(r["doc_id"], r["task_id"]) for r in rows] == [(Q214, "5.4")]
    assert rows[0]["lead"] == ["Sở Tài chính"]
    rows = _tasks(client, {"id": "II.2.đ-1", "doc": Q37})
    assert [r["task_id"] for r in rows] == ["II.2.đ-1"]


def test_tasks_by_agency_ignores_diacritics(client):
    accented = _tasks(client, {"agency": "Sở Tài chính"})
    plain = _tasks(client, {"agency": "so tai chinh"})
    assert accented == plain
    ids = {(r["doc_id"], r["task_id"]) for r in accented}
    assert {(Q214, "5.4"), (Q214, "3.3")} <= ids
    for r in accented:
        assert any("so tai chinh" in fold(a) for a in r["lead"] + r["coordinating"])
    coordinating_only = [r for r in accented if not any("tai chinh" in fold(a) for a in r["lead"])]
    assert coordinating_only  # the agency also matches as a coordinating body


def test_tasks_by_deadline(client):
    rows = _tasks(client, {"deadline": "2020"})
    assert rows
    assert ("qng-kh-ctr37", "II.3.b") in {(r["doc_id"], r["task_id"]) for r in rows}
    for r in rows:
        assert deadline_matches(r["deadline"], "2020")
    assert any(r["deadline"] == "Từ năm 2020 - 2025" for r in _tasks(client, {"deadline": "2023"}))
    often = _tasks(client, {"deadline": "thuong xuyen"})
    assert often and all("thuong xuyen" in fold(r["deadline"]) for r in often)
    both = _tasks(client, {"deadline": "2020", "agency": "Sở Tài chính"})
    assert both and all(r in rows for r in both)
    assert _tasks(client, {"deadline": "2099"}) == []


def test_deadline_matching_rules():
    assert deadline_matches("năm 2020", "2020")
    assert deadline_matches("Từ năm 2020 - 2025", "2023")
    assert not deadline_matches("đến năm 2025", "2023")
    assert deadline_matches("Thường xuyên", "thuong xuyen")
    assert not deadline_matches(None, "2020")
    assert deadline_matches(None, None) and deadline_matches(None, "  ")


def test_tasks_bad_input(client):
    assert_error(client.get("/tasks", params={"doc": "khong-co"}), (404, 422))
    assert _tasks(client, {"id": "99.99"}) == []


def test_task_by_id_with_encoded_ids(client, parsed):
    r = client.get(f"/tasks/{Q214}/5.4")
    assert r.status_code == 200
    assert r.json()["lead"] == ["Sở Tài chính"]
    for task_id in ("II.2.đ-1", "II.2.b(2)"):
        encoded = quote(task_id, safe="")
        assert "%" in encoded
        r = client.get(f"/tasks/{Q37}/{encoded}")
        assert r.status_code == 200, (task_id, r.text)
        row = r.json()
        assert row["task_id"] == task_id and row["doc_id"] == Q37
        assert row["quote"] == parsed[Q37].original[row["char_start"] : row["char_end"]]
    assert client.get(f"/tasks/{Q37}/II.2.b(2)").json()["task_id"] == "II.2.b(2)"  # unencoded too


def test_task_by_id_not_found(client):
    msg = assert_error(client.get(f"/tasks/khong-co/{quote('5.4')}"), (404,))
    assert "khong-co" in msg
    msg = assert_error(client.get(f"/tasks/{Q214}/99.9"), (404,))
    assert "99.9" in msg
    r = client.get(f"/tasks/{Q214}/2.3")
    msg = assert_error(r, (404,))
    assert "2.3" in msg and "2.1" in msg and "3.3" in msg
    assert r.json()["gap"]["after"] == "2.1"
    assert_error(client.get(f"/tasks/{Q214}/"), (404,))


# --- documents, health, docs, routing -------------------------------------------------------------------


def test_documents_list(client, parsed):
    r = client.get("/documents")
    assert r.status_code == 200
    docs = {d["doc_id"]: d for d in r.json()}
    assert set(docs) == set(parsed)
    for doc_id, d in docs.items():
        p = parsed[doc_id]
        assert d["short_title"] == p.info.short_title
        assert d["clauses"] == len(p.clauses) and d["tasks"] == len(p.tasks)
        assert len(d["gaps"]) == len(p.gaps)
    assert docs[Q214]["gaps"][0]["after"] == "2.1"
    assert docs[Q214]["number"] == "214/KH-UBND"


def test_document_detail(client, parsed):
    r = client.get(f"/documents/{Q214}")
    assert r.status_code == 200
    d = r.json()
    p = parsed[Q214]
    assert d["header"]["signer"] == "Trần Phước Hiền"
    s0, s1 = d["header"]["spans"]["signer"]
    assert p.original[s0:s1] == "Trần Phước Hiền"
    assert d["clauses"] == len(p.clauses) and d["tasks"] == len(p.tasks)
    outline_clauses = [c for sec in d["outline"] for c in sec["clauses"]]
    assert [c["clause_id"] for c in outline_clauses] == [c.clause_id for c in p.clauses]
    assert all("text" not in c for c in outline_clauses)  # outline only, not full texts
    assert any(sec["section"].startswith("Phụ lục") for sec in d["outline"])
    assert "5.4" in d["task_ids"]
    assert_error(client.get("/documents/khong-co"), (404,))


def test_health(client, parsed, index, embedder):
    r = client.get("/health")
    assert r.status_code == 200
    h = r.json()
    assert h["index_loaded"] is True
    assert h["documents"] == len(parsed)
    assert h["entries"] == len(index.entries) == index.manifest.counts["entries"]
    assert h["clauses"] == sum(len(d.clauses) for d in parsed.values())
    assert h["tasks"] == sum(len(d.tasks) for d in parsed.values())
    assert h["model_id"] == embedder.model_id
    assert h["dimension"] == embedder.dimension


def test_openapi_docs(client):
    r = client.get("/docs")
    assert r.status_code == 200 and "swagger" in r.text.lower()
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/ask", "/search", "/tasks", "/tasks/{doc_id}/{task_id}", "/documents", "/health"):
        assert p in paths
    assert client.get("/", follow_redirects=False).headers["location"] == "/docs"


def test_unknown_route_and_method(client):
    assert_error(client.get("/khong-co"), (404,))
    assert_error(client.get("/ask"), (405,))


# --- concurrency, start-up, UI hook ------------------------------------------------------------------


def test_concurrent_requests(client, parsed):
    questions = [
        "Ai chủ trì nhiệm vụ 5.4?",
        "Mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?",
        "Thời hạn xây dựng Đề án thành lập Quỹ tín dụng doanh nghiệp nhỏ và vừa?",
        "Giá vé xem bóng đá ở sân Hòa Xuân là bao nhiêu?",
    ] * 4

    def one(q: str) -> tuple[int, dict]:
        r = client.post("/ask", json={"question": q})
        return r.status_code, r.json()

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(one, questions))
    assert all(status == 200 for status, _ in results)
    seen: dict[str, str] = {}
    for q, (_, data) in zip(questions, results, strict=True):
        assert data["question"] == q
        assert_exact_quotes(parsed, data)
        data.pop("took_ms")
        key = json.dumps(data, ensure_ascii=False, sort_keys=True)
        assert seen.setdefault(q, key) == key


def test_service_loads_once_at_startup(service):
    calls = Counter()

    def loader() -> QAService:
        calls["load"] += 1
        return service

    app = create_app(loader=loader)
    assert calls["load"] == 0  # nothing loads when the app is built
    with TestClient(base_url="http://127.0.0.1", app=app) as c:
        assert calls["load"] == 1
        for _ in range(3):
            assert c.get("/health").status_code == 200
            assert c.post("/ask", json={"question": "Ai chủ trì nhiệm vụ 5.4?"}).json()["found"]
    assert calls["load"] == 1


def test_missing_index_is_a_503_with_a_message(settings, embedder, tmp_path):
    missing = settings.model_copy(update={"index_dir": tmp_path / "khong-co-chi-muc"})
    with TestClient(
        base_url="http://127.0.0.1", app=create_app(loader=lambda: QAService.open(missing, embedder))
    ) as c:
        r = c.get("/health")
        assert r.status_code == 503 and r.json()["index_loaded"] is False
        assert "hoidap index" in r.json()["error"]
        msg = assert_error(c.post("/ask", json={"question": "Ai chủ trì nhiệm vụ 5.4?"}), (503,))
        assert "hoidap index" in msg
        assert_error(c.get("/tasks"), (503,))
        assert c.get("/docs").status_code == 200


def test_ui_mount_redirects_root(service):
    from hoidap.ui.app import mount

    app = create_app(service)
    assert app.state.ui_mounted is False  # the API alone knows nothing of the page
    mount(app, service)
    with TestClient(base_url="http://127.0.0.1", app=app) as c:
        assert c.get("/", follow_redirects=False).headers["location"] == "/ui"
        assert c.get("/health").json()["ui"] is True


# --- CLI ------------------------------------------------------------------------------------------------


@pytest.fixture
def cli_service(service, monkeypatch):
    monkeypatch.setattr(QAService, "open", classmethod(lambda cls, settings, embedder=None: service))
    return service


def test_cli_ask_prints_answer_and_quote(cli_service, capsys):
    from hoidap.cli import main

    assert main(["ask", "Ai chủ trì nhiệm vụ 5.4?"]) == 0
    out = capsys.readouterr().out
    assert "Sở Tài chính" in out
    top = cli_service.ask("Ai chủ trì nhiệm vụ 5.4?").citations[0]
    assert f"{top.char_start}–{top.char_end}" in out
    assert " ".join(top.quote.split())[:80] in out
    assert top.doc_title in out


def test_cli_ask_not_found_lists_related(cli_service, capsys):
    from hoidap.cli import main

    assert main(["ask", "Ai chủ trì nhiệm vụ 2.3 trong Kế hoạch 214?", "--top-k", "2"]) == 0
    out = capsys.readouterr().out
    assert "2.1" in out and "3.3" in out
    assert "liên quan" in out


def test_cli_ask_json_and_scoping(cli_service, capsys):
    from hoidap.cli import main

    q = "Mục tiêu tăng trưởng GRDP đến 2030 là bao nhiêu?"
    assert main(["ask", q, "--doc", QNAM, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answer"] == "trên 9%/năm"
    assert {c["doc_id"] for c in data["citations"]} == {QNAM}


def test_cli_ask_bad_input(cli_service, capsys):
    from hoidap.cli import main

    assert main(["ask", "   "]) == 2
    assert "trống" in capsys.readouterr().err
    assert main(["ask", "Ai chủ trì?", "--doc", "khong-co"]) == 2
    assert "khong-co" in capsys.readouterr().err
    assert main(["ask", "Ai chủ trì?", "--top-k", "0"]) == 2


# --- `hoidap serve` as a real process -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_subprocess(built_index, tmp_path):
    port = _free_port()
    script = Path(sys.executable).with_name("hoidap")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hoidap.cli"]
    env = {**os.environ, "HOIDAP_INDEX_DIR": str(built_index[0]), "PYTHONUNBUFFERED": "1"}
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        health = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, log_path.read_text()
            try:
                r = httpx.get(f"{base}/health", timeout=5)
                if r.status_code == 200:
                    health = r.json()
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        assert health is not None, log_path.read_text()
        assert health["index_loaded"] and health["documents"] == 5
        r = httpx.post(f"{base}/ask", json={"question": "Ai chủ trì nhiệm vụ 5.4?"}, timeout=60)
        assert r.status_code == 200
        assert r.json()["answer"] == "Sở Tài chính"
        r = httpx.post(f"{base}/ask", json={"question": ""}, timeout=60)
        assert r.status_code == 422 and "trống" in r.json()["error"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
