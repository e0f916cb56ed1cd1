"""Tables of figures by year ("Năm 2026 | Năm 2027 | …"), read as labelled cells with their offsets.

Plans put their yearly targets in appendix tables, and a question names the row and the year
("giá trị cà phê xuất khẩu năm 2028"). Two text forms reach the parser: markdown pipe rows (Word
tables, .md files) and tables flattened one cell a line between "|" lines (PDF and web converters),
where an empty cell leaves only its separator and row ends are not marked. Both become one stream of
cells. The header's year cells give the columns, a header row repeated under every year gives the
sub-columns ("Lượng (Tấn) | Giá trị (Nghìn USD)"), and a data row is a label cell, an optional unit
cell, then exactly one cell per (year, sub-column); a label followed by empty cells is a group title
("Cà Phê") over the rows below it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hoidap.corpus.dates import YEAR_CELL_RE
from hoidap.corpus.vocab import pattern

_NUMBER_RE = pattern("grids.number")
_MISSING = {"", "-", "–", "x", "…", "..."}
_ORDINAL_RE = pattern("grids.ordinal")
_UNIT_RE = pattern("grids.unit")
_PIPE_SEPARATOR_RE = pattern("grids.pipe_separator")


@dataclass(frozen=True)
class Cell:
    text: str  # markup and surrounding spaces removed
    start: int
    end: int


@dataclass(frozen=True)
class GridValue:
    """One figure of a year table: where it sits (group, row label, unit, year, sub-column) and its
    cell's offsets in the original text."""

    group: str  # the group title above the row ("Cà Phê"), "" when none
    label: str  # the row's label ("Diện tích")
    unit: str  # the row's unit cell ("Ha"), "" when none
    year: int
    column: str  # the year's header cell ("Kế hoạch 2028")
    sub: str  # the sub-column's header ("Giá trị tham gia xuất khẩu (Nghìn USD)"), "" when none
    value: str
    start: int
    end: int
    row_start: int  # the label cell's start: a quote of the row runs from here to `end`


@dataclass(frozen=True)
class YearGrid:
    years: tuple[int, ...]
    subs: tuple[str, ...]
    values: tuple[GridValue, ...]
    start: int
    end: int


def _clean(text: str) -> str:
    return " ".join(text.replace("*", " ").split())


def _tables(original: str) -> list[list[Cell]]:
    """Cell streams of every pipe table and flattened ("|" line) table in `original`."""
    tables: list[list[Cell]] = []
    cells: list[Cell] = []
    pending: list[tuple[str, int, int]] = []  # lines of the flattened cell being read
    prose = 0  # lines in a row without a separator: a paragraph ends a flattened table
    flattened = False

    def close() -> None:
        nonlocal cells, flattened, prose
        if len(cells) >= 6:
            tables.append(cells)
        cells, flattened, prose = [], False, 0
        pending.clear()

    at = 0
    for line in original.splitlines(keepends=True):
        start, at = at, at + len(line)
        text = line.strip()
        if text == "|":
            if flattened:
                joined = " ".join(t for t, _, _ in pending)
                s, e = (pending[0][1], pending[-1][2]) if pending else (start, start)
                cells.append(Cell(_clean(joined), s, e))
            flattened, prose = True, 0
            pending.clear()
            continue
        if text.startswith("|") and text.count("|") >= 3:
            if flattened:
                close()
            if _PIPE_SEPARATOR_RE.match(text):
                continue
            offset = start + line.index("|") + 1
            for part in text.strip("|").split("|"):
                lead = len(part) - len(part.lstrip())
                cells.append(Cell(_clean(part), offset + lead, offset + len(part.rstrip())))
                offset += len(part) + 1
            continue
        if not flattened:
            if cells:
                close()
            continue
        if not text:
            continue
        prose += 1
        if prose > 4:
            close()
            continue
        line_start = start + len(line) - len(line.lstrip())
        pending.append((text, line_start, line_start + len(text)))
    close()
    return tables


def _year_of(cell: Cell) -> int | None:
    m = YEAR_CELL_RE.match(cell.text)
    return int(m.group(1)) if m and len(cell.text) <= 40 else None


def _is_number(text: str) -> bool:
    return bool(_NUMBER_RE.match(text))


def _is_label(text: str) -> bool:
    return len(text) >= 2 and any(c.isalpha() for c in text) and not _ORDINAL_RE.match(text)


def _header(cells: list[Cell]) -> tuple[list[tuple[int, Cell]], int] | None:
    """The year cells (increasing years, at most two other cells apart) and the index after them."""
    best: list[tuple[int, int, Cell]] = []
    run: list[tuple[int, int, Cell]] = []
    for i, c in enumerate(cells[:200]):
        year = _year_of(c)
        if year is None:
            if _is_number(c.text) and run and i - run[-1][0] > 2:
                break  # data started
            continue
        if run and (year <= run[-1][1] or i - run[-1][0] > 3):
            if len(run) > len(best):
                best = run
            run = []
        run.append((i, year, c))
    if len(run) > len(best):
        best = run
    if len(best) < 2:
        return None
    return [(y, c) for _, y, c in best], best[-1][0] + 1


