"""Undo PDF/Word line wrapping: physical lines -> logical blocks.

A block is a heading, numbered item, bullet, field line, table cell, footnote or
paragraph. Continuation lines are joined to the block they continue; structural
lines (headings, bullets, numbered items, field lines, table cells) never are.
Each block keeps its normalized text and its exact span in the original file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hoidap.corpus.blocks import BOLD_HEADINGS, CLOSED, HEADINGS, LONE_LABELLED, K
from hoidap.corpus.labels import header_role, is_header_row
from hoidap.corpus.normalize import MappedText, RepairCounts, normalize_span
from hoidap.corpus.records import Block
from hoidap.corpus.vocab import pattern, web_chrome

# Line forms (data: corpus/data/patterns.json "layout.*", built from the word lists of layout.json).
ROMAN_RE = pattern("layout.roman")
HEADING_GOES_ON_RE = pattern("layout.heading_goes_on")
LINE_GOES_ON_RE = pattern("layout.line_goes_on")
NUMBER_RE = pattern("layout.number")
LETTER_RE = pattern("layout.letter")
BULLET_RE = pattern("layout.bullet")
FIELD_RE = pattern("layout.field")
ARTICLE_RE = pattern("layout.article")
PART_RE = pattern("layout.part")
STEP_RE = pattern("layout.step")
DIGITS_RE = pattern("layout.digits")
OPENER_RE = pattern("layout.opener")
LETTERHEAD_CELL_RE = pattern("layout.letterhead_cell")
LONE_LABEL_RE = pattern("layout.lone_label")
SEPARATOR_RE = pattern("layout.separator")
TABLE_ID_RE = pattern("layout.table_id")
SIGNATURE_RE = pattern("layout.signature")
RECIPIENTS_RE = pattern("layout.recipients")
SENTENCE_END = (".", ":", "!", "?", ".)", ".”", '."', "./.")
JOIN_TIGHT = pattern("layout.join_tight")


def _starts_upper(text: str) -> bool:
    for ch in text:
        if ch.isalpha():
            return ch.isupper()
        if ch.isdigit():
            return False
        if ch in '“"(':
            continue
        return False
    return False


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@dataclass
class Line:
    """One physical line, normalized, with its map to the original."""

    mapped: MappedText
    index: int
    # Markdown bold markers on the raw line: an odd count leaves a bold span open at its end
    # ('**6. Sở Ngoại' / 'Vụ**': one heading wrapped over two lines).
    bold_marks: int = 0

    @property
    def text(self) -> str:
        return self.mapped.text


@dataclass
class _Builder:
    kind: str
    marker: str
    level: int
    parts: list[MappedText] = field(default_factory=list)
    text: str = ""
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def add(self, m: MappedText, tight: bool = False) -> None:
        if self.parts and not tight:
            prev_end = self.ends[-1]
            self.text += " "
            self.starts.append(prev_end)
            self.ends.append(m.starts[0])
        self.parts.append(m)
        self.text += m.text
        self.starts.extend(m.starts)
        self.ends.extend(m.ends)

    @property
    def last_line(self) -> str:
        return self.parts[-1].text if self.parts else ""

    def build(self) -> Block:
        return Block(self.kind, self.text, self.starts[0], self.ends[-1], self.marker, self.level)


def _subset(m: MappedText, keep: list[bool]) -> MappedText:
    """The kept characters of `m`, whitespace runs collapsed, ends trimmed (maps preserved)."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(m.text):
        if not keep[i]:
            continue
        if ch == " " and (not chars or chars[-1] == " "):
            continue
        chars.append(ch)
        starts.append(m.starts[i])
        ends.append(m.ends[i])
    while chars and chars[-1] == " ":
        chars.pop(), starts.pop(), ends.pop()
    return MappedText("".join(chars), starts, ends)


