"""VNPAY's protocol without a server: the signed payment address and the checks of its answers."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import pytest

from engine.payments import InvalidSignature, NotConfigured, PaymentOrder, provider_from_settings
from engine.payments.vnpay import VnpayProvider, sign
from engine.services.applicant_texts import money, sms_text

SECRET = "TESTSECRETNOTREAL0123456789ABCDEF"
ORDER = PaymentOrder(
    txn_ref="261130180000AB12CD34",
    amount=150_000,
    description="Thanh toan phi ho so 000.00.01.H10-261130-0001",
    return_url="https://dichvucong.example.gov.vn/thanh-toan/ket-qua",
    client_ip="203.0.113.7",
    created_at=datetime(2026, 11, 30, 18, 0, 0),
)


def _provider() -> VnpayProvider:
    return VnpayProvider("MOTCUA01", SECRET, "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")


def test_the_payment_address_carries_the_sorted_order_signed_with_hmac_sha512():
    url = _provider().payment_url(ORDER)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    signed_part, _, secure = parts.query.rpartition("&vnp_SecureHash=")
    params = dict(parse_qsl(signed_part))
    assert list(params) == sorted(params)  # sorted by name, as VNPAY hashes them
    assert params == {
        "vnp_Amount": "15000000",  # × 100
        "vnp_Command": "pay",
        "vnp_CreateDate": "20261130180000",
        "vnp_CurrCode": "VND",
        "vnp_ExpireDate": "20261130181500",
        "vnp_IpAddr": "203.0.113.7",
        "vnp_Locale": "vn",
        "vnp_OrderInfo": "Thanh toan phi ho so 000.00.01.H10-261130-0001",
        "vnp_OrderType": "other",
        "vnp_ReturnUrl": "https://dichvucong.example.gov.vn/thanh-toan/ket-qua",
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TxnRef": "261130180000AB12CD34",
        "vnp_Version": "2.1.0",
    }
    # quote_plus: spaces as "+", the return address's ":" and "/" escaped, exactly the string signed.
    assert "vnp_OrderInfo=Thanh+toan+phi+ho+so+000.00.01.H10-261130-0001" in signed_part
    assert "vnp_ReturnUrl=https%3A%2F%2Fdichvucong.example.gov.vn%2Fthanh-toan%2Fket-qua" in signed_part
    assert secure == hmac.new(SECRET.encode(), signed_part.encode(), hashlib.sha512).hexdigest()


def _answer(**changes: str) -> dict[str, str]:
    params = {
        "vnp_Amount": "15000000",
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": ORDER.description,
        "vnp_PayDate": "20261130180512",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "MOTCUA01",
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": ORDER.txn_ref,
        **changes,
    }
    return {**params, "vnp_SecureHashType": "HmacSHA512", "vnp_SecureHash": sign(params, SECRET).upper()}


def test_an_answer_is_read_only_when_its_signature_holds():
    result = _provider().verify(_answer())
    assert (result.txn_ref, result.amount, result.success, result.transaction_no) == (
        ORDER.txn_ref,
        150_000,
        True,
        "14000001",
    )
    assert result.paid_at == datetime(2026, 11, 30, 18, 5, 12)
    assert _provider().verify(_answer(vnp_ResponseCode="24", vnp_TransactionStatus="02")).success is False

    altered = {**_answer(), "vnp_Amount": "100"}
    with pytest.raises(InvalidSignature):
        _provider().verify(altered)
    with pytest.raises(InvalidSignature):
        _provider().verify({k: v for k, v in _answer().items() if k != "vnp_SecureHash"})
    with pytest.raises(InvalidSignature):  # signed, but for another merchant
        _provider().verify(_answer(vnp_TmnCode="KHAC0001"))
    with pytest.raises(InvalidSignature):
        VnpayProvider("MOTCUA01", "another-secret").verify(_answer())


def test_the_provider_comes_from_the_settings_and_needs_its_secret():
    settings = {"PAYMENT_PROVIDER": "vnpay", "VNPAY_TMN_CODE": "MOTCUA01", "VNPAY_HASH_SECRET": SECRET}
    assert isinstance(provider_from_settings(settings), VnpayProvider)
    with pytest.raises(NotConfigured):
        provider_from_settings({**settings, "VNPAY_HASH_SECRET": ""})
    with pytest.raises(NotConfigured):
        provider_from_settings({**settings, "PAYMENT_PROVIDER": "khong-co"})


def test_sms_texts_are_short_and_keep_their_diacritics():
    dossier = SimpleNamespace(code="000.00.01.H10-261130-0001", due_at=datetime(2026, 12, 15, 17, 0))
    link = "https://dichvucong.example.gov.vn/tra-cuu/000.00.01.H10-261130-0001"
    assert sms_text(dossier, "accepted", link) == (
        f"Hồ sơ 000.00.01.H10-261130-0001 đã được tiếp nhận, hẹn trả 15/12/2026. Chi tiết: {link}"
    )
    assert sms_text(dossier, "fee", "", amount=1_250_000) == "Hồ sơ 000.00.01.H10-261130-0001 cần nộp phí 1.250.000đ."
    assert money(8000) == "8.000 đồng"
    for kind in ("accepted", "refused", "supplement", "fee", "fee_paid", "stopped", "resolved", "returned"):
        assert len(sms_text(dossier, kind, link, amount=150_000)) <= 3 * 67  # three UCS-2 segments at most
