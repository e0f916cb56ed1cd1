"""Deadlines as written ('Quý III/2026', 'trước ngày 01 tháng 01 năm 2026') -> a date range.

The verbatim text stays on the task; the range (ISO dates, None for an open side) is only
for filtering. Recurring or relative deadlines ('thường xuyên', 'hằng năm', 'trước ngày
31/01 năm liền kề') have no range.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_DAY = r"(?P<d>\d{1,2})"
FULL_DATE_RE = re.compile(
    r"(?:ngày\s*)?(?P<d>\d{1,2})\s*(?:/|tháng)\s*(?P<m>\d{1,2})\s*(?:/|năm)\s*(?P<y>\d{4})", re.IGNORECASE
)
QUARTER_RE = re.compile(r"quý\s*(?P<q>IV|I{1,3}|[1-4])\s*(?:/|năm|,)?\s*(?P<y>\d{4})", re.IGNORECASE)
MONTH_RE = re.compile(r"tháng\s*(?P<m>\d{1,2})\s*(?:/|năm)\s*(?P<y>\d{4})", re.IGNORECASE)
YEAR_RANGE_RE = re.compile(r"(?<!\d)(?P<a>(?:19|20)\d{2})\s*[-–]\s*(?:năm\s*)?(?P<b>(?:19|20)\d{2})(?!\d)")
YEAR_RE = re.compile(r"(?<![\d/])(?P<y>(?:19|20)\d{2})(?![\d/])")
BEFORE_RE = re.compile(r"trước|chậm nhất|hạn chót|không quá", re.IGNORECASE)


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _month_end(y: int, m: int) -> str | None:
    if not 1 <= m <= 12:
        return None
    return _iso(y, m, calendar.monthrange(y, m)[1])


def _points(text: str) -> list[tuple[str | None, str | None, int]]:
    """Every dated expression in the text as (start, end, position)."""
    found: list[tuple[str | None, str | None, int]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in FULL_DATE_RE.finditer(text):
        d = _iso(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        found.append((d, d, m.start()))
        taken.append(m.span())
    for m in QUARTER_RE.finditer(text):
        if not free(*m.span()):
            continue
        q = ROMAN.get(m.group("q").upper()) or int(m.group("q"))
        y = int(m.group("y"))
        found.append((_iso(y, 3 * q - 2, 1), _month_end(y, 3 * q), m.start()))
        taken.append(m.span())
    for m in MONTH_RE.finditer(text):
        if not free(*m.span()):
            continue
        y, mo = int(m.group("y")), int(m.group("m"))
        if 1 <= mo <= 12:
            found.append((_iso(y, mo, 1), _month_end(y, mo), m.start()))
        taken.append(m.span())
    for m in YEAR_RANGE_RE.finditer(text):
        if not free(*m.span()):
            continue
        found.append((_iso(int(m.group("a")), 1, 1), _iso(int(m.group("b")), 12, 31), m.start()))
        taken.append(m.span())
    for m in YEAR_RE.finditer(text):
        if not free(*m.span()):
            continue
        y = int(m.group("y"))
        found.append((_iso(y, 1, 1), _iso(y, 12, 31), m.start()))
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
    end = points[-1][1] if len(points) > 1 and re.search(r"[-–]|đến", text) else points[0][1]
    if BEFORE_RE.search(text[: points[0][2]]):
        start = None
    if re.search(r"tiếp theo|trở đi|về sau", text, re.IGNORECASE):
        end = None
    return start, end


_ANY_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def deadline_years(text: str | None) -> list[tuple[int, int]]:
    """The spans of years (first, last) a printed deadline speaks of, for filtering by a range of years.

    Every year it mentions, whatever the form ('30/6/2026', 'Quý II/2026', '06/2026'), is a span of one
    year; a printed range ('2026 - 2030', 'từ năm 2021 đến năm 2025', 'Quý IV/2025 - Quý II/2026') is a
    span too. Only a range printed as one counts as a whole: in 'giai đoạn 2026-2030, tầm nhìn 2045'
    the years 2031-2044 are not covered. No year ('thường xuyên') -> [].
    """
    if not text:
        return []
    spans = [(int(m.group()), int(m.group())) for m in _ANY_YEAR_RE.finditer(text)]
    points = _points(text)
    for start, end, _ in points:
        if start and end:
            spans.append((int(start[:4]), int(end[:4])))
    # Two dated points joined ('từ năm 2021 đến năm 2025', 'Quý IV/2025 - Quý II/2026'): the years
    # between are covered too; 'trong năm 2020; ký … đến năm 2025' names two years, not a span.
    joined = len(points) == 2 and re.fullmatch(
        r".{0,20}?\s*(?:[-–]|đến|tới)\s*(?:năm\s*)?", text[points[0][2] : points[1][2]], re.IGNORECASE
    )
    if joined and all(s and e and s[:4] == e[:4] for s, e, _ in points):
        start, end = deadline_range(text)
        if start and end:
            spans.append((int(start[:4]), int(end[:4])))
    return sorted(set(spans))