def _trimmed(m: MappedText, start: int, end: int, chars: str | None = None) -> MappedText | None:
    """`m`'s characters [start, end) without the `chars` (default: whitespace) around them, maps kept;
    None when nothing is left."""
    part = m.text[start:end]
    a = start + len(part) - len(part.lstrip(chars))
    b = start + len(part.rstrip(chars))
    return MappedText(m.text[a:b], m.starts[a:b], m.ends[a:b]) if b > a else None


MD_HEADING_RE = pattern("layout.md_heading")
MD_BULLET_RE = pattern("layout.md_bullet")
MD_ESCAPE_RE = pattern("layout.md_escape")


def strip_markup(m: MappedText) -> MappedText:
    """Drop markdown markup (#, **, *, __, backslash escapes), keeping the map to the original.

    A leading '* ' stays: it is a list bullet. Converters put '**' mid-word and across
    lines ('**I. MỤC' / 'ĐÍCH**'), so every emphasis star goes, wherever it is.
    """
    text = m.text
    if "*" not in text and "#" not in text[:1] and "__" not in text and "\\" not in text:
        return m
    keep = [True] * len(text)
    head = MD_HEADING_RE.match(text)
    first = head.end() if head else 0
    for i in range(first):
        keep[i] = False
    bullet = MD_BULLET_RE.match(text[first:])
    for i, ch in enumerate(text):
        if ch == "*" and not (bullet and i == first):
            keep[i] = False
        elif ch == "_" and (text[i - 1 : i] == "_" or text[i + 1 : i + 2] == "_"):
            keep[i] = False
    for e in MD_ESCAPE_RE.finditer(text):
        keep[e.start()] = False
    return _subset(m, keep)


def split_lines(original: str, repairs: RepairCounts) -> list[Line]:
    """Normalize every non-blank physical line of the original text (markdown markup dropped); a
    letterhead flattened to one line with ' | ' between its cells gives one line per cell."""
    lines: list[Line] = []
    pos = 0
    for i, raw in enumerate(original.splitlines(keepends=True)):
        end = pos + len(raw.rstrip("\r\n"))
        mapped = strip_markup(normalize_span(original, pos, end, repairs))
        if mapped.text:
            lines.extend(Line(cell, i, raw.count("**")) for cell in _letterhead_cells(mapped))
        pos += len(raw)
    return lines


def _letterhead_cells(m: MappedText) -> list[MappedText]:
    """'Số: 248/2025/NĐ-CP | Hà Nội, ngày 15 tháng 9 năm 2025' -> its two cells (a crawled page puts the
    letterhead table's cells on one line); any other line as it is."""
    if m.text.startswith("|") or " | " not in m.text:
        return [m]
    cells: list[MappedText] = []
    at = 0
    for part in m.text.split(" | "):
        cell = _trimmed(m, at, at + len(part))
        if cell is not None:
            cells.append(cell)
        at += len(part) + 3
    if len(cells) < 2 or not any(LETTERHEAD_CELL_RE.match(c.text) for c in cells):
        return [m]
    return cells


# --- website text around a pasted document ---------------------------------------------------

MOTTO_RE = pattern("layout.motto")

STANDALONE_HEAD_RE = pattern("layout.standalone_head")


def _has(text: str, phrases: list[str]) -> bool:
    low = text.casefold()
    return any(p.casefold() in low for p in phrases)


def outside_lines(lines: list[Line]) -> tuple[int, int]:
    """[first, last) line indexes of the document proper inside a pasted web page.

    Only when the text carries a legal-library page's own text (metadata labels, banners,
    'Văn bản liên quan' lists, log-in notices) is anything cut; a clean document is kept whole.
    """
    chrome = web_chrome()
    first, last = 0, len(lines)
    motto = next((i for i, ln in enumerate(lines[:200]) if MOTTO_RE.match(ln.text)), None)
    if motto is not None:
        before = [ln.text for ln in lines[:motto]]
        if any(
            _has(t, chrome["notices"]) or any(t.startswith(lab) for lab in chrome["metadata_labels"])
            for t in before
        ):
            # Back over "CỘNG HÒA ..." and the issuer cell ("THỦ TƯỚNG CHÍNH PHỦ", "-----", "|").
            k = motto - 1
            while k >= 0 and (
                _is_caps(lines[k].text) or lines[k].text == "|" or SEPARATOR_RE.match(lines[k].text)
            ):
                k -= 1
            first = k + 1
            while first < motto and lines[first].text == "|":
                first += 1
    seen_signature = False
    for i in range(first, len(lines)):
        t = lines[i].text
        if SIGNATURE_RE.match(t) or RECIPIENTS_RE.match(t):
            seen_signature = True
        if not seen_signature:
            continue
        if (t in chrome["end_markers"] or _has(t, chrome["chrome_lines"])) and not _is_caps(t):
            last = i
            while last > first and lines[last - 1].text == "|":
                last -= 1
            break
    return first, last


