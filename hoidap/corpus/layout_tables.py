"""Tables in a document's lines: markdown pipe tables, tables flattened one cell a line between '|'
lines, and runs of pipe rows that are a data table (a row a clause); their cells as blocks."""

from __future__ import annotations

from dataclasses import dataclass

from hoidap.corpus.blocks import K
from hoidap.corpus.labels import header_role, is_header_row
from hoidap.corpus.lines import BlockBuilder, Line, is_caps, trimmed
from hoidap.corpus.normalize import MappedText
from hoidap.corpus.records import Block
from hoidap.corpus.vocab import pattern


@dataclass
class TableCell:
    parts: list[MappedText]
    line: int  # physical index of its first line


def bar_table(lines: list[Line], i: int) -> tuple[int, int, list[list[TableCell]]] | None:
    """A data table flattened one cell per line with '|' lines between cells, from line i.

    Returns (first line of its header, line after it, rows) or None when the run of
    '|'-separated cells holds no header row (title and signature blocks are laid out so too).
    """
    groups: list[TableCell | None] = []  # None marks a row end ('|' right after '|')
    j = i
    current: TableCell | None = None
    last_bar = i
    while j < len(lines):
        if j > i and lines[j].index != lines[j - 1].index + 1:
            break  # a blank line ends the run
        ln = lines[j]
        if ln.text == "|":
            groups.append(current)
            current, last_bar = None, j
        elif current is None:
            current = TableCell([ln.mapped], j)
        else:
            current.parts.append(ln.mapped)
        j += 1
    rows: list[list[TableCell]] = [[]]
    for g in groups[1:]:
        if g is None:
            if rows[-1]:
                rows.append([])
        else:
            rows[-1].append(g)
    rows = [r for r in rows if r]
    for h, row in enumerate(rows):
        texts = [" ".join(p.text for p in c.parts) for c in row]
        if is_header_row(texts):
            # Caption cells run into the header when only one '|' separates them: start at STT.
            k = _header_start(texts)
            body = rows[h + 1 :]
            end = last_bar + 1
            # A second table (Phụ lục II after Phụ lục I) with no blank line between them: this
            # one ends where the next one's caption or header starts; the main loop finds that one.
            for r, later in enumerate(body):
                ltexts = [" ".join(p.text for p in c.parts) for c in later]
                starts = [s for s in range(len(later)) if header_role(ltexts[s]) == "number"]
                cut = next((s for s in starts if is_header_row(ltexts[s:])), None)
                if cut is None:
                    continue
                while cut > 0 and _is_caption(ltexts[cut - 1]):
                    cut -= 1
                end = later[cut].line
                body = body[:r] + ([later[:cut]] if cut else [])
                break
            return row[k].line, end, [row[k:]] + body
    return None


def _header_start(texts: list[str]) -> int:
    roles = [header_role(t) for t in texts]
    return roles.index("number") if "number" in roles else next(i for i, r in enumerate(roles) if r)


CAPTION_RE = pattern("layout.caption")


def _is_caption(text: str) -> bool:
    """An appendix title cell ('PHỤ LỤC II DANH MỤC ...', '(Kèm theo Quyết định ...)')."""
    return bool(CAPTION_RE.match(text)) or (is_caps(text) and len(text) > 40)


PIPE_ROW_RE = pattern("layout.pipe_row")


PIPE_RULE_RE = pattern("layout.pipe_rule")


# A pipe table whose header names no task roles is a data table when it has this many rows at least;
# shorter runs of pipe rows are a layout (letterhead, signature) whose cells are separate lines.
MIN_DATA_TABLE_ROWS = 3


# The marker of a paragraph that is a data table's row (the parse stage names its columns by the header).
ROW_MARKER = "row"


