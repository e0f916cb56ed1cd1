"""Dates, deadlines and years: every date form the parser and the answerer read, and the date formatters.

The forms themselves are named patterns of corpus/data/patterns.json ("dates.*"); this module holds them
under one roof with what turns them into values:

- deadlines as written ('Quý III/2026', 'trước ngày 01 tháng 01 năm 2026') -> a date range
  (`deadline_range`) or the years they speak of (`deadline_years`). The verbatim text stays on the
  task; the range (ISO dates, None for an open side) is only for filtering. Recurring or relative
  deadlines ('thường xuyên', 'hằng năm', 'trước ngày 31/01 năm liền kề') have no range;
- ISO dates from their parts (`iso_date`, checked; `iso_text`, as printed) and back to the way a
  Vietnamese text writes them (`vn_date`);
- the forms by which tasks state their deadlines (narrative, report, parenthesised), a deadline or
  time in prose (`DEADLINE_RE`, `BARE_TIME_RE`, `EVENT_TIME_RE`), a schedule cell (`DEADLINE_LIKE_RE`),
  a letterhead's place-and-date line (`PLACE_DATE_RE`), a year heading a table column (`YEAR_CELL_RE`),
  and the forms a question writes dates and years in (`QUESTION_DATE_RES`, `QUESTION_YEAR_RE`).
"""

from __future__ import annotations

import calendar
from datetime import date

from hoidap.corpus.vocab import pattern

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}

# Points in a deadline, read by `deadline_range` in this order (an earlier form's span is not read again).
FULL_DATE_RE = pattern("dates.full_date")
QUARTER_RE = pattern("dates.quarter")
MONTH_RE = pattern("dates.month")
YEAR_RANGE_RE = pattern("dates.year_range")
YEAR_RE = pattern("dates.year")
ANY_YEAR_RE = pattern("dates.any_year")
BEFORE_RE = pattern("dates.before")
_RANGE_JOIN_RE = pattern("dates.range_join")
_OPEN_END_RE = pattern("dates.open_end")
_POINTS_JOINED_RE = pattern("dates.points_joined")

# Deadlines stated by tasks and in prose.
PAREN_DEADLINE_RE = pattern("dates.paren_deadline")
NARRATIVE_DEADLINE_RE = pattern("dates.narrative_deadline")
REPORT_DEADLINE_RE = pattern("dates.report_deadline")
DEADLINE_RE = pattern("dates.deadline")
EVENT_TIME_RE = pattern("dates.event_time")
CITED_BEFORE_RE = pattern("dates.cited_before")
BARE_TIME_RE = pattern("dates.bare_time")
YEAR_ONLY_RE = pattern("dates.year_only")
DATE_WORD_BEFORE_RE = pattern("dates.date_word_before")
DATE_REST_AFTER_RE = pattern("dates.date_rest_after")
DEADLINE_LIKE_RE = pattern("dates.deadline_like")
DEADLINE_START_RE = pattern("dates.deadline_start")

# Dates printed in a document's header and captions; a year heading a table column.
PLACE_DATE_RE = pattern("dates.place_date")
BLANK_PLACE_DATE_RE = pattern("dates.blank_place_date")
PRINTED_DATE_RE = pattern("dates.printed_date")
YEAR_CELL_RE = pattern("dates.year_cell")

# Dates and years as a question writes them (folded text).
QUESTION_DATE_RES = (pattern("dates.question_date_numeric"), pattern("dates.question_date_words"))
QUESTION_YEAR_RE = pattern("dates.question_year")
YEAR_SPAN_RE = pattern("dates.year_span")
PERIOD_AFTER_RE = pattern("dates.period_after")


def iso_date(y: int, m: int, d: int) -> str | None:
    """'yyyy-mm-dd' of a real calendar day, else None (30/02)."""
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def iso_text(y: int | str, m: int | str, d: int | str) -> str:
    """'yyyy-mm-dd' of a date as printed, unchecked (a header's date is kept as the document prints it)."""
    return f"{y}-{int(m):02d}-{int(d):02d}"


def vn_date(iso: str) -> str:
    """'2025-11-25' -> 'ngày 25/11/2025'."""
    y, m, d = iso.split("-")
    return f"ngày {int(d):02d}/{int(m):02d}/{y}"


def _month_end(y: int, m: int) -> str | None:
    if not 1 <= m <= 12:
        return None
    return iso_date(y, m, calendar.monthrange(y, m)[1])


