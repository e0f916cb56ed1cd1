"""Physical lines of a document: normalized with their map to the original, markdown markup dropped, a
letterhead flattened into one line split into its cells, and the website text around a pasted document
found; and the builder that joins lines into a block."""

from __future__ import annotations

from dataclasses import dataclass, field

from hoidap.corpus.normalize import MappedText, RepairCounts, normalize_span
from hoidap.corpus.records import Block
from hoidap.corpus.syllables import GLUED_MIN_SHARE, glued_share, rejoin, split_share, unglue, whole_words
from hoidap.corpus.vocab import pattern, web_chrome

LETTERHEAD_CELL_RE = pattern("layout.letterhead_cell")
SEPARATOR_RE = pattern("layout.separator")
SIGNATURE_RE = pattern("layout.signature")
RECIPIENTS_RE = pattern("layout.recipients")


def starts_upper(text: str) -> bool:
    for ch in text:
        if ch.isalpha():
            return ch.isupper()
        if ch.isdigit():
            return False
        if ch in '“"(':
            continue
        return False
    return False


def is_caps(text: str) -> bool:
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
class BlockBuilder:
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


def trimmed(m: MappedText, start: int, end: int, chars: str | None = None) -> MappedText | None:
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
    letterhead flattened to one line with ' | ' between its cells gives one line per cell; in a text whose
    syllables run together, the glued words are split, and in one whose syllables are broken, joined."""
    lines: list[Line] = []
    pos = 0
    glued = glued_share(original) >= GLUED_MIN_SHARE
    # A PDF's text layer that broke syllables apart ("Tổ ng Biên t ập") has them joined, where frequent.
    words = whole_words(original) if split_share(original) >= GLUED_MIN_SHARE else None
    for i, raw in enumerate(original.splitlines(keepends=True)):
        end = pos + len(raw.rstrip("\r\n"))
        mapped = strip_markup(normalize_span(original, pos, end, repairs))
        mapped, split = unglue(mapped, syllables=glued)
        repairs.glued_words += split
        if words is not None:
            mapped, joined = rejoin(mapped, words)
            repairs.split_syllables += joined
        if mapped.text:
            lines.extend(Line(cell, i, raw.count("**")) for cell in _letterhead_cells(mapped))
        pos += len(raw)
    return lines


WIDE_GAP = 3  # spaces: a PDF's text puts the letterhead's two columns on one line this far apart


def _letterhead_cells(m: MappedText) -> list[MappedText]:
    """'Số: 248/2025/NĐ-CP | Hà Nội, ngày 15 tháng 9 năm 2025' -> its two cells (a crawled page puts the
    letterhead table's cells on one line, a PDF's text its two columns with a wide gap between); any other
    line as it is."""
    if m.text.startswith("|"):
        return [m]
    if " | " in m.text:
        bounds, sep = [k for k in range(len(m.text)) if m.text.startswith(" | ", k)], 3
        later = False  # a cell a crawled page flattened may be the first one ("Số: … | Hà Nội, ngày …")
    else:
        # Not after a label: "Số:        /KH-UBND" leaves the number blank to be filled in.
        bounds = [
            k
            for k, ch in enumerate(m.text)
            if ch == " " and m.ends[k] - m.starts[k] >= WIDE_GAP and not m.text[:k].endswith(":")
        ]
        sep, later = 1, True  # a column after a wide gap must itself open a letterhead's cell
    if not bounds:
        return [m]
    cells: list[MappedText] = []
    for start, end in zip([-sep, *bounds], [*bounds, len(m.text)], strict=True):
        cell = trimmed(m, start + sep, end)
        if cell is not None:
            cells.append(cell)
    if len(cells) < 2 or not any(LETTERHEAD_CELL_RE.match(c.text) for c in cells[1 if later else 0 :]):
        return [m]
    return cells


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
                is_caps(lines[k].text) or lines[k].text == "|" or SEPARATOR_RE.match(lines[k].text)
            ):
                k -= 1
            first = k + 1
            while first < motto and lines[first].text == "|":
                first += 1
    seen_signature = False
    # A second motto after the first signature: a bundle's next document follows, not a web page's text.
    last_motto = max((k for k, ln in enumerate(lines) if MOTTO_RE.match(ln.text)), default=-1)
    for i in range(first, len(lines)):
        t = lines[i].text
        if SIGNATURE_RE.match(t) or RECIPIENTS_RE.match(t):
            seen_signature = True
        if not seen_signature:
            continue
        if (
            _chrome_line(t, chrome)
            and not is_caps(t)
            and i > last_motto
            and _page_tail(lines, i, first > 0, chrome)
        ):
            last = i
            while last > first and lines[last - 1].text == "|":
                last -= 1
            break
    return first, last


def _chrome_line(text: str, chrome: dict[str, list[str]]) -> bool:
    return text in chrome["end_markers"] or _has(text, chrome["chrome_lines"])


# How far past an end marker a web page's other chrome is looked for (its related-documents list, log-in
# notices), and how many such lines make the rest a page's and not the document's (priors, not fitted).
_TAIL_REACH = 60
_TAIL_MARKS = 2


def _page_tail(lines: list[Line], i: int, page_head: bool, chrome: dict[str, list[str]]) -> bool:
    """The text from line `i` on is a web page's, not the document's: the page showed its chrome above the
    document or shows more of it below (a line such as "Văn bản hướng dẫn" alone may be a heading)."""
    following = lines[i + 1 : i + 1 + _TAIL_REACH]
    return page_head or sum(1 for ln in following if _chrome_line(ln.text, chrome)) + 1 >= _TAIL_MARKS
