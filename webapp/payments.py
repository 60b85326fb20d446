"""Fee payment pages: the payer's page and the provider's return, and the staff's fee actions.

The payer reaches ``/thanh-toan/<code>`` from the public lookup (or the link in the e-mail and
SMS) and proves they are the applicant with the phone number or ID number they gave; the proof
is kept in their session for that code only. "Thanh toán qua VNPAY" creates a pending payment
and redirects to the provider. The return page only displays: the provider's server-to-server
callback (webapp.payments_api) is what marks a payment paid.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import login_required
from sqlalchemy import select

from engine.models import Dossier
from engine.payments import NotConfigured, PaymentProvider, provider_from_settings
from engine.services import citizen_dossiers, payments, transaction
from engine.services.errors import Conflict, NotFound
from webapp.citizen_session import current_citizen
from webapp.extensions import db, limiter
from webapp.processing import run_action
from webapp.util import actor

bp = Blueprint("payments", __name__)

_PAYERS = "motcua_payers"  # session key: the dossier codes this browser proved it may pay for


def provider() -> PaymentProvider | None:
    """The configured online payment provider; None when online payment is not set up."""
    try:
        return provider_from_settings(current_app.config)
    except NotConfigured:  # MOTCUA_VNPAY_TMN_CODE / MOTCUA_VNPAY_HASH_SECRET unset: cash at the counter only
        return None


def _rate() -> str:
    return str(current_app.config["PAYMENT_RATE_LIMIT"])


def _page(code: str, dossier: Any = None, error: str = "", factor: str = "", status: int = 200):
    fee = payments.open_fee(db.session, dossier.id) if dossier is not None else None
    return render_template(
        "portal/pay.html",
        code=code,
        dossier=dossier,
        fee=fee,
        money=payments.money,
        online=provider() is not None,
        error=error,
        factor=factor,
    ), status


def _authorised(code: str) -> Any:
    """The dossier if this browser proved it may pay for ``code`` (or its citizen account owns it); None otherwise."""
    citizen = current_citizen()
    if citizen is not None:
        try:
            return citizen_dossiers.my_dossier(db.session, citizen, code)
        except NotFound:
            pass
    if code not in session.get(_PAYERS, []):
        return None
    return db.session.scalars(select(Dossier).where(Dossier.code == code)).first()


@bp.route("/thanh-toan/<code>", methods=["GET", "POST"])
@limiter.limit(_rate, methods=["POST"])
def pay(code: str):
    """Ask for the second factor; once given, show the amount due and the button to pay."""
    code = code.strip().upper()
    if request.method == "POST":
        factor = request.form.get("second_factor", "")
        try:
            dossier = payments.authorise_payer(db.session, code, factor)
        except NotFound as err:
            return _page(code, error=err.message, factor=factor, status=404)
        session[_PAYERS] = [*session.get(_PAYERS, [])[-4:], dossier.code]
        return redirect(url_for("payments.pay", code=dossier.code))
    return _page(code, dossier=_authorised(code))


@bp.post("/thanh-toan/<code>/vnpay")
@limiter.limit(_rate)
def start(code: str):
    """Create the pending payment and send the payer to the provider's page."""
    code = code.strip().upper()
    dossier = _authorised(code)
    gateway = provider()
    if dossier is None:
        return _page(code, error="Hãy nhập số điện thoại hoặc số định danh cá nhân để tiếp tục.", status=403)
    if gateway is None:
        return _page(code, dossier, error="Thanh toán trực tuyến chưa được cấu hình; xin nộp tại quầy.", status=409)
    try:
        with transaction(db.session):
            _, url = payments.start_payment(
                db.session, dossier, gateway, url_for("payments.result", _external=True), request.remote_addr or ""
            )
    except Conflict as err:
        return _page(code, dossier, error=err.message, status=409)
    return redirect(url, code=303)


@bp.get("/thanh-toan/ket-qua")
@limiter.limit(_rate)
def result():
    """Where the provider sends the payer back: shows the outcome, changes nothing."""
    gateway = provider()
    if gateway is None:
        raise NotFound("Thanh toán trực tuyến chưa được cấu hình.")
    view = payments.read_return(db.session, gateway, request.args.to_dict())
    return render_template("portal/pay_result.html", view=view, money=payments.money), (200 if view.verified else 400)


@bp.post("/ho-so/<code>/yeu-cau-nop-phi")
@login_required
def request_fee(code: str):
    return run_action(
        code,
        "fee",
        lambda: payments.request_fee(db.session, actor(), code, request.form.to_dict()),
        "Đã yêu cầu công dân nộp phí, lệ phí; hồ sơ chờ nộp phí.",
    )


@bp.post("/ho-so/<code>/thu-tien-mat")
@login_required
def record_cash(code: str):
    return run_action(
        code,
        "cash",
        lambda: payments.record_cash(db.session, actor(), code, request.form.to_dict()),
        "Đã ghi nhận nộp phí bằng tiền mặt; hồ sơ tiếp tục được xử lý.",
    )
