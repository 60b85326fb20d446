"""Every page of the citizen portal on a 375 px phone, in a real Chromium: nothing overflows sideways.

Each page is opened logged out and logged in as it applies, photographed (the screenshots go to the
test's temporary folder), and measured: the document may not be wider than the window.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.factories import APPLICANT, PERMIT
from tests.web.citizen_steps import PASSWORD, RATING, give_to, new_account, receive, resolve_birth
from webapp import create_app
from webapp.extensions import db

pytestmark = pytest.mark.e2e

PHONE = {"width": 375, "height": 800}


@pytest.fixture
def dossiers(db_url: str) -> dict[str, str]:
    """A resolved birth registration of the account, and a permit dossier received at the counter."""
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "e2e", "RATELIMIT_ENABLED": False}
    )
    client = app.test_client()
    own, counter = receive(client), receive(client, PERMIT)
    resolve_birth(client, own)
    give_to(app, own, new_account(app, email="nguyen.thi.phuong.thao.longname@example.vn"))
    with app.app_context():
        db.engine.dispose()
    return {"own": own, "counter": counter}


def _check(page: Page, folder: Path, name: str) -> None:
    page.wait_for_load_state("load")
    shot = folder / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.exists() and shot.stat().st_size > 1000, name
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name}: the page is {widths[0]} px wide in a {widths[1]} px window"


def test_every_citizen_page_fits_a_375_px_phone(
    new_context: Callable[[], BrowserContext], dossiers: dict[str, str], tmp_path: Path
) -> None:
    context = new_context()
    page = context.new_page()
    page.set_viewport_size(PHONE)
    own, counter = dossiers["own"], dossiers["counter"]

    logged_out = {
        "procedures": "/thu-tuc/",
        "procedures-search": "/thu-tuc/?q=giay phep xay dung&muc-do=mot_phan",
        "procedure": f"/thu-tuc/{PERMIT}",
        "procedure-online": "/thu-tuc/1.001193",
        "register": "/cong-dan/dang-ky",
        "login": "/cong-dan/dang-nhap",
        "forgot": "/cong-dan/quen-mat-khau",
        "verify-broken-link": "/cong-dan/xac-thuc/khong-hop-le",
        "reset": "/cong-dan/dat-lai-mat-khau/khong-hop-le",
        "lookup": "/tra-cuu/",
        "lookup-code": f"/tra-cuu/{counter}",
        "pay": f"/thanh-toan/{counter}",
        "verify-document": "/xac-minh",
    }
    for name, url in logged_out.items():
        page.goto(url)
        _check(page, tmp_path, name)

    page.goto("/cong-dan/dang-ky")
    page.get_by_label("Họ và tên").fill("Trần Thị Bình")
    page.get_by_label("Email").fill("khong-hop-le")
    page.locator("#password").fill("ngan")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_text("Địa chỉ email không hợp lệ.")).to_be_visible()
    expect(page.get_by_label("Họ và tên")).to_have_value("Trần Thị Bình")
    _check(page, tmp_path, "register-errors")

    page.goto(f"/tra-cuu/{counter}")
    page.get_by_label("Số điện thoại hoặc số CCCD").fill("0900000000")
    page.get_by_role("button", name="Xem chi tiết").click()
    expect(page.locator("#factor-error")).to_contain_text("Thông tin xác minh không khớp")
    _check(page, tmp_path, "lookup-wrong-factor")
    page.get_by_label("Số điện thoại hoặc số CCCD").fill(APPLICANT["id_number"])
    page.get_by_role("button", name="Xem chi tiết").click()
    expect(page.locator("#applicant")).to_have_text(APPLICANT["full_name"])
    _check(page, tmp_path, "lookup-details")

    page.goto("/cong-dan/dang-nhap")
    page.get_by_label("Email").fill("nguyen.thi.phuong.thao.longname@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/cong-dan/ho-so$"))
    expect(page.locator("#my-dossiers")).to_contain_text(own)
    _check(page, tmp_path, "my-dossiers")

    page.goto(f"/cong-dan/ho-so/{own}")
    expect(page.locator("#download-result")).to_be_visible()
    _check(page, tmp_path, "my-dossier-rating-form")
    for name, level in RATING.items():
        if name in ("contacts_count", "agencies_count"):
            page.locator(f"#{name}").fill(level)
        elif name == "comment":
            page.locator("#comment").fill(level)
        else:
            page.locator(f"input[name={name}][value='{level}']").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator("#rated")).to_contain_text("Rất hài lòng")
    _check(page, tmp_path, "my-dossier-rated")

    for name, url in {
        "profile": "/cong-dan/tai-khoan",
        "procedures-logged-in": "/thu-tuc/",
        "submit-choose": "/cong-dan/nop-ho-so",
        "submit-unit": "/cong-dan/nop-ho-so/1.001193",
        "drafts": "/cong-dan/ho-so-nhap",
    }.items():
        page.goto(url)
        _check(page, tmp_path, name)
    page.goto("/cong-dan/ho-so")
    page.get_by_label("Mã hồ sơ").fill(counter)
    page.get_by_label("Số điện thoại hoặc số CCCD của người nộp").fill("0911111111")
    page.get_by_role("button", name="Thêm hồ sơ").click()
    expect(page.locator("#link-error")).to_contain_text("Thông tin xác minh không khớp")
    _check(page, tmp_path, "link-dossier-refused")
    assert len(list(tmp_path.glob("*.png"))) == len(logged_out) + 12
