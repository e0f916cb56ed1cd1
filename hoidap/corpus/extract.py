"""Text out of uploaded files: .txt, .md, .docx and text-layer .pdf."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hoidap.corpus.store import DocumentError, decode_text

SUPPORTED = (".txt", ".md", ".docx", ".pdf")


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
            f"{name}: định dạng '{suffix or '(không có)'}' không được hỗ trợ; "
            "chỉ nhận .txt, .md, .docx, .pdf."
        )
    if not data.strip():
        raise DocumentError(f"{name}: tệp rỗng, không có nội dung để xử lý.")
    if suffix in (".txt", ".md"):
        # Markdown is stored as written: markup is read by the layout stage, so offsets stay exact.
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
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    # Body order matters: title and signature blocks are Word tables between paragraphs.
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            lines.extend(_docx_table_lines(Table(child, document)))
    return "\n".join(lines)


def _cell_text(cell: object) -> str:
    text = " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())  # type: ignore[attr-defined]
    return text.replace("|", "/")


def _docx_table_lines(table: object) -> list[str]:
    """A Word table as markdown pipe rows, one row per line, one column per grid column.

    A vertically merged cell (vMerge) repeats its text in every row it spans, as the
    printed table shows it applying to them; a horizontally merged one (gridSpan) fills
    its first column and leaves the spanned ones empty. Layout tables without a header
    (title, signature) come out the same way; the layout stage tells them apart.
    """
    rows = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        prev = None
        for cell in row.cells:
            cells.append("" if cell._tc is prev else _cell_text(cell))
            prev = cell._tc
        if any(cells):
            rows.append(cells)
    if not rows:
        return []
    from hoidap.corpus.layout import is_header_row

    width = max(len(r) for r in rows)
    if width == 1 or not is_header_row(rows[0]):
        # A layout table (title block, signature): its cells are ordinary text, one paragraph a line.
        out: list[str] = []
        for row in table.rows:  # type: ignore[attr-defined]
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    out.extend(p.text for p in cell.paragraphs if p.text.strip())
        return out
    return ["| " + " | ".join(c or " " for c in r + [""] * (width - len(r))) + " |" for r in rows]


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
