"""The payer's journey in a real Chromium: the public lookup → the payment page → the local VNPAY
simulator's page → "Thanh toán" → back on the result page; the dossier goes on in processing."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from engine.models import Dossier
from scripts.vnpay_simulator import Simulator
from tests.e2e.conftest import TIMEOUT_MS
from tests.factories import APPLICANT, PERMIT, Api, specialist_choice
from webapp import create_app
from webapp.extensions import db

pytestmark = pytest.mark.e2e


def _serve(wsgi):
    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def paying_app(db_url: str) -> Iterator[tuple[object, str, Simulator]]:
    """The app and the VNPAY simulator, each on a free port, sharing a secret made for this test."""
    secret = secrets.token_hex(32)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SECRET_KEY": "e2e",
            "PAYMENT_PROVIDER": "vnpay",
            "VNPAY_TMN_CODE": "MOTCUA01",
            "VNPAY_HASH_SECRET": secret,
        }
    )
    app_server, app_thread = _serve(app)
    base = f"http://127.0.0.1:{app_server.server_port}"
    simulator = Simulator("MOTCUA01", secret, f"{base}/api/v1/payments/vnpay/ipn")
    sim_server, sim_thread = _serve(simulator)
    app.config["VNPAY_URL"] = f"http://127.0.0.1:{sim_server.server_port}/paymentv2/vpcpay.html"
    try:
        yield app, base, simulator
    finally:
        for server, thread in ((sim_server, sim_thread), (app_server, app_thread)):
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()
        with app.app_context():
            db.engine.dispose()


def test_the_applicant_pays_a_fee_through_vnpay_and_the_dossier_goes_on(browser: Browser, paying_app):
    app, base, simulator = paying_app
    staff = app.test_client()  # the staff's part through the API, on the same database
    code = Api(staff, "motcua").receive(PERMIT).json["code"]
    leader = Api(staff, "truongphong")
    task = leader.task_for(code)
    leader.complete(task["id"], {"specialist": specialist_choice(task)})
    assert Api(staff, "chuyenvien").post(f"/dossiers/{code}/fee", {"amount": 150000}).status_code == 201

    context = browser.new_context(base_url=base, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"/tra-cuu/{code}")
        expect(page.locator("#status")).to_contain_text("Yêu cầu thực hiện nghĩa vụ tài chính")
        page.get_by_role("link", name="Nộp phí, lệ phí trực tuyến").click()
        page.get_by_label("Số điện thoại hoặc số định danh cá nhân").fill(APPLICANT["phone"])
        page.get_by_role("button", name="Tiếp tục").click()
        expect(page.locator("#amount")).to_have_text("150.000 đồng")
        page.get_by_role("button", name="Thanh toán qua VNPAY").click()

        expect(page.get_by_role("heading", name="Cổng thanh toán VNPAY (mô phỏng)")).to_be_visible()
        expect(page.locator("#amount")).to_have_text("150,000 VND")
        page.get_by_role("button", name="Thanh toán", exact=True).click()

        expect(page.locator("#outcome")).to_have_text("Thanh toán thành công. Hồ sơ của Ông/Bà tiếp tục được xử lý.")
        assert page.url.startswith(f"{base}/thanh-toan/ket-qua?")
        page.get_by_role("link", name="Xem tình trạng hồ sơ").click()
        expect(page.locator("#status")).to_contain_text("Đang xử lý")
    finally:
        context.close()
    assert [reply["RspCode"] for _, reply in simulator.ipn_calls] == ["00"]
    with app.app_context():
        assert db.session.scalars(select(Dossier.status).where(Dossier.code == code)).one() == 4
