"""Citizen accounts: registration rules, the signed links, logging in."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer

from engine.db import make_engine, session_scope
from engine.services import citizens
from engine.services.errors import AuthenticationFailed, InvalidInput
from tests.factories import make_citizen

SECRET = "test-secret"


@pytest.fixture
def session(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        yield session
    engine.dispose()


def _form(**overrides):
    values = {"email": "binh@example.vn", "password": "Antoan2026", "full_name": "Trần Thị Bình"}
    return citizens.Registration(**{**values, **overrides})


def test_a_second_account_with_the_same_email_in_other_case_is_refused(session):
    make_citizen(session, email="binh@example.vn")
    with pytest.raises(InvalidInput) as err:
        citizens.register(session, _form(email="  Binh@Example.VN "))
    assert "đã được đăng ký" in err.value.errors["email"]


@pytest.mark.parametrize(
    ("password", "expected"),
    [("ngan1", "ít nhất 8 ký tự"), ("chichucaidai", "cả chữ và số"), ("binh2026x", "quá dễ đoán")],
)
def test_weak_passwords_are_refused_with_the_reason(session, password, expected):
    with pytest.raises(InvalidInput) as err:
        citizens.register(session, _form(password=password))
    assert expected in err.value.errors["password"]


def test_an_unverified_account_cannot_log_in_until_the_link_is_opened(session):
    account = citizens.register(session, _form())
    with pytest.raises(AuthenticationFailed, match="chưa được xác thực"):
        citizens.authenticate(session, "binh@example.vn", "Antoan2026")
    citizens.verify_email(session, citizens.verification_token(account, SECRET), SECRET)
    assert citizens.authenticate(session, "BINH@example.vn", "Antoan2026").id == account.id


def test_tampered_and_expired_verification_links_are_refused(session):
    account = citizens.register(session, _form())
    token = citizens.verification_token(account, SECRET)
    with pytest.raises(AuthenticationFailed, match="không hợp lệ"):
        citizens.verify_email(session, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), SECRET)
    forged = URLSafeTimedSerializer("another-secret", salt="motcua-citizen-verify").dumps({"c": account.id})
    with pytest.raises(AuthenticationFailed, match="không hợp lệ"):
        citizens.verify_email(session, forged, SECRET)
    with pytest.raises(AuthenticationFailed, match="hết hạn"):
        citizens.verify_email(session, token, SECRET, max_age=-1)
    assert account.email_verified_at is None


def test_a_reset_link_works_once_and_ends_the_old_sessions(session):
    account = make_citizen(session)
    claims = citizens.session_claims(account)
    token = citizens.reset_token(account, SECRET)
    citizens.reset_password(session, token, "Moihon2027", SECRET)
    assert citizens.authenticate(session, account.email, "Moihon2027").id == account.id
    assert citizens.account_for_claims(session, claims) is None
    with pytest.raises(AuthenticationFailed, match="đã được dùng"):
        citizens.reset_password(session, token, "Lanthuhai2028", SECRET)


def test_a_verification_link_cannot_be_used_to_reset_the_password(session):
    account = make_citizen(session)
    with pytest.raises(AuthenticationFailed, match="không hợp lệ"):
        citizens.reset_password(session, citizens.verification_token(account, SECRET), "Moihon2027", SECRET)
