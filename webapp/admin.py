"""Administration: the procedure catalogue (edit, export, import), holidays and swaps, office hours.

The services check that the user is an administrator; these views only turn
forms into service calls and errors back into forms.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from engine import clock
from engine.documents.notices import RESULT_TEMPLATES
from engine.models import Procedure
from engine.models.catalogue import ONLINE_LEVELS, TIME_KINDS
from engine.services import transaction
from engine.services.calendar_admin import (
    DAY_KINDS,
    WEEKDAY_NAMES,
    add_calendar_day,
    delete_calendar_day,
    format_periods,
    import_holidays,
    list_calendar_days,
    list_unit_hours,
    unit_for_edit,
    update_office_hours,
    weekday_label,
)
from engine.services.calendars import forget_cached_calendar
from engine.services.catalogue_admin import (
    CatalogueRejected,
    export_catalogue,
    import_catalogue,
    list_catalogue,
    list_fields,
    procedure_for_edit,
    read_catalogue,
    require_administrator,
    update_procedure,
)
from engine.services.errors import InvalidInput
from webapp.extensions import db
from webapp.util import actor, forms

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")

NEW_FIELD = "__new__"
COUNT_KEYS = ("originals", "certified_copies", "photocopies")
EXTRA_ROWS = 3
MAX_ROWS = 200
MAX_IMPORT_BYTES = 5 * 1024 * 1024


@bp.route("/")
@login_required
def index():
    return redirect(url_for("admin.procedures"))


# --- the catalogue ---------------------------------------------------------------------------------


@bp.route("/thu-tuc")
@login_required
def procedures():
    return render_template(
        "admin/procedures.html", procedures=list_catalogue(db.session, actor()), online_levels=ONLINE_LEVELS
    )


@bp.route("/thu-tuc/<code>", methods=["GET", "POST"])
@login_required
def edit_procedure(code: str):
    procedure = procedure_for_edit(db.session, actor(), code)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = request.form
        rows = _rows_from_form(request.form)
        changes, row_keys = _changes(request.form, rows)
        try:
            with transaction(db.session):
                update_procedure(db.session, actor(), code, changes, forms().names())
        except InvalidInput as err:
            errors = _row_errors(err.errors, row_keys)
            procedure = procedure_for_edit(db.session, actor(), code)
        else:
            flash(f"Đã lưu thủ tục {code}.", "success")
            return redirect(url_for("admin.edit_procedure", code=code))
    else:
        values = _values_of(procedure)
        rows = _rows_of(procedure)
    return render_template(
        "admin/procedure.html",
        procedure=procedure,
        values=values,
        errors=errors,
        rows=rows,
        fields=list_fields(db.session, actor()),
        new_field=NEW_FIELD,
        time_kinds=TIME_KINDS,
        online_levels=ONLINE_LEVELS,
        application_forms=sorted((name, forms().get(name).title) for name in forms().names()),
        result_templates=sorted((name, t.title) for name, t in RESULT_TEMPLATES.items()),
    ), (422 if errors else 200)


def _values_of(procedure: Procedure) -> dict[str, Any]:
    """The form's values for a procedure as saved."""
    return {
        "name": procedure.name,
        "field": procedure.field.code,
        "time_kind": procedure.time_kind,
        "time_value": str(procedure.time_value),
        "fee": procedure.fee,
        "result": procedure.result,
        "source": procedure.source,
        "effective_from": procedure.effective_from.isoformat() if procedure.effective_from else "",
        "online_level": procedure.online_level,
        "application_form": procedure.application_form,
        "result_template": procedure.result_template,
        "active": "on" if procedure.active else "",
    }


