"""Running a function on an uploaded file in a separate, limited process.

Size, bomb and text-length checks run first, but a file can still find a slow or memory-hungry path
through the readers (python-docx, pypdf) or the parser; in a worker with a memory cap and a time
limit that costs the worker, never the server. This module and what the worker runs
(`corpus.ingest.prepare_document`) import only the corpus layer, so the worker starts in well under
a second.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hoidap.corpus.progress import Step, StepProgress
from hoidap.corpus.store import DocumentError

T = TypeVar("T")
PROGRESS_TAG = "@hoidap-progress"  # a worker's stderr line "<tag> <stage> <done> <total>"


def _stdio_worker() -> None:
    """Body of the worker process: a pickled (fn, args, memory) on stdin, a pickled outcome on stdout."""
    import pickle
    import resource
    import sys

    fn, args, memory_bytes, report = pickle.load(sys.stdin.buffer)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    def progress(step: Step) -> None:
        sys.stderr.write(f"{PROGRESS_TAG} {step.stage} {step.done} {step.total}\n")
        sys.stderr.flush()

    try:
        outcome = (True, fn(*args, progress=progress) if report else fn(*args))
    except DocumentError as exc:
        outcome = (False, str(exc))
    except MemoryError:
        outcome = (False, "tệp cần quá nhiều bộ nhớ để đọc, bị từ chối.")
    except Exception as exc:  # noqa: BLE001 - reported to the parent as a refusal, not a traceback
        outcome = (False, f"không đọc được tệp ({type(exc).__name__}).")
    pickle.dump(outcome, sys.stdout.buffer)
    sys.stdout.buffer.flush()


def run_isolated(
    fn: Callable[..., T],
    args: tuple[Any, ...],
    *,
    timeout: float,
    memory_bytes: int,
    progress: StepProgress | None = None,
) -> T:
    """`fn(*args)` in a fresh Python process limited to `memory_bytes` of address space and `timeout` s.

    A plain subprocess rather than multiprocessing: "spawn" re-imports the caller's main script, which
    breaks callers without a `__main__` guard, and "fork" would copy the model's threads and locks.
    `fn` must be importable (a module-level function). With `progress`, `fn` is also given a
    `progress=` callback whose calls reach `progress` here (through the worker's stderr), as they happen.

    Raises:
        DocumentError: the worker refused the input, ran out of time or memory, or died.
    """
    import os
    import pickle
    import signal
    import subprocess
    import sys
    import threading
    from importlib import resources

    # The folder holding the `hoidap` package, so the worker imports this same copy (-I ignores env).
    root = str(Path(str(resources.files("hoidap"))).parent)
    code = (
        f"import sys; sys.path.insert(0, {root!r}); "
        "from hoidap.corpus.isolate import _stdio_worker; _stdio_worker()"
    )
    # Its own session, so a timeout also ends the programs it started (tesseract).
    proc = subprocess.Popen(
        [sys.executable, "-I", "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    payload = pickle.dumps((fn, args, memory_bytes, progress is not None))
    out: list[bytes] = []

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            proc.stdin.write(payload)  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]

    def watch() -> None:
        for line in proc.stderr:  # type: ignore[union-attr]
            parts = line.split()
            if progress is not None and len(parts) == 4 and parts[0] == PROGRESS_TAG.encode():
                # A failing display must not stop this loop: the worker would block on a full pipe.
                with contextlib.suppress(Exception):
                    progress(Step(parts[1].decode(), int(parts[2]), int(parts[3])))  # type: ignore[arg-type]

    threads = [
        threading.Thread(target=feed, daemon=True),
        threading.Thread(target=watch, daemon=True),
        threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True),  # type: ignore[union-attr]
    ]
    for t in threads:
        t.start()

    def kill() -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill()
        raise DocumentError(f"xử lý tệp quá {timeout:g} giây, đã dừng; tệp có thể quá phức tạp.") from None
    except BaseException:  # e.g. Ctrl-C: the worker, in its own session, would not get the signal
        kill()
        raise
    finally:
        for t in threads:
            t.join(timeout=30)  # they end at EOF, once the worker (and its children) exited
    done = out[0] if out else b""
    try:
        ok, payload = pickle.loads(done)
    except Exception:  # noqa: BLE001 - killed (memory) or crashed: no outcome on stdout
        raise DocumentError("tiến trình đọc tệp bị dừng (có thể do thiếu bộ nhớ); tệp bị từ chối.") from None
    if not ok:
        raise DocumentError(payload)
    return payload
