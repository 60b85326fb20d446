"""Logging in, password hashes and API tokens."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from engine.models import User, UserRole
from engine.roles import Role
from engine.services.errors import AuthenticationFailed

TOKEN_MAX_AGE = 12 * 3600  # a working day, with margin
# Compared against when the user is unknown, so a wrong username costs as much as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with these credentials; raises AuthenticationFailed otherwise."""
    user = session.scalars(select(User).where(User.username == (username or "").strip())).first()
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is None or not ok or not user.active:
        raise AuthenticationFailed("Tên đăng nhập hoặc mật khẩu không đúng.")
    return user


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="motcua-api-token")


def issue_token(user: User, secret: str) -> str:
    """A signed bearer token for the API; bumping ``user.token_generation`` revokes it."""
    return _serializer(secret).dumps({"u": user.id, "g": user.token_generation})


@dataclass(frozen=True)
class ActorRef:
    """Who is calling, as far as checking and recording a task completion needs: no ORM object."""

    id: int
    full_name: str
    unit_id: int
    roles: frozenset[str]

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.roles


def _claims(token: str, secret: str, max_age: int) -> dict[str, int]:
    try:
        payload = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired as err:
        raise AuthenticationFailed("Mã truy cập đã hết hạn, vui lòng đăng nhập lại.") from err
    except BadSignature as err:
        raise AuthenticationFailed("Mã truy cập không hợp lệ.") from err
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise AuthenticationFailed("Mã truy cập không hợp lệ.")
    return payload


_USERS, _ROLES = User.__table__, UserRole.__table__
_ACTOR = (  # built once: every API call runs it
    select(_USERS.c.id, _USERS.c.full_name, _USERS.c.unit_id, _USERS.c.active, _USERS.c.token_generation, _ROLES.c.role)
    .outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id)
    .where(_USERS.c.id == bindparam("user_id"))
)


def actor_for_token(session: Session, token: str, secret: str, max_age: int = TOKEN_MAX_AGE) -> ActorRef:
    """The caller behind a bearer token, read in one Core query (every API call pays for this)."""
    claims = _claims(token, secret, max_age)
    rows = session.connection().execute(_ACTOR, {"user_id": claims["u"]}).all()
    if not rows or not rows[0].active or rows[0].token_generation != claims.get("g"):
        raise AuthenticationFailed("Mã truy cập không còn hiệu lực.")
    first = rows[0]
    return ActorRef(first.id, first.full_name, first.unit_id, frozenset(r.role for r in rows if r.role))
