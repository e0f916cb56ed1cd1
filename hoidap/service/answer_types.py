"""What a value must look like to answer a kind of question (data: service/data/answer_types.json).

The structured paths read a field from a record (the lead column of a task, the signer of a header).
When they find none, the answer falls back to the clauses that rank best for the question; a sentence
from them answers "who leads" only if it names an agency, "when" only if it states a time, and so on.
This is the one check those fallbacks share; the patterns are data, loaded once.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from pydantic import BaseModel

from hoidap.corpus.vocab import agency_head, family_name, fragment, honorific


class AnswerTypes(BaseModel):
    kinds: dict[str, list[str]]
    asked_by: dict[str, list[str]]
    generic: list[str]
    by_intent: dict[str, list[str]]
    by_document_fact: dict[str, list[str]]
    only: dict[str, list[str]] = {}
    counted_nouns: list[str] = []


_PERSON_NAME = (
    rf"(?<!\w)(?:{family_name()}|{honorific()}\s+[{fragment('upper')}][a-zđà-ỹ]+)"
    rf"(?:\s+[{fragment('upper')}][a-zđà-ỹ]+){{1,4}}(?!\w)"
)


@cache
def _compiled() -> tuple[AnswerTypes, dict[str, list[re.Pattern[str]]]]:
    raw = resources.files("hoidap.service").joinpath("data", "answer_types.json").read_text(encoding="utf-8")
    types = AnswerTypes.model_validate(json.loads(raw))
    patterns = {}
    for kind, alternatives in types.kinds.items():
        if kind == "agency":
            alternatives = [*alternatives, rf"(?<!\w){agency_head()}(?!\w)"]
        if kind in ("person", "holder"):
            # A personal name opens with a family name (data: corpus person_names.json): "Ban Chỉ đạo"
            # is capitalised too, but no one's name.
            alternatives = [*alternatives, _PERSON_NAME]
        patterns[kind] = [re.compile(p) for p in alternatives]
    unknown = {k for ks in (*types.by_intent.values(), *types.by_document_fact.values()) for k in ks} - set(
        patterns
    )
    if unknown:
        raise ValueError(f"answer_types.json: kinds {sorted(unknown)} are used but not defined")
    return types, patterns


@cache
def _asked() -> tuple[list[tuple[str, re.Pattern[str]]], re.Pattern[str], list[tuple[str, re.Pattern[str]]]]:
    types, _ = _compiled()
    asked = [(kind, re.compile("|".join(ps))) for kind, ps in types.asked_by.items()]
    only = [(kind, re.compile("|".join(ps))) for kind, ps in types.only.items()]
    return asked, re.compile("|".join(types.generic)), only


def expected_kinds(intent: str, document_fact: str | None = None, folded_question: str = "") -> list[str]:
    """The kinds of value a question takes; [] when any text will do. Its wh-phrase says it ("cơ quan
    nào" an agency, "khi nào" a time, "bao nhiêu" a number); another wh-word ("gì", "thế nào") takes
    any value; keywords without one take the kinds of the question's intent (and document fact)."""
    types, _ = _compiled()
    if intent == "document" and document_fact in types.by_document_fact:
        return types.by_document_fact[document_fact]  # "số hiệu là gì": a number, whatever the wh-word
    asked, generic, only = _asked()
    sole = next((kind for kind, rx in only if rx.search(folded_question)), None)
    if sole is not None:
        return [sole]
    named = [kind for kind, rx in asked if rx.search(folded_question)]
    if named:
        return named
    if folded_question and generic.search(folded_question):
        return []
    if intent == "document":
        return types.by_document_fact.get(document_fact or "", [])
    return types.by_intent.get(intent, [])


# A person or an office held answers "ai là Trưởng ban …" when the value names one near its start: a
# sentence that opens with a date, a document or an action and names someone later ("Nghị quyết số 04 …
# của Hội đồng … do ông A …") says what was done, not who holds the post.
HEAD_WORDS = 8
_HEAD_KINDS = frozenset({"holder", "person"})


def fits(value: str | None, kinds: list[str]) -> bool:
    """Whether `value` is of one of `kinds` (any non-empty value when `kinds` is empty)."""
    if not value:
        return False
    _, patterns = _compiled()
    if not kinds:
        return True
    head = " ".join(value.split()[:HEAD_WORDS]) if _HEAD_KINDS.intersection(kinds) else value
    return any(p.search(head if k in _HEAD_KINDS else value) for k in kinds for p in patterns[k])


_LEADING_RE = re.compile(r"(?i)^(?:(?:các|những|mỗi|đồng chí|đ/c)\s+)+")


def opens_with(value: str, kinds: list[str]) -> bool:
    """Whether `value` begins with a value of one of `kinds` ("Các Sở …", "đồng chí Nguyễn Văn A")."""
    _, patterns = _compiled()
    rest = _LEADING_RE.sub("", value)
    return any(p.match(rest) or p.match(value) for k in kinds for p in patterns[k])


@cache
def counted_nouns() -> frozenset[str]:
    """Folded nouns a question counts things in ("bao nhiêu xã"): a share does not answer those."""
    return frozenset(_compiled()[0].counted_nouns)
