"""The reports' downloads, shared by the pages under /bao-cao and the API."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response
from sqlalchemy.orm import Session

from engine.documents import report_docs, report_sheets
from engine.services.register import register_rows
from engine.services.report_scope import ReportScope
from engine.services.statistics import bieu_06, per_procedure

EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMAT_ERROR = "Định dạng tải về là xlsx hoặc pdf."
# Rows of the register one file may hold: a spreadsheet stays openable, a PDF printable in time.
REGISTER_LIMITS = {"xlsx": 100_000, "pdf": 2_000}

_BUILDERS: dict[str, dict[str, Callable[[Session, ReportScope], bytes]]] = {
    "bieu-06": {
        "xlsx": lambda s, scope: report_sheets.bieu_06_xlsx(bieu_06(s, scope)),
        "pdf": lambda s, scope: report_docs.bieu_06_pdf(bieu_06(s, scope)),
    },
    "thu-tuc": {
        "xlsx": lambda s, scope: report_sheets.procedures_xlsx(per_procedure(s, scope), scope),
        "pdf": lambda s, scope: report_docs.procedures_pdf(per_procedure(s, scope), scope),
    },
    "mau-07": {
        "xlsx": lambda s, scope: report_sheets.register_xlsx(register_rows(s, scope, REGISTER_LIMITS["xlsx"]), scope),
        "pdf": lambda s, scope: report_docs.register_pdf(register_rows(s, scope, REGISTER_LIMITS["pdf"]), scope),
    },
}


def export(session: Session, kind: str, scope: ReportScope, fmt: str) -> tuple[bytes, str]:
    """The file of report ``kind`` ("bieu-06", "thu-tuc", "mau-07") in ``fmt``, and its name;
    raises engine.documents.render.PdfUnavailable when no PDF can be made."""
    period = scope.period
    suffix = f"_{scope.by}" if kind == "bieu-06" else ""
    name = f"{kind}{suffix}_{scope.unit_code or 'tat-ca'}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.{fmt}"
    return _BUILDERS[kind][fmt](session, scope), name


def export_response(session: Session, kind: str, scope: ReportScope, fmt: str) -> Response:
    content, name = export(session, kind, scope, fmt)
    return Response(
        content, mimetype=EXPORT_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
