"""The statistics in the JSON API: /api/v1/reports/… (routes on the API blueprint).

Every call takes ``from`` and ``to`` (YYYY-MM-DD), an optional ``unit`` (its code; default
the caller's unit, or every unit for an administrator); the period and unit are checked
before any query runs (422 with ``errors`` per field, 403 for a unit outside the caller's).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.documents.render import PdfUnavailable
from engine.services.errors import InvalidInput
from engine.services.register import register_page
from engine.services.report_scope import ReportScope, resolve_scope
from engine.services.statistics import bieu_06, per_officer, per_procedure, qd_766
from webapp.api import actor, bp, token_required
from webapp.extensions import db
from webapp.report_exports import EXPORT_TYPES, FORMAT_ERROR, export_response


def _scope_and_format(exportable: bool) -> tuple[ReportScope, str]:
    fmt = request.args.get("format", "json")
    if fmt != "json" and not (exportable and fmt in EXPORT_TYPES):
        raise InvalidInput({"format": FORMAT_ERROR if exportable else "Báo cáo này chỉ trả về JSON."})
    return resolve_scope(db.session, actor(), request.args), fmt


def _head(scope: ReportScope) -> dict[str, Any]:
    return {
        "period": {"from": scope.period.start.isoformat(), "to": scope.period.end.isoformat()},
        "unit": {"code": scope.unit_code, "name": scope.unit_name},
        "by": scope.by,
    }


def _file(kind: str, scope: ReportScope, fmt: str):
    try:
        return export_response(db.session, kind, scope, fmt)
    except PdfUnavailable as err:
        return jsonify({"error": str(err)}), 503


@bp.get("/reports/bieu-06")
@token_required
def report_bieu_06():
    """Biểu 06/VPCP/KSTT by field (``by=field``) or by unit (``by=unit``); ``format=xlsx|pdf`` for the file."""
    scope, fmt = _scope_and_format(exportable=True)
    if fmt != "json":
        return _file("bieu-06", scope, fmt)
    report = bieu_06(db.session, scope)
    return jsonify({**_head(scope), "rows": [row.to_dict() for row in report.rows], "total": report.total.to_dict()})


@bp.get("/reports/procedures")
@token_required
def report_procedures():
    scope, fmt = _scope_and_format(exportable=True)
    if fmt != "json":
        return _file("thu-tuc", scope, fmt)
    rows = per_procedure(db.session, scope)
    return jsonify({**_head(scope), "average_unit": "calendar_days", "rows": [row.to_dict() for row in rows]})


@bp.get("/reports/officers")
@token_required
def report_officers():
    scope, _ = _scope_and_format(exportable=False)
    return jsonify({**_head(scope), "rows": [row.to_dict() for row in per_officer(db.session, scope)]})


@bp.get("/reports/qd-766")
@token_required
def report_qd_766():
    scope, _ = _scope_and_format(exportable=False)
    indicators, procedures = qd_766(db.session, scope)
    return jsonify(
        {
            **_head(scope),
            "indicators": [i.to_dict() for i in indicators],
            "procedures": [row.to_dict() for row in procedures],
        }
    )


@bp.get("/reports/mau-07")
@token_required
def report_mau_07():
    """The Mẫu 07 register: a page of 50 (``page``), or the whole period with ``format=xlsx|pdf``."""
    scope, fmt = _scope_and_format(exportable=True)
    if fmt != "json":
        return _file("mau-07", scope, fmt)
    raw = request.args.get("page", "1")
    page = register_page(db.session, scope, int(raw) if raw.isdigit() and len(raw) < 7 else 1)
    return jsonify(
        {
            **_head(scope),
            "page": page.page,
            "pages": page.pages,
            "total": page.total,
            "rows": [row.to_dict() for row in page.rows],
        }
    )