def _subs(cells: list[Cell], at: int, years: int) -> tuple[list[str], int]:
    """Sub-column titles repeated under every year ("Lượng | Giá trị" x 5) and the index after them."""
    texts = [c.text for c in cells[at:]]
    while texts and not texts[0]:
        texts, at = texts[1:], at + 1
    for k in (2, 3, 4):
        block = texts[: years * k]
        if len(block) == years * k and all(_is_label(t) for t in block[:k]):
            if all(block[i] == block[i % k] for i in range(len(block))):
                return block[:k], at + years * k
    return [], at


def _skip_numbering(cells: list[Cell], at: int) -> int:
    """Past a row numbering the columns ("1 | 2 | 3 | …")."""
    i, expect = at, 1
    while i < len(cells) and (not cells[i].text or cells[i].text == str(expect)):
        if cells[i].text:
            expect += 1
        i += 1
    return i if expect > 3 else at


def _grid(cells: list[Cell]) -> YearGrid | None:
    head = _header(cells)
    if head is None:
        return None
    year_cells, at = head
    years = [y for y, _ in year_cells]
    subs, at = _subs(cells, at, len(years))
    at = _skip_numbering(cells, at)
    width = len(years) * max(1, len(subs))
    values: list[GridValue] = []
    group = ""
    i = at
    while i < len(cells):
        c = cells[i]
        if not _is_label(c.text) or _is_number(c.text):
            i += 1
            continue
        j, unit = i + 1, ""
        if j < len(cells) and _UNIT_RE.match(cells[j].text) and not _is_number(cells[j].text):
            after = [x.text for x in cells[j + 1 : j + 1 + width]]
            if any(_is_number(t) for t in after):
                unit, j = cells[j].text, j + 1
        row = cells[j : j + width]
        texts = [x.text for x in row]
        if len(row) == width and all(_is_number(t) or t in _MISSING for t in texts):
            if any(_is_number(t) for t in texts):
                for k, x in enumerate(row):
                    if not _is_number(x.text):
                        continue
                    y = k // max(1, len(subs))
                    values.append(
                        GridValue(
                            group=group,
                            label=c.text,
                            unit=unit,
                            year=years[y],
                            column=year_cells[y][1].text,
                            sub=subs[k % len(subs)] if subs else "",
                            value=x.text,
                            start=x.start,
                            end=x.end,
                            row_start=c.start,
                        )
                    )
                i = j + width
                continue
            group = c.text  # a title over empty cells
            i = j
            continue
        i += 1
    if not values:
        return None
    return YearGrid(tuple(years), tuple(subs), tuple(values), cells[0].start, cells[-1].end)


def year_grids(original: str) -> list[YearGrid]:
    """Every table of `original` whose columns are years, with its figures."""
    return [g for g in (_grid(cells) for cells in _tables(original)) if g is not None]


@dataclass(frozen=True)
class PipeRow:
    cells: tuple[Cell, ...]
    start: int
    end: int


@dataclass(frozen=True)
class PipeTable:
    """A markdown pipe table (a Word table or a .md table): its column headers, the header rows joined
    per column ("Mức lương | Nhóm I"), and its data rows with their offsets."""

    header: tuple[str, ...]
    rows: tuple[PipeRow, ...]
    start: int
    end: int


MAX_HEADER_ROWS = 3
_FIGURE_START_RE = pattern("grids.figure_start")


def pipe_tables(original: str) -> list[PipeTable]:
    """Every pipe table of `original`, row by row (the cell stream of `_tables` loses row ends)."""
    tables: list[PipeTable] = []
    rows: list[PipeRow] = []

    def close() -> None:
        if len(rows) >= 2:
            tables.append(_pipe_table(rows))
        rows.clear()

    at = 0
    for line in original.splitlines(keepends=True):
        start, at = at, at + len(line)
        text = line.strip()
        if not (text.startswith("|") and text.count("|") >= 3):
            close()
            continue
        if _PIPE_SEPARATOR_RE.match(text):
            continue
        offset = start + line.index("|") + 1
        cells = []
        for part in text.strip("|").split("|"):
            lead = len(part) - len(part.lstrip())
            cells.append(Cell(_clean(part), offset + lead, offset + len(part.rstrip())))
            offset += len(part) + 1
        rows.append(PipeRow(tuple(cells), start, start + len(line.rstrip())))
    close()
    return tables


def _pipe_table(rows: list[PipeRow]) -> PipeTable:
    """Header rows are the leading rows that state no figure (a spanning title row, then column names)."""
    n = 0
    limit = min(MAX_HEADER_ROWS, len(rows) - 1)
    while n < limit and not any(_FIGURE_START_RE.match(c.text) for c in rows[n].cells):
        n += 1
    width = max(len(r.cells) for r in rows)
    header = []
    for j in range(width):
        parts: list[str] = []
        for r in rows[:n]:
            text = r.cells[j].text if j < len(r.cells) else ""
            if text and text not in parts:
                parts.append(text)
        header.append(" ".join(parts))
    return PipeTable(tuple(header), tuple(rows[n:]), rows[0].start, rows[-1].end)