def _rows_of(procedure: Procedure) -> list[dict[str, Any]]:
    """The component rows for a procedure as saved, then a few blank rows to add new ones."""
    rows = [
        {
            "key": index,
            "id": str(c.id),
            "position": str(c.position),
            "name": c.name,
            "required": c.required,
            "remove": False,
            **{k: str(getattr(c, k)) for k in COUNT_KEYS},
        }
        for index, c in enumerate(procedure.components)
    ]
    count = len(rows)
    for n in range(EXTRA_ROWS):
        rows.append(
            {
                "key": count + n,
                "id": "",
                "position": str(count + n + 1),
                "name": "",
                "required": True,
                "remove": False,
                "originals": "1",
                "certified_copies": "0",
                "photocopies": "0",
            }
        )
    return rows


def _rows_from_form(form: MultiDict) -> list[dict[str, Any]]:
    """The component rows as typed, so that a refused form shows them again unchanged."""
    count = int(form.get("rows", "0")) if form.get("rows", "").isdigit() else 0
    rows = [
        {
            "key": key,
            "id": form.get(f"c-{key}-id", ""),
            "position": form.get(f"c-{key}-position", ""),
            "name": form.get(f"c-{key}-name", ""),
            "required": bool(form.get(f"c-{key}-required")),
            "remove": bool(form.get(f"c-{key}-remove")),
            **{k: form.get(f"c-{key}-{k}", "") for k in COUNT_KEYS},
        }
        for key in range(min(count, MAX_ROWS))
    ]
    # In the order they were typed (or moved) in, as they will be saved.
    return sorted(rows, key=lambda row: (int(row["position"]) if row["position"].isdigit() else MAX_ROWS, row["key"]))


def _changes(form: MultiDict, rows: list[dict[str, Any]]) -> tuple[dict[str, Any], list[int]]:
    """The service's input from the form, and for each component sent the row it came from."""
    changes: dict[str, Any] = {
        key: form.get(key, "")
        for key in (
            "name",
            "time_kind",
            "time_value",
            "fee",
            "result",
            "source",
            "effective_from",
            "online_level",
            "application_form",
            "result_template",
        )
    }
    changes["active"] = bool(form.get("active"))
    if form.get("field") == NEW_FIELD:
        changes["new_field"] = {"code": form.get("new_field_code", ""), "name": form.get("new_field_name", "")}
    else:
        changes["field"] = form.get("field", "")
    components, row_keys = [], []
    for row in rows:
        if row["remove"] or (not row["id"] and not row["name"].strip()):
            continue  # removed, or a blank row left unused
        item = {
            "id": int(row["id"]) if row["id"].isdigit() else None,
            "name": row["name"],
            "required": row["required"],
            **{k: row[k] for k in COUNT_KEYS},
        }
        if row["position"].strip():
            item["position"] = row["position"]
        components.append(item)
        row_keys.append(row["key"])
    changes["components"] = components
    return changes, row_keys


def _row_errors(errors: dict[str, str], row_keys: list[int]) -> dict[str, str]:
    """Errors on ``components.<i>.<key>`` moved to the form's row names ``c-<row>-<key>``."""
    mapped: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "components" and parts[1].isdigit() and int(parts[1]) < len(row_keys):
            mapped[f"c-{row_keys[int(parts[1])]}-{parts[2]}"] = message
        else:
            mapped[key] = message
    return mapped


@bp.route("/thu-tuc/xuat.json")
@login_required
def export():
    document = export_catalogue(db.session, actor())
    filename = f"danh-muc-thu-tuc-{clock.now():%Y%m%d}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/thu-tuc/nhap", methods=["GET", "POST"])
@login_required
def import_file():
    require_administrator(actor())
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read(MAX_IMPORT_BYTES + 1) if upload and upload.filename else b""
        try:
            if not data:
                raise CatalogueRejected({"Tệp": ["Hãy chọn tệp JSON danh mục thủ tục để nhập."]})
            if len(data) > MAX_IMPORT_BYTES:
                raise CatalogueRejected({"Tệp": ["Tệp lớn quá 5 MB."]})
            with transaction(db.session):
                result = import_catalogue(db.session, actor(), read_catalogue(data), forms().names())
        except CatalogueRejected as err:
            problems = err.problems
        else:
            flash(
                f"Đã nhập {len(result.created) + len(result.updated)} thủ tục: "
                f"{len(result.created)} thủ tục mới, {len(result.updated)} thủ tục cập nhật.",
                "success",
            )
            return redirect(url_for("admin.procedures"))
    return render_template("admin/import.html", problems=problems), (422 if problems else 200)


