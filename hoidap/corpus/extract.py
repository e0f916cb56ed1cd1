"""Text out of uploaded files: .txt, .md, .docx and text-layer .pdf."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from hoidap.corpus.store import MAX_DOCUMENT_BYTES, DocumentError, decode_text

SUPPORTED = (".txt", ".md", ".docx", ".pdf")
# Limits against decompression bombs and texts too long to index in reasonable time (a 40 KB
# document indexes in ~6 s; a 19 MB one had not finished after 9 minutes).
MAX_TEXT_CHARS = 1_000_000
MAX_ZIP_ENTRIES = 1000
MAX_ZIP_INFLATED = 100 * 1024 * 1024  # all parts of a .docx, uncompressed
MAX_ZIP_RATIO = 100  # uncompressed/compressed of one large part; Word XML compresses ~5-15x


def extract_text(
    name: str, data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES, max_chars: int = MAX_TEXT_CHARS
) -> str:
    """Plain text of a document file.

    Args:
        name: file name (its extension picks the reader).
        data: file content.
        max_bytes: largest accepted file.
        max_chars: largest accepted extracted text.

    Returns:
        The text, one paragraph or table cell per line (the layout stage undoes wraps).

    Raises:
        DocumentError: unsupported type, oversized, empty/corrupt file, a decompression bomb, or a
            scanned PDF without text.
    """
    name = Path(name).name  # messages never carry a server path
    if len(data) > max_bytes:
        raise DocumentError(
            f"{name}: tệp quá lớn ({len(data) / 2**20:.1f} MB, tối đa {max_bytes / 2**20:g} MB)."
        )
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
        text = decode_text(data, name)[0]
    elif suffix == ".docx":
        _check_zip(name, data)
        text = _docx_text(name, data)
    else:
        text = _pdf_text(name, data, max_chars)
    if len(text) > max_chars:
        raise DocumentError(
            f"{name}: văn bản quá dài ({len(text):,} ký tự, tối đa {max_chars:,}); "
            "hãy tách thành nhiều tệp.".replace(",", ".")
        )
    if suffix in (".txt", ".md"):
        return text
    if not text.strip():
        if suffix == ".pdf":
            raise DocumentError(
                f"{name}: PDF không có lớp văn bản (có thể là bản scan). "
                "Hãy nhận dạng ký tự (OCR) trước khi thêm."
            )
        raise DocumentError(f"{name}: tài liệu không có nội dung văn bản.")
    return text


def _check_zip(name: str, data: bytes) -> None:
    """Refuse a .docx whose parts would inflate beyond the limits, before anything is decompressed.

    zipfile never returns more than a part's declared size, so the declared sizes are a sound bound.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError(
            f"{name}: tệp .docx bị hỏng hoặc không phải Word ({exc.__class__.__name__})."
        ) from exc
    bomb = DocumentError(
        f"{name}: tệp .docx có cấu trúc bất thường (nén quá mức hoặc quá nhiều phần), bị từ chối."
    )
    if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_ZIP_INFLATED:
        raise bomb
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
            raise bomb


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


def _pdf_text(name: str, data: bytes, max_chars: int = MAX_TEXT_CHARS) -> str:
    from pypdf import PdfReader

    pages: list[str] = []
    total = 0
    try:
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            total += len(pages[-1]) + 1
            if total > max_chars:
                break  # enough to refuse it; the rest is never decompressed
    except MemoryError as exc:
        raise DocumentError(f"{name}: tệp PDF giải nén quá lớn, bị từ chối.") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds (limits, bad streams): all mean unreadable
        raise DocumentError(
            f"{name}: tệp PDF bị hỏng hoặc không đọc được ({exc.__class__.__name__})."
        ) from exc
    return "\n".join(pages)
