"""Text out of uploaded files: .txt, .md, .docx, .pdf, and page images read by OCR (hoidap.corpus.ocr)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from hoidap.corpus.ocr import IMAGE_SUFFIXES, OcrOptions, Progress, check_engine, run_pages
from hoidap.corpus.pdf_tables import table_pages
from hoidap.corpus.store import DocumentError, decode_text

SUPPORTED = (".txt", ".md", ".docx", ".pdf", *IMAGE_SUFFIXES)
# Limits against decompression bombs. The file's size and its text's length are the caller's limits
# (the settings' max_upload_bytes and max_text_chars for every user's file).
MAX_ZIP_ENTRIES = 1000
MAX_ZIP_INFLATED = 100 * 1024 * 1024  # all parts of a .docx, uncompressed
MAX_ZIP_RATIO = 100  # uncompressed/compressed of one large part; Word XML compresses ~5-15x


@dataclass(frozen=True)
class Extracted:
    """A file's text and, when any of it was read by OCR, which pages."""

    text: str
    page_count: int = 0  # pages of a PDF or frames of an image; 0 for other formats
    ocr_pages: tuple[int, ...] = ()  # 1-based pages whose text is OCR output
    ocr_engine: str = ""  # tesseract's version line when OCR ran


def extract_text(
    name: str,
    data: bytes,
    *,
    max_bytes: int | None = None,
    max_chars: int | None = None,
    ocr: OcrOptions = OcrOptions(),  # noqa: B008 - frozen
    progress: Progress | None = None,
) -> str:
    """Plain text of a document file (see `extract_document`)."""
    return extract_document(
        name, data, max_bytes=max_bytes, max_chars=max_chars, ocr=ocr, progress=progress
    ).text


def extract_document(
    name: str,
    data: bytes,
    *,
    max_bytes: int | None = None,
    max_chars: int | None = None,
    ocr: OcrOptions = OcrOptions(),  # noqa: B008 - frozen
    progress: Progress | None = None,
) -> Extracted:
    """Text of a document file; scanned PDF pages and page images are read by OCR.

    Args:
        name: file name (its extension picks the reader).
        data: file content.
        max_bytes: largest accepted file; None (the caller's own files: bundled, eval sets): no limit.
            A user's file is read with the settings' limits (`prepare_in_worker`).
        max_chars: largest accepted extracted text; None: no limit.
        ocr: how scans are read.
        progress: called with (pages done, pages to read) as OCR goes.

    Returns:
        The text, one paragraph or table cell per line (the layout stage undoes wraps), with the pages
        read by OCR.

    Raises:
        DocumentError: unsupported type, oversized, empty/corrupt file, a decompression bomb, a scan
            without text, or OCR not installed (naming the packages).
    """
    name = Path(name).name  # messages never carry a server path
    if max_bytes is not None and len(data) > max_bytes:
        raise DocumentError(
            f"{name}: tệp quá lớn ({len(data) / 2**20:.1f} MB, tối đa {max_bytes / 2**20:g} MB)."
        )
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise DocumentError(
            f"{name}: định dạng '{suffix or '(không có)'}' không được hỗ trợ; "
            "chỉ nhận .txt, .md, .docx, .pdf và ảnh trang .png, .jpg, .tif."
        )
    if not data.strip():
        raise DocumentError(f"{name}: tệp rỗng, không có nội dung để xử lý.")
    result = None
    if suffix in (".txt", ".md"):
        # Markdown is stored as written: markup is read by the layout stage, so offsets stay exact.
        text = decode_text(data, name)[0]
    elif suffix == ".docx":
        _check_zip(name, data)
        text = _docx_text(name, data)
    elif suffix == ".pdf":
        result = _pdf_document(name, data, max_chars, ocr, progress)
        text = result.text
    else:
        result = _image_document(name, data, ocr, progress)
        text = result.text
    if max_chars is not None and len(text) > max_chars:
        raise DocumentError(
            f"{name}: văn bản quá dài ({len(text):,} ký tự, tối đa {max_chars:,}); "
            "hãy tách thành nhiều tệp.".replace(",", ".")
        )
    if suffix in (".txt", ".md"):
        return Extracted(text)
    if not text.strip():
        if suffix == ".pdf":
            raise DocumentError(
                f"{name}: PDF không có lớp văn bản và không có ảnh trang (bản scan) nào đọc được chữ."
            )
        raise DocumentError(f"{name}: tài liệu không có nội dung văn bản.")
    return result or Extracted(text)


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
            rows = _docx_table_lines(Table(child, document))
            lines.extend(rows)
            if rows and rows[-1].startswith("|"):
                lines.append("")  # a pipe table ends here, though the next paragraph follows at once
    return "\n".join(lines)


