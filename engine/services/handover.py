"""Handing a dossier from person to person: claim, release, assign, recall, return for rework.

Each is one transaction guarded like completing a task: the dossier row is
locked (PostgreSQL) and its version bumped (every backend), and every update of
a task row is conditional on the state it was read in, so of two people acting
at once exactly one wins and the other gets Conflict with nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from engine import clock
from engine.models import Dossier, Task, User, UserRole, WorkflowState
from engine.roles import ROLES, Role
from engine.services import advance
from engine.services.access import is_leader_of
from engine.services.delegation import Principal, acting_for, principals_of, signature
from engine.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.services.inputs import clean_text
from engine.services.procedures import process_of_version
from engine.services.tasks import TASK_GONE
from engine.workflow import load_instance

TAKEN = "Công việc này vừa được người khác nhận hoặc xử lý. Hãy tải lại hộp công việc."
TOO_LATE_TO_RECALL = "Không thể thu hồi: người nhận đã xử lý hồ sơ."
MAX_NOTE = 2000


def lock_dossier(session: Session, dossier_id: int) -> Dossier:
    """The dossier, locked for this transaction (PostgreSQL) and re-read from the database."""
    dossier = session.scalars(
        select(Dossier)
        .where(Dossier.id == dossier_id)
        .with_for_update(of=Dossier.__table__)
        .execution_options(populate_existing=True)
    ).one()
    return dossier


def touch(dossier: Dossier) -> None:
    """Make the flush bump the dossier's version even if no column changed: a concurrent writer
    that read the same version then fails instead of overwriting."""
    flag_modified(dossier, "status")


def _open_task(session: Session, task_id: str) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("Không tìm thấy công việc.")
    lock_dossier(session, task.dossier_id)
    session.refresh(task)
    if task.closed_at is not None:
        raise Conflict(TASK_GONE)
    return task


def claim(session: Session, actor: User, task_id: str) -> Task:
    """Take an unassigned task of one's role (or one's principal's) to work on it."""
    task = _open_task(session, task_id)
    if task.assignee_id is not None:
        if task.assignee_id == actor.id:
            raise Conflict("Bạn đã nhận công việc này rồi.")
        raise Conflict(TAKEN)
    principal = acting_for(session, actor, task)
    holder = principal or actor  # a deputy takes it for the leader: it stays the leader's when the period ends
    now = clock.now()
    done = session.execute(
        update(Task)
        .where(Task.id == task.id, Task.assignee_id.is_(None), Task.closed_at.is_(None))
        .values(assignee_id=holder.id, alert_pending=False)  # whoever takes a task knows of it: no alert
    )
    if done.rowcount != 1:
        raise Conflict(TAKEN)
    session.refresh(task)
    dossier = task.dossier
    touch(dossier)
    advance.record(
        session,
        dossier,
        actor,
        "claim",
        now,
        from_step=task.title,
        actor_name=signature(actor, principal),
        to_person=holder.full_name,
        note="Nhận xử lý",
    )
    session.flush()
    return task


def release(session: Session, actor: User, task_id: str) -> Task:
    """Give an assigned task back to the pool of its role in its unit."""
    task = _open_task(session, task_id)
    if task.assignee_id is None:
        raise Conflict("Công việc này chưa giao cho ai.")
    principal = acting_for(session, actor, task)
    now = clock.now()
    done = session.execute(
        update(Task)
        .where(Task.id == task.id, Task.assignee_id == task.assignee_id, Task.closed_at.is_(None))
        .values(assignee_id=None, alert_pending=False)  # back in the pool: nobody is newly given it
    )
    if done.rowcount != 1:
        raise Conflict(TAKEN)
    session.refresh(task)
    touch(task.dossier)
    advance.record(
        session,
        task.dossier,
        actor,
        "release",
        now,
        from_step=task.title,
        actor_name=signature(actor, principal),
        note="Trả lại công việc cho đơn vị",
    )
    session.flush()
    return task


@dataclass(frozen=True)
class Candidate:
    """Someone a task can be given to, and how many open tasks they already hold."""

    id: int
    full_name: str
    open_tasks: int


