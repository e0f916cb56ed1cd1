"""Pick the figures of a year table that a question asks for: its row by the row's label (and the
group title above it), its sub-column by the question's words, its columns by the question's years."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hoidap.corpus.grids import GridValue, PipeRow, PipeTable, YearGrid
from hoidap.corpus.normalize import fold

# A row's label must be this much in the question ("Sản lượng cà phê nhân" for "sản lượng cà phê").
MIN_LABEL_SHARE = 0.66
_WORD_RE = re.compile(r"[a-z0-9]+")
_BULLET_RE = re.compile(r"^\s*[-–+•]\s+")  # a cell's list dash ("- Sở Y tế") is not part of its value


@dataclass(frozen=True)
class GridAnswer:
    values: list[GridValue]  # one per asked year (and sub-column when the question names none)

    @property
    def first(self) -> GridValue:
        return self.values[0]

    def text(self) -> str:
        """ "134.490 (Giá trị tham gia xuất khẩu (Nghìn USD), Kế hoạch 2028)"; several cells each with
        their column."""
        parts = []
        for v in self.values:
            where = ", ".join(x for x in (v.sub or v.unit, v.column) if x)
            parts.append(f"{v.value} ({where})")
        return "; ".join(parts)


def _words(text: str) -> set[str]:
    return set(_WORD_RE.findall(fold(text)))


def _share(part: str, asked: set[str]) -> float:
    words = _words(part)
    return len(words & asked) / len(words) if words else 0.0


def grid_answer(grids: list[YearGrid], folded_question: str, years: list[int]) -> GridAnswer | None:
    """The cells of the row the question names, in the columns of its years; None when no row's label
    is in the question, or when rows of several groups fit equally and the question names none."""
    if not years:
        return None
    asked = set(_WORD_RE.findall(folded_question))
    rows: dict[tuple[int, str, str, int], list[GridValue]] = {}
    for g_i, g in enumerate(grids):
        for v in g.values:
            if v.year in years:
                rows.setdefault((g_i, v.group, v.label, v.row_start), []).append(v)
    scored = []
    for (_, group, label, _), cells in rows.items():
        label_share = _share(label, asked)
        if label_share < MIN_LABEL_SHARE:
            continue
        group_share = _share(group, asked) if group else 0.0
        scored.append(((label_share + group_share, label_share), group, cells))
    if not scored:
        return None
    scored.sort(key=lambda s: s[0], reverse=True)
    best_score, group, cells = scored[0]
    rivals = [s for s in scored[1:] if s[0] == best_score and s[1] != group]
    if rivals:
        return None  # "Diện tích" of which crop? the question does not say
    subs = {v.sub for v in cells if v.sub}
    if len(subs) > 1:
        share = {s: _share(s, asked) for s in subs}
        top = max(share.values())
        if top > 0:
            cells = [v for v in cells if share[v.sub] == top]
    return GridAnswer(sorted(cells, key=lambda v: (v.year, v.start)))


_ORDINAL_RE = re.compile(r"^(?:[IVXL]+|\d{1,3}(?:\.\d{1,3})*|[a-zđ])\.?$", re.IGNORECASE)
MAX_LISTED_COLUMNS = 4


def row_value(table: PipeTable, row: PipeRow, folded_question: str) -> tuple[str, float] | None:
    """The cell of a table row in the column the question names ("Quỹ nhóm II" of "… Quỹ nhóm II là bao
    nhiêu"), when it names none each value with its column, and the share of the row's label the question
    holds (0 below MIN_LABEL_SHARE); None when the row holds no value cell or the table was not read whole
    (a row broken off a table, value columns without a header)."""
    cells = row.cells
    if len(table.rows) < 2:
        return None
    label = next((j for j, c in enumerate(cells) if c.text and not _ORDINAL_RE.match(c.text)), None)
    if label is None:
        return None
    values = [j for j in range(label + 1, len(cells)) if cells[j].text]
    if not values or any(j >= len(table.header) or not table.header[j] for j in values):
        return None
    asked = set(_WORD_RE.findall(folded_question))
    share = _share(cells[label].text, asked)
    share = share if share >= MIN_LABEL_SHARE else 0.0
    if len(values) == 1:
        return _BULLET_RE.sub("", cells[values[0]].text), share
    shares = {j: _share(table.header[j], asked) for j in values}
    best = max(shares.values())
    top = [j for j, x in shares.items() if x == best]
    if best > 0 and len(top) == 1:
        return _BULLET_RE.sub("", cells[top[0]].text), share
    listed = values[:MAX_LISTED_COLUMNS]
    return "; ".join(f"{cells[j].text} ({table.header[j]})" for j in listed), share