MIN_DATA_ROWS = 3  # a header and two rows: fewer is a layout table (title block, signature)


def _cell_paragraphs(cell: object) -> list[str]:
    """A cell's paragraphs as printed ("|" would end a pipe cell), line breaks kept for `cell_items`."""
    return [p.text.replace("|", "/") for p in cell.paragraphs]  # type: ignore[attr-defined]


def _cell_text(paragraphs: list[str]) -> str:
    """A cell on one line: a line break inside a paragraph ("Cơ quan<br/>Chuẩn bị") is a wrap, and a pipe
    row must not spill onto a second line."""
    return " ".join(t for p in paragraphs if (t := " ".join(p.split("\n")).strip()))


def _docx_table_lines(table: object) -> list[str]:
    """A Word table as markdown pipe rows, one row per line, one column per grid column.

    A vertically merged cell (vMerge) repeats its text in every row it spans, as the
    printed table shows it applying to them; a horizontally merged one (gridSpan) fills
    its first column and leaves the spanned ones empty. Layout tables without a header
    (title, signature) come out the same way; the layout stage tells them apart.
    """
    rows, paras = [], []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        row_paras: list[list[str] | None] = []
        prev = None
        for cell in row.cells:
            texts = None if cell._tc is prev else _cell_paragraphs(cell)
            cells.append("" if texts is None else _cell_text(texts))
            row_paras.append(texts)
            prev = cell._tc
        if any(cells):
            rows.append(cells)
            paras.append(row_paras)
    if not rows:
        return []
    from hoidap.corpus.cell_items import split_rows

    width = max(len(r) for r in rows)
    if not is_data_table(rows):
        # A layout table (title block, signature): its cells are ordinary text, one paragraph a line.
        out: list[str] = []
        for row in table.rows:  # type: ignore[attr-defined]
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    out.extend(p.text for p in cell.paragraphs if p.text.strip())
        return out
    # A schedule lists a day's items in one row, each item's entries beside it: read item by item.
    items = split_rows(paras[1:], _grid_widths(table, width))
    if items is not None:
        rows = rows[:1] + items
    return _pipe_rows(rows)


def is_data_table(rows: list[list[str]]) -> bool:
    """A table of data (a header naming its columns, or rows numbered "STT | …"), not one laid out for print
    (title block, signature). A data table numbered by rows ("STT | Đơn vị được kiểm tra | Thời gian kiểm
    tra") keeps its rows even when its header names no task roles: flattened one cell a line, a group row's
    empty cell would shift every later row."""
    from hoidap.corpus.labels import header_role, is_header_row

    numbered = len(rows) >= MIN_DATA_ROWS and header_role(rows[0][0]) == "number"
    return max(len(r) for r in rows) > 1 and (is_header_row(rows[0]) or numbered)


def _pipe_rows(rows: list[list[str]]) -> list[str]:
    width = max(len(r) for r in rows)
    return ["| " + " | ".join(c or " " for c in r + [""] * (width - len(r))) + " |" for r in rows]


def table_pipe_lines(rows: list[list[str]]) -> list[str] | None:
    """A table's rows as markdown pipe rows when it is a data table, else None (`is_data_table`)."""
    return _pipe_rows(rows) if rows and is_data_table(rows) else None


def _grid_widths(table: object, width: int) -> list[float]:
    """Printed widths of the table's grid columns (0 where Word does not state them)."""
    grid = table._tbl.tblGrid  # type: ignore[attr-defined]
    cols = [float(g.w or 0) for g in grid.gridCol_lst] if grid is not None else []
    return (cols + [0.0] * width)[:width]


