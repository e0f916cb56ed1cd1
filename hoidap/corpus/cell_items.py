"""Rows of a Word table whose cells list several items side by side, read item by item.

A work schedule puts a day's meetings in one row: the content cell holds one paragraph per
item, and the cells beside it (preparing body, chairing leader) hold one entry per item,
kept level with its item by blank spacer paragraphs. Read as one row, every body of the day
would lead every meeting. Here each side entry is placed at the printed line where it
starts, each content item at the line where it starts once the paragraphs above it have
wrapped, and a monotone alignment pairs each entry with the item beside it. The wrap width is
not guessed from fonts: it is the one under which the table's rows align best.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_BULLET = re.compile(r"^\s*[-–—•+*]")
# An item opens with a bullet or a short label and a colon ("Chiều: - Họp …", "Tối: Tổng duyệt …").
_ITEM_START = re.compile(r"^\s*(?:[-–—•+*]|[^\W\d_]+(?:\s[^\W\d_]+)?\s*:)")
WIDTHS = range(15, 151, 3)  # content column widths tried, in characters per printed line
MAX_LINES_OFF = 1.0  # mean distance (lines) between an entry and its item for a row to be split
MIN_SPLIT_ROWS = 2  # one aligned row is an accident; a schedule repeats the pattern


@dataclass(frozen=True)
class Slot:
    line: float  # printed line (in the side column) where the entry starts
    texts: dict[int, str]  # column -> entry text


def _lines(text: str, chars: float) -> int:
    return max(1, math.ceil(len(text.strip()) / max(chars, 1.0)))


def _entries(paras: list[str], chars: float) -> list[tuple[int, float, str]]:
    """A side column's entries: (paragraph index, printed line, text) of each.

    In a column that marks its entries with bullets an unmarked paragraph right after text
    continues that entry ("- Đ/c A - CT," then "Đ/c B - PCT"); elsewhere each paragraph is one.
    """
    marked = any(_BULLET.match(p) for p in paras)
    out: list[tuple[int, float, str]] = []
    line, prev = 0.0, ""
    for i, p in enumerate(paras):
        text = p.strip()
        if text and prev and marked and not _BULLET.match(text) and out:
            k, at, first = out[-1]
            out[-1] = (k, at, f"{first} {text}")
        elif text:
            out.append((i, line, text))
        line += _lines(text, chars) if text else 1
        prev = text
    return out


def _slots(side: dict[int, list[str]], chars: dict[int, float]) -> list[Slot]:
    """The side columns' entries joined into slots by the printed line they start at (a long entry
    wraps and pushes its column's later entries down); an entry one line below a slot that lacks
    its column belongs to that slot, drawn a line off."""
    groups: dict[int, dict[int, str]] = {}
    for c, paras in side.items():
        for _, line, text in _entries(paras, chars[c]):
            groups.setdefault(round(line), {})[c] = text
    slots: list[tuple[int, dict[int, str]]] = []
    for line in sorted(groups):
        texts = groups[line]
        if slots and not set(texts) & set(slots[-1][1]) and line - slots[-1][0] <= 1:
            slots[-1][1].update(texts)
        else:
            slots.append((line, dict(texts)))
    return [Slot(float(line), texts) for line, texts in slots]


def _items(paras: list[str], chars: float) -> list[tuple[float, str]]:
    """Non-empty content paragraphs with the printed line each starts at."""
    out, line = [], 0.0
    for p in paras:
        text = p.strip()
        if text:
            out.append((line, text))
        line += _lines(text, chars) if text else 1
    return out


def _align(items: list[float], slots: list[float]) -> tuple[float, list[int]]:
    """Monotone pairing of every slot with a distinct item, least total line distance."""
    n, m = len(items), len(slots)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, min(i, m) + 1):
            take = cost[i - 1][j - 1] + abs(items[i - 1] - slots[j - 1])
            cost[i][j] = min(cost[i - 1][j], take)
    pairs, i, j = [], n, m
    while j:
        if cost[i][j] == cost[i - 1][j]:
            i -= 1
            continue
        pairs.append(i - 1)
        i, j = i - 1, j - 1
    return cost[n][m], pairs[::-1]


@dataclass(frozen=True)
class _Row:
    content: int
    side: dict[int, list[str]]


def _broken(paras: list[str]) -> list[str]:
    """A cell's paragraphs with each line break that opens an item made a paragraph of its own;
    other line breaks are wraps."""
    out: list[str] = []
    for p in paras:
        parts = p.split("\n")
        out.append(parts[0])
        for part in parts[1:]:
            if _ITEM_START.match(part) and out[-1].strip():
                out.append(part)
            else:
                out[-1] = f"{out[-1].rstrip()} {part.lstrip()}"
    return out


def _spaced(paras: list[str]) -> bool:
    """Blank paragraphs before or between a column's entries: spacers that keep entries level."""
    filled = [k for k, p in enumerate(paras) if p.strip()]
    return bool(filled) and any(not paras[k].strip() for k in range(filled[-1]))


