"""The answer strategies in the order they are tried: the first whose `applies(analysis)` holds and whose
`answer(...)` gives an answer answers. Each is a module with

- `applies(a: QueryAnalysis) -> bool`: whether the question is of its kind;
- `answer(ctx, q, a, scope, top_k) -> Answer | None`: its answer, or None to leave the question to the next;
- `NUMBERED_SCOPE`: whether its scope is narrowed to the document whose task numbering counts.

A new kind of answer is a module here and one line in `STRATEGIES`.
"""

from __future__ import annotations

from types import ModuleType

from hoidap.service.strategies import (
    document_fact,
    figure,
    listing,
    lookup,
    owner,
    task_record,
    task_search,
)

STRATEGIES: tuple[ModuleType, ...] = (
    document_fact,  # a document's own facts, in the scope it names
    task_record,  # a task named by its number: its record
    listing,  # the tasks of an agency, a year, a date
    owner,  # who leads the one document in scope as a whole
    task_search,  # a task field of a task described in words
    figure,  # a figure (or a yearly table's cell)
    lookup,  # anything else: the best clause's sentence
)
