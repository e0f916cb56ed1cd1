"""Persisting the index: a manifest, the entries, the lexical tokens and the vectors.

Writes are atomic: a build goes into a temporary sibling directory which is swapped in
by renames, so a crash or Ctrl-C mid-build leaves the previous index usable.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hoidap.indexer.entries import Entry

FORMAT_VERSION = 1


class IndexLoadError(RuntimeError):
    """The index is missing or does not match this program/model; the message says what to do."""


@dataclass
class IndexManifest:
    format_version: int
    model_id: str
    dimension: int
    dense_kind: str
    created_at: float
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # doc_id -> hash, title, counts
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def _old_dir(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def recover(target: Path) -> None:
    """Finish an interrupted swap: the previous index waits in the `.old` directory."""
    old = _old_dir(target)
    if not target.exists() and old.exists():
        old.rename(target)
    elif target.exists() and old.exists():
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def build_lock(target: Path) -> Iterator[None]:
    """One writer at a time per index directory."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_name(f".{target.name}.lock"), "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IndexLoadError("Một tiến trình khác đang xây dựng chỉ mục; hãy đợi nó xong.") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def atomic_index_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary directory; on success it replaces `target` (the old one is kept until then)."""
    recover(target)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{int(time.time() * 1000)}")
    tmp.mkdir(parents=True)
    try:
        yield tmp
        old = _old_dir(target)
        if target.exists():
            target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        for stale in target.parent.glob(f".{target.name}.tmp-*"):
            # Leftovers of killed builds (not ours: ours is gone by now).
            with contextlib.suppress(OSError):
                if time.time() - stale.stat().st_mtime > 3600:
                    shutil.rmtree(stale, ignore_errors=True)


def write_entries(path: Path, entries: list[Entry]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for e in entries:
            fh.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")


def read_entries(path: Path) -> list[Entry]:
    with open(path, encoding="utf-8") as fh:
        return [Entry(**json.loads(line)) for line in fh if line.strip()]


def write_manifest(path: Path, manifest: IndexManifest) -> None:
    path.write_text(json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_manifest(target: Path) -> IndexManifest:
    """Read and check an index manifest.

    Raises:
        IndexLoadError: no index, or one written by an incompatible format version.
    """
    recover(target)
    path = target / "manifest.json"
    if not path.exists():
        raise IndexLoadError(f"Chưa có chỉ mục tại {target}. Hãy chạy: hoidap index")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = IndexManifest(**data)
    except (json.JSONDecodeError, TypeError) as exc:
        raise IndexLoadError(f"Chỉ mục tại {target} bị hỏng ({exc}). Hãy chạy lại: hoidap index") from exc
    if manifest.format_version != FORMAT_VERSION:
        raise IndexLoadError(
            f"Chỉ mục dùng định dạng {manifest.format_version}, chương trình cần {FORMAT_VERSION}. "
            "Hãy chạy lại: hoidap index"
        )
    return manifest
