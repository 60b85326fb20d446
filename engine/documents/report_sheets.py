"""The reports as spreadsheets (openpyxl), and as PDF through LibreOffice.

Each sheet is laid out as the paper form is printed: the reporting unit, the form's
number, its title and period, the merged header, the figures, a totals row; A4
landscape, fitted to one page wide.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from engine.documents.render import office_to_pdf
from engine.services.register import RegisterRow
from engine.services.report_scope import GROUPINGS, ReportScope
from engine.services.statistics import BIEU_06_HEADER, BIEU_06_TITLE, Bieu06, ProcedureRow

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
BOLD = Font(name="Times New Roman", bold=True, size=11)
NORMAL = Font(name="Times New Roman", size=11)


def _sheet(title: str) -> tuple[Workbook, Worksheet]:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    return book, sheet


def _heading(sheet: Worksheet, width: int, unit: str, form: str, title: str, period: str) -> int:
    """The lines above the table; returns the next free row."""
    half = max(2, width // 2)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=half)
    sheet.cell(1, 1, f"Đơn vị báo cáo: {unit}").font = BOLD
    sheet.merge_cells(start_row=1, start_column=half + 1, end_row=1, end_column=width)
    cell = sheet.cell(1, half + 1, form)
    cell.font, cell.alignment = BOLD, Alignment(horizontal="right")
    for row, text, font in ((3, title, Font(name="Times New Roman", bold=True, size=13)), (4, period, NORMAL)):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = sheet.cell(row, 1, text)
        cell.font, cell.alignment = font, Alignment(horizontal="center")
    return 6


def _cell(sheet: Worksheet, row: int, column: int, value: object, font: Font = NORMAL, align: Alignment = WRAP) -> Cell:
    cell = sheet.cell(row, column, value)
    cell.font, cell.alignment, cell.border = font, align, BOX
    return cell


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bieu_06_xlsx(report: Bieu06) -> bytes:
    """Biểu số 06/VPCP/KSTT with its two-row header, the column numbers, the rows and the totals."""
    scope = report.scope
    book, sheet = _sheet("Biểu 06")
    width = 2 + sum(len(columns) for _, columns in BIEU_06_HEADER)
    top = _heading(sheet, width, scope.unit_name, "Biểu số 06/VPCP/KSTT", BIEU_06_TITLE, scope.period.label)
    for column, label in ((1, "STT"), (2, GROUPINGS[scope.by])):
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
        _cell(sheet, top, column, label, BOLD, CENTER)
        _cell(sheet, top + 1, column, None, BOLD, CENTER)
    column = 3
    for group, columns in BIEU_06_HEADER:
        sheet.merge_cells(start_row=top, start_column=column, end_row=top, end_column=column + len(columns) - 1)
        for offset, label in enumerate(columns):
            _cell(sheet, top, column + offset, group if offset == 0 else None, BOLD, CENTER)
            _cell(sheet, top + 1, column + offset, label, BOLD, CENTER)
        column += len(columns)
    for column in range(1, width + 1):
        _cell(sheet, top + 2, column, f"({column})", NORMAL, CENTER)
    row = top + 3
    for number, line in enumerate(report.rows, start=1):
        _cell(sheet, row, 1, number, NORMAL, CENTER)
        _cell(sheet, row, 2, line.label)
        for offset, value in enumerate(line.columns()):
            _cell(sheet, row, 3 + offset, value, NORMAL, CENTER)
        row += 1
    _cell(sheet, row, 1, None, BOLD, CENTER)
    _cell(sheet, row, 2, report.total.label, BOLD)
    for offset, value in enumerate(report.total.columns()):
        _cell(sheet, row, 3 + offset, value, BOLD, CENTER)
    sheet.row_dimensions[top + 1].height = 60
    sheet.column_dimensions["A"].width = 5
    sheet.column_dimensions["B"].width = 28
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 11
    sheet.print_title_rows = f"{top}:{top + 2}"
    return _save(book)


def _table(sheet: Worksheet, top: int, headers: Sequence[tuple[str, float]], rows: Sequence[Sequence[object]]) -> int:
    for column, (label, width) in enumerate(headers, start=1):
        _cell(sheet, top, column, label, BOLD, CENTER)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row_index, values in enumerate(rows, start=top + 1):
        for column, value in enumerate(values, start=1):
            cell = _cell(sheet, row_index, column, value)
            if isinstance(value, datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
    sheet.print_title_rows = f"{top}:{top}"
    return top + 1 + len(rows)


def procedures_xlsx(rows: Sequence[ProcedureRow], scope: ReportScope) -> bytes:
    """The per-procedure report: counts, and the average resolution time in calendar days."""
    book, sheet = _sheet("Theo thủ tục")
    headers = (
        ("STT", 5), ("Mã TTHC", 14), ("Tên thủ tục hành chính", 40), ("Thời hạn giải quyết", 18),
        ("Mới tiếp nhận", 11), ("Đã giải quyết", 11), ("Trước hạn", 10), ("Đúng hạn", 10), ("Quá hạn", 10),
        ("Đang giải quyết", 11), ("Thời gian giải quyết trung bình (ngày)", 16),
    )  # fmt: skip
    top = _heading(
        sheet, len(headers), scope.unit_name, "Theo thủ tục", "KẾT QUẢ GIẢI QUYẾT THEO THỦ TỤC", scope.period.label
    )
    _table(sheet, top, headers, [_procedure_line(n, r) for n, r in enumerate(rows, start=1)])
    return _save(book)


def register_xlsx(rows: Sequence[RegisterRow], scope: ReportScope) -> bytes:
    """The Mẫu 07 register, whole, with an empty column for the receiver's signature."""
    book, sheet = _sheet("Mẫu 07")
    headers = (
        ("STT", 5), ("Mã hồ sơ", 24), ("Tên TTHC", 30), ("Số bộ hồ sơ", 7), ("Người nộp", 20),
        ("Địa chỉ, số điện thoại", 24), ("Cơ quan giải quyết", 18), ("Ngày, giờ nhận", 15),
        ("Ngày, giờ hẹn trả", 15), ("Chuyển hồ sơ đến cơ quan giải quyết", 15),
        ("Nhận kết quả từ cơ quan giải quyết", 15), ("Trả kết quả", 15), ("Ký nhận", 10), ("Ghi chú", 24),
    )  # fmt: skip
    top = _heading(sheet, len(headers), scope.unit_name, "Mẫu số 07", "SỔ THEO DÕI HỒ SƠ", scope.period.label)
    _table(sheet, top, headers, [_register_line(r) for r in rows])
    return _save(book)


def _procedure_line(n: int, r: ProcedureRow) -> tuple[object, ...]:
    average = None if r.average_days is None else round(r.average_days, 2)
    return (n, r.code, r.name, r.legal_time, r.received, r.resolved, r.before, r.on_time, r.late, r.open, average)


def _register_line(r: RegisterRow) -> tuple[object, ...]:
    return (
        r.number, r.code, r.procedure_name, r.sets_count, r.applicant, r.address_phone, r.department,
        r.received_at, r.due_at, r.sent_at, r.result_at, r.returned_at, None, r.note,
    )  # fmt: skip


def xlsx_to_pdf(xlsx: bytes, timeout: float = 60) -> bytes:
    """The printable PDF of a sheet, laid out by LibreOffice Calc with the sheet's page setup."""
    return office_to_pdf(xlsx, ".xlsx", timeout)
