"""The task list as files: a CSV with every column, and a report that prints (XLSX), named for the
filters that chose the rows. Rows come from the service's `TaskFilter`, as in the API and the CLI."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from hoidap.corpus.normalize import fold
from hoidap.service.filters import TaskFilter, deadline_needle_years
from hoidap.service.qa import QAService
from hoidap.ui.common import ALL_DOCS

TASK_COLUMNS = ["Văn bản", "Số hiệu nhiệm vụ", "Nội dung", "Chủ trì", "Phối hợp", "Thời hạn"]
ROLE_NOTE = {"lead": "chủ trì", "coordinating": "phối hợp"}
# The printable report: what a department reads, with column widths in characters.
REPORT_COLUMNS = [
    ("STT", 6),
    ("Văn bản", 22),
    ("Số hiệu nhiệm vụ", 10),
    ("Nội dung", 64),
    ("Chủ trì", 24),
    ("Phối hợp", 28),
    ("Thời hạn", 14),
]
REPORT_HEADER_ROW = 4  # title, filters, blank, header
EXPORT_COLUMNS = [*TASK_COLUMNS, "Mã văn bản", "Mục", "Ký tự bắt đầu", "Ký tự kết thúc"]


def task_rows(
    svc: QAService | None,
    doc_id: str | None = None,
    agency: str | None = None,
    deadline: str | None = None,
    text: str | None = None,
    role: str | None = None,
) -> list[dict[str, Any]]:
    """Task records matching the filters (the same `TaskFilter` as the API and the CLI)."""
    if svc is None:
        return []
    doc_ids = (doc_id,) if doc_id and doc_id != ALL_DOCS and doc_id in svc.docs else ()
    role = role if role in ("lead", "coordinating") else "any"
    flt = TaskFilter(doc_ids=doc_ids, agency=agency, deadline=deadline, text=text, role=role)  # type: ignore[arg-type]
    return [
        {
            "Văn bản": d.info.short_title,
            "Số hiệu nhiệm vụ": t.task_id,
            "Nội dung": t.content,
            "Chủ trì": "; ".join(t.lead),
            "Phối hợp": "; ".join(t.coordinating),
            "Thời hạn": t.deadline or "",
            "Mã văn bản": d.doc_id,
            "Mục": t.breadcrumb,
            "Ký tự bắt đầu": t.char_start,
            "Ký tự kết thúc": t.char_end,
        }
        for d, t in svc.tasks(flt)
    ]


_EXPORT_ROOT: Path | None = None
_EXPORT_LOCK = threading.Lock()


MAX_EXPORTS = 200  # export folders kept at once (each task filter makes one; ~27 KB each)


def _export_dir(key: str) -> Path:
    """The folder for one export: the same rows and filters reuse theirs; folders over an hour old,
    and the oldest beyond `MAX_EXPORTS`, are removed."""
    global _EXPORT_ROOT
    with _EXPORT_LOCK:
        if _EXPORT_ROOT is None or not _EXPORT_ROOT.exists():
            _EXPORT_ROOT = Path(tempfile.mkdtemp(prefix="hoidap-export-"))
        now = time.time()
        kept = []
        for old in _EXPORT_ROOT.iterdir():
            age = now - old.stat().st_mtime
            if age > 3600:
                shutil.rmtree(old, ignore_errors=True)
            elif old.name != key:
                kept.append((age, old))
        for _, old in sorted(kept)[MAX_EXPORTS - 1 :]:  # oldest last
            shutil.rmtree(old, ignore_errors=True)
        folder = _EXPORT_ROOT / key
        folder.mkdir(exist_ok=True)
        os.utime(folder)
        return folder


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet will not run as a formula: a leading = + - @ (or tab/CR) gets an apostrophe.

    Uploaded documents are anyone's text, and Excel/LibreOffice evaluate `=HYPERLINK(...)` and friends
    when the export is opened. Numbers stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: list[dict[str, Any]], path: Path) -> Path:
    """UTF-8 with BOM, so Excel opens the Vietnamese text correctly."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=EXPORT_COLUMNS)
        w.writeheader()
        w.writerows({c: safe_cell(r[c]) for c in EXPORT_COLUMNS} for r in rows)
    return path


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")[:limit].strip("-")