def _points(text: str) -> list[tuple[str | None, str | None, int]]:
    """Every dated expression in the text as (start, end, position)."""
    found: list[tuple[str | None, str | None, int]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in FULL_DATE_RE.finditer(text):
        d = iso_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        found.append((d, d, m.start()))
        taken.append(m.span())
    for m in QUARTER_RE.finditer(text):
        if not free(*m.span()):
            continue
        q = ROMAN.get(m.group("q").upper()) or int(m.group("q"))
        y = int(m.group("y"))
        found.append((iso_date(y, 3 * q - 2, 1), _month_end(y, 3 * q), m.start()))
        taken.append(m.span())
    for m in MONTH_RE.finditer(text):
        if not free(*m.span()):
            continue
        y, mo = int(m.group("y")), int(m.group("m"))
        if 1 <= mo <= 12:
            found.append((iso_date(y, mo, 1), _month_end(y, mo), m.start()))
        taken.append(m.span())
    for m in YEAR_RANGE_RE.finditer(text):
        if not free(*m.span()):
            continue
        found.append((iso_date(int(m.group("a")), 1, 1), iso_date(int(m.group("b")), 12, 31), m.start()))
        taken.append(m.span())
    for m in YEAR_RE.finditer(text):
        if not free(*m.span()):
            continue
        y = int(m.group("y"))
        found.append((iso_date(y, 1, 1), iso_date(y, 12, 31), m.start()))
        taken.append(m.span())
    return sorted(found, key=lambda x: x[2])


def deadline_range(text: str | None) -> tuple[str | None, str | None]:
    """(start, end) ISO dates covered by a deadline; None where open or unknown.

    'trước ngày 01 tháng 01 năm 2026' -> (None, '2026-01-01');
    'Quý IV/2025 - Quý II/2026' -> ('2025-10-01', '2026-06-30'); 'năm 2026 - 2027' ->
    ('2026-01-01', '2027-12-31'); 'thường xuyên' -> (None, None).
    """
    if not text:
        return None, None
    points = _points(text)
    if not points:
        return None, None
    start = points[0][0]
    end = points[-1][1] if len(points) > 1 and _RANGE_JOIN_RE.search(text) else points[0][1]
    if BEFORE_RE.search(text[: points[0][2]]):
        start = None
    if _OPEN_END_RE.search(text):
        end = None
    return start, end


def deadline_years(text: str | None) -> list[tuple[int, int]]:
    """The spans of years (first, last) a printed deadline speaks of, for filtering by a range of years.

    Every year it mentions, whatever the form ('30/6/2026', 'Quý II/2026', '06/2026'), is a span of one
    year; a printed range ('2026 - 2030', 'từ năm 2021 đến năm 2025', 'Quý IV/2025 - Quý II/2026') is a
    span too. Only a range printed as one counts as a whole: in 'giai đoạn 2026-2030, tầm nhìn 2045'
    the years 2031-2044 are not covered. No year ('thường xuyên') -> [].
    """
    if not text:
        return []
    spans = [(int(m.group()), int(m.group())) for m in ANY_YEAR_RE.finditer(text)]
    points = _points(text)
    for start, end, _ in points:
        if start and end:
            spans.append((int(start[:4]), int(end[:4])))
    # Two dated points joined ('từ năm 2021 đến năm 2025', 'Quý IV/2025 - Quý II/2026'): the years
    # between are covered too; 'trong năm 2020; ký … đến năm 2025' names two years, not a span.
    joined = len(points) == 2 and _POINTS_JOINED_RE.fullmatch(text[points[0][2] : points[1][2]])
    if joined and all(s and e and s[:4] == e[:4] for s, e, _ in points):
        start, end = deadline_range(text)
        if start and end:
            spans.append((int(start[:4]), int(end[:4])))
    return sorted(set(spans))


def question_dates(folded: str) -> list[str]:
    """ISO dates written in a (folded) question, in order, without repeats ('30/6/2026', 'ngay 5 thang
    3 nam 2026')."""
    found: list[tuple[int, str]] = []
    for rx in QUESTION_DATE_RES:
        for m in rx.finditer(folded):
            d, mo, y = int(m["d"]), int(m["m"]), int(m["y"])
            if 1 <= d <= 31 and 1 <= mo <= 12:
                found.append((m.start(), f"{y:04d}-{mo:02d}-{d:02d}"))
    return list(dict.fromkeys(iso for _, iso in sorted(found)))
