"""Deployed versions of the BPMN processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class ProcessVersion(Base):
    """One deployment of a process's BPMN. Dossiers stay on the version they started on."""

    __tablename__ = "process_version"
    __table_args__ = (UniqueConstraint("process_key", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    number: Mapped[int] = mapped_column(Integer)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    deployed_by_name: Mapped[str] = mapped_column(String(255), default="")
    deployed_at: Mapped[datetime] = mapped_column(DateTime)
