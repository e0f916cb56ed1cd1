"""Query vectors encoded ahead on worker threads (issue 26): `QueryVectors.prefetch` and its release.

A stand-in encoder whose runs wait at a gate the test opens (or never opens), so that every case is
decided by events, not by timing: a search takes the vector a prefetch computed, a run nobody needs is
stopped without anyone waiting for it, and a run that fails leaves the search to encode the text itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import numpy as np
import pytest

from hoidap.indexer import query_vectors
from hoidap.indexer.query_vectors import QueryVectors

DIM = 4
WAIT = 30.0  # seconds a run waits at a closed gate before failing (a test that waited would show it)


class GatedEncoder:
    """`encode_queries` and `query_run` of the encoder interface; runs wait for `gate`."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.encoded: list[str] = []  # texts encoded on the caller's thread
        self.runs: list[GatedRun] = []

    @staticmethod
    def vector(text: str) -> np.ndarray:
        return np.full(DIM, float(len(text)), dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.encoded.extend(texts)
        return np.stack([self.vector(t) for t in texts])

    def query_run(self, text: str) -> GatedRun:
        run = GatedRun(self, text)
        self.runs.append(run)
        return run


class GatedRun:
    def __init__(self, encoder: GatedEncoder, text: str) -> None:
        self.encoder = encoder
        self.text = text
        self.stopped = threading.Event()
        self.finished = threading.Event()  # returned a vector or failed
        self.completed = False

    def __call__(self) -> np.ndarray:
        try:
            while not self.encoder.gate.wait(0.01):
                if self.stopped.is_set():
                    raise RuntimeError("stopped")
            if self.stopped.is_set():
                raise RuntimeError("stopped")
            self.completed = True
            return self.encoder.vector(self.text)
        finally:
            self.finished.set()

    def stop(self) -> None:
        self.stopped.set()


@pytest.fixture(autouse=True)
def spare_core(monkeypatch) -> None:
    """A core is free for every prefetch (the machine's load decides otherwise)."""
    monkeypatch.setattr(query_vectors, "spare_core", lambda: True)


@pytest.fixture
def encoder() -> Iterator[GatedEncoder]:
    """The stand-in; its runs are stopped and finished after the test (the workers are process-wide)."""
    made = GatedEncoder()
    yield made
    for run in made.runs:
        run.stop()
        assert run.finished.wait(WAIT)


def test_the_search_takes_the_vector_encoded_ahead(encoder: GatedEncoder) -> None:
    vectors = QueryVectors(encoder, workers=2)  # type: ignore[arg-type]
    ahead = vectors.prefetch("ai chủ trì nhiệm vụ 5.4")
    assert ahead is not None
    encoder.gate.set()
    vec = vectors("ai chủ trì nhiệm vụ 5.4")
    assert np.array_equal(vec, encoder.vector("ai chủ trì nhiệm vụ 5.4"))
    assert encoder.encoded == []  # not encoded again on the search's thread
    ahead.release()
    assert vectors.prefetch("ai chủ trì nhiệm vụ 5.4") is None  # cached: nothing to start
    assert [r.completed for r in encoder.runs] == [True]


def test_a_prefetch_nobody_searches_is_stopped_unwaited(encoder: GatedEncoder) -> None:
    # The gate stays closed: a run never finishes by itself.
    vectors = QueryVectors(encoder, workers=2)  # type: ignore[arg-type]
    ahead = vectors.prefetch("kế hoạch 214 ban hành ngày nào")
    assert ahead is not None
    ahead.release()  # returns at once: the caller does not wait for the run
    run = encoder.runs[0]
    assert run.stopped.is_set()
    assert run.finished.wait(WAIT) and not run.completed
    assert vectors.cache == {}
    # The worker is free again: the next prefetch starts.
    again = vectors.prefetch("another text")
    assert again is not None
    again.release()


def test_a_prefetch_held_by_two_requests_runs_once_and_stops_with_the_last(encoder: GatedEncoder) -> None:
    vectors = QueryVectors(encoder, workers=2)  # type: ignore[arg-type]
    first = vectors.prefetch("same text")
    second = vectors.prefetch("same text")
    assert first is second and len(encoder.runs) == 1
    first.release()
    assert not encoder.runs[0].stopped.is_set()  # the other request still holds it
    second.release()
    assert encoder.runs[0].stopped.is_set()


def test_a_failed_run_leaves_the_search_to_encode(encoder: GatedEncoder) -> None:
    vectors = QueryVectors(encoder, workers=2)  # type: ignore[arg-type]
    ahead = vectors.prefetch("câu hỏi")
    assert ahead is not None
    encoder.runs[0].stop()  # fails as a stopped run does, while the request still holds it
    assert encoder.runs[0].finished.wait(WAIT)
    vec = vectors("câu hỏi")
    assert encoder.encoded == ["câu hỏi"]
    assert np.array_equal(vec, encoder.vector("câu hỏi"))
    ahead.release()


def test_no_prefetch_without_a_free_worker_a_free_core_or_a_runner(
    encoder: GatedEncoder, monkeypatch
) -> None:
    vectors = QueryVectors(encoder, workers=1)  # type: ignore[arg-type]
    busy = vectors.prefetch("one")
    assert busy is not None
    assert vectors.prefetch("two") is None  # its one worker is busy: the search will encode
    busy.release()
    assert encoder.runs[0].finished.wait(WAIT)
    monkeypatch.setattr(query_vectors, "spare_core", lambda: False)
    assert vectors.prefetch("three") is None  # every core busy: a worker would only share one
    assert QueryVectors(encoder, workers=0).prefetch("four") is None  # type: ignore[arg-type]

    class Plain:
        def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
            return np.zeros((len(texts), DIM), dtype=np.float32)

    monkeypatch.setattr(query_vectors, "spare_core", lambda: True)
    assert QueryVectors(Plain(), workers=2).prefetch("five") is None  # type: ignore[arg-type]


def test_spare_core_reads_the_running_threads() -> None:
    assert isinstance(query_vectors.spare_core(), bool)