# --- tables ---------------------------------------------------------------------------------


@dataclass
class _Cell:
    parts: list[MappedText]
    line: int  # physical index of its first line


def classify(text: str) -> tuple[str, str, int]:
    """Return (kind, marker, level) of a line that starts a block, or ('text', '', 0)."""
    if SEPARATOR_RE.match(text):
        return K.SEPARATOR, "", 0
    if RECIPIENTS_RE.match(text):
        return K.RECIPIENTS, "", 0
    if SIGNATURE_RE.match(text):
        return K.SIGNATURE, "", 0
    m = FIELD_RE.match(text)
    if m:
        return K.FIELD, m.group("label").strip(), 0
    m = PART_RE.match(text)
    if m:
        return K.PART, " ".join(m.group("m").split()), 0
    m = ARTICLE_RE.match(text)
    if m:
        return K.ARTICLE, " ".join(m.group("m").split()), 0
    m = STEP_RE.match(text)
    if m:
        return K.STEP, " ".join(m.group("m").split()), 2
    m = ROMAN_RE.match(text)
    if m and m.group("m") and _starts_upper(m.group("rest")):
        return K.ROMAN, m.group("m"), 1
    m = NUMBER_RE.match(text)
    if m:
        marker = m.group("m") or m.group("m1")
        rest = m.group("rest") if m.group("m") else m.group("rest1")
        if _starts_upper(rest):
            return K.NUMBER, marker, 1 + marker.count(".") + 1
    m = LETTER_RE.match(text)
    if m and _starts_upper(m.group("rest")):
        return K.LETTER, m.group("m"), 0
    m = BULLET_RE.match(text)
    # "- 2030." or "- xã hội" are wrapped ranges/compounds, not bullets.
    if m and _starts_upper(m.group("rest")):
        return K.BULLET, m.group("m").replace("–", "-").replace("•", "-"), 0
    if _is_caps(text):
        return K.CAPS, "", 0
    return K.TEXT, "", 0


def _bar_table(lines: list[Line], i: int) -> tuple[int, int, list[list[_Cell]]] | None:
    """A data table flattened one cell per line with '|' lines between cells, from line i.

    Returns (first line of its header, line after it, rows) or None when the run of
    '|'-separated cells holds no header row (title and signature blocks are laid out so too).
    """
    groups: list[_Cell | None] = []  # None marks a row end ('|' right after '|')
    j = i
    current: _Cell | None = None
    last_bar = i
    while j < len(lines):
        if j > i and lines[j].index != lines[j - 1].index + 1:
            break  # a blank line ends the run
        ln = lines[j]
        if ln.text == "|":
            groups.append(current)
            current, last_bar = None, j
        elif current is None:
            current = _Cell([ln.mapped], j)
        else:
            current.parts.append(ln.mapped)
        j += 1
    rows: list[list[_Cell]] = [[]]
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
    return bool(CAPTION_RE.match(text)) or (_is_caps(text) and len(text) > 40)


PIPE_ROW_RE = pattern("layout.pipe_row")
PIPE_RULE_RE = pattern("layout.pipe_rule")


# A pipe table whose header names no task roles is a data table when it has this many rows at least;
# shorter runs of pipe rows are a layout (letterhead, signature) whose cells are separate lines.
MIN_DATA_TABLE_ROWS = 3
# The marker of a paragraph that is a data table's row (the parse stage names its columns by the header).
ROW_MARKER = "row"


