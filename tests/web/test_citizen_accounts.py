"""Citizen accounts through the portal's pages: registration with the real verification e-mail, login, reset."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from engine.services import citizens
from tests.web.citizen_steps import PASSWORD, citizen_login, new_account, post_form
from tests.web.conftest import app_with_mail
from webapp.extensions import db

PUBLIC = "https://dichvucong.example.gov.vn"
FORM = {
    "full_name": "Trần Thị Bình",
    "email": "binh.tran@example.vn",
    "phone": "0987654321",
    "id_number": "001190004567",
    "address": "45 Lê Lợi, Đồng Xoài",
    "password": "Antoan2026",
    "password_confirm": "Antoan2026",
}


@pytest.fixture
def app(db_url, smtp):
    with app_with_mail(db_url, smtp, PUBLIC_BASE_URL=PUBLIC) as app:
        yield app


class _SignedLongAgo(TimestampSigner):
    """Signs as an hour after the verification link's lifetime ago."""

    def get_timestamp(self) -> int:
        return int(time.time()) - citizens.VERIFY_MAX_AGE - 3600


def _link_in(body: str, path: str) -> str:
    match = re.search(re.escape(PUBLIC) + "(" + re.escape(path) + r"\S+)", body)
    assert match, body
    return match.group(1)


def test_registering_sends_a_link_that_verifies_the_address_and_then_login_works(client, smtp):
    response = post_form(client, "/cong-dan/dang-ky", FORM)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Chúng tôi vừa gửi thư xác thực đến" in html and "binh.tran@example.vn" in html
    before = citizen_login(client, "binh.tran@example.vn", "Antoan2026")
    assert before.status_code == 401 and "chưa được xác thực" in before.get_data(as_text=True)

    (mail,) = smtp.messages
    assert mail.recipients == ["binh.tran@example.vn"]
    assert mail.subject == "Xác thực email đăng ký tài khoản dịch vụ công"
    assert mail.body.startswith("Kính gửi Ông/Bà Trần Thị Bình,")
    opened = client.get(_link_in(mail.body, "/cong-dan/xac-thuc/"), follow_redirects=True)
    assert "Email đã được xác thực. Mời Ông/Bà đăng nhập." in opened.get_data(as_text=True)

    logged_in = citizen_login(client, "Binh.Tran@example.vn", "Antoan2026")
    assert logged_in.status_code == 302 and logged_in.headers["Location"].endswith("/cong-dan/ho-so")
    page = client.get("/cong-dan/ho-so").get_data(as_text=True)
    assert "Trần Thị Bình" in page and "Tài khoản chưa có hồ sơ nào" in page


