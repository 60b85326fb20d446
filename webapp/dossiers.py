"""The dossier page for staff, its receipts, and its attachments."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import login_required
from markupsafe import Markup
from sqlalchemy import select

from engine.documents import barcodes
from engine.models import Attachment, Task
from engine.services import handover, payments
from engine.services.access import can_act_on, is_leader_of
from engine.services.delegation import principals_of
from engine.services.documents import FORM_TITLES, receipt_data, receipt_form_of
from engine.services.dossier_actions import OPEN_STATUSES, comments_of
from engine.services.dossiers import get_dossier
from engine.services.errors import NotFound
from webapp.extensions import db
from webapp.util import actor, attachment_store, lookup_url

bp = Blueprint("dossiers", __name__, url_prefix="/ho-so")

@bp.route("/")
@login_required
def find():
    """The counter's search box: a barcode scanner types the code and Enter."""
    code = request.args.get("code", "").strip()
    if not code:
        raise NotFound("Hãy nhập mã hồ sơ.")
    return redirect(url_for("dossiers.show", code=code.upper()))


@bp.route("/<code>")
@login_required
def show(code: str):
    return render_dossier(code)


def render_dossier(code: str, action: str = "", values: dict[str, str] | None = None, errors=None) -> str:
    """The dossier page, with what each person may do on it; ``action`` re-opens a form with its errors."""
    user = actor()
    dossier = get_dossier(db.session, user, code)
    open_tasks = db.session.scalars(
        select(Task).where(Task.dossier_id == dossier.id, Task.closed_at.is_(None)).order_by(Task.created_at)
    ).all()
    principals = principals_of(db.session, user.id)
    leader = is_leader_of(user, dossier) or any(is_leader_of(p, dossier) for p in principals)  # type: ignore[arg-type]
    mine = [t for t in open_tasks if can_act_on(user, t) or any(can_act_on(p, t) for p in principals)]
    recallable = [t for t in open_tasks if t.opened_by_id in {user.id, *(p.id for p in principals)}]
    return render_template(
        "dossier.html",
        dossier=dossier,
        open_tasks=open_tasks,
        receipt_form=receipt_form_of(dossier),
        form_titles=FORM_TITLES,
        comments=comments_of(db.session, user, dossier),
        fees=payments.fees_of(db.session, dossier.id),
        money=payments.money,
        candidates={t.id: handover.candidates(db.session, t.role, t.unit_id) for t in open_tasks} if leader else {},
        is_leader=leader,
        holds=bool(mine),
        recallable={t.id for t in recallable},
        processing=dossier.status in OPEN_STATUSES and dossier.process_version_id is not None,
        action=action,
        values=values or {},
        errors=errors or {},
    )


@bp.route("/<code>/phieu")
@login_required
def receipt(code: str):
    """The receipt the dossier got at the counter, laid out for printing on A4."""
    dossier = get_dossier(db.session, actor(), code)
    form = receipt_form_of(dossier)
    data = receipt_data(db.session, actor(), dossier.code, form, lookup_url(dossier.code))
    return render_template(
        "receipt.html",
        data=data,
        dossier=dossier,
        form=form,
        title=FORM_TITLES[form],
        barcode=Markup(barcodes.code128_svg(data.dossier_code)),
        qr=Markup(barcodes.qr_svg(data.lookup_url)),
    )


@bp.route("/<code>/tep/<int:attachment_id>")
@login_required
def attachment(code: str, attachment_id: int):
    """An attachment, shown inline in the browser (PDF and images)."""
    dossier = get_dossier(db.session, actor(), code)
    row = db.session.get(Attachment, attachment_id)
    if row is None or row.dossier_id != dossier.id:
        raise NotFound("Không tìm thấy tệp đính kèm.")
    content = attachment_store().read(row.storage_key)
    ascii_name = row.filename.encode("ascii", "ignore").decode() or "tep"
    return Response(
        content,
        mimetype=row.content_type,
        headers={
            "Content-Disposition": f'inline; filename="{ascii_name}"',
            "Cache-Control": "private, max-age=3600",
        },
    )
