"""Fees: a holder asks for one (status 6), the payer pays online or at the counter, the dossier moves on.

- ``request_fee``: whoever holds the dossier asks for an amount with a note; the dossier waits
  at status 6 (Yêu cầu thực hiện nghĩa vụ tài chính) and the applicant is told.
- ``start_payment``: an already-authorised payer (``authorise_payer`` for the public pages; a
  citizen account may authorise otherwise) gets a pending payment and the provider's address.
- ``confirm``: the provider's server-to-server callback (VNPAY's IPN). Only it changes state: it
  marks the payment paid exactly once (the dossier row is locked, PostgreSQL, and the payment is
  updated only while still pending, every backend) and settles the fee.
- ``record_cash``: a counter officer of the receiving counter takes the fee in cash.

Settling a fee puts the dossier back in the status it had before it waited (usually 4): its open
steps never closed, so processing simply resumes where it stood. The clock does not pause while
waiting for a fee (only a supplement request pauses it).
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Dossier, FeeRequest, Payment, User
from engine.payments import CallbackReply, InvalidSignature, PaymentOrder, PaymentProvider
from engine.payments import vnpay as protocol
from engine.services import advance, events
from engine.services.access import require_counter_of
from engine.services.applicant_texts import money
from engine.services.delegation import signature
from engine.services.dossier_actions import holder_of
from engine.services.dossiers import get_dossier
from engine.services.errors import Conflict, InvalidInput, NotFound
from engine.services.handover import lock_dossier
from engine.services.inputs import clean_text
from engine.status import DossierStatus

MAX_AMOUNT = 1_000_000_000  # VND: far above any administrative fee, below what a bank refuses
PAYER_REFUSED = "Mã hồ sơ hoặc số điện thoại / số định danh cá nhân không đúng."


def _amount(value: Any) -> int:
    text = re.sub(r"[.,\s]", "", str(value if value is not None else "")).removesuffix("đ")
    if not text.isdigit() or not 0 < int(text) <= MAX_AMOUNT:
        raise InvalidInput({"amount": "Hãy nhập số tiền phải nộp (đồng), một số nguyên dương, ví dụ 150000."})
    return int(text)


def open_fee(session: Session, dossier_id: int) -> FeeRequest | None:
    """The dossier's fee request still waiting to be paid, if any."""
    return session.scalars(
        select(FeeRequest)
        .where(FeeRequest.dossier_id == dossier_id, FeeRequest.paid_at.is_(None))
        .order_by(FeeRequest.id.desc())
    ).first()


def fees_of(session: Session, dossier_id: int) -> list[FeeRequest]:
    """Every fee request of the dossier with its payments, oldest first (for staff pages and the API)."""
    return list(session.scalars(select(FeeRequest).where(FeeRequest.dossier_id == dossier_id).order_by(FeeRequest.id)))


def request_fee(session: Session, actor: User, code: str, payload: Mapping[str, Any]) -> FeeRequest:
    """The holder asks the applicant to pay ``amount`` VND (status 6); the applicant is told."""
    dossier = lock_dossier(session, get_dossier(session, actor, code).id)
    if dossier.status not in (DossierStatus.ACCEPTED, DossierStatus.PROCESSING):
        raise Conflict("Chỉ yêu cầu nộp phí được khi hồ sơ đang xử lý.")
    task, principal = holder_of(session, actor, dossier)
    amount = _amount(payload.get("amount"))
    note = clean_text(payload.get("note"), "note", limit=2000, required=False)
    now = clock.now()
    fee = FeeRequest(
        dossier_id=dossier.id,
        amount=amount,
        note=note,
        requested_at=now,
        requested_by_id=actor.id,
        requested_by_name=signature(actor, principal),
        previous_status=dossier.status,
    )
    session.add(fee)
    previous = dossier.status
    dossier.status = DossierStatus.FEE_REQUESTED
    advance.record(
        session,
        dossier,
        actor,
        "fee_request",
        now,
        from_step=task.title,
        actor_name=signature(actor, principal),
        note=f"Yêu cầu nộp {money(amount)}" + (f". {note}" if note else ""),
        step_due_at=task.due_at,
    )
    session.flush()
    events.status_changed(session, dossier, actor, previous, now)
    return fee


def authorise_payer(session: Session, code: str, second_factor: str) -> Dossier:
    """The dossier whose code and applicant's phone number or ID number match; NotFound otherwise."""
    code = (code or "").strip().upper()
    factor = _digits(second_factor)
    dossier = session.scalars(select(Dossier).where(Dossier.code == code)).first() if code else None
    if dossier is None or len(factor) < 9:
        raise NotFound(PAYER_REFUSED)
    known = [_digits(dossier.phone), _digits(dossier.id_number)]
    if not any(value and hmac.compare_digest(value, factor) for value in known):
        raise NotFound(PAYER_REFUSED)
    return dossier


def start_payment(
    session: Session, dossier: Dossier, provider: PaymentProvider, return_url: str, client_ip: str
) -> tuple[Payment, str]:
    """A pending payment of the dossier's open fee and the provider's address to send the payer to.

    The caller has authorised the payer for ``dossier``.
    """
    dossier = lock_dossier(session, dossier.id)
    fee = open_fee(session, dossier.id)
    if dossier.status != DossierStatus.FEE_REQUESTED or fee is None:
        raise Conflict("Hồ sơ này hiện không có khoản phí nào chờ nộp.")
    now = clock.now()
    payment = Payment(
        dossier_id=dossier.id,
        fee_request_id=fee.id,
        provider=provider.name,
        txn_ref=f"{now:%y%m%d%H%M%S}{secrets.token_hex(4).upper()}",
        amount=fee.amount,
        description=f"Thanh toan phi ho so {dossier.code}",
        status="pending",
        created_at=now,
    )
    session.add(payment)
    session.flush()
    order = PaymentOrder(payment.txn_ref, payment.amount, payment.description, return_url, client_ip, now)
    return payment, provider.payment_url(order)


