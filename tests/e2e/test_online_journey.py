"""Online submission in a real Chromium: a citizen on a phone-sized screen registers (the verification
e-mail read from a real SMTP server), fills a draft, uploads, submits; a counter officer accepts it in the
online tab; the citizen gets the receipt by e-mail and sees the dossier accepted, with its receipt."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from tests.e2e.conftest import TIMEOUT_MS
from tests.e2e.test_dossier_journey import SCAN_PDF, log_in
from tests.smtp import SmtpSink, free_port
from webapp import create_app
from webapp.extensions import db

pytestmark = pytest.mark.e2e

PERMIT_NAME = "Cấp giấy phép xây dựng nhà ở riêng lẻ"
CODE_RE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}")
PHONE = {"width": 375, "height": 740}
EMAIL, PASSWORD = "an.nguyen@example.vn", "Antoan2026"


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def served(db_url: str, tmp_path: Path, smtp: SmtpSink) -> Iterator[tuple[Flask, str]]:
    """The app and its base URL; its e-mail goes to the real SMTP server of ``smtp``."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SECRET_KEY": "e2e",
            "ATTACHMENTS_DIR": tmp_path / "files",
            "PUBLIC_BASE_URL": base,
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": smtp.port,
        }
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-online-server", daemon=True)
    thread.start()
    try:
        yield app, base
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


def _mail_to(smtp: SmtpSink, address: str, subject_part: str) -> str:
    """The body of the first mail to ``address`` whose subject has ``subject_part``, waiting for it a little."""
    return smtp.wait_for(lambda m: address in m.recipients and subject_part in m.subject, TIMEOUT_MS / 1000).body


def _registered_citizen(browser: Browser, base: str, smtp: SmtpSink) -> Page:
    """A phone-sized browser where a new citizen registered, opened the e-mailed link and logged in."""
    context = browser.new_context(base_url=base, locale="vi-VN", viewport=PHONE, is_mobile=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/")
    page.locator(".topbar").get_by_role("link", name="Đăng ký").click()
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Số CCCD / định danh cá nhân").fill("001090012345")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_confirm").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.locator("body")).to_contain_text("Chúng tôi vừa gửi thư xác thực đến")
    _fits_the_screen(page)

    link = re.search(re.escape(base) + r"(/cong-dan/xac-thuc/\S+)", _mail_to(smtp, EMAIL, "Xác thực email"))
    assert link, "the verification e-mail carries no link"
    page.goto(link.group(1))
    expect(page.locator(".flash")).to_contain_text("Email đã được xác thực")
    page.goto("/cong-dan/dang-nhap")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".topbar")).to_contain_text("Nguyễn Văn An")
    return page


def _fits_the_screen(page: Page) -> None:
    page.wait_for_load_state("load")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow}px wider than a 375 px screen"


def _pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": SCAN_PDF}


def test_a_citizen_registers_submits_online_on_a_phone_and_the_counter_accepts_it(
    browser: Browser, served, smtp: SmtpSink
):
    _app, base = served
    citizen = _registered_citizen(browser, base, smtp)
    citizen.goto("/cong-dan/nop-ho-so")
    expect(citizen.locator("#procedures")).to_contain_text(PERMIT_NAME)
    _fits_the_screen(citizen)
    citizen.get_by_label("Tên hoặc mã thủ tục").fill("giay phep xay dung")
    citizen.get_by_role("button", name="Tìm thủ tục").click()
    citizen.locator("#procedures li", has_text=PERMIT_NAME).get_by_role("link", name="Chọn thủ tục này").click()
    expect(citizen.get_by_role("button", name="Bắt đầu khai hồ sơ")).to_be_visible()
    _fits_the_screen(citizen)
    citizen.get_by_role("button", name="Bắt đầu khai hồ sơ").click()

    expect(citizen.get_by_label("Họ và tên")).to_have_value("Nguyễn Văn An")  # from the account
    _fits_the_screen(citizen)
    citizen.get_by_role("textbox", name="Địa chỉ", exact=True).fill("Số 9 Lê Lợi, phường Tân Phú, tỉnh Bình Phước")
    components = citizen.locator("#components input[type=file]")
    components.nth(0).set_input_files(_pdf("don-de-nghi.pdf"))
    citizen.get_by_role("button", name="Lưu nháp").click()
    expect(citizen.locator(".flash.success")).to_contain_text("Đã lưu nháp.")
    expect(citizen.locator("#components")).to_contain_text("✔ don-de-nghi.pdf")
    expect(citizen.get_by_role("textbox", name="Địa chỉ", exact=True)).to_have_value(
        "Số 9 Lê Lợi, phường Tân Phú, tỉnh Bình Phước"
    )

    citizen.goto("/cong-dan/ho-so-nhap")  # the draft is kept, and listed
    expect(citizen.locator("#drafts")).to_contain_text(PERMIT_NAME)
    _fits_the_screen(citizen)
    citizen.locator("#drafts li", has_text=PERMIT_NAME).get_by_role("link", name="Tiếp tục khai").click()
    expect(citizen.locator("#components")).to_contain_text("✔ don-de-nghi.pdf")

    # Submitting with two required documents missing: named, and nothing already given is lost.
    citizen.get_by_role("button", name="Nộp hồ sơ").click()
    expect(citizen.locator("#problems")).to_contain_text("Còn thiếu thành phần bắt buộc")
    expect(citizen.locator("#components")).to_contain_text("✔ don-de-nghi.pdf")
    _fits_the_screen(citizen)
    components = citizen.locator("#components input[type=file]")
    components.nth(1).set_input_files(_pdf("so-do.pdf"))
    components.nth(2).set_input_files(_pdf("ban-ve.pdf"))
    citizen.get_by_role("button", name="Nộp hồ sơ").click()
    expect(citizen.locator(".flash.success")).to_contain_text("Đã nộp hồ sơ.")
    expect(citizen.locator("#status")).to_contain_text("Mới đăng ký")
    code = CODE_RE.search(citizen.locator("h1").inner_text()).group(0)
    _fits_the_screen(citizen)

    officer_context = browser.new_context(base_url=base, locale="vi-VN", viewport={"width": 1280, "height": 900})
    officer_context.set_default_timeout(TIMEOUT_MS)
    officer = officer_context.new_page()
    log_in(officer, "motcua")
    officer.locator(".topbar nav").get_by_role("link", name="Trực tuyến").click()
    expect(officer.locator("#online-count")).to_have_text("1")
    officer.locator("#online-dossiers tr", has_text=code).get_by_role("link", name="Xem và xử lý").click()
    expect(officer.locator("#files")).to_contain_text("ban-ve.pdf")
    officer.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(officer.locator(".flash.success")).to_contain_text(f"Đã tiếp nhận hồ sơ trực tuyến {code}")
    expect(officer.locator("body")).to_contain_text(code)

    receipt_mail = _mail_to(smtp, EMAIL, code)
    assert "Được tiếp nhận" in receipt_mail or "tiếp nhận" in receipt_mail.lower()

    citizen.goto("/cong-dan/ho-so")
    citizen.locator("body").get_by_role("link", name=code).click()
    expect(citizen.locator("#status")).to_contain_text("Được tiếp nhận")
    expect(citizen.locator("#appointment")).not_to_have_text("—")
    _fits_the_screen(citizen)
    receipt = citizen.request.get(citizen.locator("#receipt a", has_text="tải .docx").get_attribute("href"))
    assert receipt.status == 200 and receipt.body()[:2] == b"PK"  # the Mẫu 01 .docx
    officer_context.close()
    citizen.context.close()
