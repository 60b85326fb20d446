"""Dossiers and what is kept beside their workflow: inbox rows, history, state, codes.

Everything people list, search or count lives here in plain indexed columns,
written in the same transaction as the workflow state, so that no page has to
load a workflow to show a list.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.catalogue import Procedure
from engine.models.directory import Unit, User


def _dashboard_indexes() -> list[Index]:
    open_, at_unit = "status IN (2, 4, 5, 6)", "status IN (1, 2, 4, 5, 6, 9)"
    at_unit_include = ["channel", "due_at"]
    specs = [
        ("ix_dossier_agency_open_due", ["agency_id", "due_at"], open_, ["department_id", "status"]),
        ("ix_dossier_department_open_due", ["department_id", "due_at"], open_, ["status"]),
        (
            "ix_dossier_agency_at_unit",
            ["agency_id", "status"],
            at_unit,
            [*at_unit_include, "receiving_unit_id", "department_id"],
        ),
        (
            "ix_dossier_department_at_unit",
            ["department_id", "status"],
            at_unit,
            [*at_unit_include, "receiving_unit_id"],
        ),
        ("ix_dossier_counter_at_unit", ["receiving_unit_id", "status"], at_unit, [*at_unit_include, "department_id"]),
    ]
    return [
        Index(
            name,
            *columns,
            postgresql_include=include,
            postgresql_where=text(where) if where else None,
            sqlite_where=text(where) if where else None,
        )
        for name, columns, where, include in specs
    ]


class Dossier(Base):
    """A hồ sơ: one application, one running instance of its procedure's process."""

    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_unit_status_received", "receiving_unit_id", "status", "received_at"),
        # The statistics (migration 0009): dossiers finished since a period's start, the open ones
        # (refused and stopped dossiers have no end date and stay out), a department's register.
        Index("ix_dossier_finished_at", "finished_at"),
        Index(
            "ix_dossier_open",
            "received_at",
            postgresql_where=text("finished_at IS NULL AND status IN (2, 4, 5, 6)"),
            sqlite_where=text("finished_at IS NULL AND status IN (2, 4, 5, 6)"),
        ),
        Index("ix_dossier_department_received", "department_id", "received_at"),
        # The dashboard's counts (engine.services.dashboard), each an index-only scan of one unit's rows; the
        # same list as migration 0008: open ones by due time (2, 4, 5, 6), and what is at the units by status.
        *_dashboard_indexes(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    # Null until the workflow starts: a dossier waiting for supplements or refused at intake has none.
    process_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    receiving_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    channel: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[int] = mapped_column(Integer, index=True)
    applicant_kind: Mapped[str] = mapped_column(String(20), default="person")  # person | organisation
    organisation_name: Mapped[str] = mapped_column(String(255), default="")
    tax_code: Mapped[str] = mapped_column(String(20), default="")
    applicant_name: Mapped[str] = mapped_column(String(255))
    applicant_name_folded: Mapped[str] = mapped_column(String(255), index=True)
    id_number: Mapped[str] = mapped_column(String(20), index=True)
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The citizen account that submitted it online, or that it was linked to; it alone sees it on the portal.
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizen_account.id"), index=True)
    sets_count: Mapped[int] = mapped_column(Integer, default=1)
    return_method: Mapped[str] = mapped_column(String(20), default="counter")  # counter | post
    # Why the dossier was refused at intake (Mẫu 03).
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    # Start of the current pause while waiting for a supplement; null when the clock runs.
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Apologies with a new date (Mẫu 04) given so far: the statistics count them.
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    # Why processing stopped (Mẫu 05, status 8).
    stop_reason: Mapped[str] = mapped_column(Text, default="")
    # Optimistic guard: every change bumps it, so a stale write fails instead of winning.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - read once by the mapper

    procedure: Mapped[Procedure] = relationship()
    receiving_unit: Mapped[Unit] = relationship(foreign_keys=[receiving_unit_id])
    components: Mapped[list[DossierComponent]] = relationship(
        order_by="DossierComponent.position", cascade="all, delete-orphan"
    )
    history: Mapped[list[HistoryEvent]] = relationship(order_by="HistoryEvent.id", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id", cascade="all, delete-orphan")


class DossierComponent(Base):
    """A component as handed in with one dossier (a snapshot of the catalogue at reception)."""

    __tablename__ = "dossier_component"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    originals: Mapped[int] = mapped_column(Integer, default=0)
    certified_copies: Mapped[int] = mapped_column(Integer, default=0)
    photocopies: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[bool] = mapped_column(Boolean, default=True)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    extra: Mapped[bool] = mapped_column(Boolean, default=False)  # added at the counter, not in the catalogue
    # What the applicant must add or complete (Mẫu 02), when it is missing.
    missing_reason: Mapped[str] = mapped_column(Text, default="")


class Attachment(Base):
    """A scanned document kept with a dossier; the bytes live in the attachment store."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    component_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_component.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)


class WorkflowState(Base):
    """The serialized SpiffWorkflow instance of a dossier, without its process definition."""

    __tablename__ = "workflow_state"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), primary_key=True)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class Task(Base):
    """An inbox row: one ready user task, and who may act on it.

    ``id`` is the SpiffWorkflow task id. Open rows have ``closed_at`` null; the
    partial indexes keep inbox queries small however many closed rows pile up.
    """

    __tablename__ = "task"
    __table_args__ = (
        # The pool: open tasks nobody holds, by the unit and role they wait for. Assigned rows stay out,
        # so a unit where colleagues hold thousands of tasks costs a person's inbox nothing.
        Index(
            "ix_task_open_pool",
            "unit_id",
            "role",
            postgresql_where=text("closed_at IS NULL AND assignee_id IS NULL"),
            sqlite_where=text("closed_at IS NULL AND assignee_id IS NULL"),
        ),
        Index(
            "ix_task_open_assignee",
            "assignee_id",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        # Steps completed in a period, for the per-officer report (migration 0009).
        Index(
            "ix_task_completed_closed",
            "closed_at",
            postgresql_where=text("outcome = 'completed'"),
            sqlite_where=text("outcome = 'completed'"),
        ),
        # Tasks whose holders are still to be told by e-mail, for the outbox job (migration 0012).
        Index(
            "ix_task_alert_pending",
            "id",
            postgresql_where=text("alert_pending"),
            sqlite_where=text("alert_pending"),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    step: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(255))
    form: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Who forwarded the dossier to this task, and from which task: recall and rework go back there.
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    opened_from_task_id: Mapped[str | None] = mapped_column(String(36))
    # How it closed: completed, recalled, reworked, cancelled, stopped.
    outcome: Mapped[str] = mapped_column(String(20), default="")
    # Its holders are to be told by e-mail: the outbox job composes the alert, not the step's transaction.
    alert_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    dossier: Mapped[Dossier] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])


class HistoryEvent(Base):
    """One append-only line of a dossier's history: the Mẫu 06 control slip and the audit trail."""

    __tablename__ = "history_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(40))
    from_step: Mapped[str] = mapped_column(String(255), default="")
    to_step: Mapped[str] = mapped_column(String(500), default="")
    to_unit: Mapped[str] = mapped_column(String(255), default="")
    # The person the dossier went to, when one was named (an assignment, a recall, a rework).
    to_person: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    step_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    status_after: Mapped[int] = mapped_column(Integer)


class DocumentSequence(Base):
    """The last number an agency gave a kind of issued document in a year (the "12" of "12/QĐ-UBND")."""

    __tablename__ = "document_sequence"

    agency_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class DossierSequence(Base):
    """The last sequence number given by a unit on a day (the NNNN of a dossier code)."""

    __tablename__ = "dossier_sequence"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class Comment(Base):
    """A remark on a dossier for everyone working on it (not shown to the applicant)."""

    __tablename__ = "dossier_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_name: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(DateTime)
    body: Mapped[str] = mapped_column(Text)


class Extension(Base):
    """An apology with a new return date (Mẫu 04)."""

    __tablename__ = "dossier_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    unit_at_fault: Mapped[str] = mapped_column(String(255))
    previous_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    new_due_at: Mapped[datetime] = mapped_column(DateTime)


class IssuedDocument(Base):
    """A document the system issued for a dossier: its result, or a notice (Mẫu 04, 05).

    Kept so that anyone holding a paper can check it against what was issued,
    through its verification code.
    """

    __tablename__ = "issued_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # result | mau-04 | mau-05
    title: Mapped[str] = mapped_column(String(500))
    number: Mapped[str] = mapped_column(String(60))
    verification_code: Mapped[str] = mapped_column(String(20), unique=True)
    holder_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[str] = mapped_column(Text)  # the filled fields, as JSON: the document is re-rendered from it
    sha256: Mapped[str] = mapped_column(String(64))  # of ``content`` as issued
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_by_name: Mapped[str] = mapped_column(String(255), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
