"""The counter: finding a procedure, receiving a dossier, accepting supplements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from engine import clock
from engine.models import Procedure
from engine.roles import Role
from engine.services import online_intake, online_supplement, transaction
from engine.services.appointments import appointment_for
from engine.services.dossiers import get_dossier
from engine.services.errors import Forbidden, InvalidInput
from engine.services.procedures import get_procedure, latest_version, search_procedures
from engine.services.receive import accept_supplemented, receive_dossier, reception_form
from webapp.extensions import db
from webapp.util import actor, forms, scans

bp = Blueprint("counter", __name__, url_prefix="/mot-cua")

APPLICANT_FIELDS = ("kind", "full_name", "id_number", "phone", "email", "address", "organisation_name", "tax_code")
COUNT_FIELDS = ("originals", "certified_copies", "photocopies")
EXTRA_ROWS = 3


def _require_counter() -> None:
    if not actor().has_role(Role.COUNTER_OFFICER):
        raise Forbidden("Chức năng này dành cho cán bộ bộ phận một cửa.")


def _procedure_json(p: Procedure) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field.name,
        "processing_time": p.time_label,
        "url": url_for("counter.receive", procedure_code=p.code),
    }


@bp.route("/tiep-nhan")
@login_required
def choose_procedure():
    _require_counter()
    query = request.args.get("q", "")[:200]
    return render_template(
        "counter/choose.html", procedures=search_procedures(db.session, query, limit=50), query=query
    )


@bp.route("/thu-tuc.json")
@login_required
def procedures_json():
    """Live search for the reception screen: answers while the officer types."""
    _require_counter()
    found = search_procedures(db.session, request.args.get("q", "")[:200])
    return jsonify([_procedure_json(p) for p in found])


@bp.route("/hen-tra.json")
@login_required
def appointment_json():
    _require_counter()
    received_at = _parse_time(request.args.get("received_at", ""))
    try:
        found = appointment_for(db.session, request.args.get("procedure_code", ""), actor().unit.code, received_at)
    except InvalidInput as err:
        return jsonify({"errors": err.errors}), 422
    return jsonify(
        {
            "due_at": found.due_at.isoformat() if found.due_at else None,
            "due_label": found.due_at.strftime("%H:%M ngày %d/%m/%Y") if found.due_at else "Không có hạn",
        }
    )


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _payload(procedure: Procedure, form: Any, application_fields: list[str]) -> dict[str, Any]:
    """The reception payload from the HTML form, in the same shape the API takes."""
    components: list[Any] = []
    for component in procedure.components:
        if str(component.id) in form.getlist("components"):
            components.append(
                {"id": component.id, **{k: form.get(f"{k}-{component.id}") or None for k in COUNT_FIELDS}}
            )
    for n in range(1, EXTRA_ROWS + 1):
        name = form.get(f"extra_name-{n}", "").strip()
        if name:
            components.append({"name": name, **{k: form.get(f"extra_{k}-{n}") or None for k in COUNT_FIELDS}})
    missing = [
        {"component": c.id, "reason": form.get(f"missing_reason-{c.id}", "").strip()}
        for c in procedure.components
        if form.get(f"missing_reason-{c.id}", "").strip()
    ]
    return {
        "procedure_code": procedure.code,
        "applicant": {key: form.get(key, "") for key in APPLICANT_FIELDS} | {"kind": form.get("kind") or "person"},
        "components": components,
        "channel": form.get("channel", "1"),
        "sets_count": form.get("sets_count") or 1,
        "return_method": form.get("return_method", "counter"),
        "received_at": form.get("received_at") or None,
        "outcome": form.get("outcome", "accept"),
        "missing": missing,
        "reason": form.get("reason", ""),
        "data": {name: form.get(f"data.{name}") for name in application_fields if form.get(f"data.{name}", "") != ""},
    }


@bp.route("/tiep-nhan/<procedure_code>", methods=["GET", "POST"])
@login_required
def receive(procedure_code: str):
    _require_counter()
    procedure = get_procedure(db.session, procedure_code)
    application = reception_form(db.session, procedure, latest_version(db.session, procedure.process_key), forms())
    application_fields = [f.name for f in application.fields]
    values: MultiDict = MultiDict()
    errors: dict[str, str] = {}
    ticked = {c.id for c in procedure.components}
    if request.method == "POST":
        values = request.form
        ticked = {int(v) for v in request.form.getlist("components") if v.isdigit()}
        uploaded = scans(request.files)
        try:
            with transaction(db.session):
                dossier = receive_dossier(
                    db.session,
                    actor(),
                    _payload(procedure, request.form, application_fields),
                    forms(),
                    scans=uploaded,
                )
                code, status = dossier.code, dossier.status
        except InvalidInput as err:
            errors = {key.removeprefix("applicant."): msg for key, msg in err.errors.items()}
        else:
            messages = {
                2: "Đã tiếp nhận hồ sơ",
                5: "Đã lập phiếu yêu cầu bổ sung cho hồ sơ",
                3: "Đã lập phiếu từ chối tiếp nhận hồ sơ",
            }
            flash(f"{messages.get(status, 'Đã ghi nhận hồ sơ')}, mã hồ sơ {code}.", "success")
            return redirect(url_for("dossiers.receipt", code=code))
    now = clock.now()
    preview = appointment_for(db.session, procedure.code, actor().unit.code, now)
    return render_template(
        "counter/receive.html",
        procedure=procedure,
        application=application,
        values=values,
        errors=errors,
        data_errors=_data_errors(errors),
        ticked=ticked,
        preview=preview,
        now=now,
        extra_rows=range(1, EXTRA_ROWS + 1),
        max_mb=current_app.config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024),
    ), (422 if errors else 200)


@bp.route("/bo-sung/<code>", methods=["GET", "POST"])
@login_required
def supplement(code: str):
    """The applicant came back with the missing components: accept the dossier now."""
    _require_counter()
    dossier = get_dossier(db.session, actor(), code)
    procedure = dossier.procedure
    application = reception_form(db.session, procedure, latest_version(db.session, procedure.process_key), forms())
    errors: dict[str, str] = {}
    values: MultiDict = MultiDict()
    if request.method == "POST":
        values = request.form
        payload = {
            "components": [int(v) for v in request.form.getlist("components") if v.isdigit()],
            "data": {k.removeprefix("data."): v for k, v in request.form.items() if k.startswith("data.") and v},
        }
        try:
            with transaction(db.session):
                accept_supplemented(
                    db.session,
                    actor(),
                    code,
                    payload,
                    forms(),
                    scans=scans(request.files),
                )
        except InvalidInput as err:
            errors = err.errors
        else:
            flash(f"Đã tiếp nhận hồ sơ {code} sau khi bổ sung.", "success")
            return redirect(url_for("dossiers.receipt", code=code))
    return render_template(
        "counter/supplement.html",
        values=values,
        dossier=dossier,
        procedure=procedure,
        application=application,
        errors=errors,
        data_errors=_data_errors(errors),
    ), (422 if errors else 200)


def _data_errors(errors: dict[str, str]) -> dict[str, str]:
    """The application form's errors, keyed by field name as the form macro expects."""
    return {k.removeprefix("data."): v for k, v in errors.items() if k.startswith("data.")}