def candidates(session: Session, role: str, unit_id: int) -> list[Candidate]:
    """Active people with ``role`` in ``unit_id``, each with the open tasks they hold: one query."""
    load = (
        select(Task.assignee_id, func.count().label("n"))
        .where(Task.closed_at.is_(None), Task.assignee_id.is_not(None))
        .group_by(Task.assignee_id)
        .subquery()
    )
    rows = session.execute(
        select(User.id, User.full_name, func.coalesce(load.c.n, 0))
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(load, load.c.assignee_id == User.id)
        .where(UserRole.role == role, User.unit_id == unit_id, User.active)
        .order_by(User.full_name)
    ).all()
    return [Candidate(user_id, name, int(n)) for user_id, name, n in rows]


def candidates_for(session: Session, actor: User, task_id: str) -> list[Candidate]:
    """Who the task could go to, for a leader over its dossier (or someone who may act on it)."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("Không tìm thấy công việc.")
    if _leader_principal(session, actor, task.dossier) is False:
        acting_for(session, actor, task)
    return candidates(session, task.role, task.unit_id)


def _leader_principal(session: Session, actor: User, dossier: Dossier) -> Principal | None | bool:
    """None if the actor leads the dossier's department or agency; the leader they act for; False if neither."""
    if is_leader_of(actor, dossier):
        return None
    for principal in principals_of(session, actor.id):
        if is_leader_of(principal, dossier):  # type: ignore[arg-type]
            return principal
    return False


def require_leader(session: Session, actor: User, dossier: Dossier, what: str) -> Principal | None:
    found = _leader_principal(session, actor, dossier)
    if found is False:
        raise Forbidden(f"Chỉ lãnh đạo phòng hoặc lãnh đạo cơ quan xử lý hồ sơ mới được {what}.")
    return found  # type: ignore[return-value]


def assign(session: Session, actor: User, task_id: str, user_id: Any, note: Any = "") -> Task:
    """A leader gives an open task to a person with its role in its unit (or takes it from one to another)."""
    task = _open_task(session, task_id)
    dossier = task.dossier
    principal = require_leader(session, actor, dossier, "phân công, giao lại công việc")
    people = {c.id: c for c in candidates(session, task.role, task.unit_id)}
    try:
        chosen = people.get(int(user_id))
    except (TypeError, ValueError):
        chosen = None
    if chosen is None:
        label = ROLES[Role(task.role)].label.lower()
        raise InvalidInput({"user_id": f"Hãy chọn một {label} đang làm việc tại đơn vị xử lý."})
    if chosen.id == task.assignee_id:
        raise Conflict(f"Công việc này đang do {chosen.full_name} xử lý.")
    text = clean_text(note, "note", limit=MAX_NOTE, required=False)
    done = session.execute(
        update(Task)
        .where(Task.id == task.id, Task.closed_at.is_(None), _same_assignee(task.assignee_id))
        # The chosen person hears of it from the outbox job; a leader giving it to themselves does not.
        .values(assignee_id=chosen.id, alert_pending=chosen.id != actor.id)
    )
    if done.rowcount != 1:
        raise Conflict(TAKEN)
    session.refresh(task)
    touch(dossier)
    advance.record(
        session,
        dossier,
        actor,
        "assign",
        clock.now(),
        from_step=task.title,
        actor_name=signature(actor, principal),
        to_person=chosen.full_name,
        open_rows=[task],
        note=text,
    )
    session.flush()
    return task


def _same_assignee(assignee_id: int | None) -> Any:
    return Task.assignee_id.is_(None) if assignee_id is None else Task.assignee_id == assignee_id


def recall(session: Session, actor: User, task_id: str, note: Any = "") -> Task:
    """Whoever forwarded the dossier takes it back, while nobody it went to has acted on it."""
    done = session.get(Task, task_id)
    if done is not None and done.outcome == "completed":
        raise Conflict(TOO_LATE_TO_RECALL)
    task = _open_task(session, task_id)
    principal: Principal | None = None
    if task.opened_by_id != actor.id:
        principal = next((p for p in principals_of(session, actor.id) if p.id == task.opened_by_id), None)
        if principal is None:
            raise Forbidden("Chỉ người đã chuyển hồ sơ đến bước này mới được thu hồi.")
    return _rewind(session, actor, principal, task, "recall", clean_text(note, "note", limit=MAX_NOTE, required=False))


