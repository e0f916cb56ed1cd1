"""The one builder of `Answer`: every strategy states what it found (or why not) through these."""

from __future__ import annotations

from collections.abc import Sequence

from hoidap.service.records import Answer, Citation, DocumentAnswer


def found(
    q: str,
    question_type: str,
    text: str | None,
    message: str,
    citations: list[Citation],
    *,
    related: list[Citation] | None = None,
    answers: list[DocumentAnswer] | None = None,
    confidence: float | None = None,
    task_filter: dict[str, str] | None = None,
) -> Answer:
    """An answer: `text` backed by `citations[0]`; `answers`: one per document when several answer."""
    return Answer(
        question=q,
        question_type=str(question_type),  # the plain string, as the API and the page write it
        answer=text,
        found=True,
        message=message,
        citations=citations,
        related=related or [],
        answers=answers or [],
        confidence=confidence,
        task_filter=task_filter,
    )


def not_found(q: str, question_type: str, message: str, related: list[Citation] | None = None) -> Answer:
    """No answer: `message` says why, `related` are the nearest clauses to read instead."""
    return Answer(
        question=q,
        question_type=str(question_type),
        answer=None,
        found=False,
        message=message,
        citations=[],
        related=related or [],
    )


def joined(answers: Sequence[DocumentAnswer]) -> str:
    """Several documents' answers as one text, each after its document's title."""
    return "; ".join(f"{x.doc_title}: {x.answer}" for x in answers)


def one_or_several(answers: list[DocumentAnswer]) -> tuple[str, list[DocumentAnswer]]:
    """The answer text, and the per-document answers when more than one document answers."""
    if len(answers) == 1:
        return answers[0].answer, []
    return joined(answers), answers