def _data_table_rows(lines: list[Line]) -> set[int]:
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


def _pipe_table(lines: list[Line], i: int) -> tuple[int, list[list[tuple[int, _Cell]]], bool] | None:
    """A markdown pipe table from line i: (line after it, rows of (column, cell), well_formed).

    Rows that spill over several lines or lose their cells ('| |||||') make the table
    malformed: its cells then come as one stream (row -1) for the task stage to align.
    """
    j = i
    while j < len(lines) and (j == i or lines[j].index == lines[j - 1].index + 1):
        j += 1
    stream: list[tuple[int, int, _Cell | None]] = []  # (line, column on that line, cell)
    line_cols: dict[int, int] = {}
    well = True
    current: _Cell | None = None
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
            part = _trimmed(m, seg_start, pos)
            if part is not None:
                if current is None:
                    current = _Cell([part], k)
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
    rows: list[list[tuple[int, _Cell]]] = []
    if well and all(n == width for n in line_cols.values()):
        by_line: dict[int, list[tuple[int, _Cell]]] = {}
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


def _cell_block(cell: _Cell, table: int, row: int, col: int, marker: str = "", level: int = 0) -> Block:
    """A table cell; marker 'bar' means col is its position in the row (empty cells vanished),
    level 1 means the cell opens a new row in a malformed table."""
    b = _Builder(K.CELL, "", 0)
    for part in cell.parts:
        b.add(part)
    block = b.build()
    return Block(K.CELL, block.text, block.char_start, block.char_end, marker, level, table, row, col)


@dataclass
class LayoutResult:
    blocks: list[Block]
    one_line_paragraphs: bool
    table_found: bool
    outside: list[tuple[int, int]] = field(default_factory=list)  # original spans of website text


