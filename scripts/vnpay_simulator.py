"""A local VNPAY payment gateway for tests and demos: it speaks the bank's side of VNPAY's protocol (2.1.0).

- ``GET /paymentv2/vpcpay.html?vnp_…&vnp_SecureHash=…``: checks the merchant's signed order
  (HMAC-SHA512 over the sorted, form-urlencoded vnp_* parameters) and shows a page with
  "Thanh toán" and "Hủy"; a bad signature gets VNPAY's error page (code 70, "Sai chữ ký").
- ``POST /paymentv2/confirm``: the payer's choice. The simulator calls the merchant's IPN address
  (a GET from "its servers", as VNPAY does) with the signed result (vnp_ResponseCode 00, or 24 when
  cancelled), then redirects the browser to vnp_ReturnUrl with the same signed parameters.

It imports nothing from the project, so it checks the merchant's signatures independently.
Run it by hand::

    python scripts/vnpay_simulator.py --port 8099 --tmn-code MOTCUA01 \\
        --hash-secret "$MOTCUA_VNPAY_HASH_SECRET" --ipn-url http://127.0.0.1:5000/api/v1/payments/vnpay/ipn

and start the app with MOTCUA_VNPAY_URL=http://127.0.0.1:8099/paymentv2/vpcpay.html and the same
code and secret.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import itertools
import json
import os
import threading
import urllib.request
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Any
from urllib.parse import parse_qsl, quote_plus, urlencode

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

UNSIGNED = ("vnp_SecureHash", "vnp_SecureHashType")
GMT7 = timezone(timedelta(hours=7))
REQUIRED = (
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_Amount",
    "vnp_CurrCode",
    "vnp_TxnRef",
    "vnp_OrderInfo",
    "vnp_OrderType",
    "vnp_Locale",
    "vnp_ReturnUrl",
    "vnp_IpAddr",
    "vnp_CreateDate",
)


def signature(params: dict[str, str], secret: str) -> str:
    """VNPAY's vnp_SecureHash: HMAC-SHA512 over ``k=quote_plus(v)`` joined by ``&``, keys sorted."""
    data = "&".join(f"{key}={quote_plus(str(params[key]))}" for key in sorted(params))
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


