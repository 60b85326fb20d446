"""Public lookups and logins are limited per client address."""

from __future__ import annotations

import pytest

from webapp import create_app
from webapp.extensions import db


@pytest.fixture
def limited_client(sqlite_url):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": sqlite_url,
            "SECRET_KEY": "x",
            "LOOKUP_RATE_LIMIT": "5 per minute",
            "LOGIN_RATE_LIMIT": "3 per minute",
        }
    )
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def test_public_lookup_is_limited_per_client_address(limited_client):
    code = "000.00.01.H10-200101-0001"
    answers = [limited_client.get(f"/api/v1/lookup/{code}").status_code for _ in range(6)]
    assert answers == [404] * 5 + [429]
    response = limited_client.get(f"/tra-cuu/{code}")  # the page shares nothing with the API's count…
    assert response.status_code == 404
    # …but another address still gets answers while this one waits.
    other = limited_client.get(f"/api/v1/lookup/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 404
    blocked = limited_client.get(f"/api/v1/lookup/{code}")
    assert blocked.status_code == 429
    assert blocked.json["error"].startswith("Bạn đã gửi quá nhiều yêu cầu")


def test_repeated_login_attempts_are_slowed_down(limited_client):
    answers = [
        limited_client.post("/api/v1/tokens", json={"username": "motcua", "password": "guess"}).status_code
        for _ in range(4)
    ]
    assert answers == [401, 401, 401, 429]


def test_guessing_the_second_factor_is_limited_per_client_address(limited_client):
    from tests.factories import Api
    from tests.web.test_ui import csrf_of

    code = Api(limited_client, "motcua").receive().json["code"]
    token = csrf_of(limited_client.get("/cong-dan/dang-nhap").get_data(as_text=True))
    answers = [
        limited_client.post(f"/tra-cuu/{code}", data={"factor": f"09000000{i:02d}", "csrf_token": token}).status_code
        for i in range(6)
    ]
    assert answers == [403] * 5 + [429]
    assert limited_client.get(f"/tra-cuu/{code}").status_code == 429  # guessing by POST blocks the page too
    other = limited_client.get(f"/tra-cuu/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_repeated_citizen_logins_are_slowed_down(limited_client):
    answers = [
        limited_client.post("/api/v1/citizen/token", json={"email": "ai@example.vn", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert answers == [401, 401, 401, 429]


def test_the_citizen_login_page_is_limited_like_the_staff_login(limited_client):
    from tests.web.test_ui import csrf_of

    token = csrf_of(limited_client.get("/cong-dan/dang-nhap").get_data(as_text=True))
    answers = [
        limited_client.post(
            "/cong-dan/dang-nhap", data={"email": "ai@example.vn", "password": "x", "csrf_token": token}
        ).status_code
        for _ in range(4)
    ]
    assert answers == [401, 401, 401, 429]

def test_guessing_the_payer_s_phone_number_is_limited(sqlite_url):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": sqlite_url,
            "SECRET_KEY": "x",
            "WTF_CSRF_ENABLED": False,
            "PAYMENT_RATE_LIMIT": "3 per minute",
        }
    )
    try:
        client = app.test_client()
        code = "000.00.01.H10-200101-0001"
        guesses = [client.post(f"/thanh-toan/{code}", data={"second_factor": f"091234567{i}"}) for i in range(4)]
        assert [r.status_code for r in guesses] == [404, 404, 404, 429]
        api = [client.post("/api/v1/payments", json={"code": code, "second_factor": "0912345670"}) for _ in range(4)]
        assert [r.status_code for r in api] == [404, 404, 404, 429]
    finally:
        with app.app_context():
            db.engine.dispose()
