"""The dashboard (/bang-dieu-khien) and the warnings page (/canh-bao), and their JSON under /api/v1."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask_login import login_required

from engine.services.dashboard import Dashboard, dashboard
from engine.services.errors import InvalidInput
from engine.services.warnings import BUCKETS, WarningFilter, Warnings, parse_filter, warnings
from webapp import api
from webapp.api import iso_time
from webapp.extensions import db
from webapp.util import actor

bp = Blueprint("dashboard", __name__)


@bp.route("/bang-dieu-khien")
@login_required
def index():
    board = dashboard(db.session, actor())
    peak = max([m.received for m in board.months] + [m.resolved for m in board.months] + [1])
    status_peak = max([*board.by_status.values(), 1])
    return render_template("dashboard.html", board=board, peak=peak, status_peak=status_peak)


@bp.route("/canh-bao")
@login_required
def warnings_page():
    errors: dict[str, str] = {}
    try:
        filt = parse_filter(request.args)
        found = warnings(db.session, actor(), filt)
    except InvalidInput as err:
        errors = err.errors
        found = warnings(db.session, actor(), WarningFilter())
    return render_template("warnings.html", found=found, buckets=BUCKETS, args=request.args, errors=errors), (
        422 if errors else 200
    )


# --- JSON: routes of the API blueprint (its bearer tokens and error replies), kept beside their pages ---


def dashboard_json(board: Dashboard) -> dict[str, Any]:
    counter = board.counter
    return {
        "now": iso_time(board.now),
        "due_soon_before": iso_time(board.soon_before),
        "leader": board.oversight.leader,
        "units": [{"id": u.id, "name": u.name, "kind": u.kind} for u in board.oversight.units],
        "tasks": board.tasks,
        "counter": None
        if counter is None
        else {
            "unit_id": counter.unit_id,
            "new_online": counter.new_online,
            "waiting_supplement": counter.waiting_supplement,
            "to_return": counter.to_return,
        },
        "since": board.since.isoformat(),
        "by_status": [
            {"status": status, "label": board.status_labels[status], "count": count}
            for status, count in board.by_status.items()
        ],
        "months": [
            {"month": m.month.strftime("%Y-%m"), "received": m.received, "resolved": m.resolved} for m in board.months
        ],
        "on_time": {
            "early": board.on_time.early,
            "on_time": board.on_time.on_time,
            "late": board.on_time.late,
            "share": board.on_time.share,
        },
        "departments": [vars(load) for load in board.departments],
        "counters": [vars(queue) for queue in board.counters],
    }


def warnings_json(found: Warnings) -> dict[str, Any]:
    def groups(items):
        return [{"key": g.key, "label": g.label, "due_soon": g.due_soon, "overdue": g.overdue} for g in items]

    return {
        "now": iso_time(found.now),
        "due_soon_before": iso_time(found.soon_before),
        "due_soon": found.due_soon,
        "overdue": found.overdue,
        "by_person": groups(found.by_person),
        "by_unit": groups(found.by_unit),
        "by_lateness": [{"key": b.key, "label": b.label, "count": n} for b, n in found.by_lateness],
        "dossiers": [
            {
                "code": row.code,
                "applicant_name": row.applicant_name,
                "procedure": row.procedure_name,
                "department": row.department,
                "due_at": iso_time(row.due_at),
                "holders": row.holders,
                "late_days": row.late_days,
            }
            for row in found.rows
        ],
        "more": found.more,
    }


@api.bp.get("/dashboard")
@api.token_required
def api_dashboard():
    return jsonify(dashboard_json(dashboard(db.session, api.actor())))


@api.bp.get("/warnings")
@api.token_required
def api_warnings():
    return jsonify(warnings_json(warnings(db.session, api.actor(), parse_filter(request.args))))
