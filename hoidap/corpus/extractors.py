"""Task readers of running text, in the order they run, each with how its tasks merge with those read
before it.

Adding a way tasks are written is one entry here: a reader (doc_id, placed blocks, the tasks read so far)
-> (task, scope) pairs, and its merge policy. The scope is the numbering path the task's id derives from
(`tasks.assign_ids`). Tables are read apart (`parse.table_records`): their rows carry their own ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from hoidap.corpus.records import Task
from hoidap.corpus.structure import Placed
from hoidap.corpus.tasks import (
    agency_section_tasks,
    giao_tasks,
    labelled_field_tasks,
    narrative_tasks,
    report_tasks,
)

Pair = tuple[Task, tuple[str, ...]]


class Merge(StrEnum):
    ALL = "all"  # every task it reads is added
    UNCOVERED = "uncovered"  # only tasks whose span overlaps none read before
    # A task inside one read before gives it its deadline (when it has none); any other is added.
    DEADLINE = "deadline"


@dataclass(frozen=True)
class TaskReader:
    name: str
    read: Callable[[str, list[Placed], list[Pair]], list[Pair]]
    merge: Merge


def _narrative(doc_id: str, placed: list[Placed], found: list[Pair]) -> list[Pair]:
    # Sections holding labelled fields are read by that reader only.
    return narrative_tasks(doc_id, placed, {scope[0] for _, scope in found if scope})


READERS: tuple[TaskReader, ...] = (
    TaskReader("labelled_fields", lambda doc_id, placed, _: labelled_field_tasks(doc_id, placed), Merge.ALL),
    TaskReader("narrative", _narrative, Merge.ALL),
    TaskReader("giao", lambda doc_id, placed, _: giao_tasks(doc_id, placed), Merge.UNCOVERED),
    TaskReader(
        "agency_section", lambda doc_id, placed, _: agency_section_tasks(doc_id, placed), Merge.UNCOVERED
    ),
    TaskReader("report", lambda doc_id, placed, _: report_tasks(doc_id, placed), Merge.DEADLINE),
)


def _merge(pairs: list[Pair], new: list[Pair], merge: Merge) -> list[Pair]:
    if merge is Merge.ALL:
        return pairs + new
    if merge is Merge.UNCOVERED:
        covered = [(t.char_start, t.char_end) for t, _ in pairs]
        return pairs + [
            (t, s) for t, s in new if not any(a < t.char_end and t.char_start < b for a, b in covered)
        ]
    out = list(pairs)
    for task, scope in new:  # each against the tasks read so far, the ones it added included
        same = [i for i, (t, _) in enumerate(out) if t.char_start <= task.char_start < t.char_end]
        if not same:
            out.append((task, scope))
        for i in same:
            if out[i][0].deadline is None:
                out[i] = (replace(out[i][0], deadline=task.deadline), out[i][1])
    return out


def prose_tasks(doc_id: str, placed: list[Placed], readers: tuple[TaskReader, ...] = READERS) -> list[Pair]:
    """(task, scope) pairs of every reader, merged in order, sorted by position."""
    pairs: list[Pair] = []
    for reader in readers:
        pairs = _merge(pairs, reader.read(doc_id, placed, pairs), reader.merge)
    pairs.sort(key=lambda pair: pair[0].char_start)
    return pairs
