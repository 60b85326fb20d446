"""The counter: receiving a dossier."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from engine.roles import Role
from engine.services import transaction
from engine.services.dossiers import receive_dossier
from engine.services.errors import Forbidden, InvalidInput
from engine.services.procedures import get_procedure, latest_version, list_procedures
from engine.workflow import parse_process
from webapp.extensions import db
from webapp.util import actor, forms

bp = Blueprint("counter", __name__, url_prefix="/mot-cua")

APPLICANT_FIELDS = ("full_name", "id_number", "phone", "email", "address")


def _require_counter() -> None:
    if not actor().has_role(Role.COUNTER_OFFICER):
        raise Forbidden("Chức năng này dành cho cán bộ bộ phận một cửa.")


@bp.route("/tiep-nhan")
@login_required
def choose_procedure():
    _require_counter()
    return render_template("counter/choose.html", procedures=list_procedures(db.session))


def _reception_form(procedure_code: str):
    procedure = get_procedure(db.session, procedure_code)
    version = latest_version(db.session, procedure.process_key)
    form = None
    if version is not None:
        process = parse_process(version.bpmn_xml, version.process_key)
        first = next((s for s in process.steps.values() if s.form), None)
        form = forms().get(first.form) if first and first.form in forms().names() else None
    return procedure, form


@bp.route("/tiep-nhan/<procedure_code>", methods=["GET", "POST"])
@login_required
def receive(procedure_code: str):
    _require_counter()
    procedure, form = _reception_form(procedure_code)
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    ticked = {c.id for c in procedure.components}
    if request.method == "POST":
        ticked = {int(v) for v in request.form.getlist("components") if v.isdigit()}
        applicant = {key: request.form.get(key, "") for key in APPLICANT_FIELDS}
        data = {f.name: request.form.get(f"data.{f.name}", "") for f in (form.fields if form else ())}
        values = {**applicant, **{f"data.{k}": v for k, v in data.items()}, "channel": request.form.get("channel", "1")}
        payload = {
            "procedure_code": procedure.code,
            "applicant": applicant,
            "components": sorted(ticked),
            "channel": request.form.get("channel", "1"),
            "data": {k: v for k, v in data.items() if v != ""},
        }
        try:
            with transaction(db.session):
                dossier = receive_dossier(db.session, actor(), payload, forms())
        except InvalidInput as err:
            errors = {key.removeprefix("applicant."): msg for key, msg in err.errors.items()}
        else:
            flash(f"Đã tiếp nhận hồ sơ, mã hồ sơ {dossier.code}.", "success")
            return redirect(url_for("dossiers.show", code=dossier.code))
    status = 422 if errors else 200
    data_errors = {k.removeprefix("data."): v for k, v in errors.items() if k.startswith("data.")}
    return render_template(
        "counter/receive.html",
        procedure=procedure,
        form=form,
        values=values,
        errors=errors,
        data_errors=data_errors,
        ticked=ticked,
    ), status
