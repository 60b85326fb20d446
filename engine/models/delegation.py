"""Delegation (ủy quyền): a leader's work goes to a deputy for a period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.directory import User


class Delegation(Base):
    """While ``starts_at <= now < ends_at`` (and not revoked), the deputy acts for the principal."""

    __tablename__ = "delegation"
    __table_args__ = (Index("ix_delegation_deputy_period", "deputy_id", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    principal: Mapped[User] = relationship(foreign_keys=[principal_id])
    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])
