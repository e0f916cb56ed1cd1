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
