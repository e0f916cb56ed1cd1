"""Reading an uploaded file in a separate, limited process.

Size, bomb and text-length checks run first, but a file can still find a slow or memory-hungry path
through the readers (python-docx, pypdf) or the parser; in a worker with a memory cap and a time
limit that costs the worker, never the server. This module imports only the corpus layer, so the
worker starts in well under a second.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hoidap.corpus.extract import extract_document, extract_text
from hoidap.corpus.ocr import OcrOptions, first_page_as_printed
from hoidap.corpus.parse import info_from_text, parse_document
from hoidap.corpus.progress import Step, StepProgress, no_progress
from hoidap.corpus.records import DocumentInfo
from hoidap.corpus.store import DocumentError

T = TypeVar("T")
PROGRESS_TAG = "@hoidap-progress"  # a worker's stderr line "<tag> <stage> <done> <total>"


def prepare_document(
    name: str,
    data: bytes,
    title: str | None,
    number: str | None,
    date: str | None,
    issuer: str | None,
    max_bytes: int,
    max_chars: int,
    ocr: OcrOptions = OcrOptions(),  # noqa: B008 - frozen
    progress: StepProgress = no_progress,
) -> tuple[str, dict[str, object], list[str]]:
    """Text, manifest fields and parse warnings of an uploaded file (what the user typed wins).

    `progress` hears "read", then "ocr" n/total after each scanned page, then "parse".

    Raises:
        DocumentError: unreadable, oversized, a bomb, OCR needed but not installed, or no clause found.
    """
    progress(Step("read"))
    extracted = extract_document(
        name,
        data,
        max_bytes=max_bytes,
        max_chars=max_chars,
        ocr=ocr,
        progress=lambda done, total: progress(Step("ocr", done, total)),
    )
    text = extracted.text
    read = info_from_text(name, text)
    from_ocr: list[str] = []
    blank = not (number or read.number) or not (date or read.date)  # what the user typed needs no OCR
    if name.lower().endswith(".pdf") and 1 not in extracted.ocr_pages and blank:
        # A signed copy may carry its number and date only in the signature stamp: read the first page as
        # printed, and let what OCR finds there fill only what the text layer left blank.
        printed = first_page_as_printed(name, data, ocr)
        if printed:
            seen = info_from_text(name, printed)
            fill = {
                k: getattr(seen, k) for k in ("number", "date") if getattr(seen, k) and not getattr(read, k)
            }
            read = dataclasses.replace(read, **fill)
            from_ocr = list(fill)
    given = {"title": title, "number": number, "date": date, "issuer": issuer}
    number = number or read.number
    fields: dict[str, object] = {
        "title": title or read.title,
        "short_title": title or (number and f"{read.doc_type} {number}") or read.short_title,
        "doc_type": read.doc_type,
        "number": number,
        "date": date or read.date,
        "issuer": issuer or read.issuer,
        "signer": read.signer,
        "signer_title": read.signer_title,
        "province": read.province,
        "provenance": {
            "added_from": name,
            "printed_in_text": [
                k
                for k in ("title", "number", "date", "issuer")
                if not given[k] and getattr(read, k) and k not in from_ocr
            ],
            "from_user": [k for k, v in given.items() if v],
            "from_ocr_of_first_page": [k for k in from_ocr if not given[k]],
        },
    }
    if extracted.ocr_pages:
        fields["ocr"] = {
            "pages": list(extracted.ocr_pages),
            "page_count": extracted.page_count,
            "language": ocr.language,
            "dpi": ocr.dpi,
            "engine": extracted.ocr_engine,
        }
    progress(Step("parse"))
    probe = parse_document(DocumentInfo(doc_id="new", source_file=name, **fields), text)  # type: ignore[arg-type]
    if not probe.clauses:
        raise DocumentError(f"{name}: không tách được điều khoản nào từ nội dung.")
    return text, fields, list(probe.warnings)


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


def prepare_in_worker(
    name: str,
    data: bytes,
    fields: tuple[str | None, str | None, str | None, str | None],
    *,
    max_bytes: int,
    max_chars: int,
    ocr: OcrOptions,
    timeout: float,
    memory_bytes: int,
    progress: StepProgress | None = None,
) -> tuple[str, dict[str, object], list[str]]:
    """`prepare_document` of a user's file (typed title, number, date, issuer in `fields`) in a worker
    limited in time and memory: a file that gets past the size and bomb checks but still explodes costs
    the worker, not the caller. An oversized file is refused before anything is copied to the worker."""
    if len(data) > max_bytes:
        extract_text(name, data, max_bytes=max_bytes, max_chars=max_chars)
    return run_isolated(
        prepare_document,
        (name, data, *fields, max_bytes, max_chars, ocr),
        timeout=timeout,
        memory_bytes=memory_bytes,
        progress=progress,
    )


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
        "from hoidap.indexer.isolate import _stdio_worker; _stdio_worker()"
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