class Simulator:
    """The WSGI application; ``ipn_calls`` keeps every IPN it made (params and the merchant's reply)."""

    def __init__(self, tmn_code: str, hash_secret: str, ipn_url: str, bank_code: str = "NCB") -> None:
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.ipn_url = ipn_url
        self.bank_code = bank_code
        self.ipn_calls: list[tuple[dict[str, str], dict[str, Any]]] = []
        self._numbers = itertools.count(14_000_001)
        self._lock = threading.Lock()

    # --- the protocol, usable by tests directly ---

    def check_order(self, params: dict[str, str]) -> tuple[str, str] | None:
        """None if the merchant's order is acceptable, else VNPAY's (code, message)."""
        given = params.get("vnp_SecureHash", "")
        signed = {k: v for k, v in params.items() if k.startswith("vnp_") and k not in UNSIGNED}
        if any(not signed.get(name) for name in REQUIRED):
            return "03", "Dữ liệu gửi sang không đúng định dạng"
        if signed["vnp_TmnCode"] != self.tmn_code:
            return "02", "Merchant không hợp lệ"
        if not hmac.compare_digest(signature(signed, self.hash_secret), given.lower()):
            return "70", "Sai chữ ký"
        if signed["vnp_Version"] != "2.1.0" or signed["vnp_Command"] != "pay" or signed["vnp_CurrCode"] != "VND":
            return "03", "Dữ liệu gửi sang không đúng định dạng"
        if not signed["vnp_Amount"].isdigit():
            return "04", "Số tiền không hợp lệ"
        return None

    def result(self, order: dict[str, str], paid: bool) -> dict[str, str]:
        """The signed parameters VNPAY sends back for ``order`` (to the IPN and to the return URL)."""
        with self._lock:
            number = str(next(self._numbers))
        params = {
            "vnp_Amount": order["vnp_Amount"],
            "vnp_BankCode": self.bank_code if paid else "VNPAY",
            "vnp_CardType": "ATM" if paid else "QRCODE",
            "vnp_OrderInfo": order["vnp_OrderInfo"],
            "vnp_PayDate": datetime.now(GMT7).strftime("%Y%m%d%H%M%S"),
            "vnp_ResponseCode": "00" if paid else "24",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionNo": number if paid else "0",
            "vnp_TransactionStatus": "00" if paid else "02",
            "vnp_TxnRef": order["vnp_TxnRef"],
        }
        if paid:
            params["vnp_BankTranNo"] = f"VNP{number}"
        params["vnp_SecureHash"] = signature(params, self.hash_secret)
        return params

    def notify(self, params: dict[str, str]) -> dict[str, Any]:
        """Call the merchant's IPN address with ``params``, as VNPAY's servers do; the merchant's JSON reply."""
        try:
            with urllib.request.urlopen(f"{self.ipn_url}?{urlencode(params)}", timeout=10) as response:
                reply = json.loads(response.read().decode())
        except Exception as err:  # VNPAY retries later; here the failure is recorded
            reply = {"error": f"{type(err).__name__}: {err}"}
        self.ipn_calls.append((params, reply))
        return reply

    # --- the web side ---

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/paymentv2/vpcpay.html" and request.method == "GET":
            response = self._payment_page(request)
        elif request.path == "/paymentv2/confirm" and request.method == "POST":
            response = self._confirm(request)
        else:
            response = Response("Not found", status=404)
        return response(environ, start_response)

    def _payment_page(self, request: Request) -> Response:
        params = request.args.to_dict()
        refused = self.check_order(params)
        if refused is not None:
            return _html(
                "Thông báo",
                f'<p class="error" id="error-code">Mã lỗi: {refused[0]}</p><p id="error">{escape(refused[1])}</p>',
                status=400,
            )
        amount = int(params["vnp_Amount"]) // 100
        body = f"""
<dl><dt>Đơn vị chấp nhận thanh toán</dt><dd>{escape(self.tmn_code)}</dd>
<dt>Số tiền</dt><dd id="amount">{amount:,} VND</dd>
<dt>Nội dung</dt><dd>{escape(params["vnp_OrderInfo"])}</dd>
<dt>Mã giao dịch</dt><dd>{escape(params["vnp_TxnRef"])}</dd></dl>
<form method="post" action="/paymentv2/confirm">
<input type="hidden" name="order" value="{escape(request.query_string.decode())}">
<button type="submit" name="action" value="pay">Thanh toán</button>
<button type="submit" name="action" value="cancel">Hủy</button>
</form>"""
        return _html("Cổng thanh toán VNPAY (mô phỏng)", body)

    def _confirm(self, request: Request) -> Response:
        order = dict(parse_qsl(request.form.get("order", ""), keep_blank_values=True))
        refused = self.check_order(order)
        if refused is not None:
            return _html("Thông báo", f'<p id="error">{escape(refused[1])}</p>', status=400)
        params = self.result(order, paid=request.form.get("action") == "pay")
        self.notify(params)
        return Response(status=302, headers={"Location": f"{order['vnp_ReturnUrl']}?{urlencode(params)}"})


def _html(title: str, body: str, status: int = 200) -> Response:
    head = f"<!doctype html><html lang=vi><meta charset=utf-8><title>{escape(title)}</title>"
    page = f"{head}<h1>{escape(title)}</h1>{body}"
    return Response(page, status=status, content_type="text/html; charset=utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="Cổng thanh toán VNPAY mô phỏng, chạy tại máy.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--tmn-code", default=os.environ.get("MOTCUA_VNPAY_TMN_CODE", "MOTCUA01"))
    parser.add_argument("--hash-secret", default=os.environ.get("MOTCUA_VNPAY_HASH_SECRET", ""))
    parser.add_argument("--ipn-url", default="http://127.0.0.1:5000/api/v1/payments/vnpay/ipn")
    args = parser.parse_args()
    if not args.hash_secret:
        parser.error("--hash-secret (or MOTCUA_VNPAY_HASH_SECRET) is required")
    server = make_server(args.host, args.port, Simulator(args.tmn_code, args.hash_secret, args.ipn_url), threaded=True)
    print(f"VNPAY simulator on http://{args.host}:{server.server_port}/paymentv2/vpcpay.html")
    server.serve_forever()


if __name__ == "__main__":
    main()
