"""Task records from recognised tables (pipe, '|'-flattened and Word tables).

Column roles come from the header words (vocab role_words). Rows missing cells are
aligned by what their cells look like (an id, an agency list, a deadline, text), and
leading columns a row lacks (rowspans in the source) are inherited from the row above,
so a task row under an agency row gets that agency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from hoidap.corpus.agencies import in_charge
from hoidap.corpus.dates import DEADLINE_LIKE_RE, DEADLINE_START_RE, deadline_range
from hoidap.corpus.labels import header_role, is_header_row
from hoidap.corpus.records import Block, Task
from hoidap.corpus.structure import Placed
from hoidap.corpus.vocab import pattern

ID_RE = pattern("tables.id")
GROUP_ID_RE = pattern("tables.group_id")
AGENCY_ROLES = ("lead", "coordinating", "implementing", "monitoring", "review")


def _agency_like(text: str) -> bool:
    body = text.lstrip("-+•* ").strip()
    return len(text) <= 400 and bool(pattern("tables.agency_like").match(body))


def _score(text: str, role: str | None) -> float:
    """How well a cell fits a column role (higher is better)."""
    if role == "number":
        return 3 if ID_RE.match(text) else -6
    if ID_RE.match(text):
        return -6
    if role in AGENCY_ROLES:
        return 2 if _agency_like(text) else -3
    if role == "deadline":
        return 2 if DEADLINE_LIKE_RE.search(text) and len(text) < 250 else -2
    if role == "content":
        return 1 if not _agency_like(text) else -1
    return 0.5  # output, other


def align(cells: list[Block], roles: list[str | None]) -> dict[int, Block]:
    """Best order-preserving assignment of cells to columns (dynamic programming)."""
    n, m = len(cells), len(roles)
    if n >= m:  # nothing to infer: cells in column order (extra cells of a spilled row dropped)
        return dict(enumerate(cells[:m]))
    neg = float("-inf")
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    back: dict[tuple[int, int], tuple[int, int]] = {}
    for j in range(m + 1):
        best[0][j] = 0.0
    for i in range(1, n + 1):
        for j in range(i, m + 1):
            skip = best[i][j - 1]
            take = best[i - 1][j - 1] + _score(cells[i - 1].text, roles[j - 1])
            if take >= skip:
                best[i][j], back[(i, j)] = take, (i - 1, j - 1)
            else:
                best[i][j], back[(i, j)] = skip, (i, j - 1)
    out: dict[int, Block] = {}
    i, j = n, m
    while i > 0 and j > 0:
        pi, pj = back[(i, j)]
        if pi < i:
            out[j - 1] = cells[i - 1]
        i, j = pi, pj
    return out


@dataclass
class TableRow:
    row_id: str
    cells: list[Block]
    section: tuple[str, ...]


def _column_roles(header: list[Block]) -> list[str | None]:
    roles: list[str | None] = []
    heads = sorted(header, key=lambda b: b.col)
    contents = [b for b in heads if header_role(b.text) == "content"]
    # Several content-like headers: "Tên dự án" (the task's name) and "Nội dung chính" (what it
    # involves) are both the task; any other ("Giải pháp" beside "Nội dung") is kept as other.
    named = [b for b in contents if pattern("tables.named_content").match(b.text.casefold().strip("* "))]
    main = named or contents[:1]
    for b in heads:
        role = header_role(b.text)
        if role == "content" and b not in main:
            roles.append("other")
            continue
        if role == "content" and role in roles:
            roles.append(role)
            continue
        if role in roles and role in ("lead", "coordinating"):
            role = "implementing" if role == "lead" else "other"
        elif role in roles and role not in ("output", "other"):
            role = "other"
        roles.append(role)
    return roles


def _stream_rows(cells: list[Block], roles: list[str | None]) -> list[list[Block]]:
    """Split a malformed table's cell stream into rows: a hinted row start, a group title,
    or a cell that fits no column after the last one filled opens a new row."""
    rows: list[list[Block]] = []
    pos = len(roles)
    content_col = roles.index("content") if "content" in roles else 0
    for c in cells:
        text = c.text
        group = bool(pattern("tables.group_title").match(text))
        later = [k for k in range(pos, len(roles)) if _score(text, roles[k]) > 0]
        # A line-initial cell after a closed line that reads like a task name starts the next row.
        named = (
            c.level == 2
            and pos > content_col
            and not _agency_like(text)
            and not DEADLINE_LIKE_RE.search(text[:40])
            and not DEADLINE_START_RE.match(text)
            and not text.startswith(("-", "+"))
        )
        if group or c.level == 1 or named or not rows or (not later and pos >= content_col + 1):
            rows.append([c])
            pos = (content_col + 1) if not group else len(roles)
            continue
        rows[-1].append(c)
        pos = later[0] + 1 if later else pos + 1
    return rows


def _raw_rows(body: list[Block], roles: list[str | None]) -> list[list[Block]]:
    """The body's rows: a malformed table's cell stream split by `_stream_rows`, else rows by number."""
    if any(b.row == -1 for b in body):
        return _stream_rows(body, roles)
    grouped: dict[int, list[Block]] = {}
    for b in body:
        grouped.setdefault(b.row, []).append(b)
    return [grouped[r] for r in sorted(grouped)]


def _row_task(
    doc_id: str,
    ident: tuple[str, tuple[str, ...], bool],
    header: list[Block],
    roles: list[str | None],
    mapping: dict[int, Block],
    own: list[Block],
) -> Task:
    """The task of one table row: its cells (`mapping`: column -> cell; `own`: the row's own cells, not
    those inherited from the row above) read by their columns' roles; `ident`: (id, section, numbered)."""
    row_id, section, numbered = ident
    values: dict[str, list[str]] = {}
    for col, cell in sorted(mapping.items()):
        values.setdefault(roles[col] or "other", []).append(cell.text)
    deadline = " ".join(values.get("deadline", [])) or None
    start, end = deadline_range(deadline)
    other = tuple(
        (_header_label(header, col, roles[col] or ""), cell.text)
        for col, cell in sorted(mapping.items())
        if roles[col] in ("output", "monitoring", "other") and cell in own
    )
    # Agency columns hold agencies only: a cell that names none (task text of a shifted
    # row, "Theo phân công tại Quyết định ...") is kept verbatim under its header instead.
    found: dict[str, list[str]] = {}
    roles_other: list[tuple[str, tuple[str, ...]]] = []
    for col, cell in sorted(mapping.items()):
        role = roles[col]
        if role not in ("lead", "coordinating", "implementing", "review"):
            continue
        names, rejected = in_charge(cell.text)
        found.setdefault(role, []).extend(names)
        # The examining body, or the body that carries out a task a column apart from the one that leads
        # it ("Chủ trì | Thực hiện"): kept under their headers, which a question may name.
        if role in ("review", "implementing") and names:
            label = " ".join(_header_label(header, col, "Cơ quan thẩm tra").split())
            roles_other.append((label, tuple(dict.fromkeys(names))))
        if rejected and cell in own:
            other += ((_header_label(header, col, role), cell.text),)
    # A column of leaders ("Lãnh đạo chủ trì") names people, not bodies: kept as printed, one per entry.
    directing: list[str] = []
    for col, cell in sorted(mapping.items()):
        if roles[col] == "directing":
            people = [x.strip(" -–.") for x in re.split(r"[;,\n]", cell.text) if x.strip(" -–.")]
            directing.extend(people)
            if people:
                label = " ".join(_header_label(header, col, "Lãnh đạo").split())
                roles_other.append((label, tuple(dict.fromkeys(people))))
    lead, coord, impl = (tuple(found.get(r, [])) for r in ("lead", "coordinating", "implementing"))
    if not lead and impl and "lead" not in [roles[c] for c in mapping]:
        lead, impl = impl, ()  # "Cơ quan trình" empty: the drafting body ("soạn thảo") leads
    return Task(
        doc_id=doc_id,
        task_id=row_id,
        section=section,
        content=" ".join(values.get("content", [])),
        lead=tuple(dict.fromkeys(lead)),
        coordinating=tuple(dict.fromkeys(coord)),
        directing=tuple(dict.fromkeys(directing)),
        implementing=tuple(dict.fromkeys(impl)),
        deadline=deadline,
        char_start=min(c.char_start for c in own),
        char_end=max(c.char_end for c in own),
        layout="table",
        numbered=numbered,
        deadline_start=start,
        deadline_end=end,
        other=other,
        other_roles=tuple(roles_other),
    )


