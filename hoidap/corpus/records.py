"""Typed records produced by parsing: every one carries its provenance.

Offsets: `char_start`/`char_end` index the ORIGINAL document text (Python str
indices), so `original[char_start:char_end]` is the exact quote; `text` is the
normalized form used for display, matching and indexing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class DocumentInfo:
    """Manifest metadata of one document (facts not all printed in its text)."""

    doc_id: str
    title: str
    short_title: str
    doc_type: str
    source_file: str
    number: str | None = None
    date: str | None = None  # ISO yyyy-mm-dd
    issuer: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    province: str | None = None
    implements: tuple[str, ...] = ()
    provenance: dict[str, Any] = field(default_factory=dict)
    # Set when some text was read by OCR (issue 15): {"pages": [1-based], "page_count", "language",
    # "dpi", "engine"}; quotes from those pages are OCR output, not the signed original.
    ocr: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["implements"] = list(self.implements)
        return d


@dataclass(frozen=True)
class Block:
    """A logical paragraph after undoing hard wraps: one heading, bullet, field, cell or paragraph."""

    kind: str  # a BlockKind (hoidap.corpus.blocks): part, article, roman, number, letter, bullet, field, …
    text: str
    char_start: int
    char_end: int
    marker: str = ""  # "III", "2.1", "a", "-", "+", "*", field label...
    level: int = 0
    table: int = -1  # for cells of a recognised table: table number, row and column (else -1)
    row: int = -1
    col: int = -1


@dataclass(frozen=True)
class Clause:
    """A citable unit: paragraph, bullet, numbered item or table row."""

    doc_id: str
    clause_id: str  # "<doc_id>:<char_start>-<char_end>"
    section: tuple[str, ...]  # breadcrumb labels, outermost first
    text: str
    char_start: int
    char_end: int
    kind: str
    task_id: str | None = None

    @property
    def breadcrumb(self) -> str:
        return " > ".join(self.section)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["section"] = self.breadcrumb
        return d


@dataclass(frozen=True)
class Task:
    """One assigned task (nhiệm vụ) with its agencies and deadline."""

    doc_id: str
    task_id: str
    section: tuple[str, ...]
    content: str
    lead: tuple[str, ...]
    coordinating: tuple[str, ...]
    directing: tuple[str, ...]
    implementing: tuple[str, ...]
    deadline: str | None
    char_start: int
    char_end: int
    layout: str  # appendix_table | table | labelled_fields | labelled_bullets | narrative | agency_section
    numbered: bool  # False when task_id is positional (unnumbered bullet)
    # The deadline as a date range for filtering (ISO dates, None when open or not a date).
    deadline_start: str | None = None
    deadline_end: str | None = None
    # Other labelled columns/lines kept verbatim: (label, value), e.g. ("Sản phẩm", "...").
    other: tuple[tuple[str, str], ...] = ()
    # Agencies in a further named role, e.g. ("Cơ quan thẩm tra", ("Ủy ban Pháp luật", ...)):
    # the body that examines a draft is neither its lead nor a mere partner.
    other_roles: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The number as printed when `task_id` had to be qualified (tables numbered anew under each
    # heading: printed "2.2", id "II.2.2"); None when the id is the printed number.
    printed_id: str | None = None

    @property
    def breadcrumb(self) -> str:
        return " > ".join(self.section)

    def to_dict(self, original: str | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "doc_id": self.doc_id,
            "task_id": self.task_id,
            "section": self.breadcrumb,
            "content": self.content,
            "lead": list(self.lead),
            "coordinating": list(self.coordinating),
            "directing": list(self.directing),
            "implementing": list(self.implementing),
            "deadline": self.deadline,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "layout": self.layout,
            "numbered": self.numbered,
            "deadline_start": self.deadline_start,
            "deadline_end": self.deadline_end,
            "other": [list(x) for x in self.other],
            "other_roles": {label: list(names) for label, names in self.other_roles},
        }
        if original is not None:
            d["quote"] = original[self.char_start : self.char_end]
        return d


@dataclass(frozen=True)
class NumberingGap:
    """A jump in a numbering sequence seen by the parser (e.g. 2.1 -> 3.3)."""

    doc_id: str
    scope: str  # where the numbering lives, e.g. "Phụ lục"
    after: str
    before: str
    missing: tuple[str, ...]  # ids known to be missing (may be a lower bound)
    note: str

    def contains(self, task_id: str) -> bool:
        """True when `task_id` falls strictly between the two ids around the gap."""
        key, low, high = numeric_key(task_id), numeric_key(self.after), numeric_key(self.before)
        # A gap read around a non-numeric id ("II.1.a") has no numeric bounds: it contains nothing.
        return None not in (key, low, high) and low < key < high  # type: ignore[operator]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["missing"] = list(self.missing)
        return d


@dataclass(frozen=True)
class HeaderFacts:
    """Document metadata as printed in its own header and signature blocks."""

    number: str | None = None
    date: str | None = None
    place: str | None = None
    issuer: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # fact -> original span
    doc_type: str | None = None  # "Kế hoạch", "Quyết định", ...
    title: str | None = None  # document type + subject lines, e.g. "Kế hoạch phát triển ..."
    signer_kind: str | None = None  # "KT." (ký thay) | "TM." (thay mặt) | "Q." | "TL." ...
    attached_to: str | None = None  # "Quyết định số 2623/QĐ-TTg ..." for a plan issued with a decision
    appendices: tuple[str, ...] = ()  # "Phụ lục I: ..." titles
    outside: tuple[tuple[int, int], ...] = ()  # original spans of website text around the document


@dataclass
class ParsedDocument:
    """Everything parsing produced for one document."""

    info: DocumentInfo
    original: str
    clauses: list[Clause]
    tasks: list[Task]
    gaps: list[NumberingGap]
    header: HeaderFacts
    repairs: dict[str, Any]
    warnings: list[str]
    fallback: bool = False  # True when no structure was recognised (whole-paragraph clauses)

    @property
    def doc_id(self) -> str:
        return self.info.doc_id

    def quote(self, start: int, end: int) -> str:
        return self.original[start:end]


def numeric_key(task_id: str) -> tuple[int, ...] | None:
    """'5.4' -> (5, 4); None when the id is not purely dotted numbers."""
    parts = task_id.strip().strip(".").split(".")
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)
