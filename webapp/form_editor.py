"""The form editor: task forms (fields, labels, types, required, choices, limits) with a live preview.

Saving posts the whole form as an ordinary HTML form (``fields-<i>-<key>`` inputs,
renumbered by static/form_editor.js); the preview receives the same form as JSON
and answers an HTML fragment rendered with the task page's own ``field`` macro.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from engine.forms import FIELD_TYPES
from engine.services import form_editor, transaction
from engine.services.designer import require_designer
from engine.services.errors import InvalidInput, NotFound
from webapp.extensions import db
from webapp.util import actor, forms

bp = Blueprint("form_editor", __name__, url_prefix="/thiet-ke/bieu-mau")

_ROW_KEY = re.compile(r"^fields-(\d{1,3})-(name|label|type|required|max_length|min|max|choices|role|help)$")
_ROW_KEYS = ("name", "label", "type", "required", "max_length", "min", "max", "choices", "role", "help")


@bp.before_request
def _designers_only() -> None:
    if current_user.is_authenticated:
        require_designer(current_user)


def _ttl() -> int:
    return int(forms().ttl)


@bp.route("")
@login_required
def index():
    summaries = form_editor.list_forms(db.session, actor(), forms())
    return render_template("designer/forms.html", forms=summaries, ttl=_ttl())


@bp.route("/moi")
@login_required
def new():
    name = (request.args.get("ten") or "").strip()
    if not form_editor.FORM_NAME.match(name):
        flash("Tên biểu mẫu chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ.", "error")
        return redirect(url_for("form_editor.index"))
    return redirect(url_for("form_editor.edit", name=name))


@bp.route("/xem-truoc", methods=["POST"])
@login_required
def preview():
    """JSON ``{"title", "fields": [...]}`` in, the form as the task page shows it out (an HTML fragment)."""
    raw = request.get_json(silent=True) if request.is_json else _definition_from(request.form)
    try:
        definition = form_editor.preview(raw if isinstance(raw, dict) else {})
    except InvalidInput as err:
        return render_template("designer/_form_preview.html", form=None, errors=err.errors), 422
    return render_template("designer/_form_preview.html", form=definition, errors={})


@bp.route("/<name>", methods=["GET", "POST"])
@login_required
def edit(name: str):
    errors: dict[str, str] = {}
    if request.method == "POST":
        raw = _definition_from(request.form)
        try:
            with transaction(db.session):
                version = form_editor.save_form(db.session, actor(), name, raw, forms())
                number = version.number
        except InvalidInput as err:
            errors = err.errors
            flash(err.message, "error")
            return _editor(name, raw, errors), 422
        flash(
            f"Đã lưu biểu mẫu “{name}” phiên bản {number}. Biểu mẫu mới áp dụng trong vòng {_ttl()} giây "
            "cho mọi người xử lý.",
            "success",
        )
        return redirect(url_for("form_editor.edit", name=name))
    current = form_editor.current_form(db.session, name, forms())
    if current is None:
        if not form_editor.FORM_NAME.match(name):
            raise NotFound(f"Không tìm thấy biểu mẫu “{name}”.")
        raw = {"title": "", "fields": [{"name": "", "label": "", "type": "text"}]}
    else:
        raw = form_editor.definition_json(current)
    return _editor(name, raw, errors, is_new=current is None)


@bp.route("/<name>/khoi-phuc/<int:number>", methods=["POST"])
@login_required
def restore(name: str, number: int):
    try:
        with transaction(db.session):
            version = form_editor.restore(db.session, actor(), name, number, forms())
            saved = version.number
    except InvalidInput as err:
        flash(" ".join([err.message, *err.errors.values()]), "error")
        return redirect(url_for("form_editor.edit", name=name))
    what = "tệp gốc" if number == 0 else f"phiên bản {number}"
    flash(f"Đã khôi phục {what} thành phiên bản {saved}; áp dụng trong vòng {_ttl()} giây.", "success")
    return redirect(url_for("form_editor.edit", name=name))


def _editor(name: str, raw: dict[str, Any], errors: dict[str, str], is_new: bool = False):
    rows = []
    for item in raw.get("fields") or []:
        row = dict(item)
        choices = row.get("choices")
        if isinstance(choices, list):
            row["choices"] = "\n".join(f"{c.get('value', '')}|{c.get('label', '')}" for c in choices)
        rows.append(row)
    return render_template(
        "designer/form_editor.html",
        name=name,
        form_name=name,
        title=raw.get("title") or "",
        rows=rows,
        errors=errors,
        is_new=is_new,
        history=form_editor.form_history(db.session, actor(), name),
        has_file=forms().file_form(name) is not None,
        used_by=form_editor.usages(db.session).get(name, []),
        types=[(t, form_editor.type_label(t)) for t in FIELD_TYPES],
        roles=form_editor.role_choices(),
        ttl=_ttl(),
        max_fields=form_editor.MAX_FIELDS,
    )


def _definition_from(data: MultiDict) -> dict[str, Any]:
    """The definition an editor form posted: rows in the order of their numbers."""
    rows: dict[int, dict[str, Any]] = {}
    for key, value in data.items():
        match = _ROW_KEY.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = value
    fields = []
    for index in sorted(rows):
        row = rows[index]
        fields.append({key: row.get(key, "") for key in _ROW_KEYS} | {"required": bool(row.get("required"))})
    return {"title": data.get("title", ""), "fields": fields}
