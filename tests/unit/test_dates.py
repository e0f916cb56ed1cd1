"""The one dates module: deadline ranges, formatters and the date forms of questions."""

from hoidap.corpus import dates


def test_deadline_range_and_years():
    assert dates.deadline_range("trước ngày 01 tháng 01 năm 2026") == (None, "2026-01-01")
    assert dates.deadline_range("Quý IV/2025 - Quý II/2026") == ("2025-10-01", "2026-06-30")
    assert dates.deadline_range("từ năm 2026 trở đi") == ("2026-01-01", None)
    assert dates.deadline_years("từ năm 2021 đến năm 2025") == [(2021, 2021), (2021, 2025), (2025, 2025)]


def test_formatters():
    assert dates.iso_date(2026, 2, 30) is None
    assert dates.iso_text("2026", "2", "30") == "2026-02-30"  # as printed: a header's slip is kept
    assert dates.vn_date("2025-11-05") == "ngày 05/11/2025"


def test_question_dates_and_printed_dates():
    assert dates.question_dates("han ngay 5 thang 3 nam 2026 hay 30/6/2026") == ["2026-03-05", "2026-06-30"]
    assert dates.QUESTION_YEAR_RE.findall("nam 2026, so 12/2025/nd-cp") == ["2026"]
    printed = dates.PRINTED_DATE_RE.search("Hà Nội, ngày 25 tháng 11 năm 2025")
    assert printed.group() == "ngày 25 tháng 11 năm 2025"
