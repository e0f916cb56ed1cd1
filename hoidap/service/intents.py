"""The question types: what the question analysis decides is asked (`Intent`), what an answer says it
answered (`Answer.question_type`), and the types a gold item or a feedback line is filed under.

One `StrEnum`, so a type is its plain string wherever it is written (JSON, CSV, the page): "lead", …
"""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    LEAD = "lead"  # who leads a task
    COORDINATING = "coordinating"  # who takes part in it
    DEADLINE = "deadline"  # when it is due
    FIGURE = "figure"  # a target, a rate, an amount
    DOCUMENT = "document"  # a fact of a document as such (signer, number, date, issuer, …)
    LISTING = "listing"  # the tasks of an agency, a year, a date
    LOOKUP = "lookup"  # anything else, answered from a clause
    FACT = "fact"  # gold and feedback: a question answered from a clause ("lookup")
    UNANSWERABLE = "unanswerable"  # gold and feedback: the documents do not answer it


# The intents the question analysis decides between.
ASKED: tuple[Intent, ...] = (
    Intent.LEAD,
    Intent.COORDINATING,
    Intent.DEADLINE,
    Intent.FIGURE,
    Intent.DOCUMENT,
    Intent.LISTING,
    Intent.LOOKUP,
)
# The types of a gold item (and of a feedback line turned into one), in the order reports list them.
GOLD_TYPES: tuple[Intent, ...] = (
    Intent.LEAD,
    Intent.COORDINATING,
    Intent.DEADLINE,
    Intent.FIGURE,
    Intent.FACT,
    Intent.DOCUMENT,
    Intent.LISTING,
    Intent.UNANSWERABLE,
)
# Intents whose answer is a field of a task record.
TASK_FIELDS: tuple[Intent, ...] = (Intent.LEAD, Intent.COORDINATING, Intent.DEADLINE)
