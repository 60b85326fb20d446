"""The dossier page's processing actions, and the delegation page.

Each action posts to its own address and calls one service in one
transaction. Bad input re-renders the dossier page with the messages beside
what was typed; a conflict or a refusal comes back as a message on the page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from engine.services import delegation, dossier_actions, handover, transaction
from engine.services.errors import DomainError, InvalidInput
from webapp.dossiers import render_dossier
from webapp.extensions import db
from webapp.util import actor, scans

bp = Blueprint("processing", __name__)


def run_action(code: str, action: str, call: Any, success: str) -> Any:
    """Run ``call`` in a transaction; on bad input show the dossier page again with the typed values."""
    try:
        with transaction(db.session):
            call()
    except InvalidInput as err:
        return render_dossier(code, action=action, values=request.form.to_dict(), errors=err.errors), 422
    except DomainError as err:
        flash(err.message, "warning")
    else:
        flash(success, "success")
    return redirect(url_for("dossiers.show", code=code) + f"#{action}")


@bp.post("/ho-so/<code>/y-kien")
@login_required
def comment(code: str):
    return run_action(
        code,
        "comment",
        lambda: dossier_actions.comment(db.session, actor(), code, request.form.to_dict()),
        "Đã gửi ý kiến.",
    )


@bp.post("/ho-so/<code>/tep")
@login_required
def attach(code: str):
    return run_action(
        code, "attach", lambda: dossier_actions.attach(db.session, actor(), code, scans(request.files)), "Đã thêm tệp."
    )


def _supplement_items() -> list[dict[str, Any]]:
    """The components ticked as missing (each with its reason), and a document to add, if typed."""
    items: list[dict[str, Any]] = [
        {"component_id": int(value), "reason": request.form.get(f"reason-{value}", "")}
        for value in request.form.getlist("missing")
        if value.isdigit()
    ]
    if request.form.get("extra_name", "").strip() or request.form.get("extra_reason", "").strip():
        items.append({"name": request.form.get("extra_name", ""), "reason": request.form.get("extra_reason", "")})
    return items


@bp.post("/ho-so/<code>/yeu-cau-bo-sung")
@login_required
def request_supplement(code: str):
    payload = {"items": _supplement_items(), "note": request.form.get("note", "")}
    return run_action(
        code,
        "supplement",
        lambda: dossier_actions.request_supplement(db.session, actor(), code, payload),
        "Đã yêu cầu bổ sung; thời hạn giải quyết tạm dừng. In Phiếu yêu cầu bổ sung (Mẫu 02) cho công dân.",
    )


@bp.post("/ho-so/<code>/nhan-bo-sung")
@login_required
def receive_supplement(code: str):
    return run_action(
        code,
        "supplement-received",
        lambda: dossier_actions.receive_supplement(
            db.session, actor(), code, request.form.to_dict(), scans(request.files)
        ),
        "Đã tiếp nhận hồ sơ bổ sung; thời hạn giải quyết tiếp tục và được lùi tương ứng.",
    )


@bp.post("/ho-so/<code>/gia-han")
@login_required
def extend(code: str):
    return run_action(
        code,
        "extend",
        lambda: dossier_actions.extend(db.session, actor(), code, request.form.to_dict()),
        "Đã gia hạn và lập văn bản xin lỗi (Mẫu 04).",
    )


@bp.post("/ho-so/<code>/dung-xu-ly")
@login_required
def stop(code: str):
    return run_action(
        code,
        "stop",
        lambda: dossier_actions.stop(db.session, actor(), code, request.form.to_dict()),
        "Đã dừng xử lý hồ sơ (Mẫu 05).",
    )


@bp.post("/ho-so/<code>/cong-viec/<task_id>/thu-hoi")
@login_required
def recall(code: str, task_id: str):
    return run_action(
        code,
        "open-tasks",
        lambda: handover.recall(db.session, actor(), task_id, request.form.get("note", "")),
        "Đã thu hồi hồ sơ về bước của bạn.",
    )


@bp.post("/ho-so/<code>/cong-viec/<task_id>/giao")
@login_required
def assign(code: str, task_id: str):
    return run_action(
        code,
        f"assign-{task_id}",
        lambda: handover.assign(db.session, actor(), task_id, request.form.get("user_id"), request.form.get("note")),
        "Đã giao công việc.",
    )


@bp.route("/uy-quyen", methods=["GET", "POST"])
@login_required
def delegations():
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = request.form.to_dict()
        try:
            with transaction(db.session):
                row = delegation.delegate(db.session, actor(), values)
                flash(
                    f"Đã ủy quyền cho {row.deputy.full_name} từ {row.starts_at:%H:%M %d/%m/%Y} "
                    f"đến {row.ends_at:%H:%M %d/%m/%Y}.",
                    "success",
                )
            return redirect(url_for("processing.delegations"))
        except InvalidInput as err:
            errors = err.errors
        except DomainError as err:
            flash(err.message, "warning")
    return render_template(
        "delegations.html",
        rows=delegation.delegations_of(db.session, actor()),
        deputies=delegation.deputy_candidates(db.session, actor()),
        is_leader=any(actor().has_role(role) for role in delegation.LEADER_ROLES),
        values=values,
        errors=errors,
    ), (422 if errors else 200)


@bp.post("/uy-quyen/<int:delegation_id>/ket-thuc")
@login_required
def end_delegation(delegation_id: int):
    try:
        with transaction(db.session):
            delegation.end_delegation(db.session, actor(), delegation_id)
        flash("Đã kết thúc ủy quyền.", "success")
    except DomainError as err:
        flash(err.message, "warning")
    return redirect(url_for("processing.delegations"))
