"""The task filter: one definition used by the API, the web page and the CLI alike."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from hoidap.corpus.deadlines import deadline_years
from hoidap.corpus.normalize import fold
from hoidap.corpus.records import Task

Role = Literal["any", "lead", "coordinating"]

_Y = r"((?:19|20)\d{2})"
# Matched on the folded needle: "2025", "nam 2025", "2025-2027", "2025 – 2027", "tu 2025 den 2027",
# "tu nam 2025 den nam 2027", "giai doan 2025-2027".
_YEARS_RE = re.compile(
    rf"^(?:giai doan\s*|tu\s*)?(?:nam\s*)?{_Y}(?:\s*(?:[-–—]|den|toi)\s*(?:nam\s*)?{_Y})?$"
)


def deadline_needle_years(needle: str | None) -> tuple[int, int] | None:
    """The years a deadline filter asks for, (first, last), when it is a year or a range of years."""
    m = _YEARS_RE.match(fold(needle or ""))
    if not m:
        return None
    a, b = int(m.group(1)), int(m.group(2) or m.group(1))
    return (a, b) if a <= b else (b, a)


def deadline_matches(deadline: str | None, needle: str | None) -> bool:
    """Substring match (diacritics-insensitive); a year or a range of years ("2025-2027", "từ 2025 đến
    2027") matches a deadline that mentions a year in it ('trước 30/6/2026', 'Quý II/2026') or prints a
    range overlapping it ('giai đoạn 2026-2030'). A deadline without a year ('Thường xuyên') matches no
    year."""
    if not needle or not needle.strip():
        return True
    if not deadline:
        return False
    if fold(needle) in fold(deadline):
        return True
    years = deadline_needle_years(needle)
    if years is None:
        return False
    first, last = years
    return any(a <= last and first <= b for a, b in deadline_years(deadline))


@dataclass(frozen=True, kw_only=True)
class TaskFilter:
    """What a user filters tasks by; empty fields do not filter.

    The agency matches a diacritics-insensitive substring of a lead/coordinating agency, or the same
    canonical agency as the catalog resolves it (so "Sở KH&ĐT" and "so khdt" find Sở Kế hoạch và Đầu tư).
    """

    doc_ids: tuple[str, ...] = ()
    task_id: str | None = None
    agency: str | None = None
    role: Role = "any"
    deadline: str | None = None
    text: str | None = None  # every word must occur in the task id, content or section

    def matches(self, task: Task, canonical: Callable[[str], str | None] | None = None) -> bool:
        if self.doc_ids and task.doc_id not in self.doc_ids:
            return False
        if self.task_id and self.task_id.strip() and task.task_id != self.task_id.strip():
            return False
        if not deadline_matches(task.deadline, self.deadline):
            return False
        if self.text and self.text.strip():
            hay = fold(f"{task.task_id} {task.content} {task.breadcrumb}")
            if not all(w in hay for w in fold(self.text).split()):
                return False
        return self._agency_ok(task, canonical)

    def _agency_ok(self, task: Task, canonical: Callable[[str], str | None] | None) -> bool:
        if not self.agency or not self.agency.strip():
            return True
        names = {
            "any": task.lead + task.coordinating,
            "lead": task.lead,
            "coordinating": task.coordinating,
        }[self.role]
        needle = fold(self.agency.strip())
        if any(needle in fold(a) or _words_in_order(needle, fold(a)) for a in names):
            return True
        canon = canonical(self.agency) if canonical else None
        return bool(canon) and any(canonical(a) == canon for a in names)  # type: ignore[misc]


# Words a typed agency may leave out: "ubnd huyen" is "UBND các huyện, thị xã, thành phố".
_FILLERS = frozenset("cac nhung moi tung".split())


def _words_in_order(needle: str, name: str) -> bool:
    """The needle's words appear in the name in order, with only filler words ("các") between them."""
    want = needle.replace(",", " ").split()
    have = name.replace(",", " ").split()
    for start in range(len(have)):
        i, j = 0, start
        while i < len(want) and j < len(have):
            if have[j] == want[i]:
                i += 1
            elif i == 0 or have[j] not in _FILLERS:
                break
            j += 1
        if i == len(want):
            return True
    return False
