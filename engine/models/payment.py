"""Fees: what the agency asks a dossier to pay (a fee request), and each try to pay it (a payment)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base


class FeeRequest(Base):
    """A request to pay a fee before processing goes on (status 6); settled once, by one payment."""

    __tablename__ = "fee_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)  # VND
    note: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_by_name: Mapped[str] = mapped_column(String(255))
    # The status the dossier had before it waited for the fee: it goes back there once paid.
    previous_status: Mapped[int] = mapped_column(Integer)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)

    payments: Mapped[list[Payment]] = relationship(order_by="Payment.id", back_populates="fee_request")


class Payment(Base):
    """One try to pay a fee request: online through a provider (pending until its callback), or cash at the counter."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    fee_request_id: Mapped[int] = mapped_column(ForeignKey("fee_request.id"), index=True)
    provider: Mapped[str] = mapped_column(String(20))  # vnpay | cash
    txn_ref: Mapped[str] = mapped_column(String(40), unique=True)
    amount: Mapped[int] = mapped_column(Integer)  # VND
    description: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | paid | failed
    created_at: Mapped[datetime] = mapped_column(DateTime)
    paid_at: Mapped[datetime | None] = mapped_column(DateTime)
    provider_transaction_no: Mapped[str] = mapped_column(String(40), default="")
    bank_code: Mapped[str] = mapped_column(String(20), default="")
    response_code: Mapped[str] = mapped_column(String(10), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # cash: the counter officer

    fee_request: Mapped[FeeRequest] = relationship(back_populates="payments")

    @property
    def method_label(self) -> str:
        return "Tiền mặt tại quầy" if self.provider == "cash" else f"Trực tuyến ({self.provider.upper()})"

    @property
    def status_label(self) -> str:
        return {"pending": "Đang chờ thanh toán", "paid": "Đã thanh toán", "failed": "Không thành công"}[self.status]


class SmsLog(Base):
    """An SMS the built-in test gateway "sent": kept so that tests and the demo can read it."""

    __tablename__ = "sms_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(20), index=True)
    body: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(80), default="")
    sent_at: Mapped[datetime] = mapped_column(DateTime)
