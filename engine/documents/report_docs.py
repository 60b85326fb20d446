"""The reports as printable documents: a .docx laid out like the paper form, then PDF.

The PDF goes through a .docx rather than the .xlsx because the servers carry LibreOffice
Writer only (engine/documents/render.py); the figures and headers are the same as the sheet's.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.table import Table, _Cell

from engine.documents.render import docx_to_pdf
from engine.services.register import RegisterRow
from engine.services.report_scope import GROUPINGS, ReportScope
from engine.services.statistics import BIEU_06_HEADER, BIEU_06_TITLE, Bieu06, ProcedureRow

FONT = "Times New Roman"


def _document(unit: str, form: str, title: str, period: str):  # noqa: ANN202 - python-docx has no public type
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(12))
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(10)
    head = document.add_table(rows=1, cols=2)
    _write(head.cell(0, 0), f"Đơn vị báo cáo: {unit}", bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _write(head.cell(0, 1), form, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for text, size, bold in ((title, 13, True), (period, 11, False)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.font.size = bold, Pt(size)
    return document


def _write(cell: _Cell, text: object, bold: bool = False, align: int = WD_ALIGN_PARAGRAPH.CENTER) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run("" if text is None else str(text))
    run.bold = bold


def _grid(document, rows: int, columns: int) -> Table:  # noqa: ANN001 - python-docx Document
    table = document.add_table(rows=rows, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table


def _pdf(document) -> bytes:  # noqa: ANN001 - python-docx Document
    out = io.BytesIO()
    document.save(out)
    return docx_to_pdf(out.getvalue())


def bieu_06_pdf(report: Bieu06) -> bytes:
    """Biểu số 06/VPCP/KSTT as a PDF: the two-row header, the column numbers, rows and totals."""
    scope = report.scope
    document = _document(scope.unit_name, "Biểu số 06/VPCP/KSTT", BIEU_06_TITLE, scope.period.label)
    width = 2 + sum(len(columns) for _, columns in BIEU_06_HEADER)
    lines = [*report.rows, report.total]
    table = _grid(document, 3 + len(lines), width)
    for column, label in ((0, "STT"), (1, GROUPINGS[scope.by])):
        merged = table.cell(0, column).merge(table.cell(1, column))
        _write(merged, label, bold=True)
    column = 2
    for group, columns in BIEU_06_HEADER:
        merged = table.cell(0, column).merge(table.cell(0, column + len(columns) - 1))
        _write(merged, group, bold=True)
        for offset, label in enumerate(columns):
            _write(table.cell(1, column + offset), label, bold=True)
        column += len(columns)
    for column in range(width):
        _write(table.cell(2, column), f"({column + 1})")
    for index, line in enumerate(lines):
        is_total = line is report.total
        row = 3 + index
        _write(table.cell(row, 0), "" if is_total else index + 1)
        _write(table.cell(row, 1), line.label, bold=is_total, align=WD_ALIGN_PARAGRAPH.LEFT)
        for offset, value in enumerate(line.columns()):
            _write(table.cell(row, 2 + offset), value, bold=is_total)
    _widths(table, [11, 36, *[226 / (width - 2)] * (width - 2)])
    return _pdf(document)


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths: Word reads them per cell, LibreOffice from the table's grid."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=False):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _simple_pdf(
    scope: ReportScope,
    form: str,
    title: str,
    headers: Sequence[tuple[str, float]],
    rows: Sequence[Sequence[object]],
    font_size: float = 10,
) -> bytes:
    document = _document(scope.unit_name, form, title, scope.period.label)
    document.styles["Normal"].font.size = Pt(font_size)
    table = _grid(document, 1 + len(rows), len(headers))
    for column, (label, _) in enumerate(headers):
        _write(table.cell(0, column), label, bold=True)
    for index, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            _write(table.cell(index, column), value, align=WD_ALIGN_PARAGRAPH.LEFT)
    _widths(table, [width for _, width in headers])
    return _pdf(document)


def procedures_pdf(rows: Sequence[ProcedureRow], scope: ReportScope) -> bytes:
    headers = (
        ("STT", 10), ("Mã TTHC", 28), ("Tên thủ tục", 70), ("Thời hạn", 35), ("Mới tiếp nhận", 16),
        ("Đã giải quyết", 16), ("Trước hạn", 16), ("Đúng hạn", 16), ("Quá hạn", 16), ("Đang giải quyết", 18),
        ("Trung bình (ngày)", 22),
    )  # fmt: skip
    body = [
        (n, r.code, r.name, r.legal_time, r.received, r.resolved, r.before, r.on_time, r.late, r.open,
         "" if r.average_days is None else f"{r.average_days:.2f}".replace(".", ","))
        for n, r in enumerate(rows, start=1)
    ]  # fmt: skip
    return _simple_pdf(scope, "Theo thủ tục", "KẾT QUẢ GIẢI QUYẾT THEO THỦ TỤC", headers, body)


def register_pdf(rows: Sequence[RegisterRow], scope: ReportScope) -> bytes:
    headers = (
        ("STT", 11), ("Mã hồ sơ", 31), ("Tên TTHC", 29), ("Số bộ", 10), ("Người nộp", 22), ("Địa chỉ, điện thoại", 28),
        ("Cơ quan giải quyết", 20), ("Nhận", 18), ("Hẹn trả", 18), ("Chuyển cơ quan giải quyết", 18),
        ("Nhận kết quả", 18), ("Trả kết quả", 18), ("Ký nhận", 14), ("Ghi chú", 18),
    )  # fmt: skip
    body = [
        (r.number, r.code, r.procedure_name, r.sets_count, r.applicant, r.address_phone, r.department,
         *(f"{d:%H:%M %d/%m/%Y}" if d else "" for d in (r.received_at, r.due_at, r.sent_at, r.result_at,
                                                         r.returned_at)), "", r.note)
        for r in rows
    ]  # fmt: skip
    return _simple_pdf(scope, "Mẫu số 07", "SỔ THEO DÕI HỒ SƠ", headers, body, font_size=8)
