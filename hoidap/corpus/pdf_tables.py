"""Ruled tables of a PDF's text layer read cell by cell (pdfplumber), as markdown pipe rows.

pypdf gives a page's text in drawing order: a task table's row comes out as its cells' lines interleaved
("Phòng NN&MT" / "Tháng 7/2026" / "Chi nhánh VPĐKĐĐ, Công an" / "phường, đơn vị thi công"), so which body
leads and which coordinates is lost. Where a page holds a data table drawn with rules (a header naming its
columns, as a Word table exported to PDF has), the page is read again with the table's cells kept apart and
written as pipe rows, as a Word table is (`extract.table_pipe_lines`); the rest of the page is its text
above, between and below the tables. Pages without one keep pypdf's text.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)
# pdfminer logs every drawing operator it cannot follow (colour patterns, fonts): noise, not errors here.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

# A row's cells closer than this (points) to a cell above that spans down are the same merged cell.
_SPAN_TOLERANCE = 2.0
# pdfplumber's words: characters closer than this (points) are one word (its default is 3).
_X_TOLERANCE = 1.5
MIN_COLUMNS = 2
MIN_ROWS = 2


def table_pages(
    data: bytes,
    pages: list[str],
    render: Callable[[list[list[str]]], list[str] | None],
    pypdf_pages: Sequence[object] | None = None,
) -> list[str]:
    """`pages` (pypdf's text a page) with the pages that hold a ruled data table re-read; `render` writes a
    table's rows as pipe lines, or None for a layout table (title block, signature), which is left as text.
    A table continued on the next page without its header gets the header of the one it continues.
    `pypdf_pages`: the pages pypdf has already parsed (the file is read again when not given)."""
    try:
        import pdfplumber
        from pypdf import PdfReader
    except ImportError:  # an optional reader: without it, pypdf's text stands
        return pages
    out = list(pages)
    try:
        if pypdf_pages is None:
            pypdf_pages = PdfReader(io.BytesIO(data)).pages
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            header: list[str] | None = None  # the last data table's header, for a continuation
            for n, page in enumerate(pdf.pages[: len(pages)]):
                if not pages[n].strip() or page.rotation:
                    header = None
                    continue  # no text layer (a scan: OCR reads it), or turned: pypdf's text stands
                tables, header = _data_tables(page, render, header)
                if tables and (text := _with_tables(pypdf_pages[n], page, tables)) is not None:
                    out[n] = text
    except Exception as exc:  # noqa: BLE001 - a reader's failure on one file must not lose the document
        log.warning("pdf tables not read (%s): %s", exc.__class__.__name__, exc)
        return pages
    return out


Box = tuple[float, float, float, float]  # x0, top, x1, bottom (points, from the page's top left)


def _data_tables(
    page: object, render: Callable[[list[list[str]]], list[str] | None], header: list[str] | None
) -> tuple[list[tuple[Box, list[str]]], list[str] | None]:
    """The page's data tables (box, pipe lines), top to bottom, and the header a table running on to the
    next page would carry."""
    tables = sorted(page.find_tables(), key=lambda t: t.bbox[1])  # type: ignore[attr-defined]
    rendered: list[tuple[Box, list[str]]] = []
    for i, table in enumerate(tables):
        rows = _rows(table)
        if not rows or max(len(r) for r in rows) < MIN_COLUMNS:
            continue
        own = render(rows) if len(rows) >= MIN_ROWS else None
        lines = own
        if own is None and i == 0 and header is not None and len(rows[0]) == len(header):
            lines = render([header, *rows])  # the table of the page before, its header not repeated
        if lines is None:
            continue
        rendered.append((table.bbox, lines))
        if own is not None:
            header = rows[0]
    return rendered, header if rendered else None


def _with_tables(pypdf_page: object, page: object, tables: list[tuple[Box, list[str]]]) -> str | None:
    """pypdf's text of the page (its order of the text outside the tables: a signature beside the list of
    recipients stays after it) with each table's text replaced by its pipe lines, where the table's first
    text stood. None when the two readers do not place the same text in the tables."""
    x_origin, y_top = page.cropbox[0], page.cropbox[3]  # type: ignore[attr-defined]
    chunks: list[tuple[str, int | None]] = []  # text, the table it lies in

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4] - x_origin
        top = y_top - (tm[4] * cm[1] + tm[5] * cm[3] + cm[5])
        inside = next(
            (k for k, ((x0, t0, x1, b0), _) in enumerate(tables) if x0 <= x <= x1 and t0 <= top <= b0 + 1),
            None,
        )
        chunks.append((text, inside if text.strip() else None))

    pypdf_page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    if {k for _, k in chunks if k is not None} != set(range(len(tables))):
        return None
    parts: list[str] = []
    placed: set[int] = set()
    in_table = False
    for text, k in chunks:
        if k is not None:
            if k not in placed:
                placed.add(k)
                parts.append("\n" + "\n".join(tables[k][1]) + "\n\n")
            in_table = True
        elif text.strip() or not in_table:
            parts.append(text)
            in_table = in_table and not text.strip()
    return re.sub(r"\n{3,}", "\n\n", "".join(parts))


def _rows(table: object) -> list[list[str]]:
    """The table's cells as text, one line each; a cell merged down over rows repeats its text in each row
    it spans (as a Word table's vertical merge is read), one merged across leaves the others empty."""
    rows = table.rows  # type: ignore[attr-defined]
    texts = table.extract(x_tolerance=_X_TOLERANCE)  # type: ignore[attr-defined]
    out: list[list[str]] = []
    above: dict[int, tuple[float, str]] = {}  # column -> (bottom of the last real cell, its text)
    for row, cells in zip(rows, texts, strict=False):
        line: list[str] = []
        for c, (box, text) in enumerate(zip(row.cells, cells, strict=False)):
            if box is not None:
                value = " ".join((text or "").replace("|", "/").split())
                above[c] = (box[3], value)
                line.append(value)
                continue
            last = above.get(c)
            spans_down = last is not None and last[0] >= row.bbox[3] - _SPAN_TOLERANCE
            line.append(last[1] if spans_down else "")
        if any(line):
            out.append(line)
    return out
