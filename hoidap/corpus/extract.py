"""Text out of uploaded files: .txt, .docx and text-layer .pdf."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hoidap.corpus.store import DocumentError, decode_text

SUPPORTED = (".txt", ".docx", ".pdf")


def extract_text(name: str, data: bytes) -> str:
    """Plain text of a document file.

    Args:
        name: file name (its extension picks the reader).
        data: file content.

    Returns:
        The text, one paragraph or table cell per line (the layout stage undoes wraps).

    Raises:
        DocumentError: unsupported type, empty/corrupt file, or a scanned PDF without text.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise DocumentError(
            f"{name}: định dạng '{suffix or '(không có)'}' không được hỗ trợ; chỉ nhận .txt, .docx, .pdf."
        )
    if not data.strip():
        raise DocumentError(f"{name}: tệp rỗng, không có nội dung để xử lý.")
    if suffix == ".txt":
        return decode_text(data, name)[0]
    text = _docx_text(name, data) if suffix == ".docx" else _pdf_text(name, data)
    if not text.strip():
        if suffix == ".pdf":
            raise DocumentError(
                f"{name}: PDF không có lớp văn bản (có thể là bản scan). "
                "Hãy nhận dạng ký tự (OCR) trước khi thêm."
            )
        raise DocumentError(f"{name}: tài liệu không có nội dung văn bản.")
    return text


def _docx_text(name: str, data: bytes) -> str:
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(
            f"{name}: tệp .docx bị hỏng hoặc không phải Word ({exc.__class__.__name__})."
        ) from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:  # flattened one cell per line, like the bundled appendix
        for row in table.rows:
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # merged cells repeat
                    continue
                seen.add(id(cell._tc))
                lines.append(cell.text)
    return "\n".join(lines)


def _pdf_text(name: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise DocumentError(
            f"{name}: tệp PDF bị hỏng hoặc không đọc được ({exc.__class__.__name__})."
        ) from exc
    return "\n".join(pages)
