"""After the workflow moves: write the inbox rows, the status and the history line.

Called inside the service's transaction, so the workflow state, the inbox and
the history are committed together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.models import HistoryEvent, Task, User
from engine.roles import Role, role_for_lane
from engine.services.access import unit_for_role
from engine.services.calendars import unit_calendar, unit_name
from engine.status import DossierStatus
from engine.workflow import ReadyTask, StepInfo, WorkflowInstance

NOTE_FIELDS = ("note", "examination", "reason")


@dataclass(frozen=True)
class TaskPlan:
    """What a workflow step does to the inbox: rows that stay, rows it cancelled, rows it opens."""

    still_open: list[Any]
    cancelled: list[str]
    new_rows: list[Task]

    @property
    def open_rows(self) -> list[Any]:
        return [*self.still_open, *self.new_rows]


def plan_tasks(
    session: Session,
    dossier: Any,
    instance: WorkflowInstance,
    now: datetime,
    open_rows: list[Any],
    *,
    opened_by_id: int | None = None,
    opened_from_task_id: str | None = None,
    people: Mapping[int, str] | None = None,
) -> TaskPlan:
    """Match the instance's ready tasks against the open inbox rows, and set the dossier's status.

    ``dossier`` and the rows may be ORM objects or Core rows; nothing is written here. New rows
    remember who forwarded the dossier to them and from which task, for a recall or a rework.
    ``people``: active users the caller has just read (id to name), e.g. the choices of the form
    that named the next assignee, so that naming one of them costs no query.
    """
    ready = {task.id: task for task in instance.ready_tasks()}
    still_open = [row for row in open_rows if row.id in ready]
    kept = {row.id for row in still_open}
    plan = TaskPlan(
        still_open=still_open,
        cancelled=[row.id for row in open_rows if row.id not in ready],  # e.g. by a boundary event
        new_rows=[
            new_row(session, dossier, task, now, opened_by_id, opened_from_task_id, people)
            for task_id, task in ready.items()
            if task_id not in kept
        ],
    )
    update_status(dossier, instance, plan.open_rows, now)
    return plan


def new_row(
    session: Session,
    dossier: Any,
    task: ReadyTask,
    now: datetime,
    opened_by_id: int | None = None,
    opened_from_task_id: str | None = None,
    people: Mapping[int, str] | None = None,
) -> Task:
    """An inbox row for a new ready task; its personal due time follows its unit's office hours."""
    step = task.step
    role = role_for_lane(step.lane) or Role.COUNTER_OFFICER  # validation guarantees a lane's role
    unit_id = unit_for_role(role, dossier)
    due_at = None
    if step.allotted_hours:
        due_at = unit_calendar(session, unit_id).add_working_hours(now, step.allotted_hours)
    return Task(
        id=task.id,
        dossier_id=dossier.id,
        step=step.name,
        title=step.title,
        form=step.form or "",
        role=role.value,
        unit_id=unit_id,
        assignee_id=_assignee(session, task.data, step.assignee_field, people or {}),
        created_at=now,
        due_at=due_at,
        opened_by_id=opened_by_id,
        opened_from_task_id=opened_from_task_id,
        outcome="",
        alert_pending=True,  # its holders hear of it from the outbox job (engine.services.task_alerts)
    )


_ACTIVE_USER = select(User.id).where(User.id == bindparam("user_id"), User.active)
_NAMES = select(User.full_name).where(User.id.in_(bindparam("user_ids", expanding=True))).order_by(User.id)


def _assignee(session: Session, data: dict[str, Any], field: str | None, people: Mapping[int, str]) -> int | None:
    if not field or data.get(field) in (None, ""):
        return None
    try:
        user_id = int(data[field])
    except (TypeError, ValueError):
        return None
    if user_id in people:
        return user_id
    return session.connection().execute(_ACTIVE_USER, {"user_id": user_id}).scalar()


def update_status(dossier: Any, instance: WorkflowInstance, open_rows: list[Any], now: datetime) -> None:
    """Set the dossier's status (and finished/returned times) from its open steps; any object with those fields."""
    if instance.completed:
        dossier.status = DossierStatus.RETURNED
        dossier.finished_at = dossier.finished_at or now
        dossier.returned_at = now
        return
    status = status_of(instance.process.steps, open_rows)
    if status is not None:
        dossier.status = status
    if dossier.status == DossierStatus.RESOLVED and dossier.finished_at is None:
        dossier.finished_at = now


def status_of(steps: Mapping[str, StepInfo], open_rows: list[Any]) -> int | None:
    """The dossier's status while these steps are open: the earliest status any of them sets."""
    statuses = [steps[row.step].status for row in open_rows if row.step in steps]
    return min((s for s in statuses if s is not None), default=None)


def unit_names(session: Session, unit_ids: set[int]) -> dict[int, str]:
    return {unit_id: unit_name(session, unit_id) for unit_id in unit_ids}


def record(
    session: Session,
    dossier: Any,
    actor: Any,
    action: str,
    now: datetime,
    *,
    from_step: str = "",
    open_rows: list[Any] | None = None,
    data: dict[str, Any] | None = None,
    step_due_at: datetime | None = None,
    actor_name: str | None = None,
    to_person: str = "",
    note: str | None = None,
    add: bool = True,
    people: Mapping[int, str] | None = None,
) -> HistoryEvent:
    """Append one history line: who did what, from which step to which, with their note.

    ``add=False`` returns the line without adding it to the session, for callers that write in Core;
    ``people`` (id to name) spares the query for the names of assignees the caller has in hand.
    """
    rows = open_rows or []
    names = unit_names(session, {row.unit_id for row in rows})
    if not to_person and data and data.get("receiver_name"):
        to_person = str(data["receiver_name"])  # the return step: who took the result away
    assignees = {row.assignee_id for row in rows if row.assignee_id}
    if not to_person and assignees:
        known = people or {}
        if assignees <= known.keys():
            to_person = "; ".join(known[user_id] for user_id in sorted(assignees))
        else:
            to_person = "; ".join(session.connection().execute(_NAMES, {"user_ids": sorted(assignees)}).scalars())
    if note is None:
        note = next((str(data[k]) for k in NOTE_FIELDS if data and data.get(k)), "")
    event = HistoryEvent(
        dossier_id=dossier.id,
        at=now,
        actor_id=actor.id if actor else None,
        actor_name=actor_name or (actor.full_name if actor else "Hệ thống"),
        action=action,
        from_step=from_step,
        to_step="; ".join(row.title for row in rows),
        to_unit="; ".join(dict.fromkeys(names.get(row.unit_id, "") for row in rows)),
        to_person=to_person[:255],
        note=note[:2000],
        step_due_at=step_due_at,
        status_after=int(dossier.status),
    )
    if add:
        session.add(event)
    return event
