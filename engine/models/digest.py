"""What the daily warning e-mails need: who sent which digest to whom, and which process runs the job."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class DigestSent(Base):
    """One daily digest queued for one person: the unique key makes a second send the same day fail."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("kind", "user_id", "day", name="uq_digest_sent_kind_user_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # due_soon | overdue
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    day: Mapped[date] = mapped_column(Date)
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class JobLease(Base):
    """Which process runs a scheduled job until when: one holder at a time, on any database."""

    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