# --- holidays and swapped days ---------------------------------------------------------------------


@bp.route("/lich", methods=["GET", "POST"])
@login_required
def calendar():
    year = _year(request.args.get("nam", ""))
    errors: dict[str, str] = {}
    values: Any = {"kind": "holiday"}
    if request.method == "POST":
        values = request.form
        try:
            with transaction(db.session):
                row = add_calendar_day(db.session, actor(), request.form)
                day, label = row.day, DAY_KINDS[row.kind].lower()
        except InvalidInput as err:
            errors = err.errors
        else:
            forget_cached_calendar()  # again after the commit: no other request can cache the old rows now
            flash(f"Đã thêm {label} {day:%d/%m/%Y}.", "success")
            return redirect(url_for("admin.calendar", nam=day.year))
    return _calendar_page(year, values, errors)


def _calendar_page(year: int, values: Any, errors: dict[str, str]):
    return render_template(
        "admin/calendar.html",
        year=year,
        days=list_calendar_days(db.session, actor(), year),
        values=values,
        errors=errors,
        kinds=DAY_KINDS,
        weekday_names=WEEKDAY_NAMES,
    ), (422 if errors else 200)


def _year(text: str) -> int:
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else clock.now().year


@bp.route("/lich/xoa", methods=["POST"])
@login_required
def delete_day():
    with transaction(db.session):
        row = delete_calendar_day(db.session, actor(), request.form.get("day", ""))
        day, label = row.day, DAY_KINDS.get(row.kind, row.kind).lower()
    forget_cached_calendar()
    flash(f"Đã xóa {label} {day:%d/%m/%Y}.", "success")
    return redirect(url_for("admin.calendar", nam=day.year))


@bp.route("/lich/nhap", methods=["POST"])
@login_required
def import_year():
    year = request.form.get("year", "")
    try:
        with transaction(db.session):
            added = import_holidays(db.session, actor(), year)
    except InvalidInput as err:
        return _calendar_page(_year(request.args.get("nam", "")), {"kind": "holiday", "year": year}, err.errors)
    forget_cached_calendar()
    if added:
        flash(f"Đã thêm {added} ngày nghỉ lễ, ngày làm bù của năm {year} từ gói holidays.", "success")
    else:
        flash(f"Lịch năm {year} đã có đủ các ngày của gói holidays; không thêm ngày nào.", "warning")
    return redirect(url_for("admin.calendar", nam=int(year)))


# --- office hours per unit -------------------------------------------------------------------------


@bp.route("/don-vi")
@login_required
def units():
    return render_template(
        "admin/units.html",
        units=list_unit_hours(db.session, actor()),
        format_periods=format_periods,
        weekday_label=weekday_label,
    )


@bp.route("/don-vi/<code>", methods=["GET", "POST"])
@login_required
def edit_unit(code: str):
    unit = unit_for_edit(db.session, actor(), code)
    errors: dict[str, str] = {}
    values: Any = {"office_hours": unit.office_hours, "working_weekdays": unit.working_weekdays}
    if request.method == "POST":
        values = request.form
        try:
            with transaction(db.session):
                update_office_hours(
                    db.session, actor(), code, request.form.get("office_hours"), request.form.get("working_weekdays")
                )
        except InvalidInput as err:
            errors = err.errors
            unit = unit_for_edit(db.session, actor(), code)
        else:
            forget_cached_calendar()  # again after the commit, as for holidays
            flash(f"Đã lưu giờ làm việc của {unit.name}.", "success")
            return redirect(url_for("admin.units"))
    return render_template("admin/unit.html", unit=unit, values=values, errors=errors), (422 if errors else 200)
