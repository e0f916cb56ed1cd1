"""The task filter: one definition used by the API, the web page and the CLI alike."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from hoidap.corpus.normalize import fold
from hoidap.corpus.records import Task

Role = Literal["any", "lead", "coordinating"]

_YEAR_RE = re.compile(r"^(?:19|20)\d{2}$")
_RANGE_RE = re.compile(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b")


def deadline_matches(deadline: str | None, needle: str | None) -> bool:
    """Substring match (diacritics-insensitive); a year also matches a printed range holding it."""
    if not needle or not needle.strip():
        return True
    if not deadline:
        return False
    n = fold(needle.strip())
    if n in fold(deadline):
        return True
    if _YEAR_RE.match(n):
        year = int(n)
        return any(int(a) <= year <= int(b) for a, b in _RANGE_RE.findall(deadline))
    return False


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
        if any(needle in fold(a) for a in names):
            return True
        canon = canonical(self.agency) if canonical else None
        return bool(canon) and any(canonical(a) == canon for a in names)  # type: ignore[misc]
