"""The citizen's online submission pages: choose a procedure and a unit, fill a draft, submit, supplement.

Every page needs a logged-in citizen (citizen_session); the services check that each draft and
dossier is the citizen's own. What was typed and every accepted file are saved before anything is
checked, so a mistake never costs the citizen what they already gave.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine.services import online, online_supplement, transaction
from engine.services.attachments import UploadedFile
from engine.services.errors import InvalidInput
from engine.services.procedures import get_procedure
from webapp.citizen_session import citizen_required, current_citizen
from webapp.extensions import db
from webapp.util import attachment_store, forms

bp = Blueprint("online", __name__, url_prefix="/cong-dan")

SAVED = "Đã lưu nháp."


def citizen():
    account = current_citizen()
    assert account is not None  # citizen_required ran first
    return account


def uploads(files: MultiDict, prefix: str = "file-") -> list[UploadedFile]:
    """The request's files from fields ``file-<component id>``, each read one byte past the limit at most."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    found = []
    for field, storage in files.items(multi=True):
        if not storage or not storage.filename or not field.startswith(prefix):
            continue
        number = field.removeprefix(prefix)
        found.append(UploadedFile(storage.filename, storage.read(limit + 1), int(number) if number.isdigit() else None))
    return found


def delete_stored(keys: list[str]) -> None:
    """Remove the bytes of files whose rows a committed transaction deleted."""
    store = attachment_store()
    for key in keys:
        store.path(key).unlink(missing_ok=True)


@bp.route("/nop-ho-so")
@citizen_required
def procedures():
    query = request.args.get("q", "")[:200]
    return render_template(
        "online/procedures.html", procedures=online.offered_procedures(db.session, query), query=query
    )


@bp.route("/nop-ho-so/<procedure_code>", methods=["GET", "POST"])
@citizen_required
def start(procedure_code: str):
    procedure = get_procedure(db.session, procedure_code)
    units = online.receiving_units(db.session, procedure)
    errors: dict[str, str] = {}
    if procedure.online_level not in online.OFFERED_LEVELS:
        errors["procedure_code"] = online.not_online_message(procedure)
    elif request.method == "POST":
        try:
            with transaction(db.session):
                draft = online.start_draft(db.session, citizen(), procedure.code, request.form.get("unit_id", ""))
                draft_id = draft.id
        except InvalidInput as err:
            errors = err.errors
        else:
            flash("Đã tạo hồ sơ nháp. Hãy điền tờ khai và tải lên từng giấy tờ.", "success")
            return redirect(url_for("online.draft", draft_id=draft_id))
    return render_template("online/start.html", procedure=procedure, units=units, errors=errors), (
        422 if errors else 200
    )


@bp.route("/ho-so-nhap")
@citizen_required
def drafts():
    return render_template("online/drafts.html", drafts=online.drafts_of(db.session, citizen()))


def _form_of(values: MultiDict, application_fields: list[str]) -> dict[str, Any]:
    """The draft's typed values from the HTML form, in the shape the service keeps."""
    return {
        "applicant": {key: values.get(key, "") for key in online.APPLICANT_FIELDS},
        "data": {name: values.get(f"data.{name}", "") for name in application_fields},
        "return_method": values.get("return_method", "counter"),
    }


def _values_of(form: dict[str, Any]) -> dict[str, Any]:
    """What the page's inputs show: the applicant's fields by name, the application's as ``data.<name>``."""
    values: dict[str, Any] = dict(form["applicant"])
    values.update({f"data.{k}": v for k, v in form["data"].items()})
    values["return_method"] = form["return_method"]
    return values


