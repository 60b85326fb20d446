"""The process diagram of a dossier, as JSON for webapp/static/diagram.js (bpmn-js draws it)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import login_required

from engine.services.diagram import dossier_diagram
from webapp.extensions import db
from webapp.util import actor

bp = Blueprint("diagram", __name__, url_prefix="/ho-so")


@bp.route("/<code>/so-do.json")
@login_required
def show(code: str):
    """The BPMN XML the dossier runs on, the steps done and the steps open (BPMN element ids)."""
    diagram = dossier_diagram(db.session, actor(), code)
    response = jsonify({"xml": diagram.xml, "done": diagram.done, "current": diagram.current})
    response.headers["Cache-Control"] = "private, no-store"
    return response