def rework(session: Session, actor: User, task_id: str, reason: Any) -> Task:
    """The holder of a task returns the dossier to the previous step, with a reason."""
    task = _open_task(session, task_id)
    principal = acting_for(session, actor, task)
    return _rewind(
        session, actor, principal, task, "rework", clean_text(reason, "reason", limit=MAX_NOTE, label="lý do")
    )


def _rewind(session: Session, actor: User, principal: Principal | None, task: Task, action: str, note: str) -> Task:
    dossier = task.dossier
    if dossier.paused_at is not None:
        raise Conflict("Hồ sơ đang chờ công dân bổ sung; chưa thể chuyển lại.")
    if task.opened_from_task_id is None:
        raise Conflict("Bước này không có bước trước để chuyển lại.")
    if action == "recall":
        # A parallel branch opened by the same completion may already be done.
        outcomes = session.scalars(select(Task.outcome).where(Task.opened_from_task_id == task.opened_from_task_id))
        if "completed" in outcomes:
            raise Conflict(TOO_LATE_TO_RECALL)
    previous = session.get(Task, task.opened_from_task_id)
    state = session.get(WorkflowState, dossier.id)
    if state is None or dossier.process_version_id is None:
        raise Conflict("Hồ sơ không có quy trình đang chạy.")
    instance = load_instance(process_of_version(session, dossier.process_version_id), state.state)
    try:
        instance.rewind(task.opened_from_task_id)
    except LookupError as err:
        raise Conflict("Không thể chuyển lại: bước trước không còn trong quy trình của hồ sơ.") from err

    now = clock.now()
    previous_status = dossier.status
    open_rows = list(session.scalars(select(Task).where(Task.dossier_id == dossier.id, Task.closed_at.is_(None))))
    plan = advance.plan_tasks(session, dossier, instance, now, open_rows)
    # Whoever did the step before gets it back: the forwarder on a recall, the previous holder on a rework.
    back_to = actor.id if action == "recall" else (previous.completed_by_id if previous else None)
    if principal is not None and action == "recall":
        back_to = principal.id
    closed = session.execute(
        update(Task)
        .where(Task.id.in_(plan.cancelled), Task.closed_at.is_(None))
        .values(closed_at=now, outcome="recalled" if action == "recall" else "reworked")
    )
    if closed.rowcount != len(plan.cancelled):
        raise Conflict(TAKEN)
    # The rewound step keeps its workflow id, so its row is reopened (the history keeps its first pass).
    reopened = [_reopen(session, row, previous, back_to) for row in plan.new_rows]
    state.state = instance.serialize()
    state.completed = instance.completed
    state.updated_at = now
    touch(dossier)
    advance.record(
        session,
        dossier,
        actor,
        action,
        now,
        from_step=task.title,
        open_rows=reopened,
        actor_name=signature(actor, principal),
        note=note or ("Thu hồi hồ sơ" if action == "recall" else ""),
        step_due_at=task.due_at,
    )
    session.flush()
    from engine.services import events  # local: events imports the documents and messages it triggers

    events.status_changed(session, dossier, actor, previous_status, now)
    return reopened[0] if reopened else task


def _reopen(session: Session, fresh: Task, previous: Task | None, assignee_id: int | None) -> Task:
    """The row of a rewound step, open again with the fresh row's due time, assigned to ``assignee_id``."""
    row = previous if previous is not None and previous.id == fresh.id else session.get(Task, fresh.id)
    if row is None:
        fresh.assignee_id = assignee_id
        fresh.alert_pending = False  # a rewound step goes back to who did it: no alert, as before
        session.add(fresh)
        return fresh
    row.assignee_id, row.created_at, row.due_at = assignee_id, fresh.created_at, fresh.due_at
    row.closed_at, row.completed_by_id, row.outcome, row.alert_pending = None, None, "", False
    return row