def _shape(cells: list[list[str] | None]) -> _Row | None:
    multi = [c for c, p in enumerate(cells) if p is not None and sum(1 for x in p if x.strip()) >= 2]
    if not multi:
        return None
    content = max(multi, key=lambda c: sum(len(x) for x in cells[c] or []))
    side = {
        c: p
        for c, p in enumerate(cells)
        if c != content and p is not None and len(p) >= 2 and any(x.strip() for x in p)
    }
    return _Row(content, side) if side else None


@dataclass(frozen=True)
class _Fit:
    cost: float  # mean distance in lines between an entry and its item
    items: list[tuple[float, str]]
    slots: list[Slot]
    pairs: list[int]  # item index of each slot

    def evident(self, row: _Row) -> bool:
        """Entries stand beside items, not a cell merely listing several bodies for one task of several
        paragraphs: blank spacers keep them level, or every item is marked and each has one."""
        marked = len(self.slots) == len(self.items) and all(_ITEM_START.match(t) for _, t in self.items)
        return self.cost <= MAX_LINES_OFF and (marked or any(_spaced(p) for p in row.side.values()))


def _row_fit(cells: list[list[str] | None], row: _Row, widths: list[float], chars: float) -> _Fit | None:
    base = widths[row.content] or 1.0
    side_chars = {c: chars * (widths[c] or base) / base for c in row.side}
    slots = _slots(row.side, side_chars)
    items = _items(cells[row.content] or [], chars)
    if len(slots) < 2 or len(slots) > len(items):
        return None
    cost, pairs = _align([line for line, _ in items], [s.line for s in slots])
    return _Fit(cost / len(slots), items, slots, pairs)


def _joined(paras: list[str] | None) -> str:
    return " ".join(x.strip() for x in (paras or []) if x.strip())


def _item_rows(cells: list[list[str] | None], row: _Row, fit: _Fit) -> list[list[str]]:
    """One row per content item, its entries beside it; other cells (the day) repeated."""
    by_item = dict(zip(fit.pairs, fit.slots, strict=True))
    out: list[list[str]] = []
    carried = ""
    for k, (_, text) in enumerate(fit.items):
        if k not in by_item and not _ITEM_START.match(text) and k + 1 < len(fit.items):
            carried = f"{carried} {text}".strip()  # "Thứ Bảy" above the day's first item: its label
            continue
        text, carried = f"{carried} {text}".strip(), ""
        entries = by_item[k].texts if k in by_item else {}
        out.append(
            [
                text if c == row.content else entries.get(c, "") if c in row.side else _joined(p)
                for c, p in enumerate(cells)
            ]
        )
    return out


def split_rows(rows: list[list[list[str] | None]], widths: list[float]) -> list[list[str]] | None:
    """Each row as its items, or None when the table does not list items side by side.

    `rows` holds per row one entry per grid column: the cell's paragraphs, or None where a
    merged cell repeats the one before it.
    """
    rows = [[None if p is None else _broken(p) for p in r] for r in rows]
    shaped = [(r, s) for r in rows if (s := _shape(r)) is not None]
    if len(shaped) < MIN_SPLIT_ROWS:
        return None

    def total(chars: float) -> float:
        return sum(f.cost for r, s in shaped if (f := _row_fit(r, s, widths, chars)))

    chars = min(WIDTHS, key=total)
    fits = {id(r): (s, f) for r, s in shaped if (f := _row_fit(r, s, widths, chars))}
    if sum(f.evident(s) for s, f in fits.values()) < MIN_SPLIT_ROWS:
        return None
    out: list[list[str]] = []
    for cells in rows:
        shape, fit = fits.get(id(cells), (None, None))
        if shape is None or fit is None or fit.cost > MAX_LINES_OFF:
            out.append([_joined(p) for p in cells])
        else:
            out.extend(_item_rows(cells, shape, fit))
    return out
