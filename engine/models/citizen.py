"""Citizens' accounts on the public portal: apart from staff, who log in to another world."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class CitizenAccount(Base):
    """A person or organisation that submits dossiers online and follows its own dossiers.

    Kept out of ``user_account`` on purpose: a citizen session can never reach a staff page,
    whatever a staff route forgets to check.
    """

    __tablename__ = "citizen_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so one address is one account however it is typed.
    email: Mapped[str] = mapped_column(String(255), unique=True)
    full_name: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str] = mapped_column(String(20), default="")
    id_number: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # Null until the address is proven by the signed link; an unverified account cannot log in.
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on a password change or reset: every session, API token and reset link dies with it.
    token_generation: Mapped[int] = mapped_column(default=0)