def _header_label(header: list[Block], col: int, default: str) -> str:
    """The printed header of column `col`, or `default` when the table has none there."""
    return next((h.text for h in header if h.col == col), default)


def table_tasks(doc_id: str, placed: list[Placed]) -> tuple[list[Task], list[TableRow]]:
    """Tasks (rows with a lead or content) and row clauses of every recognised table."""
    by_table: dict[int, list[Placed]] = {}
    for p in placed:
        if p.block.kind == "cell" and p.block.table >= 0 and p.zone != "outside":
            by_table.setdefault(p.block.table, []).append(p)
    tasks: list[Task] = []
    rows_out: list[TableRow] = []
    for items in by_table.values():
        header = [p.block for p in items if p.block.row == 0]
        roles = _column_roles(header)
        if "lead" not in roles or "content" not in roles:
            continue  # not an assignment table (figures by year, a title block): cells stay text
        base_section = items[0].section
        body = [p.block for p in items if p.block.row != 0]
        if "number" not in roles and _ids_before_header(body, len(roles)):
            # A header repeated without its STT cell over rows that still carry their ids.
            roles = ["number", *roles]
            header = [replace(h, col=h.col + 1) for h in header]
        raw_rows = _raw_rows(body, roles)
        inherited: dict[int, Block] = {}
        group_label = ""
        k = 0
        for cells in raw_rows:
            bar = cells[0].marker == "bar" or cells[0].row == -1
            texts = [c.text for c in cells]
            if is_header_row(texts):
                continue  # the header repeated on a later page
            filled = [c for c in cells if c.text.strip()]
            # A group row: an id and a title only ("A" ¦ "BỘ NÔNG NGHIỆP...", "I" ¦ "Hoàn thiện thể chế").
            if len(filled) <= 2 and (
                len(filled) == 1
                or GROUP_ID_RE.match(texts[0])
                or (not bar and len(filled) == 2 and ID_RE.match(texts[0]))
                and not any(_agency_like(t) for t in texts[1:])
            ):
                title = filled[-1].text if filled else ""
                if len(filled) == 1 and ID_RE.match(title):
                    continue
                group_label = (f"{texts[0]}. " if len(filled) == 2 else "") + title
                if len(filled) == 2 and not GROUP_ID_RE.match(texts[0]):
                    group_label = f"{texts[0]}. {title}"
                inherited = {}
                continue
            if bar:
                if len(cells) == len(roles):
                    mapping = {i: c for i, c in enumerate(cells)}
                else:
                    mapping = align(cells, roles)
            else:
                mapping = {c.col: c for c in cells if c.text.strip() and 0 <= c.col < len(roles)}
            # Leading columns this row lacks come from the row above (rowspan / merged cells).
            first = min(mapping) if mapping else 0
            for col, cell in inherited.items():
                if col < first and roles[col] in (*AGENCY_ROLES, "number", "other"):
                    mapping.setdefault(col, cell)
            inherited = {c: b for c, b in mapping.items()}
            own = [c for c in cells if c.text.strip()]
            if not own:
                continue
            k += 1
            number = next((mapping[c].text.rstrip(".") for c in mapping if roles[c] == "number"), "")
            row_id = number if number and mapping.get(roles.index("number")) in own else f"{number or k}"
            if "number" in roles and mapping.get(roles.index("number")) not in own:
                row_id = f"{number}-{k}" if number else str(k)
            section = base_section + ((group_label,) if group_label else ())
            numbered = bool(number) and mapping.get(roles.index("number")) in own
            tasks.append(_row_task(doc_id, (row_id, section, numbered), header, roles, mapping, own))
            rows_out.append(TableRow(row_id, own, section))
    return tasks, rows_out


def _ids_before_header(body: list[Block], width: int) -> bool:
    """Most rows have one cell more than the header and open with an id ('4.1')."""
    rows: dict[int, list[Block]] = {}
    for b in body:
        if b.row >= 0 and b.marker == "bar":
            rows.setdefault(b.row, []).append(b)
    full = [r for r in rows.values() if len(r) == width + 1]
    return bool(full) and sum(bool(ID_RE.match(r[0].text)) for r in full) * 2 > len(rows)
