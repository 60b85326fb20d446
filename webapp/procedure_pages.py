"""Public procedure information: /thu-tuc (search, filters) and /thu-tuc/<code> (one procedure, blank form)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from engine.documents.blank_form import counts_label
from engine.services import procedure_info
from webapp.extensions import db
from webapp.util import file_response, forms

bp = Blueprint("procedure_pages", __name__, url_prefix="/thu-tuc")

# Where the online submission form of a procedure lives (built apart; linked, not routed, here).
SUBMIT_PATH = "/cong-dan/nop-ho-so/"


@bp.route("/")
def index():
    query = request.args.get("q", "").strip()[:200]
    field = request.args.get("linh-vuc", "").strip()
    level = request.args.get("muc-do", "").strip()
    found = procedure_info.find_procedures(db.session, query, field, level)
    return render_template(
        "procedures/index.html",
        procedures=found,
        query=query,
        field=field,
        level=level,
        fields=procedure_info.fields_offered(db.session),
        levels=procedure_info.ONLINE_CHOICES,
    )


@bp.route("/<code>")
def show(code: str):
    procedure = procedure_info.public_procedure(db.session, code)
    return render_template(
        "procedures/show.html",
        procedure=procedure,
        counts_label=counts_label,
        online=procedure_info.offered_online(procedure),
        submit_url=SUBMIT_PATH + procedure.code,
    )


@bp.route("/<code>/mau-don.docx")
def blank_form(code: str):
    procedure = procedure_info.public_procedure(db.session, code)
    content, filename = procedure_info.blank_application_form(procedure, forms())
    return file_response(content, filename, "docx")
