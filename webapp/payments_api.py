"""Payment calls of the JSON API, on the API blueprint (``/api/v1``): start a payment, the provider's
callback (VNPAY's IPN, a GET from its servers), a holder's fee request and the counter's cash.

Imported once by ``create_app`` before the API blueprint is registered.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request, url_for

from engine.models import Payment
from engine.payments import vnpay
from engine.services import payments, transaction
from engine.services.errors import Conflict, InvalidInput
from webapp.api import actor, bp, iso_time, json_body, token_required
from webapp.extensions import db, limiter
from webapp.payments import provider


def _payment_json(payment: Payment) -> dict[str, Any]:
    return {
        "txn_ref": payment.txn_ref,
        "provider": payment.provider,
        "amount": payment.amount,
        "status": payment.status,
        "created_at": iso_time(payment.created_at),
        "paid_at": iso_time(payment.paid_at),
        "transaction_no": payment.provider_transaction_no,
        "bank_code": payment.bank_code,
    }


def fees_json(dossier_id: int) -> list[dict[str, Any]]:
    """The dossier's fee requests and their payments, for the dossier's JSON."""
    return [
        {
            "amount": fee.amount,
            "note": fee.note,
            "requested_at": iso_time(fee.requested_at),
            "requested_by": fee.requested_by_name,
            "paid_at": iso_time(fee.paid_at),
            "payments": [_payment_json(p) for p in fee.payments],
        }
        for fee in payments.fees_of(db.session, dossier_id)
    ]


@bp.post("/payments")
@limiter.limit(lambda: current_app.config["PAYMENT_RATE_LIMIT"])
def start_payment():
    """A payer (dossier code and phone or ID number) starts paying the open fee: the address to send them to."""
    payload = json_body()
    dossier = payments.authorise_payer(
        db.session, str(payload.get("code") or ""), str(payload.get("second_factor") or "")
    )
    gateway = provider()
    if gateway is None:
        raise Conflict("Thanh toán trực tuyến chưa được cấu hình.")
    return_url = str(payload.get("return_url") or url_for("payments.result", _external=True))
    if not return_url.startswith(("https://", "http://")):
        raise InvalidInput({"return_url": "Địa chỉ trở về phải bắt đầu bằng https:// hoặc http://."})
    with transaction(db.session):
        payment, url = payments.start_payment(db.session, dossier, gateway, return_url, request.remote_addr or "")
        body = {**_payment_json(payment), "redirect_url": url}
    return jsonify(body), 201


@bp.get("/payments/vnpay/ipn")
def vnpay_ipn():
    """VNPAY's server-to-server notification (IPN): answered with RspCode/Message, always HTTP 200."""
    gateway = provider()
    if gateway is None or gateway.name != "vnpay":
        return jsonify(vnpay.UNKNOWN_ERROR.as_json())
    try:
        with transaction(db.session):
            reply = payments.confirm(db.session, gateway, request.args.to_dict())
    except Exception:  # the provider retries on 99: nothing half-written stays
        current_app.logger.exception("VNPAY IPN failed")
        reply = vnpay.UNKNOWN_ERROR
    return jsonify(reply.as_json())


@bp.post("/dossiers/<code>/fee")
@token_required
def request_fee(code: str):
    payload = json_body()
    with transaction(db.session):
        fee = payments.request_fee(db.session, actor(), code, payload)
        body = {"code": code, "status": 6, "amount": fee.amount, "note": fee.note}
        body["requested_at"] = iso_time(fee.requested_at)
    return jsonify(body), 201


@bp.post("/dossiers/<code>/cash-payment")
@token_required
def record_cash(code: str):
    payload = json_body()
    with transaction(db.session):
        payment = payments.record_cash(db.session, actor(), code, payload)
        body = _payment_json(payment)
    return jsonify(body), 201
