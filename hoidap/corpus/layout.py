"""Undo PDF/Word line wrapping: physical lines -> logical blocks.

A block is a heading, numbered item, bullet, field line, table cell, footnote or
paragraph. Continuation lines are joined to the block they continue; structural
lines (headings, bullets, numbered items, field lines, table cells) never are.
Each block keeps its normalized text and its exact span in the original file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hoidap.corpus.normalize import MappedText, RepairCounts, normalize_span
from hoidap.corpus.records import Block

UPPER = "A-ZÀ-ỸĐ"
ROMAN_RE = re.compile(r"^(?P<m>(?:X{0,3})(?:IX|IV|V?I{0,3}))\.\s*(?P<rest>\S.*)$")
# 1-2 digit numbers only: a wrapped line starting with a year ("2025. Khai thác") is not an item.
NUMBER_RE = re.compile(
    r"^(?P<m>\d{1,2}(?:\.\d{1,2}){1,2})\.?\s+(?P<rest>\S.*)$|^(?P<m1>\d{1,2})\.\s+(?P<rest1>\S.*)$"
)
LETTER_RE = re.compile(r"^(?P<m>[a-zđ])\)\s*(?P<rest>\S.*)$")
BULLET_RE = re.compile(r"^(?P<m>[-–+*•])\s*(?P<rest>\S.*)$")
FIELD_RE = re.compile(r"^(?:[-+]\s*)?(?P<label>(?:Cơ quan|Đơn vị|Thời gian)[^:]{0,45}):\s*(?P<rest>.*)$")
DIGITS_RE = re.compile(r"^\d{1,3}$")
SEPARATOR_RE = re.compile(r"^[-_=*.]{3,}$")
TABLE_ID_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2})?$")
SIGNATURE_RE = re.compile(
    r"^(?:T/M|TM\.|KT\.|Q\.|TL\.)\s*\S|^(?:BÍ THƯ|PHÓ BÍ THƯ|CHỦ TỊCH|PHÓ CHỦ TỊCH|GIÁM ĐỐC)$"
)
RECIPIENTS_RE = re.compile(r"^Nơi nhận\s*:")
SENTENCE_END = (".", ":", "!", "?", ".)", ".”", '."', "./.")
JOIN_TIGHT = re.compile(r"^[.,;:)\]”]")


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


def split_lines(original: str, repairs: RepairCounts) -> list[Line]:
    """Normalize every non-blank physical line of the original text."""
    lines: list[Line] = []
    pos = 0
    for i, raw in enumerate(original.splitlines(keepends=True)):
        end = pos + len(raw.rstrip("\r\n"))
        mapped = normalize_span(original, pos, end, repairs)
        if mapped.text:
            lines.append(Line(mapped, i))
        pos += len(raw)
    return lines


def classify(text: str) -> tuple[str, str, int]:
    """Return (kind, marker, level) of a line that starts a block, or ('text', '', 0)."""
    if SEPARATOR_RE.match(text):
        return "separator", "", 0
    if RECIPIENTS_RE.match(text):
        return "recipients", "", 0
    if SIGNATURE_RE.match(text):
        return "signature", "", 0
    m = FIELD_RE.match(text)
    if m:
        return "field", m.group("label").strip(), 0
    m = ROMAN_RE.match(text)
    if m and m.group("m") and _starts_upper(m.group("rest")):
        return "roman", m.group("m"), 1
    m = NUMBER_RE.match(text)
    if m:
        marker = m.group("m") or m.group("m1")
        rest = m.group("rest") if m.group("m") else m.group("rest1")
        if _starts_upper(rest):
            return "number", marker, 1 + marker.count(".") + 1
    m = LETTER_RE.match(text)
    if m and _starts_upper(m.group("rest")):
        return "letter", m.group("m"), 0
    m = BULLET_RE.match(text)
    # "- 2030." or "- xã hội" are wrapped ranges/compounds, not bullets.
    if m and _starts_upper(m.group("rest")):
        return "bullet", m.group("m").replace("–", "-").replace("•", "-"), 0
    if _is_caps(text):
        return "caps", "", 0
    return "text", "", 0


@dataclass
class LayoutResult:
    blocks: list[Block]
    one_line_paragraphs: bool
    table_found: bool


def build_blocks(original: str, repairs: RepairCounts) -> LayoutResult:
    """Turn the original text into logical blocks.

    Args:
        original: the document text exactly as stored.
        repairs: updated with the normalization repairs made.

    Returns:
        LayoutResult with blocks in reading order.
    """
    lines = split_lines(original, repairs)
    lengths = sorted(len(ln.text) for ln in lines) or [0]
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

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(current.build())
            current = None

    for i, line in enumerate(lines):
        text = line.text
        nxt = lines[i + 1].text if i + 1 < len(lines) else ""

        if in_table:
            if text.startswith("[") or (not TABLE_ID_RE.match(text) and _is_caps(text) and len(text) > 40):
                in_table = False
            else:
                close()
                b = _Builder("cell", text if TABLE_ID_RE.match(text) else "", 0)
                b.add(line.mapped)
                blocks.append(b.build())
                continue
        if text == "STT":
            close()
            in_table = table_found = True
            b = _Builder("cell", "", 0)
            b.add(line.mapped)
            blocks.append(b.build())
            continue

        if footnote is not None:
            kind, _, _ = classify(text)
            ends_note = footnote.last_line.rstrip().endswith(".") and (
                not _starts_upper(text) or kind != "text" or DIGITS_RE.match(text)
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
                footnote = _Builder("footnote", text, 0)
                continue
            continue  # page number

        kind, marker, level = classify(text)
        prev = current.last_line.rstrip() if current is not None else ""
        if (
            kind == "caps"
            and current is not None
            and current.kind not in ("caps", "signature")
            and not one_line_paragraphs
        ):
            # "NQ/TW." or "7.900 USD." after an unfinished line is a wrapped tail, not a title.
            if not prev.endswith(SENTENCE_END):
                kind = "text"
        if kind == "text" and current is not None and not one_line_paragraphs:
            tight = bool(JOIN_TIGHT.match(text)) or (
                prev.endswith("-") and len(prev) > 1 and prev[-2].isalnum() and text[:1].isalnum()
            )
            new_paragraph = _starts_upper(text) and (prev.endswith(SENTENCE_END) or len(prev) < short_line)
            if current.kind in ("caps", "signature", "recipients"):
                new_paragraph = True
            if not new_paragraph:
                current.add(line.mapped, tight=tight)
                continue
        close()
        if kind == "separator":
            continue
        current = _Builder("paragraph" if kind == "text" else kind, marker, level)
        current.add(line.mapped)
    close()
    if footnote is not None:
        blocks.append(footnote.build())
    return LayoutResult(blocks, one_line_paragraphs, table_found)
