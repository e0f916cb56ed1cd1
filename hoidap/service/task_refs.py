"""Task references in a question: "nhiệm vụ 7", "5.4", "II.2.đ-1", "điểm b khoản 2 mục II", …"""

from __future__ import annotations

import re

from hoidap.service.catalog import ROMAN_HEAD_RE
from hoidap.service.views import Views, overlaps
from hoidap.service.vocabulary import patterns, vocabulary

_P = patterns()
# Words that introduce a task reference before a bare number ("nhiệm vụ 7", "stt 7").
TASK_CUES = vocabulary().task_cues
# A figure, not a task id, follows these words / is followed by these units.
_VALUE_BEFORE_RE = _P.named["value_before"]
_VALUE_UNITS_RE = _P.named["value_units"]


_LETTER = r"(?P<letter>dd|[a-z])(?![a-z0-9])\)?"


_LINK = r"\s*,?\s*(?:(?:cua|thuoc|trong|tai|o)\s+)?"


# "điểm b mục 2", "điểm đ khoản 2 mục II", "điểm b) khoản 2, mục II".
_POINT_RE = re.compile(
    rf"(?<![a-z0-9])(?:diem|tiet)\s+{_LETTER}{_LINK}(?:khoan|muc|tieu muc|phan|so)\s+(?P<num>\d{{1,2}})"
    rf"(?!\d|[.,/]\d)(?:{_LINK}(?:muc|phan|chuong)\s+(?P<top>[ivx]{{1,4}}|\d{{1,2}})(?![a-z0-9]))?"
)


# "mục 2 điểm b".
_POINT_AFTER_RE = re.compile(
    rf"(?<![a-z0-9])(?:khoan|muc|tieu muc)\s+(?P<num>\d{{1,2}})\s*,?\s+(?:diem|tiet)\s+{_LETTER}"
)


# "khoản 2 mục II", "mục 2 phần III".
_ITEM_IN_SECTION_RE = re.compile(
    rf"(?<![a-z0-9])(?:khoan|muc|tieu muc)\s+(?P<num>\d{{1,2}}){_LINK}(?:muc|phan|chuong)\s+"
    r"(?P<top>[ivx]{1,4})(?![a-z0-9])"
)


_ID_BODY = r"(?:[ivx]{1,4}\.)?\d{1,2}(?:\.\d{1,2}){0,2}(?:\.(?:dd|[a-z]))?(?:\(\d{1,2}\))?(?:-\d{1,2})?"


_ID_END = r"(?![\w/]|[.,]\d|-[a-z])"


# Dotted ids standing alone: "5.4", "II.2.đ-1", "III.2-3", "II.2.b(2)", "VI.2".
_DOTTED_RE = re.compile(rf"(?<![\w.,/-])(?P<id>{_ID_BODY}){_ID_END}")


# A cue word before a bare number or roman numeral: "nhiệm vụ 7", "nv số 3.6", "phần III".
# "nhiệm vụ 6 tháng cuối năm", "nhiệm vụ năm 2026": a number counting a time is no task's.
_DURATION = r"(?!\s+(?:thang|nam|ngay|tuan|quy)\b)"


_CUED_RE = re.compile(
    rf"(?<![a-z0-9]){TASK_CUES}\s*(?:(?:so|thu)\s+)?(?P<id>{_ID_BODY}|[ivx]{{1,4}}){_ID_END}{_DURATION}"
    rf"(?P<more>(?:\s*(?:,|va|hoac)\s*\d{{1,2}}(?:\.\d{{1,2}})?{_ID_END})*)"
)


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX", 10: "X"}


def _canonical_id(low: str) -> str:
    """'ii.2.dd' -> 'II.2.đ': roman part upper-cased, letters from the accented view."""
    text = low.replace(".dd", ".đ")
    m = ROMAN_HEAD_RE.match(text)
    if m:
        return text[: m.end()].upper() + text[m.end() :]
    return text.upper() if re.fullmatch(r"[ivx]{1,4}", text) else text


def _letter(v: Views, m: re.Match[str]) -> str:
    s, e = m.span("letter")
    return "đ" if m.group("letter") == "dd" else v.low[s:e]


def _top(raw: str | None) -> str | None:
    if raw is None:
        return None
    return _ROMAN.get(int(raw), raw) if raw.isdigit() else raw.upper()


def find_task_ids(v: Views, blocked: list[tuple[int, int]]) -> list[tuple[str, tuple[int, int]]]:
    """Task references (canonical id, span) in question order."""
    found: list[tuple[int, str, tuple[int, int]]] = []
    taken = list(blocked)

    def add(start: int, task_id: str, span: tuple[int, int]) -> None:
        if not overlaps(span, taken):
            found.append((start, task_id, span))
            taken.append(span)

    for m in _POINT_RE.finditer(v.al):
        top = _top(m.group("top"))
        add(m.start(), f"{top + '.' if top else ''}{m.group('num')}.{_letter(v, m)}", m.span())
    for m in _POINT_AFTER_RE.finditer(v.al):
        add(m.start(), f"{m.group('num')}.{_letter(v, m)}", m.span())
    for m in _ITEM_IN_SECTION_RE.finditer(v.al):
        add(m.start(), f"{_top(m.group('top'))}.{m.group('num')}", m.span())
    for m in _CUED_RE.finditer(v.al):
        s, e = m.span("id")
        raw = v.low[s:e]
        if re.fullmatch(r"[ivx]{1,4}", v.al[s:e]) and (raw != v.al[s:e] or not v.norm[s:e].isupper()):
            # "phần vi" is a word and "mục vị trí" holds one: roman numerals alone are typed in capitals
            continue
        add(m.start(), _canonical_id(raw), (m.start(), e))
        for extra in re.finditer(r"\d{1,2}(?:\.\d{1,2})?", m.group("more")):
            xs = m.start("more") + extra.start()
            add(xs, extra.group(), (xs, xs + len(extra.group())))
    for m in _DOTTED_RE.finditer(v.al):
        raw = m.group("id")
        if "." not in raw and "-" not in raw:
            continue  # a bare number needs a cue word
        if "." not in raw.split("-")[0] and not ROMAN_HEAD_RE.match(raw):
            continue  # "12-3" is no id
        if _VALUE_BEFORE_RE.search(v.al[: m.start()]) or _VALUE_UNITS_RE.match(v.al[m.end() :]):
            continue  # "đạt 8.5", "5.4 triệu tấn": a figure
        s, e = m.span("id")
        add(m.start(), _canonical_id(v.low[s:e]), m.span())
    return [(task_id, span) for _, task_id, span in sorted(found)]
