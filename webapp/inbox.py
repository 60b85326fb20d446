"""The inbox and the task form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine.forms import FormDefinition
from engine.services import transaction
from engine.services.errors import Conflict, InvalidInput
from engine.services.tasks import complete_task, form_choices, get_open_task, list_tasks
from webapp.extensions import db
from webapp.util import actor, forms

bp = Blueprint("inbox", __name__)


@bp.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    return redirect(url_for("portal.lookup"))


@bp.route("/cong-viec")
@login_required
def index():
    return render_template("inbox.html", tasks=list_tasks(db.session, actor()))


def _form_of(task) -> FormDefinition:
    return forms().get(task.form) if task.form in forms().names() else FormDefinition(task.form, task.title)


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
    return render_template(
        "task.html",
        task=task,
        dossier=task.dossier,
        form=form,
        choices=form_choices(db.session, form, task),
        values=values,
        errors=errors,
    ), (422 if errors else 200)
