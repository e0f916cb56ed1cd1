"""Parse one document into clauses, tasks, numbering gaps and header facts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from hoidap.corpus.appendix import appendix_tasks, heading_gaps
from hoidap.corpus.blocks import CLAUSES, SELF_LABELLED, STRUCTURAL, K
from hoidap.corpus.dates import deadline_range
from hoidap.corpus.extract import extract_text
from hoidap.corpus.extractors import prose_tasks
from hoidap.corpus.layout import ROW_MARKER, build_blocks
from hoidap.corpus.metadata import check_against_manifest, header_facts
from hoidap.corpus.normalize import RepairCounts
from hoidap.corpus.records import Block, Clause, DocumentInfo, HeaderFacts, NumberingGap, ParsedDocument, Task
from hoidap.corpus.store import DocumentStore, slugify
from hoidap.corpus.structure import Placed, heading_label, place_blocks
from hoidap.corpus.tables import table_tasks
from hoidap.corpus.tasks import assign_ids
from hoidap.corpus.vocab import pattern, province_of

# Block kinds that are content on their own (blocks.CLAUSES). An article is one when its text stands on its
# heading line ("Điều 5. Quyết định này có hiệu lực thi hành kể từ ngày ký."): a decision's articles often
# are whole provisions; a bare title ("Điều 2. Thành phần") is skipped.
CLAUSE_KINDS = CLAUSES


def _clause_kind(p: Placed) -> str:
    if p.zone in ("recipients", "signature"):
        return p.zone
    if p.zone == "preamble":
        return "header"
    return p.block.kind


def build_clauses(doc_id: str, placed: list[Placed]) -> list[Clause]:
    """One clause per content block (headings that only title their children are skipped)."""
    clauses: list[Clause] = []
    table_head: str | None = None  # the header row of the data table being read (layout: one row a block)
    for i, p in enumerate(placed):
        b = p.block
        # An appendix's text is content too (an allocation table's rows, a checklist, a schedule); the
        # cells of a flattened task table ("cell" blocks) are read as task records instead.
        if b.kind not in CLAUSE_KINDS or (p.heading_only and _titles_children(placed, i)):
            continue
        if p.zone == "recipients" and b.kind == "recipients":
            continue  # the bare "Nơi nhận:" label
        section = p.section + ((heading_label(b),) if b.kind in SELF_LABELLED else ())
        if b.kind == K.PARAGRAPH and b.marker == ROW_MARKER:
            # A row names its columns through the table's header row: "3 | Cô đỡ thôn, bản | 0,5" under
            # "STT | Đối tượng | Hệ số phụ cấp" (what the figure is, for the ranking and the reader).
            if table_head is None:
                table_head = f"Bảng: {b.text}"
            else:
                section = section + (table_head,)
        else:
            table_head = None
        clauses.append(
            Clause(
                doc_id,
                f"{doc_id}:{b.char_start}-{b.char_end}",
                section,
                b.text,
                b.char_start,
                b.char_end,
                _clause_kind(p),
            )
        )
    return clauses


def _titles_children(placed: list[Placed], i: int) -> bool:
    """A short numbered line titles what follows it ("1. Mục đích" over its paragraphs, "2. Nhiệm vụ" over
    "2.1 …"); one that nothing follows inside ("1. Nhật Bản học   Bậc 3   B1" and "2. Kỹ thuật xây dựng …",
    the rows of a table read as items) is content, searchable and citable, not a title."""
    path = placed[i].path
    after = placed[i + 1] if i + 1 < len(placed) else None
    return after is not None and after.zone == placed[i].zone and after.path[: len(path)] == path


def _row_clause(doc_id: str, cells: list[Block], section: tuple[str, ...], task_id: str | None) -> Clause:
    start, end = cells[0].char_start, cells[-1].char_end
    text = " ".join(c.text for c in cells)
    return Clause(doc_id, f"{doc_id}:{start}-{end}", section, text, start, end, "row", task_id=task_id)


@dataclass
class TableRecords:
    """What the tables of a document hold: task rows (with their own ids), row clauses, numbering gaps."""

    tasks: list[Task]
    clauses: list[Clause]
    gaps: list[NumberingGap]
    warnings: list[str]


def table_records(doc_id: str, placed: list[Placed]) -> TableRecords:
    """Task rows of the flattened appendix table and of every recognised table, and one clause per row;
    the rows of tables that assign nothing (figures by year...) are still quotable, a row at a time."""
    table = appendix_tasks(doc_id, placed)
    clauses = [_row_clause(doc_id, cells, section, row_id) for row_id, cells, section in table.rows]
    grid_tasks, grid_rows = table_tasks(doc_id, placed)
    clauses += [_row_clause(doc_id, row.cells, row.section, row.row_id) for row in grid_rows]
    in_rows = {c.char_start for row in grid_rows for c in row.cells}
    loose: dict[tuple[int, int], list[Placed]] = {}
    for p in placed:
        b = p.block
        if b.kind == K.CELL and b.table >= 0 and b.char_start not in in_rows:
            loose.setdefault((b.table, b.row if b.row >= 0 else -b.char_start), []).append(p)
    clauses += [
        _row_clause(doc_id, [c.block for c in cells], cells[0].section, None) for cells in loose.values()
    ]
    return TableRecords(table.tasks + grid_tasks, clauses, table.gaps, table.warnings)


def _with_ranges(tasks: list[Task]) -> list[Task]:
    """Each task's deadline also as a date range (tables set theirs when they read the row)."""
    out = []
    for t in tasks:
        if not (t.deadline_start or t.deadline_end):
            start, end = deadline_range(t.deadline)
            t = replace(t, deadline_start=start, deadline_end=end)
        out.append(t)
    return out


