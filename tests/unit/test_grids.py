"""Tables of yearly figures: both text forms, sub-columns, group titles, and picking the asked cell."""

from hoidap.corpus.grids import PipeRow, PipeTable, pipe_tables, year_grids
from hoidap.corpus.normalize import fold
from hoidap.service.grid_lookup import grid_answer, row_value


def _flattened(cells: list[str]) -> str:
    # One cell a line between "|" lines, as PDF/web converters write tables; "" is an empty cell.
    out = ["Phụ lục: chỉ tiêu theo năm", ""]
    for c in cells:
        out += ["|", c] if c else ["|"]
    return "\n".join([*out, "|", "", "Nơi nhận: như trên."]) + "\n"


# fmt: off
FLAT = _flattened([
    "**TT**", "**Chỉ tiêu**", "**ĐVT**", "**Năm 2024**", "**GIAI ĐOẠN 2025 - 2027**", "",
    "**Năm 2025**", "**Năm 2026**", "**Năm 2027**", "",
    "**1**", "**Lúa gạo**", "", "", "", "", "", "",
    "-", "Diện tích", "Ha", "41.000", "40.500", "40.000", "39.000", "",
    "-", "Sản lượng", "Tấn", "250.000", "255.000", "260.000", "265.000", "",
    "**2**", "**Thanh long**", "", "", "", "", "", "",
    "-", "Diện tích", "Ha", "1.200", "1.300", "1.450", "1.600",
])
# fmt: on

PIPE = "\n".join(
    [
        "Bảng 2. Sản phẩm xuất khẩu",
        "| TT | Sản phẩm | Kế hoạch 2025 | Kế hoạch 2026 |",
        "| --- | --- | --- | --- |",
        "|  |  | Lượng (tấn) | Giá trị (nghìn USD) | Lượng (tấn) | Giá trị (nghìn USD) |",
        "| 1 | Hạt điều | 1.500 | 9.000 |  | 11.200 |",
        "| 2 | Cá tra phi lê | 800 | 2.400 | 900 | 2.750 |",
        "",
        "Ghi chú: số liệu dự kiến.",
    ]
)


def test_flattened_table_rows_groups_and_offsets() -> None:
    (grid,) = year_grids(FLAT)
    assert grid.years == (2024, 2025, 2026, 2027) and grid.subs == ()
    cell = next(v for v in grid.values if v.group == "Lúa gạo" and v.label == "Sản lượng" and v.year == 2026)
    assert cell.value == "260.000" and cell.unit == "Tấn" and FLAT[cell.start : cell.end] == "260.000"
    assert FLAT[cell.row_start :].startswith("Sản lượng")
    groups = {v.group for v in grid.values}
    assert groups == {"Lúa gạo", "Thanh long"}


def test_pipe_table_with_sub_columns_and_an_empty_cell() -> None:
    (grid,) = year_grids(PIPE)
    assert grid.years == (2025, 2026)
    assert grid.subs == ("Lượng (tấn)", "Giá trị (nghìn USD)")
    cashew = {(v.year, v.sub): v.value for v in grid.values if v.label == "Hạt điều"}
    # The empty 2026 quantity keeps its place: the 2026 value is not shifted into it.
    assert cashew == {
        (2025, "Lượng (tấn)"): "1.500",
        (2025, "Giá trị (nghìn USD)"): "9.000",
        (2026, "Giá trị (nghìn USD)"): "11.200",
    }


def test_prose_without_year_columns_has_no_grid() -> None:
    text = "| TT | Nhiệm vụ | Cơ quan chủ trì | Thời hạn |\n| 1 | Lập đề án | Sở Tài chính | Năm 2025 |\n"
    assert year_grids(text) == []


def test_the_asked_row_group_sub_column_and_year() -> None:
    grids = year_grids(FLAT) + year_grids(PIPE)
    ans = grid_answer(grids, fold("Diện tích thanh long năm 2026 là bao nhiêu ha?"), [2026])
    assert ans is not None and [v.value for v in ans.values] == ["1.450"]
    ans = grid_answer(grids, fold("gia tri hat dieu xuat khau nam 2026"), [2026])
    assert ans is not None and ans.text() == "11.200 (Giá trị (nghìn USD), Kế hoạch 2026)"
    # No sub-column named: each one of the year is given.
    ans = grid_answer(grids, fold("cá tra phi lê năm 2025"), [2025])
    assert ans is not None and [v.value for v in ans.values] == ["800", "2.400"]


def test_an_ambiguous_or_absent_row_gives_nothing() -> None:
    grids = year_grids(FLAT)
    # "Diện tích" of which crop? Two groups fit equally.
    assert grid_answer(grids, fold("diện tích năm 2026"), [2026]) is None
    assert grid_answer(grids, fold("diện tích cà phê năm 2026"), [2026]) is None
    assert grid_answer(grids, fold("diện tích thanh long"), []) is None
    assert grid_answer(grids, fold("diện tích thanh long năm 2031"), [2031]) is None


# A provincial People's Council resolution on fees, as a .md file with a two-row header (a spanning title
# row, then the columns); written for this test.
FEES = """Điều 2. Mức thu lệ phí
| Nội dung | Mức thu (đồng/giấy phép) | Mức thu (đồng/giấy phép) |
| --- | --- | --- |
| | Khu vực I | Khu vực II |
| Cấp mới giấy phép | 600.000 | 450.000 |
| Cấp lại giấy phép | 450.000 | 300.000 |
Điều 3. Tổ chức thực hiện
"""


def _row(text: str, label: str) -> tuple[PipeTable, PipeRow]:
    table = pipe_tables(text)[0]
    return table, next(r for r in table.rows if r.cells[0].text == label)


def test_a_pipe_table_is_read_row_by_row_with_its_joined_header() -> None:
    table, row = _row(FEES, "Cấp lại giấy phép")
    assert table.header == (
        "Nội dung",
        "Mức thu (đồng/giấy phép) Khu vực I",
        "Mức thu (đồng/giấy phép) Khu vực II",
    )
    assert [r.cells[0].text for r in table.rows] == ["Cấp mới giấy phép", "Cấp lại giấy phép"]
    assert FEES[row.start : row.end].startswith("| Cấp lại giấy phép")


def test_the_cell_of_the_column_the_question_names() -> None:
    table, row = _row(FEES, "Cấp lại giấy phép")
    assert row_value(table, row, fold("le phi cap lai giay phep khu vuc ii la bao nhieu")) == ("300.000", 1.0)
    both = row_value(table, row, fold("mức thu lệ phí cấp lại giấy phép"))
    assert both is not None and "450.000" in both[0] and "300.000" in both[0]  # no column named: each one
    other = row_value(table, row, fold("muc thu le phi gia han giay phep khu vuc i"))
    assert other == ("450.000", 0.0)  # the column asked, but the row's label is not what the question names


def test_a_row_broken_off_its_table_gives_nothing() -> None:
    lone = "| Cấp mới giấy phép | 600.000 | 450.000 |\n| Cấp lại giấy phép | 450.000 | 300.000 |\n"
    table, row = _row(lone, "Cấp lại giấy phép")
    assert row_value(table, row, fold("cap lai giay phep")) is None  # value columns without a header