def data_table_rows(lines: list[Line]) -> set[int]:
    """Indices of the lines of pipe tables with several rows of two or more cells (rule lines too)."""
    out: set[int] = set()
    i = 0
    while i < len(lines):
        j = i
        while (
            j < len(lines)
            and PIPE_ROW_RE.match(lines[j].text)
            and (j == i or lines[j].index == lines[j - 1].index + 1)
        ):
            j += 1
        rows = [k for k in range(i, j) if not PIPE_RULE_RE.match(lines[k].text)]
        wide = [k for k in rows if sum(1 for c in lines[k].text.strip("|").split("|") if c.strip()) >= 2]
        if len(rows) >= MIN_DATA_TABLE_ROWS and len(wide) >= 2:
            out.update(range(i, j))
        i = max(j, i + 1)
    return out


def pipe_table(lines: list[Line], i: int) -> tuple[int, list[list[tuple[int, TableCell]]], bool] | None:
    """A markdown pipe table from line i: (line after it, rows of (column, cell), well_formed).

    Rows that spill over several lines or lose their cells ('| |||||') make the table
    malformed: its cells then come as one stream (row -1) for the task stage to align.
    """
    j = i
    while j < len(lines) and (j == i or lines[j].index == lines[j - 1].index + 1):
        j += 1
    stream: list[tuple[int, int, TableCell | None]] = []  # (line, column on that line, cell)
    line_cols: dict[int, int] = {}
    well = True
    current: TableCell | None = None
    for k in range(i, j):
        m = lines[k].mapped
        text = m.text
        if PIPE_RULE_RE.match(text):
            continue
        if not text.startswith("|") or not text.endswith("|"):
            well = False
        col = -1
        seg_start = 0
        for pos in [p for p, ch in enumerate(text) if ch == "|"] + [len(text)]:
            part = trimmed(m, seg_start, pos)
            if part is not None:
                if current is None:
                    current = TableCell([part], k)
                else:
                    current.parts.append(part)
            if pos < len(text):  # a '|' closes the cell
                if current is not None or seg_start > 0:
                    stream.append((k, col, current))
                current = None
                col += 1
            seg_start = pos + 1
        line_cols[k] = col
    if current is not None:
        stream.append((j - 1, -1, current))
    header_line = i
    header = [c for ln, _, c in stream if ln == header_line and c is not None]
    if not is_header_row([" ".join(p.text for p in c.parts) for c in header]):
        return None
    width = line_cols[header_line]
    rows: list[list[tuple[int, TableCell]]] = []
    if well and all(n == width for n in line_cols.values()):
        by_line: dict[int, list[tuple[int, TableCell]]] = {}
        for ln, col, c in stream:
            if c is not None:
                by_line.setdefault(ln, []).append((col, c))
        rows = [by_line[ln] for ln in sorted(by_line)]
        return j, rows, True
    rows = [[(col, c) for ln, col, c in stream if ln == header_line and c is not None]]
    text_lines = {ln for ln, _, c in stream if c is not None}
    seen_lines: set[int] = set()
    for ln, _, c in stream:
        if ln == header_line or c is None:
            continue
        first = c.line not in seen_lines
        opens = first and (c.line - 1 not in text_lines or c.line - 1 == header_line)
        # A line that starts with '|' right after a line closed by '|' may open a row (level 2):
        # the task stage decides from what the cell looks like (a name, not an agency or a date).
        after_closed = first and lines[c.line].text.startswith("|") and lines[c.line - 1].text.endswith("|")
        seen_lines.add(c.line)
        rows.append([(-2 if opens else -3 if after_closed else -1, c)])
    return j, rows, False


def cell_block(cell: TableCell, table: int, row: int, col: int, marker: str = "", level: int = 0) -> Block:
    """A table cell; marker 'bar' means col is its position in the row (empty cells vanished),
    level 1 means the cell opens a new row in a malformed table."""
    b = BlockBuilder(K.CELL, "", 0)
    for part in cell.parts:
        b.add(part)
    block = b.build()
    return Block(K.CELL, block.text, block.char_start, block.char_end, marker, level, table, row, col)