def build_blocks(original: str, repairs: RepairCounts) -> LayoutResult:
    """Turn the original text into logical blocks.

    Args:
        original: the document text exactly as stored.
        repairs: updated with the normalization repairs made.

    Returns:
        LayoutResult with blocks in reading order.
    """
    all_lines = split_lines(original, repairs)
    first, last = outside_lines(all_lines)
    outside: list[tuple[int, int]] = []
    if first > 0:
        outside.append((all_lines[0].mapped.starts[0], all_lines[first - 1].mapped.ends[-1]))
    if last < len(all_lines):
        outside.append((all_lines[last].mapped.starts[0], all_lines[-1].mapped.ends[-1]))
    lines = all_lines[first:last]
    # Markdown converters mark structure with '**', '|' and '#'; some separate paragraphs by
    # blank lines and wrap inside them, so there a blank line (not the line length) ends a paragraph.
    markdown = sum(1 for ln in lines if ln.text == "|" or PIPE_ROW_RE.match(ln.text)) >= 2 or "**" in original
    gaps = sum(1 for a, b in zip(lines, lines[1:], strict=False) if b.index > a.index + 1)
    blank_mode = markdown and gaps >= 0.2 * len(lines)
    # Line widths of running text only: the cells of a '|'-flattened table are short lines that would
    # make every line of prose look like the end of a paragraph.
    near_bar = {k for k, ln in enumerate(lines) if ln.text == "|" for k in (k - 1, k, k + 1)}
    lengths = sorted(len(ln.text) for k, ln in enumerate(lines) if k not in near_bar) or [0]
    # Word exports put one paragraph per line; PDF extractions wrap at ~70-80 characters.
    one_line_paragraphs = lengths[int(len(lengths) * 0.9)] > 200
    # A line well short of the usual width ended its paragraph, even without punctuation.
    short_line = 0.7 * lengths[int(len(lengths) * 0.75)]
    blocks: list[Block] = []
    current: _Builder | None = None
    footnote: _Builder | None = None
    refs_seen: set[str] = set()
    in_table = False
    table_found = False
    n_tables = 0
    skip_to = -1
    bold_open = False  # the current block is a bold heading whose '**' has not closed yet
    glue_label = False  # the current block is a lone item number waiting for its text

    def close() -> None:
        nonlocal current
        if current is not None:
            block = current.build()
            if blank_mode and block.kind == K.PARAGRAPH:
                # '**1.' / 'Sở Nông nghiệp và Môi trường**' joins into a numbered heading only now.
                kind, marker, level = classify(block.text)
                if kind in HEADINGS:
                    block = Block(kind, block.text, block.char_start, block.char_end, marker, level)
            blocks.append(block)
            current = None

    table_at: dict[int, tuple[int, list[list[_Cell]]]] = {}
    data_rows = _data_table_rows(lines)
    for i, line in enumerate(lines):
        if i < skip_to:
            continue
        if i in table_at:
            close()
            end, rows = table_at[i]
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    blocks.append(_cell_block(cell, n_tables, r, c, "bar"))
            n_tables += 1
            table_found = True
            skip_to = end
            continue
        text = line.text
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""

        if text == "|" or PIPE_ROW_RE.match(text):
            close()
            if text == "|":
                found = _bar_table(lines, i)
                if found is not None:
                    # Title cells before the header row stay ordinary text; the table starts at its header.
                    table_at[found[0]] = found[1:]
                continue  # a cell boundary
            found_pipe = _pipe_table(lines, i)
            if found_pipe is not None:
                end, prows, well = found_pipe
                for r, prow in enumerate(prows):
                    for col, cell in prow:
                        if well or r == 0:
                            blocks.append(_cell_block(cell, n_tables, r, col))
                        else:
                            blocks.append(_cell_block(cell, n_tables, -1, -1, "", {-2: 1, -3: 2}.get(col, 0)))
                n_tables += 1
                table_found = True
                skip_to = end
                continue
            if i in data_rows:
                # A row of a data table (a salary scale, an allocation by province): one clause, its
                # cells kept together so a figure is read with the row it belongs to.
                if not PIPE_RULE_RE.match(text):
                    # Without its outer pipes: '| 3 | Cô đỡ | 0,5 |' -> '3 | Cô đỡ | 0,5'.
                    row = _trimmed(line.mapped, 0, len(text), "| ")
                    if row is not None:
                        blocks.append(
                            Block(K.PARAGRAPH, row.text, row.starts[0], row.ends[-1], ROW_MARKER, 0)
                        )
                continue
            # A layout table (title block, signature) written as pipe rows: each cell is text.
            m = line.mapped
            seg_start = 0
            for pos in [p for p, ch in enumerate(m.text) if ch == "|"] + [len(m.text)]:
                seg = _trimmed(m, seg_start, pos)
                if seg is not None:
                    kind, marker, level = classify(seg.text)
                    cb = _Builder(K.PARAGRAPH if kind in (K.TEXT, K.SEPARATOR) else kind, marker, level)
                    cb.add(seg)
                    blocks.append(cb.build())
                seg_start = pos + 1
            continue

        if in_table:
            if text.startswith("[") or (not TABLE_ID_RE.match(text) and _is_caps(text) and len(text) > 40):
                in_table = False
            else:
                close()
                b = _Builder(K.CELL, text if TABLE_ID_RE.match(text) else "", 0)
                b.add(line.mapped)
                blocks.append(b.build())
                continue
        if text == "STT":
            close()
            in_table = table_found = True
            b = _Builder(K.CELL, "", 0)
            b.add(line.mapped)
            blocks.append(b.build())
            continue

        if footnote is not None:
            kind, _, _ = classify(text)
            ends_note = footnote.last_line.rstrip().endswith(".") and (
                not _starts_upper(text) or kind != K.TEXT or DIGITS_RE.match(text)
            )
            if not ends_note:
                footnote.add(line.mapped)
                continue
            blocks.append(footnote.build())
            footnote = None

        if DIGITS_RE.match(text):
            if JOIN_TIGHT.match(nxt):
                refs_seen.add(text)  # footnote reference: the text continues on the next line
                continue
            if text in refs_seen and _starts_upper(nxt):
                footnote = _Builder(K.FOOTNOTE, text, 0)
                continue
            if not blank_mode:
                continue  # page number

        if glue_label and current is not None:
            current.add(line.mapped)  # the text of a number that stood alone on the line before
            glue_label = False
            continue
        if LONE_LABEL_RE.match(text) and _starts_upper(nxt):
            kind, marker, level = classify(f"{text} {nxt}")
            if kind in LONE_LABELLED:
                close()
                current = _Builder(kind, marker, level)
                current.add(line.mapped)
                glue_label = True
                continue
        kind, marker, level = classify(text)
        if (
            bold_open
            and current is not None
            and kind in (K.TEXT, K.CAPS)
            and line.index == lines[i - 1].index + 1
        ):
            # The rest of a bold heading wrapped mid-name: join; its closing '**' ends the heading.
            current.add(line.mapped, tight=bool(JOIN_TIGHT.match(text)))
            if line.bold_marks % 2:
                bold_open = False
                close()
            continue
        bold_open = False
        prev = current.last_line.rstrip() if current is not None else ""
        if blank_mode and current is not None:
            joined = i > 0 and line.index == lines[i - 1].index + 1 and lines[i - 1].text != "|"
            # The motto, the place-and-date line and a legal basis stand alone even without a blank line.
            joined = joined and not OPENER_RE.match(text) and not MOTTO_RE.match(text)
            if joined and (
                kind in (K.TEXT, K.CAPS) or (kind == K.BULLET and not prev.endswith(SENTENCE_END))
            ):
                current.add(line.mapped, tight=bool(JOIN_TIGHT.match(text)))
                continue
        elif (
            kind == K.CAPS
            and current is not None
            and current.kind not in (K.CAPS, K.SIGNATURE)
            and not one_line_paragraphs
        ):
            # "NQ/TW." or "7.900 USD." after an unfinished line is a wrapped tail, not a title.
            if not prev.endswith(SENTENCE_END) and not STANDALONE_HEAD_RE.match(text):
                kind = K.TEXT
        if kind == K.TEXT and current is not None and not one_line_paragraphs and not blank_mode:
            tight = bool(JOIN_TIGHT.match(text)) or (
                prev.endswith("-") and len(prev) > 1 and prev[-2].isalnum() and text[:1].isalnum()
            )
            new_paragraph = _starts_upper(text) and (
                prev.endswith(SENTENCE_END)
                or (len(prev) < short_line and not LINE_GOES_ON_RE.search(prev))
                or bool(OPENER_RE.match(text))
                or bool(MOTTO_RE.match(text))
                or bool(STANDALONE_HEAD_RE.match(prev))  # "CỘNG HÒA …" / "Độc lập - …"
            )
            if current.kind in CLOSED:
                new_paragraph = True
            if current.kind in (K.ROMAN, K.PART) and _is_caps(current.last_line) and _starts_upper(text):
                new_paragraph = True  # "I. MỤC TIÊU" / "Đến năm 2028, …": a heading, then its text
            if current.kind == K.ARTICLE and len(current.parts) == 1 and _starts_upper(text):
                # "Điều 2. Thành lập Hội đồng" / "Trong thời hạn 10 ngày …": its title, then its text
                new_paragraph = not HEADING_GOES_ON_RE.search(prev)
            if not new_paragraph:
                current.add(line.mapped, tight=tight)
                continue
        close()
        if kind == K.SEPARATOR:
            continue
        current = _Builder(K.PARAGRAPH if kind == K.TEXT else kind, marker, level)
        current.add(line.mapped)
        raw_start = original[line.mapped.starts[0] - 2 : line.mapped.starts[0]] if line.mapped.starts else ""
        bold_open = line.bold_marks % 2 == 1 and raw_start == "**" and kind in BOLD_HEADINGS
    close()
    if footnote is not None:
        blocks.append(footnote.build())
    return LayoutResult(blocks, one_line_paragraphs, table_found, outside)