def _pdf_document(
    name: str, data: bytes, max_chars: int | None, ocr: OcrOptions, progress: Progress | None
) -> Extracted:
    """Text layer where a page has one, OCR where a page is an image without one (see `pages_to_ocr`)."""
    from hoidap.corpus.ocr import MIN_LAYER_CHARS, layer_chars, pages_to_ocr, pdf_page_images

    layers = _pdf_layers(name, data, max_chars)
    if max_chars is not None and sum(len(p) + 1 for p in layers) > max_chars:
        return Extracted("\n".join(layers), len(layers))  # refused by the caller; never OCR'd
    short = [i for i, p in enumerate(layers) if layer_chars(p) < MIN_LAYER_CHARS]
    if not short or (not ocr.enabled and any(p.strip() for p in layers)):
        return Extracted("\n".join(layers), len(layers))
    # Only pages with little or no layer are opened by the renderer: born-digital PDFs never are.
    image_share, render, _ = pdf_page_images(name, data, short, ocr.dpi)
    chosen = [short[k] for k in pages_to_ocr([layers[i] for i in short], image_share)]
    if not chosen:
        return Extracted("\n".join(layers), len(layers))
    engine = check_engine(name, ocr)
    read = run_pages(name, [(i + 1, lambda i=i: render(i)) for i in chosen], ocr, progress)
    pages = [read.get(i + 1, layer) for i, layer in enumerate(layers)]
    return Extracted("\n".join(pages), len(layers), tuple(i + 1 for i in chosen), engine)


def _image_document(name: str, data: bytes, ocr: OcrOptions, progress: Progress | None) -> Extracted:
    from hoidap.corpus.ocr import image_frames

    makers = image_frames(name, data)
    engine = check_engine(name, ocr)
    read = run_pages(name, list(enumerate(makers, 1)), ocr, progress)
    numbers = tuple(range(1, len(makers) + 1))
    return Extracted("\n".join(read[n] for n in numbers), len(makers), numbers, engine)


def _pdf_layers(name: str, data: bytes, max_chars: int | None) -> list[str]:
    """The text layer of each page (stops once the total exceeds `max_chars`, if given)."""
    from pypdf import PdfReader

    pages: list[str] = []
    total = 0
    try:
        reader = PdfReader(io.BytesIO(data))
        for page in reader.pages:
            pages.append(rejoin_word_lines(page.extract_text() or ""))
            total += len(pages[-1]) + 1
            if max_chars is not None and total > max_chars:
                return pages  # enough to refuse it; the rest is never decompressed
    except MemoryError as exc:
        raise DocumentError(f"{name}: tệp PDF giải nén quá lớn, bị từ chối.") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds (limits, bad streams): all mean unreadable
        raise DocumentError(
            f"{name}: tệp PDF bị hỏng hoặc không đọc được ({exc.__class__.__name__})."
        ) from exc
    return table_pages(data, pages, table_pipe_lines, reader.pages)


# A text layer written one word a line ("Ban\n \nThường\n \nvụ\n \nĐoàn\n"), as some PDF writers place each
# word on its own: the words are rejoined, and a line ends after a sentence's or item's end.
WORD_LINES_MIN = 30  # words on a page before its layout counts as one word a line
WORD_LINES_SHARE = 0.8  # of its non-blank lines
_ITEM_END_RE = re.compile(r"[.;:!?]$")
# An abbreviation ("TP.", "ThS.") or a list marker ("1.", "2.3.", "II.") ends no line.
_NO_BREAK_RE = re.compile(r"^(?:(?:[A-ZĐ][A-Za-zđ]{0,3}\.)+|\d{1,2}(?:\.\d{1,2})*\.)$")
LABEL_WORDS = 3


def rejoin_word_lines(page: str) -> str:
    """`page` with its one-word lines joined into lines that end where a sentence, an item or a label does;
    any other page unchanged."""
    words = [t for t in (line.strip() for line in page.splitlines()) if t]
    if len(words) < WORD_LINES_MIN or sum(" " not in w for w in words) < WORD_LINES_SHARE * len(words):
        return page
    lines: list[str] = []
    current: list[str] = []
    for w in words:
        current.append(w)
        if not _ITEM_END_RE.search(w) or _NO_BREAK_RE.match(w):
            continue
        if w.endswith(":") and len(current) <= LABEL_WORDS:
            continue  # "Bước 2:", "Nơi nhận:": a label opens the line it labels
        lines.append(" ".join(current))
        current = []
    if current:
        lines.append(" ".join(current))
    return "\n".join(lines)
