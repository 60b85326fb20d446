"""The inbox, and completing a task: one step, one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from engine import clock
from engine.batch import StaleWrite, WriteBatch
from engine.forms import FormDefinition, FormRegistry
from engine.models import Dossier, HistoryEvent, Task, User, UserRole, WorkflowState
from engine.roles import Role
from engine.services import advance, delegation, events
from engine.services.auth import ActorRef
from engine.services.errors import Conflict, InvalidInput, NotFound
from engine.services.inbox import InboxFilter, inbox
from engine.services.procedures import process_of_version
from engine.status import DossierStatus
from engine.workflow import load_instance

TASK_GONE = "Công việc này đã được xử lý hoặc không còn mở. Hãy tải lại hộp công việc."
PAUSED = "Hồ sơ đang tạm dừng để chờ công dân bổ sung giấy tờ; chưa thể chuyển bước."
AWAITING_FEE = "Hồ sơ đang chờ công dân nộp phí, lệ phí; chưa thể chuyển bước."


def list_tasks(session: Session, actor: User, limit: int = 200) -> list[Task]:
    """Every open task the actor may act on (theirs, their unit's, their principals'), soonest due first."""
    return inbox(session, actor, InboxFilter(tab="all"), page_size=limit).tasks


def get_open_task(session: Session, actor: User, task_id: str) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("Không tìm thấy công việc.")
    if task.closed_at is not None:
        raise Conflict(TASK_GONE)
    delegation.acting_for(session, actor, task)
    return task


_PEOPLE = (
    select(User.id, User.full_name)
    .join(UserRole, UserRole.user_id == User.id)
    .where(UserRole.role == bindparam("role"), User.unit_id == bindparam("unit_id"), User.active)
    .order_by(User.full_name)
)


def form_choices(
    session: Session, form: FormDefinition, task: Any, dossier: Any = None
) -> dict[str, list[tuple[str, str]]]:
    """Choices computed at run time: the people of the dossier's department for "user" fields."""
    department_id = (dossier or task.dossier).department_id
    choices: dict[str, list[tuple[str, str]]] = {}
    for field in form.fields:
        if field.type == "user":
            role = Role(field.role or Role.SPECIALIST.value)
            people = session.connection().execute(_PEOPLE, {"role": role.value, "unit_id": department_id}).all()
            choices[field.name] = [(str(user_id), name) for user_id, name in people]
    return choices


@dataclass(frozen=True)
class NextTask:
    """A task that a completion opened, as the caller reports it."""

    id: str
    step: str
    title: str
    role: str
    unit_id: int
    assignee_id: int | None
    created_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class Completion:
    dossier_code: str
    status: int
    next_tasks: list[NextTask]


_TASK = Task.__table__
_DOSSIER = Dossier.__table__
_STATE = WorkflowState.__table__
_HISTORY = HistoryEvent.__table__

# The statements of a completion, built once: building and hashing a Core statement costs more
# than the database takes to run these, and they run on every step.
_LOCK = (  # the dossier the task belongs to, found through the task in the same statement
    select(*_DOSSIER.c, _STATE.c.state)
    .join(_STATE, _STATE.c.dossier_id == _DOSSIER.c.id)
    # A subquery, not a third join: PostgreSQL plans it in a fraction of the time (dossier has many indexes).
    .where(_DOSSIER.c.id == select(_TASK.c.dossier_id).where(_TASK.c.id == bindparam("p_task")).scalar_subquery())
    .with_for_update(of=_DOSSIER)
)
_OPEN_TASKS = select(_TASK).where(_TASK.c.dossier_id == bindparam("p_dossier"), _TASK.c.closed_at.is_(None))
_TASK_ROW = select(_TASK).where(_TASK.c.id == bindparam("p_task"))
_CLOSE = (
    update(_TASK)
    .where(_TASK.c.id == bindparam("p_task"), _TASK.c.closed_at.is_(None))
    .values(closed_at=bindparam("p_at"), completed_by_id=bindparam("p_by"), outcome="completed")
)
_CANCEL = (
    update(_TASK)
    .where(_TASK.c.id.in_(bindparam("p_tasks", expanding=True)))
    .values(closed_at=bindparam("p_at"), outcome="cancelled")
)
_SAVE_STATE = (
    update(_STATE)
    .where(_STATE.c.dossier_id == bindparam("p_dossier"))
    .values(state=bindparam("p_state"), completed=bindparam("p_completed"), updated_at=bindparam("p_at"))
)
_BUMP = (  # compared on write too: SQLite has no row lock
    update(_DOSSIER)
    .where(_DOSSIER.c.id == bindparam("p_dossier"), _DOSSIER.c.version == bindparam("p_version"))
    .values(
        status=bindparam("p_status"),
        finished_at=bindparam("p_finished"),
        returned_at=bindparam("p_returned"),
        version=_DOSSIER.c.version + 1,
    )
)
_OPEN_NEW = insert(_TASK)
_RECORD = insert(_HISTORY)


