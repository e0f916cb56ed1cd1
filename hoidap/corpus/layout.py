"""Undo PDF/Word line wrapping: physical lines -> logical blocks.

A block is a heading, numbered item, bullet, field line, table cell, footnote or
paragraph. Continuation lines are joined to the block they continue; structural
lines (headings, bullets, numbered items, field lines, table cells) never are.
Each block keeps its normalized text and its exact span in the original file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hoidap.corpus.blocks import BOLD_HEADINGS, CLOSED, HEADINGS, LONE_LABELLED, K
from hoidap.corpus.layout_tables import (
    PIPE_ROW_RE,
    PIPE_RULE_RE,
    ROW_MARKER,
    TableCell,
    bar_table,
    cell_block,
    data_table_rows,
    pipe_table,
)
from hoidap.corpus.lines import (
    MOTTO_RE,
    RECIPIENTS_RE,
    SEPARATOR_RE,
    SIGNATURE_RE,
    STANDALONE_HEAD_RE,
    BlockBuilder,
    Line,
    is_caps,
    outside_lines,
    split_lines,
    starts_upper,
    trimmed,
)
from hoidap.corpus.normalize import RepairCounts
from hoidap.corpus.records import Block
from hoidap.corpus.vocab import pattern

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
DATED_OPENING_RE = pattern("layout.dated_opening")
LONE_LABEL_RE = pattern("layout.lone_label")
TABLE_ID_RE = pattern("layout.table_id")
SENTENCE_END = (".", ":", "!", "?", ".)", ".”", '."', "./.")
JOIN_TIGHT = pattern("layout.join_tight")


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
    if m and m.group("m") and starts_upper(m.group("rest")):
        return K.ROMAN, m.group("m"), 1
    m = NUMBER_RE.match(text)
    if m:
        marker = m.group("m") or m.group("m1")
        rest = m.group("rest") if m.group("m") else m.group("rest1")
        if starts_upper(rest):
            return K.NUMBER, marker, 1 + marker.count(".") + 1
    m = LETTER_RE.match(text)
    if m and starts_upper(m.group("rest")):
        return K.LETTER, m.group("m"), 0
    m = BULLET_RE.match(text)
    # "- 2030." or "- xã hội" are wrapped ranges/compounds, not bullets.
    if m and starts_upper(m.group("rest")):
        return K.BULLET, m.group("m").replace("–", "-").replace("•", "-"), 0
    if is_caps(text):
        return K.CAPS, "", 0
    return K.TEXT, "", 0


@dataclass
class LayoutResult:
    blocks: list[Block]
    one_line_paragraphs: bool
    table_found: bool
    outside: list[tuple[int, int]] = field(default_factory=list)  # original spans of website text


@dataclass(frozen=True)
class _Style:
    """How a text's lines are laid out, read from all of them."""

    blank_mode: bool  # a blank line (not the line length) ends a paragraph
    one_line_paragraphs: bool  # one paragraph a line (a Word export)
    short_line: float  # a line shorter than this ended its paragraph


def _style(original: str, lines: list[Line]) -> _Style:
    # Markdown converters mark structure with '**', '|' and '#'; some separate paragraphs by
    # blank lines and wrap inside them, so there a blank line (not the line length) ends a paragraph.
    markdown = sum(1 for ln in lines if ln.text == "|" or PIPE_ROW_RE.match(ln.text)) >= 2 or "**" in original
    gaps = sum(1 for a, b in zip(lines, lines[1:], strict=False) if b.index > a.index + 1)
    # Line widths of running text only: the cells of a '|'-flattened table are short lines that would
    # make every line of prose look like the end of a paragraph.
    near_bar = {k for k, ln in enumerate(lines) if ln.text == "|" for k in (k - 1, k, k + 1)}
    lengths = sorted(len(ln.text) for k, ln in enumerate(lines) if k not in near_bar) or [0]
    return _Style(
        blank_mode=markdown and gaps >= 0.2 * len(lines),
        # Word exports put one paragraph per line; PDF extractions wrap at ~70-80 characters.
        one_line_paragraphs=lengths[int(len(lengths) * 0.9)] > 200,
        # A line well short of the usual width ended its paragraph, even without punctuation.
        short_line=0.7 * lengths[int(len(lengths) * 0.75)],
    )


