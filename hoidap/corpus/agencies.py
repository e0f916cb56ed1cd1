"""Agency names in running text: where a name starts and ends, lists of bodies, and the bodies a
sentence gives a task ("Giao Sở X chủ trì …", "phối hợp với Y, Z …").

The words are data (corpus/data/agencies.json); the forms are named patterns (data/patterns.json).
"""

from __future__ import annotations

import re

from hoidap.corpus.vocab import (
    agency_head,
    lower_agency_head,
    name_noun_compounds,
    name_stop_re,
    not_name_re,
    pattern,
    type_words,
)

# Words that open an agency name (data file: hoidap/corpus/data/agencies.json).
AGENCY_HEAD = agency_head()
AGENCY_START_RE = pattern("agency.agency_start")
# Lower-case heads that start a new agency inside a list ("..., các địa phương").
LOWER_HEAD = lower_agency_head()
SPLIT_COMMA_RE = pattern("agency.split_comma")
COORD_STOP_RE = pattern("agency.coord_stop")
SUBJECT_STOP_RE = pattern("agency.subject_stop")


MARKER_RE = pattern("agency.marker")


def strip_marker(text: str) -> str:
    """Drop a leading list marker ('- ', 'b) ', '2. ') from item text."""
    return MARKER_RE.sub("", text, count=1)


def split_agencies(text: str) -> tuple[str, ...]:
    """'Sở A, Ban B và các KCN C; UBND các huyện, thành phố.' -> ('Sở A', 'Ban B và các KCN C', ...).

    Commas split only before an agency head word, so 'UBND các huyện, thị xã, thành phố'
    and 'Các sở, ban, ngành' stay whole.
    """
    text = text.strip().rstrip(".").strip()
    if not text:
        return ()
    parts: list[str] = []
    for chunk in pattern("agency.semicolon").split(text):
        parts.extend(p.strip() for p in SPLIT_COMMA_RE.split(chunk))
    return tuple(p.rstrip(".,; ") for p in parts if p.strip(" .,;"))


LIST_HEAD_RE = pattern("agency.list_head")
MAX_NAME_WORDS = 25


def clean_agency(text: str) -> str | None:
    """The agency a cell, list item or sentence subject names, or None when it names none.

    'Sở KH&CN chủ trì hướng dẫn, tổng hợp' -> 'Sở KH&CN' (a verb outside brackets ends the
    name); 'Thanh tra, kiểm tra, giám sát ...' (a singular head followed by a comma is a
    verb), a bare 'Vụ' or 'Sở' (a fragment) and anything not opening with an agency head
    (task content, a group number) -> None. List forms ('Các bộ, ngành') stay whole.
    """
    t = " ".join(text.split()).lstrip("-+•*– ").strip().rstrip(".,;: ")
    depth = 0
    for m in name_stop_re().finditer(t):
        depth = t.count("(", 0, m.start()) - t.count(")", 0, m.start())
        before = t[: m.start()].rsplit(None, 1)[-1:]  # the word before the verb: "công" of "công trình"
        if before and f"{before[0]} {m.group(0).strip(' ,;')}".casefold() in name_noun_compounds():
            continue
        if depth <= 0:
            t = t[: m.start()].rstrip(".,;: ")
            break
    head = (
        AGENCY_START_RE.match(t)
        or pattern("agency.lower_head_start").match(t)  # 'các Sở, ban, ngành'
        # 'Các Trường Đại học', 'Sở Khoa Học': capitals inside a head are a typing variant.
        or (pattern("agency.agency_start_any_case").match(t) if t[:1].isupper() else None)
    )
    if not t or head is None or len(t.split()) > MAX_NAME_WORDS:
        return None
    if t[head.end() :].startswith(",") and not LIST_HEAD_RE.match(t):
        return None
    if t[:1].isupper() and t.casefold() in type_words():  # 'Sở' alone; 'cơ quan' in a list is fine
        return None
    if not_name_re().match(t):  # 'Ban hành Chương trình …' issues something; it names no body
        return None
    return t


def agencies_in(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(agencies, rejected parts) of an agency list: each part cleaned by `clean_agency`."""
    good: list[str] = []
    bad: list[str] = []
    for part in split_agencies(text):
        name = clean_agency(part)
        (good if name else bad).append(name or part)
    return tuple(dict.fromkeys(good)), tuple(bad)


PERSON_RE = pattern("agency.person")
HONORIFIC_RE = pattern("agency.honorific")
LIST_DASH_RE = pattern("tables.list_dash")
MAX_PERSON_CHARS = 80  # a longer part is a task's text shifted into the column, not who is in charge


def _person(part: str, person_re: re.Pattern[str] = PERSON_RE) -> str | None:
    part = " ".join(part.split()).strip(" .;").lstrip("-–+*• ")
    return part if len(part) <= MAX_PERSON_CHARS and person_re.match(part) else None


def in_charge(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(bodies and people, rejected parts) of a table cell of who is in charge, in printed order. Its
    entries stand after ';' or a list's dashes ("- Bộ A; - Bộ B", "- Sở A - Sở B"); a plan's table names
    people ("Đ/c Lê Văn A - Bí thư Đoàn xã", "GVCN các lớp") as well as bodies, each kept as printed,
    post and all."""
    good: list[str] = []
    bad: list[str] = []
    for entry in re.split(r";|\n(?=\s*[-–+*•])", text):  # a wrapped line goes on with its entry
        person = _person(entry, HONORIFIC_RE)  # "Đ/c A - Bí thư Đoàn xã": one person, not two entries
        if person:
            good.append(person)
            continue
        names, rejected = agencies_in(LIST_DASH_RE.sub("; ", entry).strip("; "))
        found = list(names)
        for part in rejected:
            person = _person(part)
            (found if person else bad).append(person or part)
        flat = " ".join(entry.split())
        good.extend(sorted(found, key=lambda x: (flat.find(x) + 1) or len(flat) + 1))
    return tuple(dict.fromkeys(good)), tuple(bad)


# "Giao X <verb> …", "Đề nghị X <verb> …" at a sentence's start (data: agencies.json assignment_*).
GIAO_RE = pattern("agency.giao")
GIAO_COMMA_RE = pattern("agency.giao_comma")


# A list of bodies given one task: "Ủy ban MTTQ tỉnh và các tổ chức chính trị - xã hội".
MAX_ASSIGNED_WORDS = 24


def assignment(text: str) -> re.Match[str] | None:
    """The "Giao/Đề nghị X <verb> …" sentence opening `text` names, with X in group "lead"."""
    return GIAO_RE.search(text) or GIAO_COMMA_RE.search(text)


COORD_AFTER_RE = pattern("agency.coord_after")


def coord_list(text: str) -> tuple[str, ...]:
    m = COORD_AFTER_RE.search(text)
    if not m:
        return ()
    coord = m.group("coord")
    stop = COORD_STOP_RE.search(coord)
    if stop:
        coord = coord[: stop.start()]
    coord = pattern("agency.related_tail").sub(" liên quan", coord.strip(" ,"))
    return agencies_in(coord)[0]


SUBJECT_END_RE = pattern("agency.subject_end")


def opening_agencies(text: str) -> tuple[str, ...]:
    """Agencies a clause opens with ('Các đơn vị, địa phương tăng cường ...' -> both)."""
    text = strip_marker(text).strip(" ,")
    for stop in (SUBJECT_END_RE.search(text), name_stop_re().search(text), SUBJECT_STOP_RE.search(text)):
        if stop:
            text = text[: stop.start()]
    return agencies_in(text)[0] if len(text.split()) <= MAX_NAME_WORDS else ()