@bp.route("/ho-so-nhap/<int:draft_id>", methods=["GET", "POST"])
@citizen_required
def draft(draft_id: int):
    """Edit a draft: the applicant, the application form, a file per component; save or submit."""
    account = citizen()
    record = online.get_draft(db.session, account, draft_id)
    application = online.application_form(record.procedure, forms())
    errors: dict[str, str] = {}
    if request.method == "POST":
        with transaction(db.session):
            _, errors = online.save_draft(
                db.session,
                account,
                draft_id,
                _form_of(request.form, [f.name for f in application.fields]),
                uploads(request.files),
                attachment_store(),
                forms(),
                current_app.config["MAX_ATTACHMENT_BYTES"],
            )
        action = request.form.get("action", "save")
        if action.startswith("remove-") and action.removeprefix("remove-").isdigit():
            with transaction(db.session):
                key = online.remove_file(db.session, account, draft_id, int(action.removeprefix("remove-")))
            delete_stored([key])
            flash("Đã xóa tệp. " + SAVED, "success")
            return redirect(url_for("online.draft", draft_id=draft_id))
        if action == "submit" and not errors:
            try:
                with transaction(db.session):
                    dossier = online.submit_draft(db.session, account, draft_id, forms())
                    code = dossier.code
            except InvalidInput as err:
                errors = err.errors
            else:
                flash(f"Đã nộp hồ sơ. Mã hồ sơ của Ông/Bà: {code}.", "success")
                return redirect(url_for("online.submitted", code=code))
        elif not errors:
            flash(SAVED, "success")
            return redirect(url_for("online.draft", draft_id=draft_id))
        record = online.get_draft(db.session, account, draft_id)
    typed = online.draft_form(record)
    return render_template(
        "online/draft.html",
        draft=record,
        application=application,
        values=_values_of(typed),
        errors={k.removeprefix("applicant."): v for k, v in errors.items()},
        data_errors={k.removeprefix("data."): v for k, v in errors.items() if k.startswith("data.")},
        files_by_component={
            c.id: [f for f in record.files if f.component_id == c.id] for c in record.procedure.components
        },
        saved=bool(errors) and request.method == "POST",
        max_mb=current_app.config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024),
    ), (422 if errors else 200)


@bp.post("/ho-so-nhap/<int:draft_id>/xoa")
@citizen_required
def delete(draft_id: int):
    with transaction(db.session):
        keys = online.delete_draft(db.session, citizen(), draft_id)
    delete_stored(keys)
    flash("Đã xóa hồ sơ nháp.", "success")
    return redirect(url_for("online.drafts"))


@bp.route("/nop-ho-so/da-nop/<code>")
@citizen_required
def submitted(code: str):
    dossier = online_supplement.citizen_dossier(db.session, citizen(), code)
    return render_template("online/submitted.html", dossier=dossier)


@bp.route("/ho-so/<code>/bo-sung", methods=["GET", "POST"])
@citizen_required
def supplement(code: str):
    """The reasons the counter gave, an upload per component asked for, and the resubmission."""
    account = citizen()
    dossier = online_supplement.citizen_dossier(db.session, account, code)
    errors: dict[str, str] = {}
    if request.method == "POST" and online_supplement.waits_for_supplement(dossier):
        with transaction(db.session):
            dossier, errors = online_supplement.add_supplement_files(
                db.session,
                account,
                code,
                uploads(request.files),
                attachment_store(),
                current_app.config["MAX_ATTACHMENT_BYTES"],
            )
        if not errors:
            try:
                with transaction(db.session):
                    online_supplement.resubmit(db.session, account, code, request.form.get("note", ""))
            except InvalidInput as err:
                errors = err.errors
            else:
                flash("Đã gửi hồ sơ bổ sung. Bộ phận một cửa sẽ xem xét và thông báo cho Ông/Bà qua email.", "success")
                return redirect(url_for("online.submitted", code=dossier.code))
        dossier = online_supplement.citizen_dossier(db.session, account, code)
    return render_template(
        "online/supplement.html",
        dossier=dossier,
        waiting=online_supplement.waits_for_supplement(dossier),
        errors=errors,
        note=request.form.get("note", ""),
    ), (422 if errors else 200)
