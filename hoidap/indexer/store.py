"""Persisting the index: a manifest, the entries, the lexical tokens and the vectors.

Writes are atomic: a build goes into a temporary sibling directory which is swapped in
by renames, so a crash or Ctrl-C mid-build leaves the previous index usable. The manifest
records the sha256 of every other file, checked at load, so a damaged file is refused by
name instead of being served.

Locks (files beside the index directory): the *build* lock is held by one writer for a whole
build, add or remove; the *swap* lock is held exclusively only for the renames that replace
the directory, and shared by readers while they load, so a reader never mixes two builds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
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
REBUILD = "hoidap index --full"
_HASH_CHUNK = 1 << 20


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
    files: dict[str, str] = field(default_factory=dict)  # path relative to the index dir -> sha256
    version: int = 0  # +1 per build of this directory: what a running server compares to reload
    checksum: str = ""  # sha256 of the manifest's other fields: a flipped bit in it is noticed too

    @property
    def stamp(self) -> tuple[int, float]:
        """Identity of one build (version and build time), for noticing a newer index on disk."""
        return (self.version, self.created_at)

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def _old_dir(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def _tmp_dirs(target: Path) -> list[Path]:
    return list(target.parent.glob(f".{target.name}.tmp-*"))


def recover(target: Path) -> None:
    """Finish an interrupted swap and drop the temporary folders of killed builds.

    Call only while holding the build lock (`build_lock`), or a reader could race a writer's swap.
    """
    old = _old_dir(target)
    if not target.exists() and old.exists():
        with swap_lock(target, shared=False):
            old.rename(target)
    elif target.exists() and old.exists():
        shutil.rmtree(old, ignore_errors=True)
    for stale in _tmp_dirs(target):
        # Holding the build lock, no build is running: every temporary folder is a leftover.
        shutil.rmtree(stale, ignore_errors=True)


def recover_if_idle(target: Path) -> None:
    """`recover` for readers: only when something is left over and no writer holds the lock.

    A writer that holds it recovers by itself before building, so skipping is safe.
    """
    if not (_old_dir(target).exists() or _tmp_dirs(target)):
        return
    with contextlib.suppress(IndexLoadError, OSError), build_lock(target, wait_seconds=0):
        recover(target)


def _lock_path(target: Path, kind: str) -> Path:
    return target.with_name(f".{target.name}.{kind}")


# How long a writer (add, remove, index) waits for another one to finish before giving up.
WRITER_WAIT_SECONDS = 900.0


@contextlib.contextmanager
def build_lock(target: Path, wait_seconds: float = WRITER_WAIT_SECONDS) -> Iterator[None]:
    """One writer at a time per index directory (builds, adds, removes, recovery). A second writer
    waits its turn (up to `wait_seconds`, polling) instead of failing at once."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(_lock_path(target, "lock"), "a") as fh:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() >= deadline:
                    raise IndexLoadError(
                        f"Một tiến trình khác đang xây dựng chỉ mục (đã đợi {wait_seconds:g} s); thử lại sau."
                    ) from exc
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def swap_lock(target: Path, shared: bool) -> Iterator[None]:
    """Held exclusively for the renames of a swap, shared by a reader while it loads.

    Both sides hold it for milliseconds (a load of the bundled index takes ~15 ms), so it blocks.
    A folder readers cannot write to gets no lock file: then there is no writer to race either.
    """
    try:
        fh = open(_lock_path(target, "swap"), "a")  # noqa: SIM115 - closed below
    except OSError:
        yield
        return
    with fh:
        fcntl.flock(fh, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_index_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary directory; on success it replaces `target` (the old one is kept until then).

    Call while holding the build lock.
    """
    recover(target)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{int(time.time() * 1000)}")
    tmp.mkdir(parents=True)
    try:
        yield tmp
        old = _old_dir(target)
        _fsync_dir(tmp)
        with swap_lock(target, shared=False):
            if target.exists():
                target.rename(old)
            tmp.rename(target)
        _fsync_dir(target.parent)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            h.update(chunk)
        # Written files reach the disk before the manifest that vouches for them.
        with contextlib.suppress(OSError):
            os.fsync(fh.fileno())
    return h.hexdigest()


def index_files(directory: Path) -> dict[str, str]:
    """sha256 of every file of an index directory except the manifest, by relative path."""
    return {
        p.relative_to(directory).as_posix(): file_sha256(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def verify_files(directory: Path, manifest: IndexManifest) -> None:
    """Check every file the manifest lists against its checksum (and that no listed file is missing).

    Raises:
        IndexLoadError: naming the first damaged or missing file and the command that rebuilds.
    """
    if not manifest.files or not manifest.checksum:
        raise IndexLoadError(
            f"Chỉ mục tại {directory} được tạo bởi phiên bản cũ, chưa có mã kiểm tra tệp. "
            f"Hãy chạy: hoidap index (hoặc {REBUILD})"
        )
    for rel, digest in manifest.files.items():
        path = directory / rel
        if not path.is_file():
            raise IndexLoadError(f"Chỉ mục tại {directory} thiếu tệp {rel}. Hãy chạy lại: {REBUILD}")
        if file_sha256(path) != digest:
            raise IndexLoadError(
                f"Tệp {rel} của chỉ mục tại {directory} bị hỏng (mã kiểm tra sha256 không khớp). "
                f"Hãy chạy lại: {REBUILD}"
            )


def write_entries(path: Path, entries: list[Entry]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for e in entries:
            fh.write(json.dumps(e.to_dict(), ensure_ascii=False) + "\n")


def read_entries(path: Path) -> list[Entry]:
    with open(path, encoding="utf-8") as fh:
        return [Entry(**json.loads(line)) for line in fh if line.strip()]


def write_manifest(path: Path, manifest: IndexManifest) -> None:
    """Write the manifest last, with the checksums of the files already in its directory."""
    if not manifest.files:
        manifest.files = index_files(path.parent)
    manifest.checksum = _manifest_checksum(manifest.to_dict())
    data = (json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _manifest_checksum(data: dict[str, Any]) -> str:
    body = {k: v for k, v in data.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def read_manifest(target: Path, *, recover: bool = True) -> IndexManifest:
    """Read and check an index manifest.

    Args:
        target: index directory.
        recover: first finish an interrupted swap if no writer is busy (False when the caller
            already did, or holds the swap lock).

    Raises:
        IndexLoadError: no index, or one written by an incompatible format version.
    """
    if recover:
        recover_if_idle(target)
    path = target / "manifest.json"
    if not path.exists():
        raise IndexLoadError(
            f"Chưa có chỉ mục tại {target}. Hãy chạy: hoidap index (hoặc đặt HOIDAP_DATA_DIR tới "
            "thư mục dữ liệu đã lập chỉ mục, ví dụ ./data của bản checkout sau make run)"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        manifest = IndexManifest(**data)
        if not isinstance(manifest.documents, dict) or not isinstance(manifest.files, dict):
            raise TypeError("documents/files")
    except (json.JSONDecodeError, UnicodeDecodeError, TypeError, ValueError) as exc:
        raise IndexLoadError(
            f"Tệp manifest.json của chỉ mục tại {target} bị hỏng ({type(exc).__name__}). "
            f"Hãy chạy lại: {REBUILD}"
        ) from exc
    if manifest.format_version != FORMAT_VERSION:
        raise IndexLoadError(
            f"Chỉ mục dùng định dạng {manifest.format_version}, chương trình cần {FORMAT_VERSION}. "
            "Hãy chạy lại: hoidap index"
        )
    if manifest.checksum and manifest.checksum != _manifest_checksum(data):
        raise IndexLoadError(
            f"Tệp manifest.json của chỉ mục tại {target} bị hỏng (mã kiểm tra sha256 không khớp). "
            f"Hãy chạy lại: {REBUILD}"
        )
    return manifest
