"""The flattened appendix table of tasks (STT, content, lead, coordinating: one cell a line) and the
numbering gaps of tables and headings."""

from __future__ import annotations

from dataclasses import dataclass

from hoidap.corpus.agencies import AGENCY_START_RE, split_agencies
from hoidap.corpus.blocks import ROMAN_NUMERALS, K
from hoidap.corpus.records import Block, NumberingGap, Task, numeric_key
from hoidap.corpus.structure import Placed, heading_label, path_id
from hoidap.corpus.vocab import pattern

TABLE_ROW_ID_RE = pattern("appendix.row_id")
TABLE_GROUP_ID_RE = pattern("appendix.group_id")


def _is_agency_cell(text: str) -> bool:
    return len(text) <= 160 and bool(AGENCY_START_RE.match(text)) and not text.rstrip().endswith(":")


@dataclass
class TableParse:
    tasks: list[Task]
    rows: list[tuple[str, list[Block], tuple[str, ...]]]  # (row id, cells, section)
    gaps: list[NumberingGap]
    warnings: list[str]


def appendix_tasks(doc_id: str, placed: list[Placed]) -> TableParse:
    """Parse the flattened appendix table: STT, content cells, lead cell, coordinating cell.

    Rows whose agency cells are missing (merged cells in the source) get empty fields.
    """
    cells = [p.block for p in placed if p.zone == "appendix" and p.block.kind == K.CELL and p.block.table < 0]
    tasks: list[Task] = []
    rows: list[tuple[str, list[Block], tuple[str, ...]]] = []
    warnings: list[str] = []
    group_label = ""
    i = 0
    # Skip the header row (STT, Nội dung nhiệm vụ, ...).
    while (
        i < len(cells)
        and not TABLE_GROUP_ID_RE.match(cells[i].text)
        and not TABLE_ROW_ID_RE.match(cells[i].text)
    ):
        i += 1
    while i < len(cells):
        cell = cells[i]
        if TABLE_GROUP_ID_RE.match(cell.text):
            group = cell.text
            title = cells[i + 1] if i + 1 < len(cells) else None
            group_label = f"{group}. {title.text}" if title else group
            group_label = heading_label(Block(K.NUMBER, group_label, 0, 0, group))
            i += 2
            # A group whose content follows directly (no sub-number) is one row numbered like the group.
            if (
                i < len(cells)
                and not TABLE_ROW_ID_RE.match(cells[i].text)
                and not TABLE_GROUP_ID_RE.match(cells[i].text)
            ):
                i = _table_row(doc_id, group, cell, cells, i, (group_label,), tasks, rows, title)
            continue
        if TABLE_ROW_ID_RE.match(cell.text):
            i = _table_row(doc_id, cell.text, cell, cells, i + 1, (group_label, cell.text), tasks, rows)
            continue
        warnings.append(f"ô bảng không nhận dạng được: {cell.text[:60]!r}")
        i += 1
    return TableParse(tasks, rows, table_gaps(doc_id, [t.task_id for t in tasks]), warnings)


def _table_row(
    doc_id: str,
    row_id: str,
    id_cell: Block,
    cells: list[Block],
    i: int,
    section_tail: tuple[str, ...],
    tasks: list[Task],
    rows: list[tuple[str, list[Block], tuple[str, ...]]],
    title: Block | None = None,
) -> int:
    content: list[Block] = []
    agencies: list[Block] = []
    while (
        i < len(cells)
        and not TABLE_ROW_ID_RE.match(cells[i].text)
        and not TABLE_GROUP_ID_RE.match(cells[i].text)
    ):
        if agencies or (content and _is_agency_cell(cells[i].text)):
            agencies.append(cells[i])
        else:
            content.append(cells[i])
        i += 1
    lead = split_agencies(agencies[0].text) if agencies else ()
    coordinating = split_agencies(agencies[1].text) if len(agencies) > 1 else ()
    last = (content + agencies)[-1] if content or agencies else id_cell
    section = ("Phụ lục",) + section_tail
    tasks.append(
        Task(
            doc_id=doc_id,
            task_id=row_id,
            section=section,
            content=" ".join(c.text for c in content),
            lead=lead,
            coordinating=coordinating,
            directing=(),
            implementing=(),
            deadline=None,
            char_start=id_cell.char_start,
            char_end=last.char_end,
            layout="appendix_table",
            numbered=True,
        )
    )
    rows.append((row_id, [id_cell] + ([title] if title else []) + content + agencies, section))
    return i


def table_gaps(doc_id: str, ids: list[str]) -> list[NumberingGap]:
    """Jumps in the appendix numbering (e.g. 2.1 followed by 3.3)."""
    gaps: list[NumberingGap] = []
    keys = [(numeric_key(x), x) for x in ids]
    keys = [(k, x) for k, x in keys if k is not None]
    for (a, ida), (b, idb) in zip(keys, keys[1:], strict=False):
        if len(a) == 2 and len(b) == 2:
            if b == (a[0], a[1] + 1) or b == (a[0] + 1, 1):
                continue
            missing = (
                [f"{a[0]}.{n}" for n in range(a[1] + 1, b[1])]
                if a[0] == b[0]
                else [f"{b[0]}.{n}" for n in range(1, b[1])]
            )
            note = (
                f"Sau {ida} là {idb}: thiếu "
                + (", ".join(missing) if missing else "các dòng ở giữa")
                + ("" if a[0] == b[0] else f" (và có thể cả các dòng {a[0]}.{a[1] + 1} trở đi)")
            )
            gaps.append(NumberingGap(doc_id, "Phụ lục", ida, idb, tuple(missing), note))
        elif (
            len(a) == 2
            and len(b) == 1
            and b[0] != a[0] + 1
            or len(a) == 1
            and len(b) == 2
            and b[0] != a[0] + 1
        ):
            gaps.append(NumberingGap(doc_id, "Phụ lục", ida, idb, (), f"Sau {ida} là {idb}"))
    return gaps


def heading_gaps(doc_id: str, placed: list[Placed]) -> list[NumberingGap]:
    """Jumps in roman/decimal heading sequences of the body (siblings under one parent)."""
    last: dict[tuple[str, ...], str] = {}
    gaps: list[NumberingGap] = []
    roman = ROMAN_NUMERALS
    for p in placed:
        if p.zone != "body" or p.block.kind not in (K.ROMAN, K.NUMBER):
            continue
        parent, element = p.path[:-1], p.path[-1]
        prev = last.get(parent)
        last[parent] = element
        if prev is None:
            continue
        if p.block.kind == K.ROMAN and prev in roman and element in roman:
            expected = roman[roman.index(prev) + 1] if roman.index(prev) + 1 < len(roman) else None
        elif prev.isdigit() and element.isdigit():
            expected = str(int(prev) + 1)
        else:
            continue
        if expected is not None and element != expected and element != prev:
            scope = path_id(parent) or "văn bản"
            gaps.append(
                NumberingGap(
                    doc_id,
                    scope,
                    path_id(parent + (prev,)),
                    path_id(parent + (element,)),
                    (),
                    f"Đánh số nhảy từ {prev} sang {element} trong {scope}",
                )
            )
    return gaps
