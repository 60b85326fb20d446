"""Public pages: status by dossier code, for anyone, without personal data; details with a second factor.

GET  /tra-cuu/<code>            status and steps, nothing personal (the QR code on the receipt points here)
POST /tra-cuu/<code>            with the applicant's phone or ID number ("factor"): details and appointment
POST /tra-cuu/<code>/danh-gia   the satisfaction rating of a counter dossier, with the same second factor

The factor travels in a POST body, never in the URL, so it stays out of logs and browser history;
every lookup, matching or not, counts against the client address's limit.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from engine.models.satisfaction import CRITERIA, SCALE
from engine.services import citizen_dossiers, satisfaction, transaction
from engine.services.dossiers import lookup_public
from engine.services.errors import Forbidden, InvalidInput, NotFound
from webapp.extensions import db, limiter

bp = Blueprint("portal", __name__, url_prefix="/tra-cuu")

RATING_FIELDS = (*CRITERIA, *satisfaction.COUNTS, "comment")


def _limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


@bp.route("/")
def lookup():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("portal.status", code=code))
    return render_template("portal/lookup.html", code="", result=None, error=None, details=None, factor_error=None)


def _page(code: str, factor: str = "", values: dict | None = None, errors: dict | None = None, status: int = 200):
    """The lookup page; with a matching ``factor``, the details and the rating form too."""
    try:
        result = lookup_public(db.session, code)
    except NotFound as err:
        return render_template(
            "portal/lookup.html", code=code, result=None, error=err.message, details=None, factor_error=None
        ), 404
    details = None
    factor_error = None
    context: dict = {}
    if factor or request.method == "POST":
        try:
            details = citizen_dossiers.lookup_verified(db.session, result.code, factor)
        except Forbidden as err:
            factor_error, status = err.message, 403
        else:
            context = {
                "criteria": CRITERIA,
                "scale": SCALE,
                "counts": satisfaction.COUNTS,
                "rating": satisfaction.rating_of(db.session, details.dossier_id),
                "rating_action": url_for("portal.rate", code=result.code),
                "rating_hidden": {"factor": factor},
                "values": values or {},
                "errors": errors or {},
                "rateable": not details.has_account,
            }
    return render_template(
        "portal/lookup.html",
        code=result.code,
        result=result,
        error=None,
        details=details,
        factor_error=factor_error,
        **context,
    ), status


@bp.route("/<path:code>", methods=["GET", "POST"])
@limiter.limit(_limit)
def status(code: str):
    return _page(code, request.form.get("factor", "").strip() if request.method == "POST" else "")


@bp.route("/<path:code>/danh-gia", methods=["POST"])
@limiter.limit(_limit)
def rate(code: str):
    factor = request.form.get("factor", "").strip()
    values = {name: request.form.get(name, "") for name in RATING_FIELDS}
    try:
        with transaction(db.session):
            satisfaction.rate_with_second_factor(db.session, code, factor, values)
    except InvalidInput as err:
        return _page(code, factor, values, err.errors, 422)
    flash("Cảm ơn Ông/Bà đã đánh giá mức độ hài lòng.", "success")
    return _page(code, factor)
