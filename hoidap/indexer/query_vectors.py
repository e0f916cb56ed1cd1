"""Query vectors: a small LRU cache, and encodings started ahead on worker threads (issue 26).

A question's encoding takes most of `/ask`; the answer layer knows the text it will search long before
it searches (right after checking the question, surely after analysing it), so `QueryVectors.prefetch`
starts the encoding on a worker thread while the request's own thread analyses the question, reads the
records and runs the lexical search. The search then waits for the vector (`QueryVectors.__call__`).
A prefetched encoding nobody needs (a question answered from records, a text the analysis changed) is
stopped when its last holder lets go (`Prefetch.release`): the request never waits for it.

Only an encoder with `query_run` (ONNX Runtime: `session.run` releases the GIL and can be stopped) is
prefetched; another encodes on the request's thread when the search needs it, as before.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import numpy as np

from hoidap.indexer.embedder import Embedder
from hoidap.indexer.store import IndexLoadError
from hoidap.settings import Settings

__all__ = ["Prefetch", "QueryRun", "QueryVectors"]

# How long a prefetch waits for its worker to enter the run: a woken thread on an idle core starts in
# ~0.1 ms; on a loaded machine (all cores busy) it may wait several ms for a core, which no wait here buys.
START_WAIT = 0.0005
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
NO_MODEL = "Chỉ mục này được nạp không kèm mô hình nhúng; chỉ tìm theo từ khóa được."


class QueryRun(Protocol):
    """One query's encoding, prepared on the caller's thread and run on another (`OnnxEncoder.query_run`)."""

    def __call__(self) -> np.ndarray: ...  # the query's vector (one row of `encode_queries`)

    def stop(self) -> None: ...  # from any thread: a run in progress ends with an error soon after


def spare_core() -> bool:
    """Whether a core is idle for an encoding ahead: the threads running on the machine now, this one
    included (/proc/loadavg), are fewer than this process's cores. Without one, a worker shares the
    request's core and slows its analysis as much as it gains (measured on a 2-core machine whose other
    core another process kept busy: /ask p50 +10 %). Unknown (not Linux): assumed idle."""
    try:
        with open("/proc/loadavg", "rb") as f:
            running = int(f.read().split()[3].split(b"/")[0])
    except (OSError, ValueError, IndexError):
        return True
    return running < _CORES


class _Workers:
    """Threads shared by every index of the process with the same worker count (a reload's new index
    reuses them); `free` counts the idle ones, so a prefetch never queues behind another."""

    _lock = threading.Lock()
    _pools: dict[int, _Workers] = {}

    def __init__(self, count: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="hoidap-query")
        self.free = threading.BoundedSemaphore(count)

    @classmethod
    def of(cls, count: int) -> _Workers:
        with cls._lock:
            if count not in cls._pools:
                cls._pools[count] = cls(count)
            return cls._pools[count]


class Prefetch:
    """A query's encoding running on a worker; `release` when the request no longer needs it."""

    def __init__(self, owner: QueryVectors, query: str, run: QueryRun) -> None:
        self.owner = owner
        self.query = query
        self.run = run
        self.holders = 1  # requests that prefetched it or wait for it (guarded by the owner's lock)
        self.future: Future[np.ndarray] = Future()

    def release(self) -> None:
        """Let go; the last holder stops a run that has not finished (its vector is not needed)."""
        self.owner._release(self)


class QueryVectors:
    """Query embeddings with a small LRU cache (a repeated question is not embedded twice) and encodings
    started ahead (`prefetch`); thread-safe.

    Args:
        embedder: the query encoder (None: an index loaded for lexical search only).
        size: vectors kept.
        workers: threads encoding ahead, shared process-wide (0: none; the search encodes).
    """

    def __init__(
        self,
        embedder: Embedder | None,
        size: int = 512,
        workers: int = Settings.model_fields["query_workers"].default,
    ) -> None:
        self.embedder = embedder
        self._size = size
        self._lock = threading.Lock()
        self.cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._pending: dict[str, Prefetch] = {}
        self._start: Callable[[str], QueryRun] | None = getattr(embedder, "query_run", None)
        self._workers = _Workers.of(workers) if workers > 0 and self._start is not None else None

    def __call__(self, query: str) -> np.ndarray:
        if self.embedder is None:
            raise IndexLoadError(NO_MODEL)
        with self._lock:
            cached = self.cache.get(query)
            if cached is not None:
                self.cache.move_to_end(query)
                return cached
            pending = self._pending.get(query)
            if pending is not None:
                pending.holders += 1  # held while waited for: a release elsewhere does not stop it
        if pending is not None:
            try:
                return pending.future.result()
            except Exception:  # noqa: BLE001 - stopped or failed on the worker: encode here, as without it
                pass
            finally:
                pending.release()
        vec = self.embedder.encode_queries([query])[0]
        self._store(query, vec)
        return vec

    def prefetch(self, query: str) -> Prefetch | None:
        """Start encoding `query` on a worker thread; None when it is cached, when the encoder cannot run
        ahead, or when every worker is busy (the search then encodes it on its own thread).

        Returns once the worker is inside the encoder's run, which releases the GIL (a worker woken while
        this thread runs Python would otherwise wait up to the interpreter's switch interval, 5 ms, to
        start), or after `START_WAIT` seconds: on a machine whose cores are all busy the worker may not
        run for milliseconds, and this thread has the question to analyse meanwhile."""
        if self._workers is None or self._start is None or not spare_core():
            return None
        with self._lock:
            if query in self.cache:
                return None
            pending = self._pending.get(query)
            if pending is not None:
                pending.holders += 1
                return pending
        if not self._workers.free.acquire(blocking=False):
            return None
        # Tokenized and padded here, so that the worker holds the GIL only to enter the run.
        pending = Prefetch(self, query, self._start(query))
        with self._lock:
            other = self._pending.get(query)
            if other is not None:  # another request started the same text meanwhile
                other.holders += 1
                self._workers.free.release()
                return other
            self._pending[query] = pending
        started = threading.Event()
        try:
            self._workers.pool.submit(self._work, pending, started)
        except RuntimeError:  # the interpreter is shutting down
            self._workers.free.release()
            self._forget(pending)
            pending.future.set_exception(IndexLoadError(NO_MODEL))
            return None
        started.wait(START_WAIT)
        return pending

    def _work(self, pending: Prefetch, started: threading.Event) -> None:
        started.set()
        try:
            vec = pending.run()
        except BaseException as exc:  # noqa: BLE001 - stopped, or failed: a waiter encodes on its own thread
            self._forget(pending)
            pending.future.set_exception(exc)
            return
        finally:
            assert self._workers is not None
            self._workers.free.release()
        self._store(pending.query, vec, pending)
        pending.future.set_result(vec)

    def _forget(self, pending: Prefetch) -> None:
        with self._lock:
            if self._pending.get(pending.query) is pending:
                del self._pending[pending.query]

    def _store(self, query: str, vec: np.ndarray, done: Prefetch | None = None) -> None:
        with self._lock:
            self.cache[query] = vec
            self.cache.move_to_end(query)
            if len(self.cache) > self._size:
                self.cache.popitem(last=False)
            if done is not None and self._pending.get(query) is done:
                del self._pending[query]

    def _release(self, pending: Prefetch) -> None:
        with self._lock:
            pending.holders -= 1
            if pending.holders > 0 or pending.future.done():
                return
            if self._pending.get(pending.query) is pending:
                del self._pending[pending.query]
        pending.run.stop()
