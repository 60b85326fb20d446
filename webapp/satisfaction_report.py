"""Staff: what citizens said of the service (/danh-gia-hai-long), for leaders and administrators."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from engine.models.satisfaction import CRITERIA, SCALE
from engine.services import satisfaction
from webapp.extensions import db
from webapp.util import actor

bp = Blueprint("satisfaction_report", __name__)


@bp.route("/danh-gia-hai-long")
@login_required
def summary():
    found = satisfaction.summary_for(db.session, actor())
    return render_template("satisfaction_report.html", summary=found, criteria=CRITERIA, scale=SCALE)
