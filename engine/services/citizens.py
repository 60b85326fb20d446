"""Citizen accounts: registering, proving the e-mail address, logging in, resetting a password.

Links in e-mails are signed with the application's secret and expire; each kind of link has its
own salt, so a verification link can never be replayed as a reset link. A reset link also carries
the account's ``token_generation``, which the reset bumps: the link works once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine import clock
from engine.models import CitizenAccount
from engine.services.errors import AuthenticationFailed, InvalidInput
from engine.services.reception import EMAIL_RE, ID_NUMBER_RE, PHONE_RE

VERIFY_MAX_AGE = 48 * 3600
RESET_MAX_AGE = 2 * 3600
MIN_PASSWORD = 8
_DUMMY_HASH = generate_password_hash("not a password")


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    full_name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def password_problem(password: str, email: str = "", full_name: str = "") -> str | None:
    """Why ``password`` is too weak, in Vietnamese; None when it will do."""
    if len(password) < MIN_PASSWORD:
        return f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự."
    if len(password) > 200:
        return "Mật khẩu dài quá 200 ký tự."
    if not (re.search(r"[A-Za-zÀ-ỹ]", password) and re.search(r"\d", password)):
        return "Mật khẩu phải có cả chữ và số."
    lowered = password.lower()
    local = normalise_email(email).split("@")[0]
    if (local and len(local) >= 4 and local in lowered) or lowered in {"12345678a", "password1", "matkhau123"}:
        return "Mật khẩu quá dễ đoán, vui lòng chọn mật khẩu khác."
    return None


def _validate(session: Session, form: Registration) -> dict[str, str]:
    errors: dict[str, str] = {}
    email = normalise_email(form.email)
    if not email:
        errors["email"] = "Vui lòng nhập địa chỉ email."
    elif len(email) > 255 or not EMAIL_RE.match(email):
        errors["email"] = "Địa chỉ email không hợp lệ."
    elif session.scalar(select(CitizenAccount.id).where(CitizenAccount.email == email)) is not None:
        errors["email"] = "Email này đã được đăng ký. Vui lòng đăng nhập hoặc dùng chức năng quên mật khẩu."
    name = " ".join((form.full_name or "").split())
    if not 2 <= len(name) <= 255:
        errors["full_name"] = "Họ và tên phải từ 2 đến 255 ký tự."
    phone = (form.phone or "").replace(" ", "").replace(".", "")
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = "Số điện thoại không hợp lệ (ví dụ 0912345678)."
    if form.id_number and not ID_NUMBER_RE.match(form.id_number.strip()):
        errors["id_number"] = "Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số."
    if len(form.address or "") > 500:
        errors["address"] = "Địa chỉ dài quá 500 ký tự."
    problem = password_problem(form.password or "", email, name)
    if problem:
        errors["password"] = problem
    return errors


def register(session: Session, form: Registration) -> CitizenAccount:
    """A new, not yet verified account; raises InvalidInput with a message per field."""
    errors = _validate(session, form)
    if errors:
        raise InvalidInput(errors)
    account = CitizenAccount(
        email=normalise_email(form.email),
        full_name=" ".join(form.full_name.split()),
        phone=(form.phone or "").replace(" ", "").replace(".", ""),
        id_number=(form.id_number or "").strip(),
        address=(form.address or "").strip(),
        password_hash=generate_password_hash(form.password),
        created_at=clock.now(),
        email_verified_at=None,
        active=True,
        token_generation=0,
    )
    session.add(account)
    session.flush()
    return account


def _serializer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"motcua-citizen-{purpose}")


def verification_token(account: CitizenAccount, secret: str) -> str:
    return _serializer(secret, "verify").dumps({"c": account.id, "e": account.email})


def reset_token(account: CitizenAccount, secret: str) -> str:
    return _serializer(secret, "reset").dumps({"c": account.id, "g": account.token_generation})


def _load(token: str, secret: str, purpose: str, max_age: int) -> dict:
    expired = "Liên kết đã hết hạn. Vui lòng yêu cầu gửi lại liên kết mới."
    invalid = "Liên kết không hợp lệ hoặc đã bị sửa đổi."
    try:
        payload = _serializer(secret, purpose).loads(token or "", max_age=max_age)
    except SignatureExpired as err:
        raise AuthenticationFailed(expired) from err
    except BadSignature as err:
        raise AuthenticationFailed(invalid) from err
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), int):
        raise AuthenticationFailed(invalid)
    return payload


def verify_email(session: Session, token: str, secret: str, max_age: int = VERIFY_MAX_AGE) -> CitizenAccount:
    """Mark the address of the token's account as proven; a second use is harmless."""
    claims = _load(token, secret, "verify", max_age)
    account = session.get(CitizenAccount, claims["c"])
    if account is None or account.email != claims.get("e"):
        raise AuthenticationFailed("Liên kết không hợp lệ hoặc đã bị sửa đổi.")
    if account.email_verified_at is None:
        account.email_verified_at = clock.now()
    return account


