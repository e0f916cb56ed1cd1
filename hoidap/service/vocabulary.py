"""The question vocabulary (data: service/data/question.json), validated at load and compiled once.

`vocabulary()` is the validated data; `patterns()` its compiled patterns, which the question analysis
(understanding, catalog, task references, keywords, intent rules) reads instead of lists of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hoidap.corpus.normalize import fold
from hoidap.corpus.vocab import asked_kinds, doc_type_names, doc_type_nouns
from hoidap.service.intents import ASKED, TASK_FIELDS, Intent

# A fact of a document as such: a key of question.json "document_facts" ("signer", "date", …).
DocumentFact = str
# What an intent rule may test of the question (`intent_rules.signals`).
Flag = Literal["quotes_percent", "asks_figure", "asks_list", "asks_who", "asks_holder_or_receiver"]


class IntentRule(BaseModel):
    """When the first intent found is one of `first` and the flags hold, `promote` moves the earliest of
    its intents found to the front, or `drop` removes its intents."""

    model_config = ConfigDict(extra="forbid")

    note: str
    first: list[Intent]
    when: list[Flag] = []
    unless: list[Flag] = []
    promote: list[Intent] = []
    drop: list[Intent] = []

    @model_validator(mode="after")
    def _one_action(self) -> IntentRule:
        if bool(self.promote) == bool(self.drop):
            raise ValueError(f"intent rule {self.note[:40]!r}: give either promote or drop")
        return self


class FactCue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fact: DocumentFact
    cue: str
    needs_document: bool  # counted only when the question names a document or says a document word
    why: str = ""  # what the cue is for, when not plain


class FieldLabel(BaseModel):
    """Folded phrases that ask for a kind of field, and the folded labels of the lines that give it."""

    asks: list[str]
    labels: list[str]


class FieldLabels(BaseModel):
    about: str = Field(alias="_about")
    entries: list[FieldLabel]


class QuestionVocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    about: str = Field(alias="_about")
    intent_cues: dict[Intent, list[str]]
    listing_cues: list[str]
    listing_agency_cues: list[str]
    role_cues: dict[Intent, list[str]]
    document_facts: dict[str, str]  # fact -> what an answer's message calls it
    document_fact_cues: list[FactCue]
    fact_attributes: list[str]
    asks_figure: list[str]
    asks_who: list[str]
    asks_holder: list[str]
    patterns: dict[str, str]
    task_cues: str
    doc_type_codes: list[str]
    intent_rules: list[IntentRule]
    stop_phrases: list[str]
    figure_stop_phrases: list[str]
    not_frame_tokens: list[str]
    fold_ambiguous: list[str]
    fold_ambiguous_before: dict[str, str]
    generic_title_words: list[str]
    agency_end_words: list[str]
    number_words: list[str]
    named_agency_heads: list[str]
    asked_duty_words: list[str]  # the words of "… có nhiệm vụ gì" that ask for duties, not name the body
    heading_words: list[str]  # words of a heading that name no body ("Điều", "đối với", …)
    field_labels: FieldLabels  # "ở đâu" is answered by a line labelled "Địa điểm:" (ranker label_match)

    @model_validator(mode="after")
    def _known(self) -> QuestionVocabulary:
        if not set(self.intent_cues) <= set(ASKED) or not set(self.role_cues) <= set(TASK_FIELDS):
            raise ValueError("question.json: intent_cues/role_cues keyed by an unknown intent")
        unknown = {c.fact for c in self.document_fact_cues} - set(self.document_facts)
        if unknown:
            raise ValueError(f"question.json: document_fact_cues name unknown facts {sorted(unknown)}")
        for name, pattern in self.patterns.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"question.json: pattern {name!r} does not compile: {exc}") from exc
        return self


@cache
def vocabulary() -> QuestionVocabulary:
    raw = resources.files("hoidap.service").joinpath("data", "question.json").read_text(encoding="utf-8")
    return QuestionVocabulary.model_validate(json.loads(raw))


def words_re(patterns: Iterable[str]) -> re.Pattern[str]:
    """Whole-word regex over `tok` text; a space in a pattern matches any blank run; KINDS stands for
    the kinds of body a question asks "which one" of (data: agencies.json "asked_kinds")."""
    kinds = "|".join(sorted({fold(k) for k in asked_kinds()}, key=len, reverse=True))
    alts = sorted({p.replace("KINDS", kinds).replace(" ", r"\s+") for p in patterns}, key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alts) + r")(?![a-z0-9])")


@dataclass(frozen=True)
class QuestionPatterns:
    """The vocabulary's patterns, compiled."""

    cues: dict[str, re.Pattern[str]]  # intent -> its cues
    listing: re.Pattern[str]
    listing_agency: re.Pattern[str]  # counted only when an agency is named
    roles: dict[str, re.Pattern[str]]
    facts: list[tuple[str, re.Pattern[str], bool]]  # (fact, cue, needs a document), first match wins
    attribute: re.Pattern[str]
    asks_figure: re.Pattern[str]
    asks_who: re.Pattern[str]
    asks_holder: re.Pattern[str]
    doc_words: re.Pattern[str]  # a word that makes a question about a document as such
    doc_kind: re.Pattern[str]  # the kind of document a question describes
    named: dict[str, re.Pattern[str]]  # question.json "patterns"
    field_labels: tuple[tuple[re.Pattern[str], frozenset[str]], ...]  # (what asks, the labels answering)


@cache
def patterns() -> QuestionPatterns:
    v = vocabulary()
    nouns = "|".join(fold(n).lower() for n in doc_type_nouns())
    return QuestionPatterns(
        cues={str(intent): words_re(cues) for intent, cues in v.intent_cues.items()},
        listing=words_re(v.listing_cues),
        listing_agency=words_re(v.listing_agency_cues),
        roles={str(role): words_re(cues) for role, cues in v.role_cues.items()},
        facts=[(c.fact, words_re([c.cue]), c.needs_document) for c in v.document_fact_cues],
        attribute=words_re(v.fact_attributes),
        asks_figure=words_re(v.asks_figure),
        asks_who=words_re(v.asks_who),
        asks_holder=words_re(v.asks_holder),
        doc_words=re.compile(rf"(?<![a-z0-9])(van ban|{nouns})(?![a-z0-9])"),
        doc_kind=re.compile(rf"\b(?:{'|'.join(fold(n).lower() for n in doc_type_names())})\b"),
        named={name: re.compile(p) for name, p in v.patterns.items()},
        field_labels=tuple((words_re(e.asks), frozenset(e.labels)) for e in v.field_labels.entries),
    )
