"""Statistics pages under /bao-cao: Biểu 06, per procedure, per officer, QĐ 766, the Mẫu 07 register.

Every page shows the period form; the figures appear once a valid period is asked for.
Bad input is shown beside its field with what was typed kept (422); downloads are
``format=xlsx`` or ``format=pdf`` on the same address.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_login import login_required

from engine import clock
from engine.documents.render import PdfUnavailable
from engine.services import statistics
from engine.services.errors import InvalidInput
from engine.services.register import register_page
from engine.services.report_scope import GROUPINGS, ReportScope, report_units, resolve_scope
from engine.services.statistics import BIEU_06_HEADER, per_officer, per_procedure, qd_766
from webapp.extensions import db
from webapp.report_exports import EXPORT_TYPES, FORMAT_ERROR, export_response
from webapp.util import actor

bp = Blueprint("reports", __name__, url_prefix="/bao-cao")

PAGES = {
    "reports.bieu_06": "Biểu 06/VPCP/KSTT",
    "reports.procedures": "Theo thủ tục",
    "reports.officers": "Theo cán bộ",
    "reports.qd_766_page": "Chỉ số QĐ 766",
    "reports.register": "Sổ theo dõi (Mẫu 07)",
}


def _values() -> dict[str, str]:
    """The form as typed; a first visit proposes the year so far."""
    today = clock.today()
    values = {key: request.args.get(key, "") for key in ("from", "to", "unit", "by")}
    if not any(values.values()):
        values.update({"from": date(today.year, 1, 1).isoformat(), "to": today.isoformat()})
    values["by"] = values["by"] or "field"
    return values


def _page(template: str, kind: str | None, build: Any) -> Any:
    """Check the request, then render ``template`` with ``build(scope)``'s figures, or send the file."""
    units = report_units(db.session, actor())  # refuses those who may not see reports
    values = _values()
    errors: dict[str, str] = {}
    context: dict[str, Any] = {}
    scope: ReportScope | None = None
    fmt = request.args.get("format", "")
    try:
        if fmt and (kind is None or fmt not in EXPORT_TYPES):
            raise InvalidInput({"format": FORMAT_ERROR})
        scope = resolve_scope(db.session, actor(), values)
    except InvalidInput as err:
        errors = err.errors
    if scope is not None and fmt:
        try:
            return export_response(db.session, str(kind), scope, fmt)
        except PdfUnavailable as err:
            errors = {"format": str(err)}
        except InvalidInput as err:  # a register too long for one file
            errors = err.errors
    if scope is not None and not errors:
        context = build(scope)
    return render_template(
        template,
        values=values,
        errors=errors,
        units=units,
        groupings=GROUPINGS,
        pages=PAGES,
        scope=scope,
        kind=kind,
        query={k: v for k, v in values.items() if v},
        **context,
    ), (422 if errors else 200)


@bp.route("")
@login_required
def bieu_06():
    return _page(
        "reports/bieu_06.html",
        "bieu-06",
        lambda scope: {"report": statistics.bieu_06(db.session, scope), "header": BIEU_06_HEADER},
    )


@bp.route("/thu-tuc")
@login_required
def procedures():
    return _page("reports/procedures.html", "thu-tuc", lambda scope: {"rows": per_procedure(db.session, scope)})


@bp.route("/can-bo")
@login_required
def officers():
    return _page("reports/officers.html", None, lambda scope: {"rows": per_officer(db.session, scope)})


@bp.route("/qd-766")
@login_required
def qd_766_page():
    def build(scope: ReportScope) -> dict[str, Any]:
        indicators, rows = qd_766(db.session, scope)
        return {"indicators": indicators, "rows": rows}

    return _page("reports/qd_766.html", None, build)


@bp.route("/mau-07")
@login_required
def register():
    raw = request.args.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 7 else 1
    return _page("reports/register.html", "mau-07", lambda scope: {"page": register_page(db.session, scope, number)})