def filter_summary(
    svc: QAService | None,
    doc_id: str | None,
    agency: str | None,
    deadline: str | None,
    text: str | None,
    role: str | None,
) -> tuple[str, str]:
    """(a line naming the filters for the report's title, a file-name stem saying what it holds)."""
    said: list[str] = []
    stem: list[str] = []
    if svc is not None and doc_id and doc_id != ALL_DOCS and doc_id in svc.docs:
        title = svc.docs[doc_id].info.short_title
        said.append(f"văn bản: {title}")
        stem.append(_slug(title))
    if agency and agency.strip():
        how = ROLE_NOTE.get(role or "", "chủ trì hoặc phối hợp")
        # The agency's full name, not what was typed ("so khdt"): the report goes to other offices.
        name = (svc.agency_name(agency) if svc is not None else None) or agency.strip()
        said.append(f"cơ quan {how}: {name}")
        stem.append(_slug(name) + (f"-{_slug(ROLE_NOTE[role])}" if role in ROLE_NOTE else ""))
    if deadline and deadline.strip():
        years = deadline_needle_years(deadline)
        if years and years[0] != years[1]:  # however the range was typed, one wording and file name
            said.append(f"thời hạn trong các năm {years[0]}–{years[1]}")
            stem.append(f"{years[0]}-{years[1]}")
        else:
            said.append(f"thời hạn: {deadline.strip()}")
            stem.append(_slug(deadline))
    if text and text.strip():
        said.append(f"từ khóa: {text.strip()}")
        stem.append(_slug(text))
    name = "nhiem-vu_" + ("_".join(x for x in stem if x) or "tat-ca") + f"_{date.today().isoformat()}"
    return ("; ".join(said) or "tất cả nhiệm vụ"), name


def write_xlsx(rows: list[dict[str, Any]], path: Path, filters: str = "tất cả nhiệm vụ") -> Path:
    """A report that prints: title row naming the filters and the date, STT, the columns a department
    reads, borders, the header row repeated on every page, A4 landscape fitted to one page wide.

    Text is stored as text: a cell that starts like a formula (= + - @) is typed as a string, so a
    spreadsheet never evaluates an uploaded document's words.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ncol = len(REPORT_COLUMNS)
    last = get_column_letter(ncol)
    ws["A1"] = "DANH SÁCH NHIỆM VỤ"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = f"Lọc: {filters} · {len(rows)} nhiệm vụ · xuất ngày {date.today().strftime('%d/%m/%Y')}"
    ws["A2"].font = Font(italic=True)
    for r in (1, 2):
        ws.merge_cells(f"A{r}:{last}{r}")
        ws[f"A{r}"].alignment = Alignment(horizontal="center", wrap_text=True)
    ws.row_dimensions[2].height = 30
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top = Alignment(wrap_text=True, vertical="top")
    h = REPORT_HEADER_ROW
    for j, (name, width) in enumerate(REPORT_COLUMNS, 1):
        cell = ws.cell(row=h, column=j, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F3")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    for i, r in enumerate(rows, 1):
        values = [i, *(r[name] for name, _ in REPORT_COLUMNS[1:])]
        for j, value in enumerate(values, 1):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = ws.cell(row=h + i, column=j, value=value)
            if isinstance(value, str) and cell.data_type == "f":
                cell.data_type = "s"  # text that merely looks like a formula
            cell.border = border
            cell.alignment = top
    ws.print_title_rows = f"{h}:{h}"
    ws.freeze_panes = f"A{h + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.oddFooter.center.text = "Trang &P/&N"
    wb.save(path)
    return path


def export_files(
    rows: list[dict[str, Any]], filters: str = "tất cả nhiệm vụ", stem: str = "nhiem-vu"
) -> tuple[str, str]:
    content = json.dumps(
        [rows, filters, stem, date.today().isoformat()], ensure_ascii=False, default=str, sort_keys=True
    )
    folder = _export_dir(hashlib.sha256(content.encode("utf-8")).hexdigest()[:32])
    csv_path, xlsx_path = folder / f"{stem}.csv", folder / f"{stem}.xlsx"
    if not (csv_path.exists() and xlsx_path.exists()):  # written before for the same rows: reused
        token = uuid.uuid4().hex  # a concurrent export of the same rows never sees half a file
        os.replace(write_csv(rows, folder / f"{token}.csv"), csv_path)
        os.replace(write_xlsx(rows, folder / f"{token}.xlsx", filters), xlsx_path)
    return str(csv_path), str(xlsx_path)
