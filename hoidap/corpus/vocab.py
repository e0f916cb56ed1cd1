"""General Vietnamese administrative vocabulary and the parser's patterns, kept as data.

Agency head words, provinces, abbreviations, table-header role words, document kinds, the text of
legal-library web pages (hoidap/corpus/data/*.json) and every named regex (data/patterns.json) live in
data files so the parser holds no list of particular bodies or phrases. This module loads each file
once, validates it (pydantic: a misspelt key, a list where a word belongs, a regex that does not
compile fails at load, naming the file), and builds the regexes the parser uses.

patterns.json has three parts. "lists": word lists turned into an alternation `(?:a|b|…)`, taken from
a data file ("from": "agencies.heads") or given in place ("words"); "fragments": regex pieces several
patterns share; "patterns": named regexes. A pattern or fragment names a list or fragment as
`{{name}}`; `pattern(name)` returns the compiled regex.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hoidap.corpus.normalize import fold


class _Data(BaseModel):
    """A data file's content; keys starting with "_" are comments and are not checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _compiles(patterns: list[str]) -> list[str]:
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise ValueError(f"{p!r} does not compile: {exc}") from exc
    return patterns


class AgencyVocab(_Data):
    heads: list[str]
    collective_heads: list[str]
    lower_heads: list[str]
    not_names: list[str]
    assignment_openers: list[str]
    assigned_verbs: list[str]
    coordination_list_ends: list[str]
    type_words: list[str]
    name_stop_verbs: list[str]
    # Nouns whose second word is a stop verb ("công trình", "quy trình"): inside a name, not its end.
    name_noun_compounds: list[str] = []
    role_words: dict[str, list[str]]
    label_roles: dict[Literal["header", "field"], list[str]]
    asked_kinds: list[str]


class LayoutVocab(_Data):
    paragraph_openers: list[str]
    duty_headings: list[str]
    paragraph_opener_patterns: list[str]
    heading_continuations: list[str]
    line_continuations: list[str]
    basis_openers: list[str]
    signer_titles: dict[str, str]
    signature_noise: list[str]
    mottos: list[str]
    motto_openers: list[str]
    proper_names: list[str]
    field_role_heads: list[str]
    field_role_words: list[str]

    _patterns_compile = field_validator("paragraph_opener_patterns", "signature_noise")(_compiles)


class DocType(_Data):
    name: str
    code: str  # "" when a number never carries it
    aliases: list[str]
    verb: bool = False
    numbered: bool = True  # cited by a number of its own (False: 'Quy chế', issued with a decision)
    type_line: bool = True  # may be printed in capitals as a document's type line ('KẾ HOẠCH')
    attached: bool = False  # issued with a decision, after its signature ('QUY CHẾ …')
    issues_attached: bool = False  # 'ban hành kèm theo Quyết định số …'
    owned: bool = False  # led as a whole by one body ('chủ trì triển khai Kế hoạch này')


class DocTypes(_Data):
    types: list[DocType]


class PersonNames(_Data):
    family_names: list[str]
    honorifics: list[str]


class Provinces(_Data):
    current: list[str]
    former: list[str]
    city_prefixes: list[str]
    aliases: dict[str, str]


class WebChrome(_Data):
    metadata_labels: list[str]
    notices: list[str]
    end_markers: list[str]
    chrome_lines: list[str]


class Units(_Data):
    figure_units: list[str]
    durations: list[str]
    measure_end_words: list[str]
    unit_kinds: list[str]


class WordList(_Data):
    """Words (or regexes) read as one alternation."""

    words: list[str] = Field(default_factory=list)
    from_: list[str] = Field(default_factory=list, alias="from")  # "file.key" or "file.key.field"
    order: Literal["longest", "as_is"] = "longest"  # longest first: "Ban Quản lý" before "Ban"
    escape: bool = True  # False: the entries are regexes
    group_each: bool = False  # each entry in its own (?:…) (regexes with alternations of their own)
    fold: bool = False  # diacritics folded, lower case (matched against folded text)
    upper: bool = False  # in capitals (a type line: 'KẾ HOẠCH')
    where: str = ""  # of records ("file.key.field"), only those whose flag of this name is true

    @model_validator(mode="after")
    def _one_source(self) -> WordList:
        if bool(self.words) == bool(self.from_):
            raise ValueError("a list takes its words either in place ('words') or from data files ('from')")
        return self


class PatternSpec(_Data):
    re: str | list[str]  # a list is joined: long patterns stay readable
    flags: list[Literal["IGNORECASE", "MULTILINE", "DOTALL"]] = Field(default_factory=list)
    why: str = Field(min_length=1)  # what the pattern is for, for whoever changes it

    @property
    def text(self) -> str:
        return self.re if isinstance(self.re, str) else "".join(self.re)


class PatternFile(_Data):
    lists: dict[str, WordList]
    fragments: dict[str, PatternSpec]
    patterns: dict[str, PatternSpec]


_MODELS: dict[str, type[_Data]] = {
    "agencies": AgencyVocab,
    "layout": LayoutVocab,
    "doc_types": DocTypes,
    "person_names": PersonNames,
    "provinces": Provinces,
    "web_chrome": WebChrome,
    "units": Units,
    "patterns": PatternFile,
}


@cache
def load(name: str) -> Any:
    """Content of hoidap/corpus/data/<name>.json, validated once (cached)."""
    text = resources.files("hoidap.corpus").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if name in _MODELS:
        validated(name, data)
    return data


@cache
def _validated(name: str) -> _Data:
    return validated(name, load(name))


