"""One query encoding per distinct query text of a question (issue 26 §2), on every answer path.

A real `HybridIndex` (BM25 + FAISS) over two bundled documents, built with a counting stand-in for the
encoder (vectors from a hash of the text: no model), behind the real `QAService`: the service may
search several times for one question (structured path, evidence fallback, per-document answers, a
re-search in a wider scope), but each distinct text is encoded once.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from hoidap.corpus.records import ParsedDocument
from hoidap.indexer import query_vectors
from hoidap.indexer.build import build_index
from hoidap.indexer.search import HybridIndex
from hoidap.service.qa import QAService
from hoidap.service.strategies import context as context_module

DOCS = ("qng-kh-214-2024", "qng-kh-ctr37")
DIM = 16

# One question per answer path (task record, ranked task, figure, lookup, listing, document fact), and
# ones that search more than once (a task the record lacks, a document named loosely, no answer).
QUESTIONS = (
    "chu tri 3.4 ke hoach 214",
    "Theo KH 214, tổ chức nào lo chăm sóc đời sống, nhà ở và phúc lợi cho công nhân?",
    "ty trong cong nghiep - xay dung trong GRDP quang ngai 2030",
    "cac chi tieu 2030 trong ke hoach 214 can cu quyet dinh nao",
    "Sở Khoa học và Công nghệ đứng đầu những việc gì trong 214/KH-UBND?",
    "ke hoach 214 ban hanh ngay nao",
    "nhiem vu 10.7 ke hoach 214 ai chu tri",
    "co quan chu tri trien khai chuong trinh hanh dong 25-CTr/TU ve kinh te tu nhan trong ke hoach 37",
    "Giá xăng dầu có được bình ổn theo các kế hoạch này không?",
)


class CountingEncoder:
    """The encoder's interface with deterministic pseudo-vectors; records every query text encoded."""

    model_id = "test-counting-encoder"
    dimension = DIM
    max_tokens = 512

    def __init__(self) -> None:
        self.queries: list[str] = []

    @staticmethod
    def _vectors(texts: Sequence[str]) -> np.ndarray:
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:DIM], dtype=np.uint8) for t in texts]
        out = np.asarray(rows, dtype=np.float32).reshape(len(texts), DIM) - 127.5
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries.extend(texts)
        return self._vectors(texts)

    def encode_passages(
        self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None
    ) -> np.ndarray:
        return self._vectors(texts)

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 2


@pytest.fixture(scope="module")
def served(
    parsed: dict[str, ParsedDocument], settings, tmp_path_factory
) -> tuple[QAService, CountingEncoder]:
    docs = [parsed[d] for d in DOCS]
    encoder = CountingEncoder()
    target: Path = tmp_path_factory.mktemp("query-encoding") / "index"
    build_index(docs, encoder, target)  # type: ignore[arg-type]
    index = HybridIndex.load(target, encoder)  # type: ignore[arg-type]
    return QAService(docs, index, settings), encoder


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_distinct_query_text_is_encoded_once(
    served: tuple[QAService, CountingEncoder], monkeypatch, question: str
) -> None:
    service, encoder = served
    index = service.searcher
    searched = _searched(index, monkeypatch)
    index._query_cache.clear()
    encoder.queries.clear()
    first = service.ask(question)
    assert sorted(encoder.queries) == sorted(set(searched))  # each text searched, encoded once
    again = service.ask(question)
    assert [c.quote for c in again.citations] == [c.quote for c in first.citations]
    assert len(encoder.queries) == len(set(searched))  # the repeat encodes nothing


def test_some_question_searches_one_text_several_times(
    served: tuple[QAService, CountingEncoder], monkeypatch
) -> None:
    """The cache is what keeps these to one encoding (else the test above would prove little)."""
    service, _ = served
    index = service.searcher
    searched: list[list[str]] = []
    search = index.search

    def recording(query: str, *args, **kwargs):
        if kwargs.get("mode", "hybrid") != "lexical":
            searched[-1].append(query)
        return search(query, *args, **kwargs)

    monkeypatch.setattr(index, "search", recording)
    for q in QUESTIONS:
        searched.append([])
        service.ask(q)
    assert any(len(texts) > len(set(texts)) for texts in searched)