def _linked(clauses: list[Clause], tasks: list[Task], renamed: set[str]) -> list[Clause]:
    """Clauses linked to the task that contains them, in text order."""
    spans = [(t.char_start, t.char_end, t.task_id) for t in tasks]
    linked: list[Clause] = []
    for c in clauses:
        if c.task_id in renamed:  # a row of a table whose numbers repeat another table's
            c = replace(c, task_id=None)
        if c.task_id is None:
            owner = next((tid for s, e, tid in spans if s <= c.char_start and c.char_end <= e), None)
            if owner is not None:
                c = replace(c, task_id=owner)
        linked.append(c)
    linked.sort(key=lambda c: c.char_start)
    return linked


def parse_document(info: DocumentInfo, original: str) -> ParsedDocument:
    """Parse the original text of one document.

    Args:
        info: its manifest entry.
        original: the exact file text (offsets in every record index this string).

    Returns:
        ParsedDocument. When no structure is recognised, clauses are whole paragraphs
        and `fallback` is True (reported, never silent).
    """
    repairs = RepairCounts()
    layout = build_blocks(original, repairs)
    placed = place_blocks(layout.blocks)
    tables = table_records(info.doc_id, placed)
    warnings = list(tables.warnings)
    tasks, renamed = unique_task_ids(
        _with_ranges(tables.tasks + assign_ids(prose_tasks(info.doc_id, placed)))
    )
    clauses = _linked(build_clauses(info.doc_id, placed) + tables.clauses, tasks, renamed)
    structured = any(p.block.kind in STRUCTURAL for p in placed)
    if not structured:
        warnings.append(
            "không nhận dạng được cấu trúc (mục, gạch đầu dòng, bảng): mỗi đoạn là một điều khoản"
        )
    facts = replace(header_facts(placed), outside=tuple(layout.outside))
    info = _reread_title(info, facts)
    warnings.extend(check_against_manifest(facts, info))
    return ParsedDocument(
        info=info,
        original=original,
        clauses=clauses,
        tasks=tasks,
        gaps=tables.gaps + heading_gaps(info.doc_id, placed),
        header=facts,
        repairs=repairs.as_dict(),
        warnings=warnings,
        fallback=not structured,
    )


_SECTION_LABEL_RE = pattern("parse.section_label")


def _section_label(segment: str) -> str | None:
    m = _SECTION_LABEL_RE.match(segment)
    if not m:
        return None
    if m.group("annex"):
        return f"PL{m.group('annex').upper()}"
    return (m.group("part") or m.group("roman") or m.group("num")).upper()