def test_a_duplicate_email_and_a_weak_password_are_explained_and_what_was_typed_is_kept(app, client, smtp):
    new_account(app, email="binh.tran@example.vn")
    response = post_form(client, "/cong-dan/dang-ky", {**FORM, "email": "BINH.TRAN@example.vn", "password": "yeu"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Email này đã được đăng ký." in html
    assert "Mật khẩu phải có ít nhất 8 ký tự." in html
    for kept in ("Trần Thị Bình", "0987654321", "001190004567", "45 Lê Lợi, Đồng Xoài", "BINH.TRAN@example.vn"):
        assert f'value="{kept}"' in html
    assert 'value="yeu"' not in html  # passwords are never sent back
    assert smtp.messages == []


def test_a_mistyped_confirmation_is_refused(client):
    response = post_form(client, "/cong-dan/dang-ky", {**FORM, "password_confirm": "Antoan2027"})
    assert response.status_code == 422
    assert "Mật khẩu nhập lại không khớp." in response.get_data(as_text=True)


def test_tampered_and_expired_links_get_a_clear_page_with_a_resend_form(app, client, smtp):
    post_form(client, "/cong-dan/dang-ky", FORM)
    link = _link_in(smtp.messages[0].body, "/cong-dan/xac-thuc/")
    tampered = client.get(link[:-3] + ("xyz" if not link.endswith("xyz") else "abc"))
    html = tampered.get_data(as_text=True)
    assert tampered.status_code == 400
    assert "Liên kết không hợp lệ hoặc đã bị sửa đổi." in html and "Gửi lại thư xác thực" in html

    with app.app_context():
        account = citizens.find_by_email(db.session, FORM["email"])
        serializer = URLSafeTimedSerializer("test-secret", salt="motcua-citizen-verify", signer=_SignedLongAgo)
        old = serializer.dumps({"c": account.id, "e": account.email})
    expired = client.get(f"/cong-dan/xac-thuc/{old}")
    assert expired.status_code == 400
    assert "Liên kết đã hết hạn." in expired.get_data(as_text=True)

    resent = post_form(client, f"/cong-dan/xac-thuc/{old}", {"email": FORM["email"]}, "/cong-dan/gui-lai-xac-thuc")
    assert resent.status_code == 200
    assert len(smtp.messages) == 2 and smtp.messages[1].recipients == [FORM["email"]]
    assert client.get(_link_in(smtp.messages[1].body, "/cong-dan/xac-thuc/")).status_code == 302


def test_forgotten_password_answers_the_same_for_unknown_addresses_and_resets_through_the_mail(app, client, smtp):
    new_account(app, email="an.nguyen@example.vn")
    unknown = post_form(client, "/cong-dan/quen-mat-khau", {"email": "ai.do@example.vn"})
    known = post_form(client, "/cong-dan/quen-mat-khau", {"email": "an.nguyen@example.vn"})
    assert unknown.status_code == known.status_code == 200
    same = "Nếu địa chỉ email này có tài khoản, chúng tôi đã gửi thư kèm liên kết."
    assert same in unknown.get_data(as_text=True) and same in known.get_data(as_text=True)
    (mail,) = smtp.messages
    assert mail.recipients == ["an.nguyen@example.vn"] and mail.subject == "Đặt lại mật khẩu tài khoản dịch vụ công"

    link = _link_in(mail.body, "/cong-dan/dat-lai-mat-khau/")
    weak = post_form(client, link, {"password": "abcdefgh", "password_confirm": "abcdefgh"})
    assert weak.status_code == 422 and "Mật khẩu phải có cả chữ và số." in weak.get_data(as_text=True)
    done = post_form(client, link, {"password": "Moi2026abc", "password_confirm": "Moi2026abc"})
    assert done.status_code == 302
    assert citizen_login(client, "an.nguyen@example.vn", PASSWORD).status_code == 401
    assert citizen_login(client, "an.nguyen@example.vn", "Moi2026abc").status_code == 302
    again = client.get(link)
    assert again.status_code == 400 and "đã được dùng hoặc không còn hiệu lực" in again.get_data(as_text=True)
    reused = post_form(client, link, {"password": "Khac2026abc", "password_confirm": "Khac2026abc"})
    assert reused.status_code == 400
    assert "đã được dùng hoặc không còn hiệu lực" in reused.get_data(as_text=True)
    forged = client.get("/cong-dan/dat-lai-mat-khau/khong-phai-lien-ket")
    assert forged.status_code == 400 and "Liên kết không hợp lệ hoặc đã bị sửa đổi." in forged.get_data(as_text=True)


def test_login_goes_back_only_to_pages_of_this_site(app, client):
    new_account(app)
    assert citizen_login(client, next_="https://evil.example/").headers["Location"].endswith("/cong-dan/ho-so")
    client.post("/cong-dan/dang-xuat", data={"csrf_token": ""})  # refused without CSRF: still logged in
    assert client.get("/cong-dan/ho-so").status_code == 200


def test_pages_of_the_account_need_a_citizen_login_and_logout_ends_it(app, client):
    new_account(app)
    redirect = client.get("/cong-dan/ho-so")
    assert redirect.status_code == 302 and "/cong-dan/dang-nhap?next=/cong-dan/ho-so" in redirect.headers["Location"]
    assert citizen_login(client, next_="/cong-dan/tai-khoan").headers["Location"].endswith("/cong-dan/tai-khoan")
    assert client.get("/cong-viec").status_code == 302  # a citizen is no staff user
    out = post_form(client, "/cong-dan/ho-so", {}, "/cong-dan/dang-xuat")
    assert out.status_code == 302
    assert client.get("/cong-dan/ho-so").status_code == 302


def test_the_profile_is_edited_with_errors_per_field_and_a_password_change_ends_other_sessions(app, client):
    new_account(app)
    other = app.test_client()
    citizen_login(other)
    citizen_login(client)
    bad = post_form(client, "/cong-dan/tai-khoan", {"full_name": "Nguyễn Văn An", "phone": "12", "id_number": "1"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Số điện thoại không hợp lệ" in html and "phải gồm đúng 12 chữ số" in html
    assert 'value="12"' in html
    data = {"full_name": "Nguyễn Văn Ân", "phone": "0901 234 567", "id_number": "001090099999", "address": "Số 1"}
    assert post_form(client, "/cong-dan/tai-khoan", data).status_code == 302
    page = client.get("/cong-dan/tai-khoan").get_data(as_text=True)
    assert 'value="Nguyễn Văn Ân"' in page and 'value="0901234567"' in page

    wrong = post_form(
        client,
        "/cong-dan/tai-khoan",
        {"action": "password", "current_password": "sai", "new_password": "Moi2026abc", "new_password_confirm": "x"},
    )
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    changed = post_form(
        client,
        "/cong-dan/tai-khoan",
        {
            "action": "password",
            "current_password": PASSWORD,
            "new_password": "Moi2026abc",
            "new_password_confirm": "Moi2026abc",
        },
    )
    assert changed.status_code == 302
    assert client.get("/cong-dan/tai-khoan").status_code == 200  # this session goes on…
    assert other.get("/cong-dan/tai-khoan").status_code == 302  # …the other one has ended
