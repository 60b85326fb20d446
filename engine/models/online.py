"""Online submission: the citizen's drafts with their files, and what a submitted dossier was applied with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.catalogue import Procedure
from engine.models.directory import Unit


class OnlineDraft(Base):
    """A submission being prepared by a citizen; kept until it is submitted or its owner deletes it."""

    __tablename__ = "online_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen_account.id"), index=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    receiving_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    # What was typed, as JSON {"applicant": {...}, "data": {...}}: kept as typed, checked at submission.
    form: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    procedure: Mapped[Procedure] = relationship()
    receiving_unit: Mapped[Unit] = relationship()
    files: Mapped[list[OnlineDraftFile]] = relationship(
        order_by="OnlineDraftFile.id", cascade="all, delete-orphan", back_populates="draft"
    )


class OnlineDraftFile(Base):
    """A file uploaded to a draft for one catalogue component; the bytes live in the attachment store."""

    __tablename__ = "online_draft_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("online_draft.id", ondelete="CASCADE"), index=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("component.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)

    draft: Mapped[OnlineDraft] = relationship(back_populates="files")


class OnlineApplication(Base):
    """The application data a citizen submitted with a dossier, read by the counter before it accepts.

    The workflow starts only at acceptance, so until then nothing else holds the application form.
    """

    __tablename__ = "online_application"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), primary_key=True)
    data: Mapped[str] = mapped_column(Text, default="{}")
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    # The latest resubmission after a supplement request; null until there is one.
    resubmitted_at: Mapped[datetime | None] = mapped_column(DateTime)
