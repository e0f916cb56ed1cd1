"""Reading an uploaded file in a separate, limited process.

Size, bomb and text-length checks run first, but a file can still find a slow or memory-hungry path
through the readers (python-docx, pypdf) or the parser; in a worker with a memory cap and a time
limit that costs the worker, never the server. This module imports only the corpus layer, so the
worker starts in well under a second.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hoidap.corpus.extract import extract_text
from hoidap.corpus.parse import info_from_text, parse_document
from hoidap.corpus.records import DocumentInfo
from hoidap.corpus.store import DocumentError

T = TypeVar("T")
PARSE_TIMEOUT = 300.0
PARSE_MEMORY_BYTES = 3 * 1024**3


def prepare_document(
    name: str,
    data: bytes,
    title: str | None,
    number: str | None,
    date: str | None,
    issuer: str | None,
    max_bytes: int,
    max_chars: int,
) -> tuple[str, dict[str, object], list[str]]:
    """Text, manifest fields and parse warnings of an uploaded file (what the user typed wins).

    Raises:
        DocumentError: unreadable, oversized, a bomb, or no clause found.
    """
    text = extract_text(name, data, max_bytes=max_bytes, max_chars=max_chars)
    read = info_from_text(name, text)
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
                k for k in ("title", "number", "date", "issuer") if not given[k] and getattr(read, k)
            ],
            "from_user": [k for k, v in given.items() if v],
        },
    }
    probe = parse_document(DocumentInfo(doc_id="new", source_file=name, **fields), text)  # type: ignore[arg-type]
    if not probe.clauses:
        raise DocumentError(f"{name}: không tách được điều khoản nào từ nội dung.")
    return text, fields, list(probe.warnings)


def _stdio_worker() -> None:
    """Body of the worker process: a pickled (fn, args, memory) on stdin, a pickled outcome on stdout."""
    import pickle
    import resource
    import sys

    fn, args, memory_bytes = pickle.load(sys.stdin.buffer)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        outcome = (True, fn(*args))
    except DocumentError as exc:
        outcome = (False, str(exc))
    except MemoryError:
        outcome = (False, "tệp cần quá nhiều bộ nhớ để đọc, bị từ chối.")
    except Exception as exc:  # noqa: BLE001 - reported to the parent as a refusal, not a traceback
        outcome = (False, f"không đọc được tệp ({type(exc).__name__}).")
    pickle.dump(outcome, sys.stdout.buffer)
    sys.stdout.buffer.flush()


def run_isolated(fn: Callable[..., T], args: tuple[Any, ...], *, timeout: float, memory_bytes: int) -> T:
    """`fn(*args)` in a fresh Python process limited to `memory_bytes` of address space and `timeout` s.

    A plain subprocess rather than multiprocessing: "spawn" re-imports the caller's main script, which
    breaks callers without a `__main__` guard, and "fork" would copy the model's threads and locks.
    `fn` must be importable (a module-level function).

    Raises:
        DocumentError: the worker refused the input, ran out of time or memory, or died.
    """
    import pickle
    import subprocess
    import sys
    from importlib import resources

    # The folder holding the `hoidap` package, so the worker imports this same copy (-I ignores env).
    root = str(Path(str(resources.files("hoidap"))).parent)
    code = (
        f"import sys; sys.path.insert(0, {root!r}); "
        "from hoidap.indexer.isolate import _stdio_worker; _stdio_worker()"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", code],
            input=pickle.dumps((fn, args, memory_bytes)),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DocumentError(f"xử lý tệp quá {timeout:g} giây, đã dừng; tệp có thể quá phức tạp.") from None
    try:
        ok, payload = pickle.loads(done.stdout)
    except Exception:  # noqa: BLE001 - killed (memory) or crashed: no outcome on stdout
        raise DocumentError("tiến trình đọc tệp bị dừng (có thể do thiếu bộ nhớ); tệp bị từ chối.") from None
    if not ok:
        raise DocumentError(payload)
    return payload