# Questions whose structured path's "not found" the evidence fallback (or the lookup after a figure)
# replaces, over these two documents and this stand-in encoder.
REPLACED = (
    "tang truong cong nghiep che bien che tao den 2025",
    "Ai chủ trì nhiệm vụ hỗ trợ nhà đầu tư thực hiện dự án Trung tâm Điện khí miền Trung tại KKT Dung Quất?",
)


class _Eager:
    """Stands in for `strategies.context._DEFERRED_RELATED` with deferral off: every "not found" searches its
    related clauses at once, as before issue 26."""

    def set(self, value: object) -> None:
        return None

    def reset(self, token: object) -> None:
        return None

    def get(self) -> None:
        return None


def _counted_answers(service: QAService, monkeypatch) -> Callable[[], tuple[list[dict], list[int]]]:
    """A run over QUESTIONS and REPLACED: each answer (without its time) and how many searches it made."""
    index = service.searcher
    calls: list[str] = []
    search = index.search
    monkeypatch.setattr(index, "search", lambda q, *a, **k: calls.append(q) or search(q, *a, **k))

    def run() -> tuple[list[dict], list[int]]:
        answers, counts = [], []
        for q in (*QUESTIONS, *REPLACED):
            calls.clear()
            d = service.ask(q).to_dict(with_analysis=True)
            d.pop("took_ms")
            answers.append(d)
            counts.append(len(calls))
        return answers, counts

    return run


def test_related_clauses_are_searched_only_for_the_answer_given(
    served: tuple[QAService, CountingEncoder], monkeypatch
) -> None:
    """A structured path's "not found" replaced by the evidence fallback's answer searches no related
    clauses (they were never shown); the answers are those of searching them at once."""
    from hoidap.service.strategies import context as answer_module

    service, _ = served
    run = _counted_answers(service, monkeypatch)
    deferred, deferred_searches = run()
    monkeypatch.setattr(answer_module, "_DEFERRED_RELATED", _Eager())
    eager, eager_searches = run()
    assert deferred == eager
    assert all(d <= e for d, e in zip(deferred_searches, eager_searches, strict=True))
    assert sum(deferred_searches) < sum(eager_searches)


# --- the question's encoding started ahead (QueryVectors.prefetch, service.query_ahead) ----------------