def unique_task_ids(tasks: list[Task]) -> tuple[list[Task], set[str]]:
    """Task numbers that repeat within a document (one table per heading, each numbered 1, 2, …) are
    qualified by the numbering of the heading that tells them apart ("II. Xã hội số" > 1 -> "II.1"),
    so that a task number names one task; those no heading tells apart get "(1)", "(2)"… in order.
    Returns the tasks and the renamed ids."""
    counts: dict[str, int] = {}
    for t in tasks:
        counts[t.task_id] = counts.get(t.task_id, 0) + 1
    repeated = {tid for tid, n in counts.items() if n > 1}
    if not repeated:
        return tasks, set()
    taken = {t.task_id for t in tasks if t.task_id not in repeated}
    out: list[Task] = []
    seen: dict[str, int] = {}
    for t in tasks:
        if t.task_id not in repeated:
            out.append(t)
            continue
        labels = [lab for lab in (_section_label(seg) for seg in t.section) if lab]
        new_id = None
        for lab in reversed(labels):  # the nearest numbered heading first
            candidate = f"{lab}.{t.task_id}"
            if candidate not in taken:
                new_id = candidate
                break
        if new_id is None:
            n = seen[t.task_id] = seen.get(t.task_id, 0) + 1
            new_id = f"{t.task_id}({n})"
            while new_id in taken:
                n += 1
                new_id = f"{t.task_id}({n})"
        taken.add(new_id)
        out.append(replace(t, task_id=new_id, printed_id=t.task_id))
    return out, repeated


def _reread_title(info: DocumentInfo, facts: HeaderFacts) -> DocumentInfo:
    """A title the manifest holds because it was read from the text is read again by the current parser,
    so a parser that reads more of a title block improves stored documents without re-adding them; a
    title the user typed stays."""
    printed = info.provenance.get("printed_in_text") if isinstance(info.provenance, dict) else None
    if not printed or "title" not in printed or not facts.title or facts.title == info.title:
        return info
    return replace(info, title=facts.title, short_title=info.short_title if info.number else facts.title[:80])


def info_from_text(name: str, text: str) -> DocumentInfo:
    """Manifest fields read from a document's own text (for files given without metadata)."""
    repairs = RepairCounts()
    facts = header_facts(place_blocks(build_blocks(text, repairs).blocks))
    stem = Path(name).stem
    number = facts.number
    short = f"{facts.doc_type or 'Văn bản'} {number}" if number else (facts.title or stem)[:80]
    return DocumentInfo(
        doc_id=slugify(stem),
        title=facts.title or stem,
        short_title=short,
        doc_type=facts.doc_type or "Văn bản",
        source_file=name,
        number=number,
        date=facts.date,
        issuer=facts.issuer,
        signer=facts.signer,
        signer_title=facts.signer_title,
        province=province_of(facts.issuer, facts.title),
    )


def parse_file(path: Path) -> ParsedDocument:
    """Parse a document file that is not in the store (.txt, .md, .docx, .pdf)."""
    text = extract_text(path.name, path.read_bytes())
    return parse_document(info_from_text(path.name, text), text)


def parse_corpus(store: DocumentStore, doc_ids: list[str] | None = None) -> list[ParsedDocument]:
    """Every stored document (or the given ids) parsed, from `store.parsed` when this parser already
    parsed the same text and manifest. A document whose text fails its checksum or cannot be parsed is
    left out and named in `store.damaged`, so one damaged document never stops the others."""
    docs = []
    for info, text in store.readable():
        if doc_ids and info.doc_id not in doc_ids:
            continue
        doc = store.parsed.get(info, text)
        if doc is None:
            try:
                doc = parse_document(info, text)
            except Exception as exc:  # noqa: BLE001 - a parser bug on one text must not stop the service
                store.damaged[info.doc_id] = f"không phân tích được ({type(exc).__name__}: {exc})"
                continue
            store.parsed.put(info, text, doc)
        docs.append(doc)
    return docs


def relabel(doc: ParsedDocument, info: DocumentInfo) -> ParsedDocument:
    """`doc`, parsed under a provisional id and file name, as the same text stored as `info`: what
    `parse_document(info, doc.original)` returns, without parsing again (the id is only carried by the
    records; the title is re-read as the parser re-reads it)."""
    old, new = doc.doc_id, info.doc_id
    return replace(
        doc,
        info=_reread_title(info, doc.header),
        clauses=[replace(c, doc_id=new, clause_id=new + c.clause_id[len(old) :]) for c in doc.clauses],
        tasks=[replace(t, doc_id=new) for t in doc.tasks],
        gaps=[replace(g, doc_id=new) for g in doc.gaps],
    )
