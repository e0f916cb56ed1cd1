"""The question vocabulary (service/data/question.json) and the intent rule table read from it."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from pydantic import ValidationError

from hoidap.service import intent_rules
from hoidap.service.intent_rules import Signals
from hoidap.service.intents import ASKED, GOLD_TYPES, Intent
from hoidap.service.strategies.registry import STRATEGIES
from hoidap.service.understanding import QueryAnalysis
from hoidap.service.vocabulary import QuestionVocabulary

QUIET = Signals(
    quotes_percent=False, asks_figure=False, asks_list=False, asks_who=False, asks_holder_or_receiver=False
)


def _raw() -> dict:
    text = resources.files("hoidap.service").joinpath("data", "question.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_the_vocabulary_rejects_a_rule_without_one_action_and_an_unknown_fact() -> None:
    raw = _raw()
    promoting = next(rule for rule in raw["intent_rules"] if rule.get("promote"))
    promoting["drop"] = ["figure"]  # it promotes already
    with pytest.raises(ValidationError, match="either promote or drop"):
        QuestionVocabulary.model_validate(raw)
    raw = _raw()
    raw["document_fact_cues"].append({"fact": "colour", "cue": "mau gi", "needs_document": True})
    with pytest.raises(ValidationError, match="unknown facts"):
        QuestionVocabulary.model_validate(raw)
    raw = _raw()
    raw["patterns"]["wh_word"] = "(unclosed"
    with pytest.raises(ValidationError, match="does not compile"):
        QuestionVocabulary.model_validate(raw)


def test_the_rules_run_in_order_on_the_first_intent_found() -> None:
    # A figure first, a who-cue after it, a percentage quoted: the figure is the subject.
    flags = Signals(**{**QUIET.__dict__, "quotes_percent": True})
    assert intent_rules.decide(None, False, ["figure", "lead"], flags)[0] == "lead"
    # ... unless the question asks "how much".
    flags = Signals(**{**QUIET.__dict__, "quotes_percent": True, "asks_figure": True})
    assert intent_rules.decide(None, False, ["figure", "lead"], flags)[0] == "figure"
    # A role word first and a when-cue, no who-word: the deadline is asked.
    assert intent_rules.decide(None, False, ["coordinating", "deadline"], QUIET)[0] == "deadline"
    # A document fact and a listing come before the cues.
    assert intent_rules.decide("signer", True, ["lead"], QUIET)[:2] == ["document", "listing"]
    # Who holds a post is no task's lead.
    flags = Signals(**{**QUIET.__dict__, "asks_holder_or_receiver": True, "asks_who": True})
    assert intent_rules.decide(None, False, ["lead"], flags) == []


def test_every_strategy_is_registered_with_its_protocol_and_the_last_takes_any_question() -> None:
    for strategy in STRATEGIES:
        assert callable(strategy.applies) and callable(strategy.answer), strategy.__name__
        assert isinstance(strategy.NUMBERED_SCOPE, bool), strategy.__name__
    for intent in ASKED:
        a = QueryAnalysis(question="?", normalized="?", folded="?", intent=intent)
        assert STRATEGIES[-1].applies(a)
        assert sum(s.applies(a) for s in STRATEGIES) >= 1


def test_one_enum_names_the_question_types_of_the_analysis_and_of_gold() -> None:
    assert set(ASKED) | set(GOLD_TYPES) == set(Intent)
    assert Intent.LOOKUP not in GOLD_TYPES and Intent.FACT not in ASKED
    assert json.dumps({"t": Intent.LEAD}) == '{"t": "lead"}'