def validated(name: str, data: dict[str, Any]) -> _Data:
    """`data` of the file `name` as its model (comment keys left out); ValueError naming the file."""
    try:
        return _MODELS[name].model_validate({k: v for k, v in data.items() if not k.startswith("_")})
    except ValueError as exc:
        raise ValueError(f"hoidap/corpus/data/{name}.json: {exc}") from exc


# --- named patterns (data/patterns.json) ------------------------------------------------------

_PLACEHOLDER_RE = re.compile(r"\{\{(\w+)\}\}")


@cache
def _pattern_file() -> PatternFile:
    return PatternFile.model_validate({k: v for k, v in load("patterns").items() if not k.startswith("_")})


def _source(path: str, where: str = "") -> list[str]:
    """Words at "file.key" (a list of strings) or "file.key.field" (that field of a list of records, of
    those whose flag `where` is true when given)."""
    file, key, *rest = path.split(".")
    value = getattr(_validated(file), key)
    if rest:
        value = [getattr(item, rest[0]) for item in value if not where or getattr(item, where)]
    return list(value)


@cache
def alternation(name: str) -> str:
    """The list `name` of patterns.json as a non-capturing alternation."""
    spec = _pattern_file().lists[name]
    words = list(spec.words) or [w for path in spec.from_ for w in _source(path, spec.where)]
    if spec.fold:
        words = [fold(w).lower() for w in words]
    if spec.upper:
        words = [w.upper() for w in words]
    if spec.order == "longest":
        words = sorted(dict.fromkeys(words), key=len, reverse=True)
    if spec.escape:
        words = [re.escape(w) for w in words]
    if spec.group_each:
        words = [f"(?:{w})" for w in words]
    return f"(?:{'|'.join(words)})"


@cache
def fragment(name: str) -> str:
    """A list's alternation or a fragment's regex text, its own placeholders filled."""
    file = _pattern_file()
    if name in file.lists:
        return alternation(name)
    if name not in file.fragments:
        raise KeyError(f"patterns.json: no list or fragment named {name!r}")
    return _expand(file.fragments[name].text)


def _expand(text: str) -> str:
    return _PLACEHOLDER_RE.sub(lambda m: fragment(m.group(1)), text)


@cache
def pattern(name: str) -> re.Pattern[str]:
    """The compiled regex `name` of patterns.json."""
    spec = _pattern_file().patterns[name]
    flags = 0
    for flag in spec.flags:
        flags |= getattr(re, flag)
    try:
        return re.compile(_expand(spec.text), flags)
    except re.error as exc:
        raise ValueError(f"patterns.json: pattern {name!r} does not compile: {exc}") from exc


def check_patterns() -> None:
    """Compile every pattern (a test calls this: a broken entry fails at once, not on first use)."""
    for name in _pattern_file().patterns:
        pattern(name)


# --- word lists ----------------------------------------------------------------------------------


def _alternation(words: list[str]) -> str:
    # Longest first so "Ban Quản lý" wins over "Ban" and "Các sở" over "Các".
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def doc_type_names() -> tuple[str, ...]:
    """Kinds of document as printed ("Quyết định", "Tờ trình"), longest first (data: doc_types.json)."""
    return tuple(sorted(_source("doc_types.types.name", "numbered"), key=len, reverse=True))


@cache
def doc_type_nouns() -> tuple[str, ...]:
    """Kinds of document whose name is not also a common verb ("Kế hoạch", not "Báo cáo")."""
    verbs = set(_source("doc_types.types.name", "verb"))
    return tuple(n for n in doc_type_names() if n not in verbs)


@cache
def doc_type_codes() -> dict[str, str]:
    """Folded kind names and short forms -> the code a document number carries ("quyet dinh" -> "qd")."""
    out: dict[str, str] = {}
    for t in _validated("doc_types").types:
        if t.code and t.numbered:
            out[fold(t.name).lower()] = t.code
            out.update({alias: t.code for alias in t.aliases})
    return out


@cache
def family_names() -> frozenset[str]:
    """First words that open a Vietnamese personal name (data: person_names.json)."""
    return frozenset(n.split()[0].casefold() for n in load("person_names")["family_names"])


@cache
def basis_opener() -> str:
    """Regex alternation (non-capturing) of the words that open a document's basis ("Căn cứ", "Thực
    hiện"; data: layout.json), longest first."""
    return alternation("basis_opener")


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
    return alternation("agency_head")


@cache
def lower_agency_head() -> str:
    """Lower-case heads that start a new agency inside a list ('..., các địa phương')."""
    return alternation("lower_agency_head")


@cache
def type_words() -> frozenset[str]:
    """Words naming a kind of body ('Sở', 'Vụ'): alone they are a fragment, not a name."""
    return frozenset(w.casefold() for w in load("agencies")["type_words"])


@cache
def coordination_end_re() -> re.Pattern[str]:
    """Words that end the list of bodies after 'phối hợp với' ('… Sở Tài chính để triển khai …')."""
    return pattern("agency.coordination_end")


@cache
def name_stop_re() -> re.Pattern[str]:
    """Lower-case verbs that end an agency name ('Sở KH&CN chủ trì hướng dẫn' -> 'Sở KH&CN')."""
    return pattern("agency.name_stop")


@cache
def name_noun_compounds() -> frozenset[str]:
    """Folded-case nouns ending in a stop verb ("công trình thủy lợi" names works, no one submits)."""
    return frozenset(x.casefold() for x in load("agencies")["name_noun_compounds"])


@cache
def not_name_re() -> re.Pattern[str]:
    """Words that open with an agency head but name no body ('Ban hành', 'Báo cáo', 'Trường hợp')."""
    return pattern("agency.not_name")


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
    return " ".join(pattern("vocab.not_word").sub(" ", fold(text)).replace("_", " ").split())


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
