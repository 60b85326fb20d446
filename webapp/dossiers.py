"""The dossier page for staff."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import select

from engine.models import Task
from engine.services.dossiers import get_dossier
from engine.services.errors import NotFound
from webapp.extensions import db
from webapp.util import actor

bp = Blueprint("dossiers", __name__, url_prefix="/ho-so")


@bp.route("/")
@login_required
def find():
    """The counter's search box: a barcode scanner types the code and Enter."""
    code = request.args.get("code", "").strip()
    if not code:
        raise NotFound("Hãy nhập mã hồ sơ.")
    from flask import redirect, url_for

    return redirect(url_for("dossiers.show", code=code.upper()))


@bp.route("/<code>")
@login_required
def show(code: str):
    dossier = get_dossier(db.session, actor(), code)
    open_tasks = db.session.scalars(select(Task).where(Task.dossier_id == dossier.id, Task.closed_at.is_(None))).all()
    return render_template("dossier.html", dossier=dossier, open_tasks=open_tasks)
