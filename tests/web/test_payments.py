"""Fee payment end to end: a holder asks for a fee, the payer pays through a local VNPAY simulator that
speaks the protocol over real HTTP, the IPN settles it once; forged, altered and replayed callbacks change nothing."""

from __future__ import annotations

import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from engine.models import Dossier, HistoryEvent, OutboxMessage, Payment, SmsLog
from scripts.vnpay_simulator import Simulator, signature
from tests.factories import APPLICANT, PERMIT, Api, specialist_choice
from tests.smtp import SmtpSink
from tests.web.test_ui import csrf_of, login
from webapp import create_app
from webapp.extensions import db
from webapp.outbox import send_due

TMN_CODE = "MOTCUA01"
PUBLIC = "https://dichvucong.example.gov.vn"


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


def _serve(wsgi) -> tuple[str, object, threading.Thread]:
    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", server, thread


@pytest.fixture
def gateway(db_url, smtp):
    """The app served on a free port (the simulator calls its IPN) and the simulator beside it, one secret."""
    secret = secrets.token_hex(32)  # generated per test: no secret lives in the repo
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
            "PUBLIC_BASE_URL": PUBLIC,
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": smtp.port,
            "SMS_PROVIDER": "test",
            "PAYMENT_PROVIDER": "vnpay",
            "VNPAY_TMN_CODE": TMN_CODE,
            "VNPAY_HASH_SECRET": secret,
        }
    )
    app_url, app_server, app_thread = _serve(app)
    simulator = Simulator(TMN_CODE, secret, f"{app_url}/api/v1/payments/vnpay/ipn")
    sim_url, sim_server, sim_thread = _serve(simulator)
    app.config["VNPAY_URL"] = f"{sim_url}/paymentv2/vpcpay.html"
    try:
        yield app, simulator
    finally:
        for server, thread in ((sim_server, sim_thread), (app_server, app_thread)):
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(gateway):
    return gateway[0]


