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

from hoidap.corpus.normalize import fold


@cache
def load(name: str) -> Any:
    """Parsed content of hoidap/corpus/data/<name>.json (cached)."""
    text = resources.files("hoidap.corpus").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def _alternation(words: list[str]) -> str:
    # Longest first so "Ban Quản lý" wins over "Ban" and "Các sở" over "Các".
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def doc_type_names() -> tuple[str, ...]:
    """Kinds of document as printed ("Quyết định", "Tờ trình"), longest first (data: doc_types.json)."""
    return tuple(sorted((t["name"] for t in load("doc_types")["types"]), key=len, reverse=True))


@cache
def doc_type_nouns() -> tuple[str, ...]:
    """Kinds of document whose name is not also a common verb ("Kế hoạch", not "Báo cáo")."""
    verbs = {t["name"] for t in load("doc_types")["types"] if t.get("verb")}
    return tuple(n for n in doc_type_names() if n not in verbs)


@cache
def doc_type_codes() -> dict[str, str]:
    """Folded kind names and short forms -> the code a document number carries ("quyet dinh" -> "qd")."""
    out: dict[str, str] = {}
    for t in load("doc_types")["types"]:
        if t["code"]:
            out[fold(t["name"]).lower()] = t["code"]
            out.update({alias: t["code"] for alias in t["aliases"]})
    return out


@cache
def family_names() -> frozenset[str]:
    """First words that open a Vietnamese personal name (data: person_names.json)."""
    return frozenset(n.split()[0].casefold() for n in load("person_names")["family_names"])


@cache
def basis_opener() -> str:
    """Regex alternation (non-capturing) of the words that open a document's basis ("Căn cứ", "Thực
    hiện"; data: layout.json), longest first."""
    return f"(?:{_alternation(load('layout')['basis_openers'])})"


@cache
def family_name() -> str:
    """Regex alternation (non-capturing) of the family names that open a personal name, longest first."""
    return f"(?:{_alternation(load('person_names')['family_names'])})"


@cache
def honorific() -> str:
    """Regex alternation (non-capturing, case-insensitive) of the words that stand before a personal name."""
    return f"(?i:{_alternation(load('person_names')['honorifics'])})"


def asked_kinds() -> list[str]:
    """Kinds of body a question names to ask which one ("tổ đảng nào", "viện nào")."""
    return list(load("agencies")["asked_kinds"])


def agency_heads() -> list[str]:
    """Words that open an agency name ("Sở", "Ban Quản lý", "UBND", ...)."""
    return list(load("agencies")["heads"])


@cache
def agency_head() -> str:
    """Regex alternation (non-capturing group) of words that open an agency name."""
    return f"(?:{_alternation(load('agencies')['heads'])})"


@cache
def lower_agency_head() -> str:
    """Lower-case heads that start a new agency inside a list ('..., các địa phương')."""
    return f"(?:{_alternation(load('agencies')['lower_heads'])})"


@cache
def type_words() -> frozenset[str]:
    """Words naming a kind of body ('Sở', 'Vụ'): alone they are a fragment, not a name."""
    return frozenset(w.casefold() for w in load("agencies")["type_words"])


@cache
def coordination_end_re() -> re.Pattern[str]:
    """Words that end the list of bodies after 'phối hợp với' ('… Sở Tài chính để triển khai …')."""
    return re.compile(rf"\s+(?:{_alternation(load('agencies')['coordination_list_ends'])})\s")


@cache
def name_stop_re() -> re.Pattern[str]:
    """Lower-case verbs that end an agency name ('Sở KH&CN chủ trì hướng dẫn' -> 'Sở KH&CN')."""
    return re.compile(rf"[\s,;]+(?:{_alternation(load('agencies')['name_stop_verbs'])})\b")


@cache
def not_name_re() -> re.Pattern[str]:
    """Words that open with an agency head but name no body ('Ban hành', 'Báo cáo', 'Trường hợp')."""
    return re.compile(rf"(?i)^(?:{_alternation(load('agencies')['not_names'])})\b")


def role_words() -> dict[str, list[str]]:
    """Table-header / field-label words per role (lead, coordinating, deadline, ...)."""
    return load("agencies")["role_words"]


@cache
def provinces() -> tuple[str, ...]:
    """Provincial-level names, current (34) and former (63), longest first."""
    data = load("provinces")
    return tuple(sorted(set(data["current"]) | set(data["former"]), key=len, reverse=True))


def name_key(text: str) -> str:
    """Folded, punctuation-free key: 'TP.HCM' -> 'tp hcm', 'Đắk Lắk' -> 'dak lak'."""
    from hoidap.corpus.normalize import fold

    return " ".join(re.sub(r"[^\w]+", " ", fold(text)).replace("_", " ").split())


@cache
def province_keys() -> dict[str, str]:
    """Name key -> province name, for current and former names and their common short forms."""
    data = load("provinces")
    out = {name_key(n): n for n in [*data["former"], *data["current"]]}
    out.update({name_key(a): n for a, n in data.get("aliases", {}).items()})
    return out


@cache
def _province_re() -> re.Pattern[str]:
    keys = sorted(province_keys(), key=len, reverse=True)
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(k) for k in keys) + r")(?![a-z0-9])")


def find_provinces(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Provinces named in an already keyed text (`name_key`), with their spans, in order."""
    return [(province_keys()[m.group()], m.span()) for m in _province_re().finditer(text)]


def province_of(*texts: str | None) -> str | None:
    """The province a document belongs to: the first one named in the first text naming any
    (pass the issuer first: a Thủ tướng decision names no province there, a UBND tỉnh one does)."""
    for text in texts:
        found = find_provinces(name_key(text or ""))
        if found:
            return found[0][0]
    return None


def abbreviations() -> dict[str, str]:
    return {k: v for k, v in load("abbreviations").items() if not k.startswith("_")}


def web_chrome() -> dict[str, list[str]]:
    return {k: v for k, v in load("web_chrome").items() if not k.startswith("_")}
