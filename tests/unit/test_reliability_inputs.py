"""Hostile and careless inputs, without the model: tokens, text hygiene, limits, bombs, exports.

Issue 12: every one of these must end in a clear Vietnamese refusal (or a harmless answer), never a
traceback, a 500 or a server path in the message.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from hoidap.corpus.extract import MAX_ZIP_ENTRIES, extract_text
from hoidap.corpus.store import DocumentError
from hoidap.indexer.lexical import LexicalIndex
from hoidap.indexer.tokenization import clean_text, fold_tokens, has_invalid_chars, tokenize
from hoidap.settings import AnswerThresholds, Settings

# --- tokens --------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["x_", "_x", "x__y", "__", "a _ b", "_ _ _", "kế_hoạch_"])
def test_underscores_never_give_an_empty_token(query):
    tokens = tokenize(query)
    assert all(t and not t.startswith("_") and not t.endswith("_") for t in tokens)
    assert all(fold_tokens(tokens))


@pytest.mark.parametrize("query", [["x_"], [""], ["_"], ["x", ""], ["__"]])
def test_lexical_search_survives_odd_query_tokens(query):
    index = LexicalIndex.build([["x", "y"], ["z"], ["kế_hoạch"]])
    index.search(query, 5)  # bm25s used to raise on an empty folded token


def test_surrogates_and_controls_are_cleaned_before_segmenting():
    text = "abc \ud800 def\x00ghi\x1b"
    assert has_invalid_chars(text) and not has_invalid_chars(clean_text(text))
    assert tokenize(text) == ["abc", "def", "ghi"]
    assert not has_invalid_chars("Kế hoạch\tsố 214\r\n")


# --- the API's declared limits (schema and validation agree) ---------------------------------------


@pytest.mark.parametrize("limits", [AnswerThresholds(), AnswerThresholds(max_question_chars=30, max_top_k=3)])
def test_request_schema_declares_what_validation_enforces(limits):
    from pydantic import ValidationError

    from hoidap.api.schemas import ask_request

    request = ask_request(limits)
    chars = limits.max_question_chars
    props = request.model_json_schema()["properties"]
    assert props["question"]["minLength"] == 1 and props["question"]["maxLength"] == chars
    assert props["question"]["pattern"] and props["top_k"]["maximum"] == limits.max_top_k
    for bad in [" ", "\u3000", "a\x00b", "abc \ud800", "x" * (chars + 1)]:
        with pytest.raises(ValidationError):
            request(question=bad)
    with pytest.raises(ValidationError):
        request(question="x", top_k=limits.max_top_k + 1)
    assert request(question="x" * chars, top_k=limits.max_top_k).top_k == limits.max_top_k
    assert request(question=" Ai\tchủ trì? ").question == " Ai\tchủ trì? "
    assert request(question="x_", doc_ids=["a", "a"]).doc_ids == ["a", "a"]


def test_the_apps_settings_bound_its_requests():
    """An override of the answer limits reaches validation and the schema (not only the service)."""
    from fastapi.testclient import TestClient

    from hoidap.api.app import create_app

    settings = Settings(answer=AnswerThresholds(max_question_chars=30, max_top_k=3))
    # No service is loaded (the client starts no lifespan): a valid request gets 503, an invalid one 422.
    client = TestClient(create_app(loader=lambda: None, settings=settings), base_url="http://127.0.0.1")
    assert client.post("/ask", json={"question": "x" * 30, "top_k": 3}).status_code == 503
    r = client.post("/ask", json={"question": "x" * 31})
    assert r.status_code == 422 and "30" in r.json()["error"], r.text
    r = client.post("/ask", json={"question": "Ai?", "top_k": 4})
    assert r.status_code == 422 and "top_k" in r.json()["error"] and "3" in r.json()["error"], r.text
    assert client.get("/search", params={"q": "x" * 31}).status_code == 422
    assert client.get("/search", params={"q": "x", "k": 4}).status_code == 422
    assert client.get("/search", params={"q": "x" * 30, "k": 3}).status_code == 503
    schema = client.get("/openapi.json").json()
    assert schema["components"]["schemas"]["AskRequest"]["properties"]["question"]["maxLength"] == 30
    k = next(p for p in schema["paths"]["/search"]["get"]["parameters"] if p["name"] == "k")
    assert k["schema"]["maximum"] == 3


def test_validation_messages_are_vietnamese_and_bounded():
    from hoidap.api.schemas import error_details, vietnamese_error

    huge = "k" * 100_000
    err = {"type": "extra_forbidden", "loc": ("body", huge), "msg": "Extra inputs are not permitted"}
    message, status = vietnamese_error(err)
    assert status == 422 and len(message) < 300 and "không được hỗ trợ" in message
    assert len(str(error_details([err] * 50))) < 5000
    message, _ = vietnamese_error({"type": "json_invalid", "loc": ("body", 13), "ctx": {"error": "EOF"}})
    assert "JSON" in message and "EOF" not in message
    message, _ = vietnamese_error({"type": "string_unicode", "loc": ("body", "question")})
    assert "không hợp lệ" in message


# --- request bodies --------------------------------------------------------------------------------


def _app():
    from fastapi import FastAPI

    from hoidap.api.limits import BodyLimitMiddleware

    app = FastAPI()

    @app.post("/echo")
    async def echo(body: dict) -> dict:
        return {"n": len(str(body))}

    app.add_middleware(BodyLimitMiddleware, max_body_bytes=1024, max_upload_bytes=4096, timeout_seconds=1)
    return app


def test_body_limit_refuses_declared_and_streamed_oversize():
    from fastapi.testclient import TestClient

    client = TestClient(base_url="http://127.0.0.1", app=_app())
    assert client.post("/echo", json={"a": "b"}).status_code == 200
    r = client.post("/echo", json={"a": "b" * 5000})
    assert r.status_code == 413 and "quá lớn" in r.json()["error"]

    def chunks():  # no Content-Length: counted while streaming
        for _ in range(10):
            yield b" " * 500

    r = client.post("/echo", content=chunks(), headers={"content-type": "application/json"})
    # Raised while the route reads the body: FastAPI's own handler here (the real app's says "error").
    assert r.status_code == 413 and "quá lớn" in str(r.json())


def test_a_body_trickled_a_byte_at_a_time_is_cut_off(monkeypatch):
    """Each read arrives well within the per-read timeout, but the body as a whole crawls (issue 22 §4)."""
    import time as real_time

    import anyio

    import hoidap.api.limits as limits

    clock = [real_time.monotonic()]
    sent: list[int] = []

    async def crawling_receive():
        clock[0] += 0.5  # half a second a byte: each read is quick, the whole is not
        sent.append(1)
        return {"type": "http.request", "body": b" ", "more_body": len(sent) < 100}

    async def app(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    statuses: list[int] = []

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    middleware = limits.BodyLimitMiddleware(
        app, max_body_bytes=4096, max_upload_bytes=4096, timeout_seconds=1
    )
    scope = {"type": "http", "path": "/echo", "headers": []}
    monkeypatch.setattr(limits, "monotonic", lambda: clock[0])  # the middleware's clock only
    anyio.run(middleware, scope, crawling_receive, send)
    assert statuses == [408] and len(sent) < 10  # refused after about a second, not after 50


# --- spreadsheet exports -----------------------------------------------------------------------------


def test_spreadsheet_cells_are_neutralised(tmp_path):
    from hoidap.ui.app import EXPORT_COLUMNS, safe_cell, write_csv, write_xlsx

    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for lead in "=+-@\t\r":
        assert safe_cell(lead + "1").startswith("'")
    assert safe_cell("Sở Tài chính") == "Sở Tài chính" and safe_cell(42) == 42 and safe_cell(None) is None
    row = dict.fromkeys(EXPORT_COLUMNS, "=1+1")
    row[EXPORT_COLUMNS[-1]] = 12
    with (write_csv([row], tmp_path / "a.csv")).open(encoding="utf-8-sig") as fh:
        out = list(csv.DictReader(fh))[0]
    assert out[EXPORT_COLUMNS[0]] == "'=1+1"
    from openpyxl import load_workbook

    # The printable report keeps the text as typed but stores it as a string, never a formula.
    from hoidap.ui.app import REPORT_HEADER_ROW

    row["Nội dung"] = '=HYPERLINK("http://x")'
    row["Chủ trì"] = "-Sở Tài chính"
    ws = load_workbook(write_xlsx([row], tmp_path / "a.xlsx")).active
    data = [c for r in ws.iter_rows(min_row=REPORT_HEADER_ROW + 1) for c in r]
    assert data[0].value == 1 and data[1].value == "=1+1" and data[1].data_type == "s"
    assert '=HYPERLINK("http://x")' in [c.value for c in data] and "-Sở Tài chính" in [c.value for c in data]
    assert not [c for r in ws.iter_rows() for c in r if c.data_type == "f"]


# --- files: size, bombs, bad content ---------------------------------------------------------------


def _docx_bytes(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_docx_bomb_is_refused_before_parsing():
    # 200 MB of one repeated byte inflates from ~200 KB: refused from the zip directory alone.
    bomb = _docx_bytes({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<" + b"a" * (200 * 2**20)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(DocumentError, match="bất thường"):
        extract_text("bom.docx", bomb)


def test_docx_with_too_many_parts_is_refused():
    many = _docx_bytes({f"word/p{i}.xml": b"<x/>" for i in range(MAX_ZIP_ENTRIES + 1)}, zipfile.ZIP_STORED)
    with pytest.raises(DocumentError, match="bất thường"):
        extract_text("nhieu.docx", many)


def test_real_docx_still_reads():
    import docx

    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("1. Trồng mới 120 ha rừng ngập mặn.")
    buf = io.BytesIO()
    d.save(buf)
    assert "rừng ngập mặn" in extract_text("rung.docx", buf.getvalue())


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("a.txt", b"x" * 2048, "quá lớn"),
        ("a.txt", "Điều 1. ".encode() + b"a" * 3000, "quá dài"),
        ("a.docx", b"PK\x03\x04 not a zip", "hỏng"),
        ("a.pdf", b"%PDF-1.4\n garbage", "PDF"),
        ("a.exe", b"MZ", "định dạng"),
        ("a.txt", b"\x00\x01\x02" * 100, "nhị phân"),
        ("../../etc/passwd.txt", b"", "rỗng"),
    ],
)
def test_bad_files_get_clear_messages_without_paths(name, data, match):
    with pytest.raises(DocumentError, match=match) as info:
        extract_text(name, data, max_bytes=1024 if match == "quá lớn" else 10**6, max_chars=2000)
    assert "/etc" not in str(info.value) and ".." not in str(info.value)


def test_cli_add_refuses_a_file_over_the_size_limit(tmp_path, monkeypatch, capsys):
    from hoidap import cli

    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 4096)
    monkeypatch.setenv("HOIDAP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOIDAP_MAX_UPLOAD_BYTES", "2048")
    assert cli.main(["add", str(big)]) == 2
    err = capsys.readouterr().err
    assert "quá lớn" in err and "Traceback" not in err
    assert not (tmp_path / "data" / "corpus").exists()


@pytest.mark.parametrize("kind", ["symlink", "fifo", "directory"])
def test_cli_add_refuses_links_and_special_files(tmp_path, monkeypatch, capsys, kind):
    import os

    from hoidap import cli

    secret = tmp_path / "secret.txt"
    secret.write_text("KẾ HOẠCH bí mật\n1. Sở Tài chính chủ trì.\n", encoding="utf-8")
    target = tmp_path / "x.txt"
    if kind == "symlink":
        target.symlink_to(secret)
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    monkeypatch.setenv("HOIDAP_DATA_DIR", str(tmp_path / "data"))
    assert cli.main(["add", str(target)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("symlink" in err or "không phải tệp thường" in err)
    assert not (tmp_path / "data" / "corpus").exists()


def test_cli_refuses_undecodable_arguments(capsys):
    from hoidap import cli

    assert cli.main(["ask", "abc \udcff"]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_upload_outside_gradio_folder_is_refused(tmp_path):
    from hoidap.ui.app import uploaded_file

    secret = tmp_path / "secret.txt"
    secret.write_text("bí mật")
    with pytest.raises(DocumentError) as info:
        uploaded_file(str(secret))
    assert str(tmp_path) not in str(info.value)
    with pytest.raises(DocumentError):
        uploaded_file(str(Path("/tmp")))


# --- access control ----------------------------------------------------------------------------------


def test_keys_grant_roles_and_plain_or_hashed_keys_work():
    import hashlib

    from hoidap.settings import Settings

    hashed = "sha256:" + hashlib.sha256(b"bi-mat-quan-tri").hexdigest()
    s = Settings(api_keys_read="khoa-doc-0001, khoa-doc-0002", api_keys_admin=hashed)
    assert s.access_control and not Settings().access_control
    assert s.role_of("khoa-doc-0002") == "read" and s.role_of("bi-mat-quan-tri") == "admin"
    for weak in ("r1", "doc-1, khoa-doc-0001", "sha256:abc"):
        with pytest.raises(ValueError, match="khóa"):
            Settings(api_keys_read=weak)
    assert s.role_of("sai") is None and s.role_of(None) is None and s.role_of("") is None


def test_api_needs_a_key_once_keys_are_configured():
    from types import SimpleNamespace

    from fastapi.testclient import TestClient

    from hoidap.api.app import create_app
    from hoidap.settings import Settings

    svc = SimpleNamespace(
        settings=Settings(api_keys_read="khoa-doc-0001", api_keys_admin="khoa-qt-00001"), docs={}
    )
    client = TestClient(base_url="http://127.0.0.1", app=create_app(svc))  # type: ignore[arg-type]
    r = client.get("/documents")
    assert r.status_code == 401 and "khóa API" in r.json()["error"]
    assert client.get("/documents", headers={"X-API-Key": "sai"}).status_code == 401
    assert client.get("/documents", headers={"X-API-Key": "khoa-doc-0001"}).json() == []
    assert client.get("/documents", headers={"X-API-Key": "khoa-qt-00001"}).status_code == 200
    assert client.get("/openapi.json").status_code == 401  # the schema lists document ids
    assert client.get("/openapi.json", headers={"X-API-Key": "khoa-doc-0001"}).status_code == 200
    for _ in range(12):  # guessing keys locks the client out, even for a right key, for a while
        client.get("/documents", headers={"X-API-Key": "khoa-sai-000000"})
    locked = client.get("/documents", headers={"X-API-Key": "khoa-doc-0001"})
    assert locked.status_code == 429 and "đợi" in locked.json()["error"]
    open_client = TestClient(
        base_url="http://127.0.0.1", app=create_app(SimpleNamespace(settings=Settings(), docs={}))
    )  # type: ignore[arg-type]
    assert open_client.get("/documents").status_code == 200


def test_serve_refuses_a_network_address_without_keys(monkeypatch, tmp_path, capsys):
    from hoidap import cli

    monkeypatch.setenv("HOIDAP_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as info:
        cli.main(["serve", "--host", "0.0.0.0", "--no-ui"])
    assert "HOIDAP_API_KEYS_READ" in str(info.value)


# --- the parsing worker ------------------------------------------------------------------------------


def test_worker_refuses_on_time_and_memory_and_reports_document_errors():
    from hoidap.corpus.ingest import Typed, prepare_document
    from hoidap.corpus.isolate import run_isolated

    gb = 1024**3
    prepared = run_isolated(
        prepare_document,
        ("kh.txt", "KẾ HOẠCH\nI. MỤC TIÊU\n1. Trồng 120 ha rừng.\n".encode(), Typed(number="5/KH")),
        timeout=120,
        memory_bytes=3 * gb,
    )
    assert "rừng" in prepared.text and prepared.fields["number"] == "5/KH"
    with pytest.raises(DocumentError, match="giây"):
        run_isolated(prepare_document, ("a.txt", b"x", Typed(), 10, 10), timeout=0.01, memory_bytes=gb)
    with pytest.raises(DocumentError, match="bộ nhớ"):
        run_isolated(bytearray, (8 * gb,), timeout=120, memory_bytes=gb)
    with pytest.raises(DocumentError, match="định dạng"):
        run_isolated(prepare_document, ("a.exe", b"MZ", Typed(), 10, 10), timeout=120, memory_bytes=gb)


def test_feedback_file_rotates_and_refuses_huge_records(tmp_path):
    from hoidap.ui.feedback import append_feedback, read_feedback

    path = tmp_path / "feedback.jsonl"
    for i in range(30):
        append_feedback({"question": f"câu {i}", "note": "x" * 100}, path, max_bytes=1000)
    assert path.stat().st_size <= 1000 and (tmp_path / "feedback.jsonl.1").exists()
    assert read_feedback(path)[-1]["question"] == "câu 29"
    with pytest.raises(ValueError):
        append_feedback({"question": "dài", "note": "x" * 50_000}, path)


def test_exports_are_reused_for_the_same_rows_and_capped(monkeypatch, tmp_path):
    import hoidap.ui.exports as ui

    monkeypatch.setattr(ui, "_EXPORT_ROOT", tmp_path / "exports")
    (tmp_path / "exports").mkdir()
    monkeypatch.setattr(ui, "MAX_EXPORTS", 5)
    row = {c: "" for c in ui.EXPORT_COLUMNS}
    first = ui.export_files([row], "tất cả", "nhiem-vu")
    assert ui.export_files([row], "tất cả", "nhiem-vu") == first  # the same filter again: no new files
    for i in range(12):  # each distinct filter makes its own folder, but only the newest few are kept
        ui.export_files([row], f"lọc {i}", "nhiem-vu")
    folders = list((tmp_path / "exports").iterdir())
    assert len(folders) <= 5
    assert all(len(list(f.iterdir())) == 2 for f in folders)  # a CSV and an XLSX, no half-written file


def test_an_os_error_is_reported_with_its_cause_not_a_500():
    import errno

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from hoidap.api.app import create_app
    from hoidap.service.records import os_error_message

    assert "đầy" in os_error_message(OSError(errno.ENOSPC, "No space left on device", "/srv/secret"))
    assert "/srv/secret" not in os_error_message(OSError(errno.ENOSPC, "x", "/srv/secret"))

    class FullDisk:
        settings = None
        reloading = False

        def health(self, *, ui: bool = False):
            raise OSError(errno.ENOSPC, "No space left on device", "/srv/hoidap/data")

    app = create_app(FullDisk())  # type: ignore[arg-type]
    assert isinstance(app, FastAPI)
    r = TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False).get("/health")
    assert r.status_code == 507 and "đầy" in r.json()["error"] and "/srv" not in r.text


def test_the_report_names_the_agency_in_full_not_as_typed() -> None:
    """Issue 25 §3: the XLSX filter line went to other offices saying "so khdt"; it names the agency the
    service resolves the typed words to, and keeps the typed words when the corpus names no such body."""
    from hoidap.ui.app import filter_summary

    class Service:
        docs: dict = {}

        def agency_name(self, typed: str) -> str | None:
            return {"so khdt": "Sở Kế hoạch và Đầu tư"}.get(typed.strip())

    said, stem = filter_summary(Service(), None, "so khdt ", None, None, "lead")  # type: ignore[arg-type]
    assert "Sở Kế hoạch và Đầu tư" in said and "so khdt" not in said
    assert stem.startswith("nhiem-vu_so-ke-hoach-va-dau-tu")
    said, _ = filter_summary(Service(), None, "Ban quản lý dự án 9", None, None, None)  # type: ignore[arg-type]
    assert "Ban quản lý dự án 9" in said