@pytest.fixture
def simulator(gateway) -> Simulator:
    return gateway[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_BROWSER = urllib.request.build_opener(_NoRedirect)


def _http(url: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
    """(status, body, Location) of one request, redirects not followed, over real HTTP."""
    body = urlencode(data).encode() if data is not None else None
    try:
        with _BROWSER.open(url, data=body, timeout=15) as response:
            return response.status, response.read().decode(), response.headers.get("Location", "")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(), err.headers.get("Location", "")


def _awaiting_fee(client, amount: int = 150_000) -> str:
    """A permit dossier at the specialist's examination, asked by the specialist to pay ``amount``."""
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    response = Api(client, "chuyenvien").post(f"/dossiers/{code}/fee", {"amount": amount, "note": "Lệ phí cấp phép"})
    assert response.status_code == 201, response.json
    return code


def _to_provider(client, code: str, factor: str = APPLICANT["phone"]) -> str:
    """The payer proves who they are and presses "Thanh toán qua VNPAY": the provider's address."""
    page = client.get(f"/thanh-toan/{code}")
    assert page.status_code == 200
    proved = client.post(
        f"/thanh-toan/{code}", data={"second_factor": factor, "csrf_token": csrf_of(page.get_data(as_text=True))}
    )
    assert proved.status_code == 302
    page = client.get(f"/thanh-toan/{code}").get_data(as_text=True)
    assert "150.000 đồng" in page and "Thanh toán qua VNPAY" in page
    started = client.post(f"/thanh-toan/{code}/vnpay", data={"csrf_token": csrf_of(page)})
    assert started.status_code == 303
    return started.headers["Location"]


def _choose(client, provider_url: str, action: str) -> str:
    """On the simulator's page, press Thanh toán or Hủy; the browser is sent back: the return page's HTML."""
    status, page, _ = _http(provider_url)
    assert status == 200 and "Thanh toán" in page and "Hủy" in page, page
    order = urlsplit(provider_url).query
    status, _, location = _http(
        provider_url.split("?")[0].replace("vpcpay.html", "confirm"), {"order": order, "action": action}
    )
    assert status == 302
    back = urlsplit(location)
    assert back.path == "/thanh-toan/ket-qua"
    return client.get(f"{back.path}?{back.query}").get_data(as_text=True)


def _dossier(app, code: str) -> Dossier:
    with app.app_context():
        return db.session.scalars(select(Dossier).where(Dossier.code == code)).one()


def _payments(app, code: str) -> list[Payment]:
    with app.app_context():
        dossier_id = db.session.scalars(select(Dossier.id).where(Dossier.code == code)).one()
        return list(db.session.scalars(select(Payment).where(Payment.dossier_id == dossier_id).order_by(Payment.id)))


def _history(app, code: str) -> list[str]:
    with app.app_context():
        dossier_id = db.session.scalars(select(Dossier.id).where(Dossier.code == code)).one()
        return list(db.session.scalars(select(HistoryEvent.action).where(HistoryEvent.dossier_id == dossier_id)))


def test_a_paid_fee_moves_the_dossier_on_and_shows_everywhere(app, client, simulator, smtp):
    code = _awaiting_fee(client)
    assert _dossier(app, code).status == 6
    # The applicant is asked to pay, by e-mail and SMS, with the payment page's address.
    fee_mail = next(m for m in smtp.messages if m.subject == f"Hồ sơ {code}: đề nghị nộp phí, lệ phí")
    assert "cần nộp 150.000 đồng (Lệ phí cấp phép)" in fee_mail.body, fee_mail.body
    assert f"{PUBLIC}/thanh-toan/{code}" in fee_mail.body
    send_due(app)  # the outbox job: SMS are not sent by the request
    with app.app_context():
        sms = db.session.scalars(select(SmsLog.body).order_by(SmsLog.id)).all()
    assert sms[-1] == f"Hồ sơ {code} cần nộp phí 150.000đ. Chi tiết: {PUBLIC}/thanh-toan/{code}"
    # While it waits, the steps wait too.
    specialist = Api(client, "chuyenvien")
    task = specialist.task_for(code)
    refused = specialist.complete(task["id"], {"proposal": "approve", "examination": "Đủ điều kiện"})
    assert refused.status_code == 409 and "chờ công dân nộp phí" in refused.json["error"]
    # The public lookup leads to the payment page.
    assert f'href="/thanh-toan/{code}"' in client.get(f"/tra-cuu/{code}").get_data(as_text=True)

    result = _choose(client, _to_provider(client, code), "pay")

    assert "Thanh toán thành công" in result and code in result
    ((params, reply),) = simulator.ipn_calls
    assert reply == {"RspCode": "00", "Message": "Confirm Success"}
    dossier = _dossier(app, code)
    assert dossier.status == 4  # back where it stood before the fee
    (payment,) = _payments(app, code)
    assert (payment.status, payment.amount, payment.provider) == ("paid", 150_000, "vnpay")
    assert payment.provider_transaction_no == params["vnp_TransactionNo"] and payment.bank_code == "NCB"
    assert _history(app, code)[-2:] == ["fee_request", "fee_paid"]
    smtp.wait_for(lambda m: m.subject == f"Hồ sơ {code}: đã nhận phí, lệ phí")  # sent by the IPN, over HTTP
    # Processing goes on.
    assert specialist.complete(task["id"], {"proposal": "approve", "examination": "Đủ điều kiện"}).status_code == 200

    # The staff's dossier page and the API show the payment.
    login(client, "motcua")
    page = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Trực tuyến (VNPAY)" in page and "Đã thanh toán" in page and params["vnp_TransactionNo"] in page
    fees = Api(client, "motcua").get(f"/dossiers/{code}").json["fees"]
    assert fees[0]["amount"] == 150_000 and fees[0]["payments"][0]["status"] == "paid"

    # The same IPN again (a replay, or VNPAY retrying): acknowledged as already confirmed, nothing changes.
    before = (_history(app, code), _dossier(app, code).version)
    assert simulator.notify(params) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert (_history(app, code), _dossier(app, code).version) == before


def test_forged_altered_and_unknown_callbacks_change_nothing(app, client, simulator):
    code = _awaiting_fee(client)
    provider_url = _to_provider(client, code)
    order = dict(parse_qsl(urlsplit(provider_url).query))
    paid = simulator.result(order, paid=True)

    forged = {
        **paid,
        "vnp_SecureHash": signature({k: v for k, v in paid.items() if k != "vnp_SecureHash"}, "not-the-secret"),
    }
    assert simulator.notify(forged) == {"RspCode": "97", "Message": "Invalid Checksum"}
    altered = {**paid, "vnp_Amount": "100"}  # signed for 150.000 đ, claims 1 đ
    assert simulator.notify(altered)["RspCode"] == "97"
    unsigned = {k: v for k, v in paid.items() if k != "vnp_SecureHash"}
    assert simulator.notify(unsigned)["RspCode"] == "97"

    # Correctly signed, but not what was asked: a wrong amount, an unknown transaction.
    cheaper = simulator.result({**order, "vnp_Amount": "100000"}, paid=True)
    assert simulator.notify(cheaper) == {"RspCode": "04", "Message": "Invalid amount"}
    unknown = simulator.result({**order, "vnp_TxnRef": "KHONGCO123"}, paid=True)
    assert simulator.notify(unknown) == {"RspCode": "01", "Message": "Order not found"}

    assert _dossier(app, code).status == 6
    assert [p.status for p in _payments(app, code)] == ["pending"]
    assert "fee_paid" not in _history(app, code)
    # The return page shows nothing from a forged answer either.
    response = client.get("/thanh-toan/ket-qua?" + urlencode(forged))
    assert response.status_code == 400 and "sai chữ ký" in response.get_data(as_text=True)

    # The genuine answer still goes through afterwards.
    assert simulator.notify(paid)["RspCode"] == "00"
    assert _dossier(app, code).status == 4


def test_the_simulator_refuses_an_order_whose_signature_is_wrong(app, client, simulator):
    code = _awaiting_fee(client)
    provider_url = _to_provider(client, code)
    status, page, _ = _http(provider_url.replace("vnp_Amount=15000000", "vnp_Amount=100"))
    assert status == 400 and "Mã lỗi: 70" in page and "Sai chữ ký" in page
    assert simulator.ipn_calls == []


def test_a_cancelled_payment_leaves_the_fee_due_and_can_be_tried_again(app, client, simulator):
    code = _awaiting_fee(client)
    result = _choose(client, _to_provider(client, code), "cancel")
    assert "Thanh toán không thành công: Ông/Bà đã hủy giao dịch." in result
    assert simulator.ipn_calls[-1][1]["RspCode"] == "00"  # the failure is recorded, and acknowledged
    assert [(p.status, p.response_code) for p in _payments(app, code)] == [("failed", "24")]
    assert _dossier(app, code).status == 6

    result = _choose(client, _to_provider(client, code), "pay")
    assert "Thanh toán thành công" in result
    assert [p.status for p in _payments(app, code)] == ["failed", "paid"]
    assert _dossier(app, code).status == 4


def test_the_payer_must_prove_who_they_are(app, client):
    code = _awaiting_fee(client)
    page = client.get(f"/thanh-toan/{code}").get_data(as_text=True)
    assert "150.000" not in page  # nothing shown before the second factor
    wrong = client.post(f"/thanh-toan/{code}", data={"second_factor": "0987654321", "csrf_token": csrf_of(page)})
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 404 and "Mã hồ sơ hoặc số điện thoại / số định danh cá nhân không đúng." in html
    assert 'value="0987654321"' in html  # what they typed is kept
    assert client.post(f"/thanh-toan/{code}/vnpay", data={"csrf_token": csrf_of(page)}).status_code == 403
    # The ID number is a second factor too; the API takes the same proof.
    api = client.post("/api/v1/payments", json={"code": code, "second_factor": APPLICANT["id_number"]})
    assert api.status_code == 201 and api.json["amount"] == 150_000 and "vnp_SecureHash=" in api.json["redirect_url"]
    refused = client.post("/api/v1/payments", json={"code": code, "second_factor": "0987654321"})
    assert refused.status_code == 404


def test_the_citizen_who_owns_the_dossier_pays_from_their_account_without_a_second_factor(app, client):
    from tests.web.citizen_steps import citizen_login, give_to, new_account

    code = _awaiting_fee(client)
    other = _awaiting_fee(client, 90_000)
    give_to(app, code, new_account(app))
    citizen_login(client)
    own = client.get(f"/cong-dan/ho-so/{code}").get_data(as_text=True)
    assert f'href="/thanh-toan/{code}"' in own and "Cần nộp phí, lệ phí" in own
    assert "150.000" in client.get(f"/thanh-toan/{code}").get_data(as_text=True)
    # Another dossier still needs its applicant's proof, account or not.
    assert "90.000" not in client.get(f"/thanh-toan/{other}").get_data(as_text=True)


def test_only_the_holder_asks_for_a_fee_and_only_the_counter_takes_cash(app, client):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    assert leader.post(f"/dossiers/{code}/fee", {"amount": 150000}).status_code == 403  # no longer holds it
    specialist = Api(client, "chuyenvien")
    bad = specialist.post(f"/dossiers/{code}/fee", {"amount": "mười nghìn"})
    assert bad.status_code == 422 and "số nguyên dương" in bad.json["errors"]["amount"]
    assert specialist.post(f"/dossiers/{code}/fee", {"amount": "150.000"}).status_code == 201
    assert specialist.post(f"/dossiers/{code}/fee", {"amount": 1000}).status_code == 409  # already waiting

    assert specialist.post(f"/dossiers/{code}/cash-payment", {}).status_code == 403
    cash = Api(client, "motcua").post(f"/dossiers/{code}/cash-payment", {"receipt_no": "BL-0012"})
    assert cash.status_code == 201 and cash.json["provider"] == "cash" and cash.json["status"] == "paid"
    assert _dossier(app, code).status == 4
    assert Api(client, "motcua").post(f"/dossiers/{code}/cash-payment", {}).status_code == 409
    login(client, "motcua")
    page = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Tiền mặt tại quầy" in page and "BL-0012" in page


def test_the_fee_request_and_cash_forms_on_the_dossier_page(app, client):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    login(client, "truongphong")
    page = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Yêu cầu nộp phí, lệ phí" in page
    bad = client.post(
        f"/ho-so/{code}/yeu-cau-nop-phi", data={"amount": "abc", "note": "Lệ phí", "csrf_token": csrf_of(page)}
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "số nguyên dương" in html and 'value="abc"' in html
    done = client.post(
        f"/ho-so/{code}/yeu-cau-nop-phi", data={"amount": "50000", "note": "Lệ phí", "csrf_token": csrf_of(page)}
    )
    assert done.status_code == 302 and _dossier(app, code).status == 6
    login(client, "motcua")
    page = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Thu phí bằng tiền mặt tại quầy" in page and "Chờ nộp" in page
    paid = client.post(f"/ho-so/{code}/thu-tien-mat", data={"receipt_no": "", "csrf_token": csrf_of(page)})
    assert paid.status_code == 302 and _dossier(app, code).status == 2  # the status it had before: accepted


def test_with_the_mail_server_down_the_fee_request_waits_in_the_outbox_and_arrives_later(app, client, smtp):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    smtp.stop()
    response = Api(client, "chuyenvien").post(f"/dossiers/{code}/fee", {"amount": 150000, "note": "Lệ phí"})
    assert response.status_code == 201  # the step does not depend on the mail server

    with app.app_context():
        waiting = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.channel == "email", OutboxMessage.sent_at.is_(None))
        ).all()
    assert [m.subject for m in waiting] == [f"Hồ sơ {code}: đề nghị nộp phí, lệ phí"]
    (message,) = waiting
    assert message.attempts == 1 and "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at == message.created_at + timedelta(minutes=1)
    send_due(app)  # the outbox job
    with app.app_context():  # the SMS did not wait for the mail server
        assert (
            db.session.scalars(select(SmsLog.body).order_by(SmsLog.id.desc()))
            .first()
            .startswith(f"Hồ sơ {code} cần nộp phí")
        )

    # The job also composed the specialist's task alert, which waits for the server as well.
    with app.app_context():
        unsent = OutboxMessage.sent_at.is_(None)
        retry_at = db.session.scalar(select(func.max(OutboxMessage.next_attempt_at)).where(unsent))
    smtp.start()
    later = (retry_at + timedelta(seconds=1)).isoformat()
    result = app.test_cli_runner().invoke(args=["outbox", "send", "--now", later])
    assert result.exit_code == 0 and "Đã gửi 2 thư; 0 thư gửi lỗi" in result.output, result.output
    (fee,) = [m for m in smtp.messages if m.subject == f"Hồ sơ {code}: đề nghị nộp phí, lệ phí"]
    assert f"{PUBLIC}/thanh-toan/{code}" in fee.body


def test_the_inbox_marks_a_dossier_waiting_for_its_fee(app, client):
    code = _awaiting_fee(client)
    login(client, "chuyenvien")
    page = client.get("/cong-viec").get_data(as_text=True)
    row = next(line for line in page.split("<tr") if code in line)
    assert "Chờ nộp phí" in row


def test_simultaneous_callbacks_settle_the_fee_once(app, client, simulator):
    code = _awaiting_fee(client)
    order = dict(parse_qsl(urlsplit(_to_provider(client, code)).query))
    paid = simulator.result(order, paid=True)
    replies: list[str] = []
    threads = [
        threading.Thread(target=lambda: replies.append(simulator.notify(paid).get("RspCode", ""))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One wins; the others see it confirmed (or, on SQLite's single writer, a busy database: 99, retried later).
    assert sorted(replies)[0] == "00" and replies.count("00") == 1 and set(replies) <= {"00", "02", "99"}
    assert _history(app, code).count("fee_paid") == 1
    assert [p.status for p in _payments(app, code)] == ["paid"] and _dossier(app, code).status == 4
    assert simulator.notify(paid)["RspCode"] == "02"