class _Reader:
    """Reads the lines in order into blocks: tables, footnotes, page numbers, lone item numbers, and
    wrapped lines joined to the block they continue."""

    def __init__(self, original: str, lines: list[Line]) -> None:
        self.original, self.lines, self.style = original, lines, _style(original, lines)
        self.blocks: list[Block] = []
        self.current: BlockBuilder | None = None
        self.footnote: BlockBuilder | None = None
        self.refs_seen: set[str] = set()
        self.in_table = False  # inside a table flattened one cell a line under "STT"
        self.table_found = False
        self.n_tables = 0
        self.skip_to = -1
        self.bold_open = False  # the current block is a bold heading whose '**' has not closed yet
        self.glue_label = False  # the current block is a lone item number waiting for its text
        self.table_at: dict[int, tuple[int, list[list[TableCell]]]] = {}
        self.data_rows = data_table_rows(lines)

    def read(self) -> list[Block]:
        for i, line in enumerate(self.lines):
            if i < self.skip_to:
                continue
            text = line.text
            nxt = self.lines[i + 1].text if i + 1 < len(self.lines) else ""
            if i in self.table_at:
                self._bar_rows(i)
            elif text == "|" or PIPE_ROW_RE.match(text):
                self._pipe_line(i, line)
            elif not (
                self._flat_cell(line)
                or self._in_footnote(line)
                or self._number_only(text, nxt)
                or self._lone_label(line, nxt)
            ):
                self._line(i, line)
        self.close()
        if self.footnote is not None:
            self.blocks.append(self.footnote.build())
        return self.blocks

    def close(self) -> None:
        if self.current is not None:
            block = self.current.build()
            if self.style.blank_mode and block.kind == K.PARAGRAPH:
                # '**1.' / 'Sở Nông nghiệp và Môi trường**' joins into a numbered heading only now.
                kind, marker, level = classify(block.text)
                if kind in HEADINGS:
                    block = Block(kind, block.text, block.char_start, block.char_end, marker, level)
            self.blocks.append(block)
            self.current = None

    def _bar_rows(self, i: int) -> None:
        """A '|'-flattened table found at its header row: its cells."""
        self.close()
        end, rows = self.table_at[i]
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                self.blocks.append(cell_block(cell, self.n_tables, r, c, "bar"))
        self.n_tables += 1
        self.table_found = True
        self.skip_to = end

    def _pipe_line(self, i: int, line: Line) -> None:
        """A '|' line (a cell boundary) or a pipe row: a table, a data table's row or a layout table."""
        text = line.text
        self.close()
        if text == "|":
            found = bar_table(self.lines, i)
            if found is not None:
                # Title cells before the header row stay ordinary text; the table starts at its header.
                self.table_at[found[0]] = found[1:]
            return
        found_pipe = pipe_table(self.lines, i)
        if found_pipe is not None:
            end, prows, well = found_pipe
            for r, prow in enumerate(prows):
                for col, cell in prow:
                    if well or r == 0:
                        self.blocks.append(cell_block(cell, self.n_tables, r, col))
                    else:
                        level = {-2: 1, -3: 2}.get(col, 0)
                        self.blocks.append(cell_block(cell, self.n_tables, -1, -1, "", level))
            self.n_tables += 1
            self.table_found = True
            self.skip_to = end
            return
        if i in self.data_rows:
            # A row of a data table (a salary scale, an allocation by province): one clause, its
            # cells kept together so a figure is read with the row it belongs to.
            if not PIPE_RULE_RE.match(text):
                # Without its outer pipes: '| 3 | Cô đỡ | 0,5 |' -> '3 | Cô đỡ | 0,5'.
                row = trimmed(line.mapped, 0, len(text), "| ")
                if row is not None:
                    self.blocks.append(
                        Block(K.PARAGRAPH, row.text, row.starts[0], row.ends[-1], ROW_MARKER, 0)
                    )
            return
        # A layout table (title block, signature) written as pipe rows: each cell is text.
        m = line.mapped
        seg_start = 0
        for pos in [p for p, ch in enumerate(m.text) if ch == "|"] + [len(m.text)]:
            seg = trimmed(m, seg_start, pos)
            if seg is not None:
                kind, marker, level = classify(seg.text)
                cb = BlockBuilder(K.PARAGRAPH if kind in (K.TEXT, K.SEPARATOR) else kind, marker, level)
                cb.add(seg)
                self.blocks.append(cb.build())
            seg_start = pos + 1

    def _flat_cell(self, line: Line) -> bool:
        """A cell of a table flattened one cell a line, which opens at a lone "STT" line."""
        text = line.text
        if self.in_table:
            if text.startswith("[") or (not TABLE_ID_RE.match(text) and is_caps(text) and len(text) > 40):
                self.in_table = False
            else:
                self.close()
                b = BlockBuilder(K.CELL, text if TABLE_ID_RE.match(text) else "", 0)
                b.add(line.mapped)
                self.blocks.append(b.build())
                return True
        if text == "STT":
            self.close()
            self.in_table = self.table_found = True
            b = BlockBuilder(K.CELL, "", 0)
            b.add(line.mapped)
            self.blocks.append(b.build())
            return True
        return False

    def _in_footnote(self, line: Line) -> bool:
        """A line of the footnote being read (it ends after a full stop, before a new block)."""
        if self.footnote is None:
            return False
        text = line.text
        kind, _, _ = classify(text)
        ends_note = self.footnote.last_line.rstrip().endswith(".") and (
            not starts_upper(text) or kind != K.TEXT or DIGITS_RE.match(text)
        )
        if not ends_note:
            self.footnote.add(line.mapped)
            return True
        self.blocks.append(self.footnote.build())
        self.footnote = None
        return False

    def _number_only(self, text: str, nxt: str) -> bool:
        """A bare number: a footnote's mark or its start, else a page number (a line of its own in a text
        whose paragraphs end at blank lines)."""
        if not DIGITS_RE.match(text):
            return False
        if JOIN_TIGHT.match(nxt):
            self.refs_seen.add(text)  # footnote reference: the text continues on the next line
            return True
        if text in self.refs_seen and starts_upper(nxt):
            self.footnote = BlockBuilder(K.FOOTNOTE, text, 0)
            return True
        return not self.style.blank_mode  # page number

    def _lone_label(self, line: Line, nxt: str) -> bool:
        """An item's number alone on its line ("2.5." / "Giám sát việc …"), and the text that follows it."""
        text = line.text
        if self.glue_label and self.current is not None:
            self.current.add(line.mapped)  # the text of a number that stood alone on the line before
            self.glue_label = False
            return True
        if LONE_LABEL_RE.match(text) and starts_upper(nxt):
            kind, marker, level = classify(f"{text} {nxt}")
            if kind in LONE_LABELLED:
                self.close()
                self.current = BlockBuilder(kind, marker, level)
                self.current.add(line.mapped)
                self.glue_label = True
                return True
        return False

    def _line(self, i: int, line: Line) -> None:
        """Any other line: it continues the current block, or starts one of its kind."""
        text, current, style = line.text, self.current, self.style
        kind, marker, level = classify(text)
        follows = i > 0 and line.index == self.lines[i - 1].index + 1  # no blank line between
        if self.bold_open and current is not None and kind in (K.TEXT, K.CAPS) and follows:
            # The rest of a bold heading wrapped mid-name: join; its closing '**' ends the heading.
            current.add(line.mapped, tight=bool(JOIN_TIGHT.match(text)))
            if line.bold_marks % 2:
                self.bold_open = False
                self.close()
            return
        self.bold_open = False
        prev = current.last_line.rstrip() if current is not None else ""
        if style.blank_mode and current is not None:
            joined = follows and self.lines[i - 1].text != "|"
            # The motto, the place-and-date line and a legal basis stand alone even without a blank line.
            joined = joined and not OPENER_RE.match(text) and not MOTTO_RE.match(text)
            if joined and (
                kind in (K.TEXT, K.CAPS) or (kind == K.BULLET and not prev.endswith(SENTENCE_END))
            ):
                current.add(line.mapped, tight=bool(JOIN_TIGHT.match(text)))
                return
        elif kind == K.CAPS and current is not None and current.kind not in (K.CAPS, K.SIGNATURE):
            # "NQ/TW." or "7.900 USD." after an unfinished line is a wrapped tail, not a title.
            if not style.one_line_paragraphs and not prev.endswith(SENTENCE_END):
                kind = kind if STANDALONE_HEAD_RE.match(text) else K.TEXT
        if kind == K.TEXT and current is not None and not style.one_line_paragraphs and not style.blank_mode:
            if not self._starts_paragraph(current, prev, text):
                tight = bool(JOIN_TIGHT.match(text)) or (
                    prev.endswith("-") and len(prev) > 1 and prev[-2].isalnum() and text[:1].isalnum()
                )
                current.add(line.mapped, tight=tight)
                return
        self.close()
        if kind == K.SEPARATOR:
            return
        self.current = BlockBuilder(K.PARAGRAPH if kind == K.TEXT else kind, marker, level)
        self.current.add(line.mapped)
        starts = line.mapped.starts
        raw_start = self.original[starts[0] - 2 : starts[0]] if starts else ""
        self.bold_open = line.bold_marks % 2 == 1 and raw_start == "**" and kind in BOLD_HEADINGS

    def _starts_paragraph(self, current: BlockBuilder, prev: str, text: str) -> bool:
        """Whether a line of text after `prev` (the current block's last line) opens a new paragraph."""
        new_paragraph = starts_upper(text) and (
            prev.endswith(SENTENCE_END)
            or (len(prev) < self.style.short_line and not LINE_GOES_ON_RE.search(prev))
            or bool(OPENER_RE.match(text))
            or bool(DATED_OPENING_RE.match(text))
            or bool(MOTTO_RE.match(text))
            or bool(STANDALONE_HEAD_RE.match(prev))  # "CỘNG HÒA …" / "Độc lập - …"
        )
        if current.kind in CLOSED:
            new_paragraph = True
        if current.kind in (K.ROMAN, K.PART) and is_caps(current.last_line) and starts_upper(text):
            new_paragraph = True  # "I. MỤC TIÊU" / "Đến năm 2028, …": a heading, then its text
        if current.kind == K.ARTICLE and len(current.parts) == 1 and starts_upper(text):
            # "Điều 2. Thành lập Hội đồng" / "Trong thời hạn 10 ngày …": its title, then its text
            new_paragraph = not HEADING_GOES_ON_RE.search(prev)
        return bool(new_paragraph)


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
    reader = _Reader(original, all_lines[first:last])
    blocks = reader.read()
    return LayoutResult(blocks, reader.style.one_line_paragraphs, reader.table_found, outside)
