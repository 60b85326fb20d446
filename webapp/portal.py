"""Public pages: status by dossier code, for anyone, without personal data."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from engine.services.dossiers import lookup_public
from engine.services.errors import NotFound
from webapp.extensions import db, limiter

bp = Blueprint("portal", __name__, url_prefix="/tra-cuu")


@bp.route("/")
def lookup():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("portal.status", code=code))
    return render_template("portal/lookup.html", code="", result=None, error=None)


@bp.route("/<path:code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def status(code: str):
    try:
        result = lookup_public(db.session, code)
    except NotFound as err:
        return render_template("portal/lookup.html", code=code, result=None, error=err.message), 404
    return render_template("portal/lookup.html", code=result.code, result=result, error=None)