def authenticate(session: Session, email: str, password: str) -> CitizenAccount:
    """The active, verified account with these credentials; raises AuthenticationFailed otherwise."""
    account = session.scalars(select(CitizenAccount).where(CitizenAccount.email == normalise_email(email))).first()
    ok = check_password_hash(account.password_hash if account else _DUMMY_HASH, password or "")
    if account is None or not ok or not account.active:
        raise AuthenticationFailed("Email hoặc mật khẩu không đúng.")
    if account.email_verified_at is None:
        raise AuthenticationFailed(
            "Tài khoản chưa được xác thực email. Vui lòng mở liên kết trong thư chúng tôi đã gửi."
        )
    return account


def find_by_email(session: Session, email: str) -> CitizenAccount | None:
    return session.scalars(select(CitizenAccount).where(CitizenAccount.email == normalise_email(email))).first()


def reset_password(
    session: Session, token: str, new_password: str, secret: str, max_age: int = RESET_MAX_AGE
) -> CitizenAccount:
    """Set a new password from a reset link; the link, and every session, stops working."""
    claims = _load(token, secret, "reset", max_age)
    account = session.get(CitizenAccount, claims["c"])
    if account is None or account.token_generation != claims.get("g"):
        raise AuthenticationFailed("Liên kết đặt lại mật khẩu đã được dùng hoặc không còn hiệu lực.")
    problem = password_problem(new_password or "", account.email, account.full_name)
    if problem:
        raise InvalidInput({"password": problem})
    account.password_hash = generate_password_hash(new_password)
    account.token_generation += 1
    # Reaching the mailbox proves the address as well as the verification link would.
    if account.email_verified_at is None:
        account.email_verified_at = clock.now()
    return account


def session_claims(account: CitizenAccount) -> dict[str, int]:
    """What the web session keeps to find the account again; stale once the generation moves."""
    return {"c": account.id, "g": account.token_generation}


def account_for_claims(session: Session, claims: object) -> CitizenAccount | None:
    if not isinstance(claims, dict) or not isinstance(claims.get("c"), int):
        return None
    account = session.get(CitizenAccount, claims["c"])
    if account is None or not account.active or account.token_generation != claims.get("g"):
        return None
    return account


API_TOKEN_SALT = "motcua-citizen-api"
API_TOKEN_MAX_AGE = 30 * 24 * 3600


def issue_api_token(account: CitizenAccount, secret: str) -> str:
    """A bearer token for the citizen API; it dies with the account's token generation (password change)."""
    return URLSafeTimedSerializer(secret, salt=API_TOKEN_SALT).dumps({"c": account.id, "g": account.token_generation})


def account_for_api_token(
    session: Session, token: str, secret: str, max_age: int = API_TOKEN_MAX_AGE
) -> CitizenAccount:
    """The active account a citizen API token was issued to; AuthenticationFailed otherwise."""
    try:
        claims = URLSafeTimedSerializer(secret, salt=API_TOKEN_SALT).loads(token or "", max_age=max_age)
    except SignatureExpired as err:
        raise AuthenticationFailed("Mã truy cập đã hết hạn. Vui lòng đăng nhập lại.") from err
    except BadSignature as err:
        raise AuthenticationFailed("Mã truy cập không hợp lệ.") from err
    account = account_for_claims(session, claims)
    if account is None or account.email_verified_at is None:
        raise AuthenticationFailed("Mã truy cập không còn hiệu lực. Vui lòng đăng nhập lại.")
    return account