def confirm(session: Session, provider: PaymentProvider, params: Mapping[str, str]) -> CallbackReply:
    """The provider's callback: mark the payment paid (or failed) once, and settle the fee if paid."""
    try:
        result = provider.verify(params)
    except InvalidSignature:
        return protocol.INVALID_CHECKSUM
    found = session.scalars(select(Payment).where(Payment.txn_ref == result.txn_ref)).first()
    if found is None or found.provider != provider.name:
        return protocol.ORDER_NOT_FOUND
    dossier = lock_dossier(session, found.dossier_id)  # the dossier first, as every dossier change does
    payment = session.scalars(
        select(Payment).where(Payment.id == found.id).with_for_update().execution_options(populate_existing=True)
    ).one()
    if payment.amount != result.amount:
        return protocol.INVALID_AMOUNT
    if payment.status != "pending":
        return protocol.ALREADY_CONFIRMED
    now = clock.now()
    marked = session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status == "pending")
        .values(
            status="paid" if result.success else "failed",
            paid_at=(result.paid_at or now) if result.success else None,
            provider_transaction_no=result.transaction_no,
            bank_code=result.bank_code,
            response_code=result.response_code,
        )
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount != 1:  # another callback won meanwhile (SQLite has no row lock)
        return protocol.ALREADY_CONFIRMED
    session.refresh(payment)
    if result.success:
        _settle(session, dossier, payment, None, now)
    return protocol.CONFIRMED


def record_cash(session: Session, actor: User, code: str, payload: Mapping[str, Any]) -> Payment:
    """A counter officer of the receiving counter takes the open fee in cash."""
    dossier = lock_dossier(session, get_dossier(session, actor, code).id)
    require_counter_of(actor, dossier)
    fee = open_fee(session, dossier.id)
    if fee is None:
        raise Conflict("Hồ sơ này không có khoản phí nào chờ nộp.")
    receipt_no = clean_text(payload.get("receipt_no"), "receipt_no", limit=40, required=False)
    now = clock.now()
    payment = Payment(
        dossier_id=dossier.id,
        fee_request_id=fee.id,
        provider="cash",
        txn_ref=f"TM{now:%y%m%d%H%M%S}{secrets.token_hex(4).upper()}",
        amount=fee.amount,
        description="Nộp tiền mặt tại bộ phận một cửa",
        status="paid",
        created_at=now,
        paid_at=now,
        provider_transaction_no=receipt_no,
        recorded_by_id=actor.id,
    )
    session.add(payment)
    session.flush()
    _settle(session, dossier, payment, actor, now)
    return payment


@dataclass(frozen=True)
class ReturnView:
    """What the payer's browser is shown back from the provider: display only, never a change."""

    verified: bool
    dossier_code: str = ""
    amount: int = 0
    paid: bool = False
    pending: bool = False
    message: str = ""


def read_return(session: Session, provider: PaymentProvider, params: Mapping[str, str]) -> ReturnView:
    """The payment the provider's return address names, as recorded by its callback."""
    try:
        result = provider.verify(params)
    except InvalidSignature:
        return ReturnView(verified=False, message="Không xác thực được kết quả thanh toán (sai chữ ký).")
    payment = session.scalars(select(Payment).where(Payment.txn_ref == result.txn_ref)).first()
    if payment is None:
        return ReturnView(verified=False, message="Không tìm thấy giao dịch thanh toán này.")
    code = session.scalar(select(Dossier.code).where(Dossier.id == payment.dossier_id)) or ""
    message = protocol.RESPONSE_MESSAGES.get(result.response_code, f"Mã kết quả {result.response_code}.")
    return ReturnView(
        verified=True,
        dossier_code=code,
        amount=payment.amount,
        paid=payment.status == "paid",
        pending=payment.status == "pending",
        message=message,
    )


def _settle(session: Session, dossier: Dossier, payment: Payment, actor: User | None, now: datetime) -> None:
    """The fee is paid: record it once, and let the dossier go on from where it waited."""
    fee = session.get(FeeRequest, payment.fee_request_id)
    assert fee is not None
    if fee.paid_at is not None:  # paid twice (e.g. two online tries): the second is kept, the dossier moved already
        return
    fee.paid_at = now
    previous = dossier.status
    if dossier.status == DossierStatus.FEE_REQUESTED:
        dossier.status = fee.previous_status
    how = "tiền mặt tại quầy" if payment.provider == "cash" else f"trực tuyến qua {payment.provider.upper()}"
    advance.record(
        session,
        dossier,
        actor,
        "fee_paid",
        now,
        from_step="Nộp phí, lệ phí",
        note=f"Đã nộp {money(payment.amount)} ({how})"
        + (f", mã giao dịch {payment.provider_transaction_no}" if payment.provider_transaction_no else "")
        + ".",
    )
    session.flush()
    events.status_changed(session, dossier, actor, previous, now)


def _digits(text: str | None) -> str:
    digits = re.sub(r"\D", "", text or "")
    return "0" + digits[2:] if digits.startswith("84") and len(digits) == 11 else digits