def complete_task(session: Session, actor: User | ActorRef, task_id: str, data: Any, forms: FormRegistry) -> Completion:
    """Complete ``task_id`` with ``data`` on behalf of ``actor`` and advance the dossier.

    The hottest path of the product, so it reads and writes rows in Core rather than
    through the ORM's unit of work: two reads (the dossier with its workflow state,
    locked, found through the task; the dossier's open tasks) and one write per
    changed row. The dossier row is locked (PostgreSQL) and its version compared on write
    (every backend), so of two people completing the same task exactly one
    succeeds; the other gets Conflict and the caller's transaction rolls back.
    """
    conn = session.connection()
    # Everything read after the lock is what the previous writer committed.
    locked = conn.execute(_LOCK, {"p_task": task_id}).first()
    if locked is None:
        raise NotFound("Không tìm thấy công việc.")
    dossier = SimpleNamespace(**locked._mapping)
    open_rows = conn.execute(_OPEN_TASKS, {"p_dossier": dossier.id}).all()
    current = next((row for row in open_rows if row.id == task_id), None)
    if current is None:
        # Closed meanwhile; only someone who could have acted on it learns that.
        delegation.acting_for(session, actor, conn.execute(_TASK_ROW, {"p_task": task_id}).one())
        raise Conflict(TASK_GONE)
    principal = delegation.acting_for(session, actor, current)
    if dossier.paused_at is not None:
        raise Conflict(PAUSED)
    if dossier.status == DossierStatus.FEE_REQUESTED:
        raise Conflict(AWAITING_FEE)
    form = forms.get(current.form) if current.form in forms.names() else FormDefinition(current.form, current.title)
    choices = form_choices(session, form, current, dossier)
    clean, errors = form.validate(data if data is not None else {}, choices)
    if errors:
        raise InvalidInput(errors)
    if dossier.process_version_id is None:
        raise Conflict("Không tải được quy trình của hồ sơ.")
    instance = load_instance(process_of_version(session, dossier.process_version_id), dossier.state)
    try:
        instance.complete(current.id, clean)
    except LookupError as err:
        raise Conflict(TASK_GONE) from err

    now = clock.now()
    previous_status = dossier.status
    # The people the form offered are active and named: assigning one of them needs no query.
    offered = {int(user_id): name for field in choices.values() for user_id, name in field}
    plan = advance.plan_tasks(
        session,
        dossier,
        instance,
        now,
        [row for row in open_rows if row.id != current.id],
        opened_by_id=principal.id if principal else actor.id,
        opened_from_task_id=current.id,
        people=offered,
    )
    next_rows = plan.open_rows
    event = advance.record(
        session,
        dossier,
        actor,
        "complete",
        now,
        from_step=current.title,
        open_rows=next_rows,
        data=clean,
        step_due_at=current.due_at,
        actor_name=delegation.signature(actor, principal),
        add=False,
        people=offered,
    )

    # One round trip on PostgreSQL (engine.batch). Two guards refuse the step if someone else acted
    # since the reads above: the dossier's version (SQLite, which has no row lock, needs it; on
    # PostgreSQL the row lock taken above guarantees it) and the task still open, checked last.
    writes = WriteBatch(conn)
    writes.add(
        _BUMP,
        {
            "p_dossier": dossier.id,
            "p_version": dossier.version,
            "p_status": dossier.status,
            "p_finished": dossier.finished_at,
            "p_returned": dossier.returned_at,
        },
        must_change=not writes.one_query,
    )
    writes.add(
        _SAVE_STATE,
        {"p_dossier": dossier.id, "p_state": instance.serialize(), "p_completed": instance.completed, "p_at": now},
    )
    if plan.cancelled:
        writes.add(_CANCEL, {"p_tasks": plan.cancelled, "p_at": now})
    writes.add(_OPEN_NEW, [_values(_TASK, row) for row in plan.new_rows])
    writes.add(_RECORD, _values(_HISTORY, event, skip=("id",)))
    writes.add(_CLOSE, {"p_task": current.id, "p_at": now, "p_by": actor.id}, must_change=True)
    try:
        writes.send()
    except StaleWrite as err:
        raise Conflict(TASK_GONE) from err
    events.status_changed(session, dossier, actor, previous_status, now, workflow=instance.data)
    return Completion(
        dossier_code=dossier.code,
        status=int(dossier.status),
        next_tasks=[
            NextTask(row.id, row.step, row.title, row.role, row.unit_id, row.assignee_id, row.created_at, row.due_at)
            for row in next_rows
        ],
    )


def _values(table: Table, obj: object, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A transient ORM object's column values, for a Core insert."""
    return {column.key: getattr(obj, column.key) for column in table.columns if column.key not in skip}
