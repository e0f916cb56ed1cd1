"""What gets indexed: clauses and task records, chunked under the model's token limit.

Each entry keeps provenance (document, section, original span) and an id derived
from its content, so re-indexing the same document never duplicates entries.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from hoidap.corpus.normalize import normalize_span
from hoidap.corpus.records import ParsedDocument

# Bump when what an entry holds (or how its text is built) changes: stored vectors are then not reused.
ENTRIES_VERSION = 25  # 3: a lone item number opens its item; 4: a place-and-date line opens a paragraph;
# 5: an article's title no longer swallows its first line of text; 6: a motto or type line stands alone;
# 7: "Bộ phận chủ trì: …" and like labels (a kind of body and a role) are task fields;
# 8: an article whose text stands on its heading line ("Điều 5. Quyết định này có hiệu lực …") is a clause;
# 9: a letterhead flattened to one line ("Số: … | Hà Nội, ngày …") is read cell by cell, a data table's
# rows are one clause each; 10: … under their header row; 11: an appendix's text is clauses too;
# 12: "Báo cáo …", "Trường hợp …" and like words opening with a head word name no body (agencies.json);
# 13: a signature the layout did not mark ("CHỦ TỊCH QUỐC HỘI" / "E-pas: …" / name) is read;
# 14: a number line with its kind before "số" ("Luật số: 26/2023/QH15") is read; 15: "Đề nghị/Yêu cầu X
# <verb> …" gives X a task as "Giao X …" does, and a list of bodies before the verb is read whole;
# 16: a Word table numbered by rows ("STT | …") keeps its rows, and one after the signature is an appendix;
# 17: district and ward offices are bodies ("Phòng Y tế", "Trạm Y tế", "Bộ phận Tư pháp", "Chi nhánh …");
# 18: a letter whose letterhead table follows its body is titled by its "V/v …" line; 19: a step that states
# what is done ("Bước 2: Ban X …") and a short numbered line nothing follows inside are clauses; 20: a
# Word table listing several items a row, their entries beside them, is read item by item; 21: glued
# syllables split, a PDF letterhead's columns on one line read as cells; 22: a commune's units (Chi ủy,
# Trung đội, …) are bodies; 23: "1. Đối với X" heads its items, "A giao X chủ trì" gives X the lead, a
# capitalised verb after a head word is part of the name, "Các cơ sở …" are bodies; 24: a dash inside a
# table cell's name ("Sở Lao động - Thương binh và Xã hội") splits no list of bodies; offices ("Phó Chủ
# tịch", "Giám đốc", "Tổ trưởng") open names, "có (các) nhiệm vụ" ends one; 25: "trân trọng", "kính đề
# nghị" end a name; a ministry's unit under its letterhead is the issuer; a signer's degrees are read past
# Clause kinds that carry no searchable content of their own.
SKIP_KINDS = {"recipients"}
SENTENCE_RE = re.compile(r"(?<=[.;:!?])\s+(?=\S)")


@dataclass(frozen=True)
class Entry:
    """One searchable unit."""

    entry_id: str
    doc_id: str
    doc_title: str
    kind: str  # clause kind (bullet, paragraph, row, ...) or "task"
    section: str
    task_id: str | None
    text: str
    char_start: int
    char_end: int
    province: str | None = None

    def embed_text(self) -> str:
        """Passage text for the embedding model: title and breadcrumb give the clause its context."""
        label = f"Nhiệm vụ {self.task_id}. " if self.task_id and self.kind in ("task", "row") else ""
        return f"{self.doc_title}. {self.section}. {label}{self.text}"

    def lexical_text(self) -> str:
        """Text for the lexical index: the clause with its document, province, breadcrumb and task number.

        The document and province words make "kế hoạch 214" or "Quảng Nam" in a query favour
        clauses of that document even when the clause itself never names it.
        """
        label = f"nhiệm vụ {self.task_id} " if self.task_id else ""
        return f"{self.doc_title} {self.province or ''} {label}{self.section} {self.text}"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def entry_id(doc_id: str, kind: str, start: int, end: int, text: str) -> str:
    digest = hashlib.sha1(f"{doc_id}|{kind}|{start}|{end}|{text}".encode()).hexdigest()
    return f"{doc_id}:{digest[:12]}"


def document_hash(original: str) -> str:
    return hashlib.sha256(original.encode("utf-8")).hexdigest()


def _chunks(original: str, start: int, end: int, fits: Callable[[str], bool]) -> list[tuple[str, int, int]]:
    """Split an over-long span at sentence ends so each chunk fits the model."""
    mapped = normalize_span(original, start, end)
    text = mapped.text
    if fits(text):
        return [(text, start, end)]
    bounds = [0] + [m.end() for m in SENTENCE_RE.finditer(text)] + [len(text)]
    pieces: list[tuple[int, int]] = []
    cur_start = 0
    for i in range(1, len(bounds)):
        candidate = text[cur_start : bounds[i]].strip()
        if pieces and not fits(candidate) and bounds[i - 1] > cur_start:
            pieces.append((cur_start, bounds[i - 1]))
            cur_start = bounds[i - 1]
    pieces.append((cur_start, len(text)))
    out: list[tuple[str, int, int]] = []
    for a, b in pieces:
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        seg = seg.strip()
        if not seg:
            continue
        s, e = mapped.orig_span(a + lead, a + lead + len(seg))
        out.append((seg, s, e))
    return out


def document_entries(doc: ParsedDocument, fits: Callable[[str], bool] | None = None) -> list[Entry]:
    """All entries of one parsed document.

    Args:
        doc: the parsed document.
        fits: returns True when a text fits the embedding model (defaults to a character budget).

    Returns:
        Clause entries (chunked when too long) followed by one entry per task record.
    """
    fits = fits or (lambda text: len(text) <= 1500)
    title = doc.info.short_title
    province = doc.info.province
    entries: list[Entry] = []
    seen: set[str] = set()

    def add(kind: str, section: str, task_id: str | None, text: str, start: int, end: int) -> None:
        eid = entry_id(doc.doc_id, kind, start, end, text)
        if eid not in seen:
            seen.add(eid)
            entries.append(Entry(eid, doc.doc_id, title, kind, section, task_id, text, start, end, province))

    for c in doc.clauses:
        if c.kind in SKIP_KINDS:
            continue
        pieces = (
            _chunks(doc.original, c.char_start, c.char_end, fits)
            if not fits(c.text)
            else [(c.text, c.char_start, c.char_end)]
        )
        for text, start, end in pieces:
            add(c.kind, c.breadcrumb, c.task_id, text, start, end)
    for t in doc.tasks:
        parts = [t.content]
        if t.lead:
            parts.append("Cơ quan chủ trì: " + "; ".join(t.lead) + ".")
        if t.coordinating:
            parts.append("Cơ quan phối hợp: " + "; ".join(t.coordinating) + ".")
        if t.deadline:
            parts.append("Thời gian thực hiện: " + t.deadline + ".")
        text = " ".join(parts)
        if fits(text):
            add("task", t.breadcrumb, t.task_id, text, t.char_start, t.char_end)
        else:  # the clause entries already cover the content; keep the task's fields searchable
            add(
                "task",
                t.breadcrumb,
                t.task_id,
                " ".join(parts[1:]) or t.content[:500],
                t.char_start,
                t.char_end,
            )
    return entries
