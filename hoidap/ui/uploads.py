"""A file uploaded to the page, checked before anything reads it; the date typed for it; the upload's
progress bar."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from hoidap.corpus.progress import Step
from hoidap.corpus.store import DocumentError


def uploaded_file(file: str, max_bytes: int | None = None) -> Path:
    """The uploaded file, only when it lies inside Gradio's upload folder (and is at most `max_bytes`).

    A client can name any server path in the upload event, and Gradio checks that only once
    `blocks.has_launched`, which mounting into FastAPI never sets; the message never echoes the path.
    """
    from gradio.utils import get_upload_folder

    path = Path(file).resolve()
    if not path.is_relative_to(Path(get_upload_folder()).resolve()) or not path.is_file():
        raise DocumentError("Tệp tải lên không hợp lệ hoặc đã hết hạn; hãy chọn lại tệp.")
    if max_bytes is not None and path.stat().st_size > max_bytes:
        raise DocumentError(f"Tệp quá lớn (tối đa {max_bytes / 2**20:g} MB).")
    return path


def parse_user_date(text: str | None) -> str | None:
    """'15/01/2025', '15-1-2025' or '2025-01-15' -> '2025-01-15'; None when blank."""
    s = (text or "").strip()
    if not s:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", s)
        if not m:
            raise DocumentError(f"Ngày ban hành '{s}' không hợp lệ; hãy ghi dạng 15/01/2025 hoặc 2025-01-15.")
        d, mo, y = (int(x) for x in m.groups())
    try:
        return date(y, mo, d).isoformat()
    except ValueError as exc:
        raise DocumentError(f"Ngày ban hành '{s}' không có thật trên lịch.") from exc


# Where each stage of adding a document sits on the upload bar: (start, end) of its share; OCR (slow
# when there are scans) and embedding (most of a text file's time) are counted within theirs.
_UPLOAD_BAR = {"read": (0.02, 0.05), "ocr": (0.05, 0.45), "parse": (0.45, 0.5), "embed": (0.5, 0.92)}


def upload_bar(step: Step) -> tuple[float, str]:
    """(bar fraction, Vietnamese description) for a stage reported while a document is added."""
    start, end = _UPLOAD_BAR.get(step.stage, (0.95, 0.95))
    share = step.done / step.total if step.total else 0.5  # an uncounted stage: mid-way through its share
    return start + (end - start) * share, f"{step.label}…"