# --- The online tab: dossiers citizens submitted to this counter (status 1) ----------------------------------


def _version_arg() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


@bp.route("/truc-tuyen")
@login_required
def online_tab():
    _require_counter()
    dossiers = online_intake.online_dossiers(db.session, actor())
    return render_template(
        "counter/online.html", dossiers=dossiers, count=online_intake.online_count(db.session, actor())
    )


@bp.route("/truc-tuyen/<code>")
@login_required
def online_review(code: str, errors: dict[str, str] | None = None, action: str = ""):
    _require_counter()
    found = online_intake.review(db.session, actor(), code, forms())
    return render_template(
        "counter/online_review.html", review=found, errors=errors or {}, action=action, values=request.form
    ), (422 if errors else 200)


@bp.post("/truc-tuyen/<code>/tiep-nhan")
@login_required
def online_accept(code: str):
    _require_counter()
    try:
        with transaction(db.session):
            online_intake.accept_online(
                db.session, actor(), code, forms(), version=_version_arg(), note=request.form.get("note", "")
            )
    except InvalidInput as err:
        return online_review(code, err.errors, "accept")
    flash(f"Đã tiếp nhận hồ sơ trực tuyến {code}; giấy tiếp nhận đã được gửi email cho công dân.", "success")
    return redirect(url_for("dossiers.receipt", code=code))


@bp.post("/truc-tuyen/<code>/bo-sung")
@login_required
def online_supplement_request(code: str):
    _require_counter()
    reasons = {
        int(key.removeprefix("reason-")): value
        for key, value in request.form.items()
        if key.startswith("reason-") and key.removeprefix("reason-").isdigit()
    }
    try:
        with transaction(db.session):
            online_supplement.request_online_supplement(
                db.session, actor(), code, reasons, note=request.form.get("note", ""), version=_version_arg()
            )
    except InvalidInput as err:
        return online_review(code, err.errors, "supplement")
    flash(f"Đã gửi yêu cầu bổ sung hồ sơ {code} cho công dân qua email.", "success")
    return redirect(url_for("counter.online_tab"))


@bp.post("/truc-tuyen/<code>/tu-choi")
@login_required
def online_refuse(code: str):
    _require_counter()
    try:
        with transaction(db.session):
            online_intake.refuse_online(
                db.session, actor(), code, request.form.get("reason", ""), version=_version_arg()
            )
    except InvalidInput as err:
        return online_review(code, err.errors, "refuse")
    flash(f"Đã từ chối tiếp nhận hồ sơ {code}; lý do đã được gửi email cho công dân.", "success")
    return redirect(url_for("counter.online_tab"))
