"""The staff search page: criteria, results, saved searches, and e-mail to the applicants found."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from engine.services import transaction
from engine.services.attachments import UploadedFile
from engine.services.bulk_mail import SENDER_ROLES, send_bulk_email
from engine.services.errors import Conflict, InvalidInput
from engine.services.saved_searches import delete_saved, get_saved, save_search, saved_args, saved_searches
from engine.services.search import SearchCriteria, SearchPage, parse_criteria, search, search_options
from webapp.extensions import db
from webapp.util import actor

bp = Blueprint("search", __name__, url_prefix="/ho-so/tim-kiem")


def _render(
    args: MultiDict,
    errors: dict[str, str] | None = None,
    mail: dict[str, str] | None = None,
    mail_errors: dict[str, str] | None = None,
    saved_name: str = "",
    saved_error: str = "",
) -> Any:
    """The page for ``args`` as typed; errors of the criteria, the e-mail or the save shown by field."""
    user = actor()
    errors = dict(errors or {})
    page: SearchPage | None = None
    criteria = SearchCriteria()
    if not errors:
        try:
            criteria = parse_criteria(args)
            page = search(db.session, user, criteria)
        except InvalidInput as err:
            errors = err.errors
    failed = bool(errors or mail_errors or saved_error)
    return render_template(
        "search.html",
        args=args,
        errors=errors,
        page=page,
        criteria=criteria,
        options=search_options(db.session, user),
        saved=saved_searches(db.session, user),
        can_mail=any(user.has_role(role) for role in SENDER_ROLES),
        mail=mail or {},
        mail_errors=mail_errors or {},
        saved_name=saved_name,
        saved_error=saved_error,
    ), (422 if failed else 200)


@bp.get("")
@login_required
def index():
    return _render(request.args)


@bp.post("/luu")
@login_required
def save():
    name = request.form.get("search_name", "")
    try:
        criteria = parse_criteria(request.form)
        with transaction(db.session):
            saved = save_search(db.session, actor(), name, criteria)
            flash(f"Đã lưu tìm kiếm “{saved.name}”.", "success")
    except InvalidInput as err:
        return _render(request.form, saved_name=name, saved_error=" ".join(err.errors.values()))
    except Conflict as err:
        return _render(request.form, saved_name=name, saved_error=err.message)
    return redirect(url_for("search.index", **criteria.to_args(paging=False)))


@bp.get("/da-luu/<int:saved_id>")
@login_required
def apply(saved_id: int):
    return redirect(url_for("search.index", **saved_args(get_saved(db.session, actor(), saved_id))))


@bp.post("/da-luu/<int:saved_id>/xoa")
@login_required
def delete(saved_id: int):
    with transaction(db.session):
        delete_saved(db.session, actor(), saved_id)
    flash("Đã xóa tìm kiếm đã lưu.", "success")
    return redirect(url_for("search.index"))


@bp.post("/gui-email")
@login_required
def bulk_email():
    form = request.form
    mail = {"subject": form.get("subject", ""), "body": form.get("body", "")}
    upload = request.files.get("attachment")
    attachment = None
    if upload is not None and upload.filename:
        limit = current_app.config["MAX_ATTACHMENT_BYTES"]
        attachment = UploadedFile(upload.filename, upload.read(limit + 1))  # a byte past the limit is enough
    try:
        criteria = parse_criteria(form)
        with transaction(db.session):
            result = send_bulk_email(
                db.session,
                actor(),
                criteria,
                mail["subject"],
                mail["body"],
                attachment,
                current_app.config["MAX_ATTACHMENT_BYTES"],
            )
    except InvalidInput as err:
        return _render(form, mail=mail, mail_errors=err.errors)
    message = f"Đã xếp {result.recipients} thư vào hàng đợi gửi cho người nộp."
    if result.without_email:
        message += f" {result.without_email} hồ sơ không có địa chỉ e-mail nên không gửi được."
    flash(message, "success")
    return redirect(url_for("search.index", **criteria.to_args(paging=False)))
