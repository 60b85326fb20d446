"""The inbox (tabs, filters, badges, claim and release) and the task form with its hand-back actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from engine.forms import FormDefinition
from engine.models import Field, Procedure
from engine.roles import Role
from engine.services import handover, transaction
from engine.services.errors import Conflict, DomainError, Forbidden, InvalidInput
from engine.services.inbox import InboxFilter, inbox, parse_filter
from engine.services.procedures import process_of_version
from engine.services.tasks import complete_task, get_open_task
from engine.workflow.specs import STEP_DOCUMENTS
from webapp.extensions import db
from webapp.util import actor, forms, safe_next

bp = Blueprint("inbox", __name__)

TAB_LABELS = {"all": "Tất cả", "mine": "Của tôi", "pool": "Chưa ai nhận"}


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    return redirect(url_for("portal.lookup"))


@bp.route("/cong-viec")
@login_required
def index():
    errors: dict[str, str] = {}
    try:
        filt = parse_filter(request.args)
    except InvalidInput as err:
        errors = err.errors
        filt = InboxFilter(tab=request.args.get("tab") if request.args.get("tab") in TAB_LABELS else "all")
    page = inbox(db.session, actor(), filt)
    procedures = db.session.execute(select(Procedure.id, Procedure.name).order_by(Procedure.name)).all()
    fields = db.session.execute(select(Field.id, Field.name).order_by(Field.name)).all()
    return render_template(
        "inbox.html",
        page=page,
        tabs=TAB_LABELS,
        args=request.args,
        errors=errors,
        procedures=procedures,
        fields=fields,
    ), (422 if errors else 200)


def _hand_over(call, message: str) -> Any:
    """Claim or release from a list: one service call, a message, back to the list."""
    try:
        with transaction(db.session):
            task = call()
            flash(message.format(title=task.title, code=task.dossier.code), "success")
    except (Conflict, Forbidden) as err:
        flash(err.message, "warning")
    return redirect(safe_next(request.form.get("next")))


@bp.post("/cong-viec/<task_id>/nhan")
@login_required
def claim(task_id: str):
    return _hand_over(lambda: handover.claim(db.session, actor(), task_id), "Đã nhận xử lý “{title}” của hồ sơ {code}.")


@bp.post("/cong-viec/<task_id>/tra-lai")
@login_required
def release(task_id: str):
    return _hand_over(
        lambda: handover.release(db.session, actor(), task_id), "Đã trả “{title}” của hồ sơ {code} về đơn vị."
    )


def _form_of(task) -> FormDefinition:
    return forms().get(task.form) if task.form in forms().names() else FormDefinition(task.form, task.title)


def _choices_with_load(form: FormDefinition, task) -> dict[str, list[tuple[str, str]]]:
    """The people a "user" field offers (its role in the dossier's department), each with their open load."""
    return {
        f.name: [
            (str(c.id), f"{c.full_name} ({c.open_tasks} việc đang xử lý)")
            for c in handover.candidates(db.session, f.role or Role.SPECIALIST.value, task.dossier.department_id)
        ]
        for f in form.fields
        if f.type == "user"
    }


@bp.route("/cong-viec/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str):
    try:
        task = get_open_task(db.session, actor(), task_id)
    except Conflict as err:
        flash(err.message, "warning")
        return redirect(url_for("inbox.index"))
    form = _form_of(task)
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {f.name: request.form.get(f.name, "") for f in form.fields}
        for f in form.fields:
            if f.type == "boolean":
                data[f.name] = f.name in request.form
        values = data
        try:
            with transaction(db.session):
                result = complete_task(db.session, actor(), task_id, data, forms())
                code, titles = result.dossier_code, [t.title for t in result.next_tasks]
        except InvalidInput as err:
            errors = err.errors
            task = get_open_task(db.session, actor(), task_id)
        except Conflict as err:
            flash(err.message, "warning")
            return redirect(url_for("inbox.index"))
        else:
            after = f" Bước tiếp theo: {', '.join(titles)}." if titles else " Hồ sơ đã hoàn thành quy trình."
            flash(f"Đã hoàn thành “{task.title}” cho hồ sơ {code}.{after}", "success")
            return redirect(url_for("inbox.index"))
    return _task_page(task, form, values, errors, {})


def _task_page(task, form: FormDefinition, values: dict, errors: dict, rework_errors: dict) -> Any:
    """The task page: the step's form, its documents, and the hand-back actions."""
    return render_template(
        "task.html",
        task=task,
        dossier=task.dossier,
        form=form,
        choices=_choices_with_load(form, task),
        values=values,
        errors=errors,
        rework_errors=rework_errors,
        documents=_step_documents(task),
    ), (422 if errors or rework_errors else 200)


def _step_documents(task) -> list[tuple[str, str]]:
    """The documents the task's step produces (a property of the step in the BPMN): label and address."""
    dossier = task.dossier
    if dossier.process_version_id is None:
        return []
    step = process_of_version(db.session, dossier.process_version_id).steps.get(task.step)
    links = []
    for key in step.documents if step else ():
        url = url_for("documents.download", code=dossier.code, form=key, fmt="docx")
        links.append((STEP_DOCUMENTS.get(key, key), url))
    return links


@bp.post("/cong-viec/<task_id>/chuyen-lai")
@login_required
def rework(task_id: str):
    """Return the dossier to the previous step, with a reason; a missing reason keeps the page as typed."""
    reason = request.form.get("reason", "")
    try:
        with transaction(db.session):
            task = handover.rework(db.session, actor(), task_id, reason)
            flash(f"Đã chuyển hồ sơ {task.dossier.code} lại bước “{task.title}”.", "success")
    except InvalidInput as err:
        task = get_open_task(db.session, actor(), task_id)
        return _task_page(task, _form_of(task), {"reason": reason}, {}, err.errors)
    except DomainError as err:
        flash(err.message, "warning")
    return redirect(url_for("inbox.index"))
