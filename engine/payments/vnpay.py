"""VNPAY's payment gateway (API version 2.1.0): the signed redirect, and reading its signed answers.

The merchant sends the payer to ``vnp_Url`` with the order's parameters, sorted by name,
form-urlencoded (``quote_plus``) and signed with HMAC-SHA512 under the merchant's hash secret
(``vnp_SecureHash``). VNPAY answers twice with the same kind of signed parameters: it redirects
the browser to ``vnp_ReturnUrl`` (for display only) and calls the merchant's IPN address from its
servers, which alone may change state; the IPN is answered with ``{"RspCode", "Message"}``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import quote_plus

from engine.payments import (
    CallbackReply,
    InvalidSignature,
    NotConfigured,
    PaymentOrder,
    PaymentResult,
    register,
)

SANDBOX_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
VERSION = "2.1.0"
EXPIRES_AFTER = timedelta(minutes=15)
_TIME = "%Y%m%d%H%M%S"  # yyyyMMddHHmmss, Vietnam time (GMT+7)

# The IPN's answers, as VNPAY's integration guide defines them.
CONFIRMED = CallbackReply("00", "Confirm Success")
ORDER_NOT_FOUND = CallbackReply("01", "Order not found")
ALREADY_CONFIRMED = CallbackReply("02", "Order already confirmed")
INVALID_AMOUNT = CallbackReply("04", "Invalid amount")
INVALID_CHECKSUM = CallbackReply("97", "Invalid Checksum")
UNKNOWN_ERROR = CallbackReply("99", "Unknown error")

# vnp_ResponseCode values a payer may see on the return page.
RESPONSE_MESSAGES = {
    "00": "Giao dịch thành công.",
    "07": "Trừ tiền thành công; giao dịch bị nghi ngờ và đang được kiểm tra.",
    "09": "Thẻ/Tài khoản chưa đăng ký dịch vụ thanh toán trực tuyến (InternetBanking).",
    "10": "Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần.",
    "11": "Đã hết hạn chờ thanh toán.",
    "12": "Thẻ/Tài khoản bị khóa.",
    "13": "Nhập sai mật khẩu xác thực giao dịch (OTP).",
    "24": "Ông/Bà đã hủy giao dịch.",
    "51": "Tài khoản không đủ số dư để thực hiện giao dịch.",
    "65": "Tài khoản đã vượt quá hạn mức giao dịch trong ngày.",
    "75": "Ngân hàng thanh toán đang bảo trì.",
    "79": "Nhập sai mật khẩu thanh toán quá số lần quy định.",
    "99": "Lỗi không xác định.",
}


def canonical_query(params: Mapping[str, str]) -> str:
    """The parameters sorted by name and form-urlencoded: the string VNPAY signs."""
    return "&".join(f"{key}={quote_plus(str(params[key]))}" for key in sorted(params))


def sign(params: Mapping[str, str], secret: str) -> str:
    """HMAC-SHA512 of the canonical query under ``secret``, in hex, as ``vnp_SecureHash``."""
    return hmac.new(secret.encode(), canonical_query(params).encode(), hashlib.sha512).hexdigest()


@register
class VnpayProvider:
    """Pay with VNPAY (cards, bank accounts, QR) through its hosted payment page."""

    name: ClassVar[str] = "vnpay"
    label: ClassVar[str] = "VNPAY"

    def __init__(self, tmn_code: str, hash_secret: str, url: str = SANDBOX_URL) -> None:
        if not tmn_code or not hash_secret:
            raise NotConfigured("VNPAY needs its merchant code (TmnCode) and hash secret")
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.url = url

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> VnpayProvider:
        return cls(
            str(settings.get("VNPAY_TMN_CODE") or ""),
            str(settings.get("VNPAY_HASH_SECRET") or ""),
            str(settings.get("VNPAY_URL") or SANDBOX_URL),
        )

    def payment_url(self, order: PaymentOrder) -> str:
        """Where to send the payer: VNPAY's page with the signed order."""
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(order.amount * 100),  # in hundredths of a đồng
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": order.txn_ref,
            "vnp_OrderInfo": order.description,
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": order.return_url,
            "vnp_IpAddr": order.client_ip or "127.0.0.1",
            "vnp_CreateDate": order.created_at.strftime(_TIME),
            "vnp_ExpireDate": (order.created_at + EXPIRES_AFTER).strftime(_TIME),
        }
        query = canonical_query(params)
        return f"{self.url}?{query}&vnp_SecureHash={sign(params, self.hash_secret)}"

    def verify(self, params: Mapping[str, str]) -> PaymentResult:
        """Check the signature over every ``vnp_*`` parameter but the hash itself; raise InvalidSignature."""
        signed = {k: v for k, v in params.items() if k.startswith("vnp_") and k not in _UNSIGNED}
        given = str(params.get("vnp_SecureHash") or "").lower()
        if not given or not hmac.compare_digest(sign(signed, self.hash_secret), given):
            raise InvalidSignature("vnp_SecureHash does not match")
        if signed.get("vnp_TmnCode") != self.tmn_code:
            raise InvalidSignature("vnp_TmnCode is not ours")
        try:
            amount = int(signed.get("vnp_Amount", ""))
        except ValueError as err:
            raise InvalidSignature("vnp_Amount is not a number") from err
        response = signed.get("vnp_ResponseCode", "")
        status = signed.get("vnp_TransactionStatus", response)
        return PaymentResult(
            txn_ref=signed.get("vnp_TxnRef", ""),
            amount=amount // 100 if amount % 100 == 0 else -1,
            success=response == "00" and status == "00",
            response_code=response,
            transaction_no=signed.get("vnp_TransactionNo", "")[:40],
            bank_code=signed.get("vnp_BankCode", "")[:20],
            paid_at=_parse_time(signed.get("vnp_PayDate", "")),
        )


_UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, _TIME)
    except ValueError:
        return None
