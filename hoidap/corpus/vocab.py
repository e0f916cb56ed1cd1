"""General Vietnamese administrative vocabulary, kept as data (hoidap/corpus/data/*.json).

Agency head words, provinces, abbreviations, table-header role words and the text of
legal-library web pages live in data files so the parser holds no list of particular
bodies; this module loads them once and builds the regexes the parser uses.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> Any:
    """Parsed content of hoidap/corpus/data/<name>.json (cached)."""
    text = resources.files("hoidap.corpus").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def _alternation(words: list[str]) -> str:
    # Longest first so "Ban Quản lý" wins over "Ban" and "Các sở" over "Các".
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def agency_head() -> str:
    """Regex alternation (non-capturing group) of words that open an agency name."""
    return f"(?:{_alternation(load('agencies')['heads'])})"


@cache
def lower_agency_head() -> str:
    """Lower-case heads that start a new agency inside a list ('..., các địa phương')."""
    return f"(?:{_alternation(load('agencies')['lower_heads'])})"


def role_words() -> dict[str, list[str]]:
    """Table-header / field-label words per role (lead, coordinating, deadline, ...)."""
    return load("agencies")["role_words"]


@cache
def provinces() -> tuple[str, ...]:
    """Provincial-level names, current (34) and former (63), longest first."""
    data = load("provinces")
    return tuple(sorted(set(data["current"]) | set(data["former"]), key=len, reverse=True))


def abbreviations() -> dict[str, str]:
    return {k: v for k, v in load("abbreviations").items() if not k.startswith("_")}


def web_chrome() -> dict[str, list[str]]:
    return {k: v for k, v in load("web_chrome").items() if not k.startswith("_")}