class AheadEncoder(CountingEncoder):
    """The counting stand-in with `query_run`: runs wait at `gate` (open unless a test closes it), and the
    texts whose runs finished are kept apart from those encoded on the request's own thread."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.ahead: list[str] = []  # texts a run encoded
        self.started: list[str] = []
        self.stops: list[threading.Event] = []  # set by `stop`, one per run started

    def query_run(self, text: str) -> Callable[[], np.ndarray]:
        stop = threading.Event()
        self.started.append(text)
        self.stops.append(stop)

        def run() -> np.ndarray:
            # A run nobody stops fails after a while, so that a search waiting for it encodes on its own
            # thread (seen in `queries`) rather than hanging the test.
            for _ in range(3000):
                if self.gate.wait(0.01):
                    break
                if stop.is_set():
                    raise RuntimeError("stopped")
            else:
                raise RuntimeError("never opened")
            self.ahead.append(text)
            return self._vectors([text])[0]

        run.stop = stop.set  # type: ignore[attr-defined]
        return run


@pytest.fixture(scope="module")
def served_ahead(
    parsed: dict[str, ParsedDocument], settings, tmp_path_factory
) -> tuple[QAService, AheadEncoder]:
    docs = [parsed[d] for d in DOCS]
    encoder = AheadEncoder()
    target: Path = tmp_path_factory.mktemp("query-ahead") / "index"
    build_index(docs, encoder, target)  # type: ignore[arg-type]
    index = HybridIndex.load(target, encoder, query_workers=2)  # type: ignore[arg-type]
    return QAService(docs, index, settings), encoder


@pytest.fixture
def ahead(served_ahead, monkeypatch) -> Iterator[tuple[QAService, AheadEncoder]]:
    """A core free for every prefetch; empty cache and records; the gate open again afterwards."""
    monkeypatch.setattr(query_vectors, "spare_core", lambda: True)
    service, encoder = served_ahead
    service.searcher._query_cache.clear()
    for kept in (encoder.queries, encoder.ahead, encoder.started, encoder.stops):
        kept.clear()
    yield service, encoder
    encoder.gate.set()


def _searched(index, monkeypatch) -> list[str]:
    searched: list[str] = []
    search = index.search

    def recording(query: str, *args, **kwargs):
        if kwargs.get("mode", "hybrid") != "lexical":
            searched.append(kwargs.get("dense_query") or query)  # the text the dense side embeds
        return search(query, *args, **kwargs)

    monkeypatch.setattr(index, "search", recording)
    return searched


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_question_is_encoded_once_whether_ahead_or_not(ahead, monkeypatch, question: str) -> None:
    """The text searched is encoded once per request: ahead on a worker (its vector then taken by the
    search), or, when the search looks for a text nobody started, on the request's thread."""
    service, encoder = ahead
    searched = _searched(service.searcher, monkeypatch)
    service.ask(question)
    encoded = encoder.ahead + encoder.queries
    assert len(encoded) == len(set(encoded))  # nothing encoded twice
    assert set(searched) <= set(encoded)
    assert encoder.started[0] == question  # the question as typed is started before its analysis


def test_the_search_takes_the_text_predicted_after_analysis(ahead, monkeypatch) -> None:
    """The encoding started after the analysis is the one the search uses: the request's thread encodes
    nothing, even where the search text differs from the question (a document's title words left out)."""
    service, encoder = ahead
    searched = _searched(service.searcher, monkeypatch)
    question = "Theo KH 214, tổ chức nào lo chăm sóc đời sống, nhà ở và phúc lợi cho công nhân?"
    service.ask(question)
    assert searched and searched[0] != question
    assert encoder.started == [question, searched[0]]
    assert encoder.queries == [] and searched[0] in encoder.ahead


def test_a_question_answered_from_records_does_not_wait_for_its_encoding(ahead, monkeypatch) -> None:
    """The gate is closed: an encoding started ahead never finishes by itself. A question answered from a
    task record returns all the same without encoding on its own thread (a search waiting for that vector
    would), and its encoding is stopped."""
    service, encoder = ahead
    searched = _searched(service.searcher, monkeypatch)
    encoder.gate.clear()
    answer = service.ask("chu tri 3.4 ke hoach 214")
    assert answer.found and answer.citations[0].task_id == "3.4"
    assert searched == [] and encoder.queries == [] and encoder.ahead == []
    assert encoder.started  # it was started ahead, then let go: stopped as the answer was returned
    assert all(stop.is_set() for stop in encoder.stops)


def test_one_answer_searches_the_same_text_and_scope_once(
    served: tuple[QAService, CountingEncoder], monkeypatch
) -> None:
    """Paths of one answer that search the same text in the same scope share the hits (issue 26): fewer
    searches, the same answers as searching each time."""
    from hoidap.service import answer as answer_module

    service, _ = served
    run = _counted_answers(service, monkeypatch)
    shared, shared_searches = run()
    monkeypatch.setattr(answer_module, "_SEARCHED", _Eager())
    monkeypatch.setattr(context_module, "_SEARCHED", _Eager())
    each, each_searches = run()
    assert shared == each
    assert all(s <= e for s, e in zip(shared_searches, each_searches, strict=True))
    assert sum(shared_searches) < sum(each_searches)
