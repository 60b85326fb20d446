"""The inbox, and completing a task: one step, one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from engine import clock
from engine.forms import FormDefinition, FormRegistry
from engine.models import Dossier, ProcessVersion, Task, User, UserRole, WorkflowState
from engine.roles import Role
from engine.services import advance
from engine.services.access import require_act
from engine.services.errors import Conflict, InvalidInput, NotFound
from engine.workflow import ProcessSpec, load_instance, parse_process

TASK_GONE = "Công việc này đã được xử lý hoặc không còn mở. Hãy tải lại hộp công việc."


def inbox_query(actor: User):  # noqa: ANN201 - a SQLAlchemy Select
    """Open tasks the actor may act on: assigned to them, or to their role in their unit."""
    roles = [role.value for role in actor.roles]
    return (
        select(Task)
        .where(
            Task.closed_at.is_(None),
            or_(
                Task.assignee_id == actor.id,
                and_(Task.assignee_id.is_(None), Task.unit_id == actor.unit_id, Task.role.in_(roles)),
            ),
        )
        .order_by(Task.due_at.is_(None), Task.due_at, Task.created_at)
    )


def list_tasks(session: Session, actor: User, limit: int = 200) -> list[Task]:
    return list(session.scalars(inbox_query(actor).limit(limit)))


def get_open_task(session: Session, actor: User, task_id: str) -> Task:
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("Không tìm thấy công việc.")
    if task.closed_at is not None:
        raise Conflict(TASK_GONE)
    require_act(actor, task)
    return task


def form_choices(
    session: Session, form: FormDefinition, task: Task, dossier: Dossier | None = None
) -> dict[str, list[tuple[str, str]]]:
    """Choices computed at run time: the people of the dossier's department for "user" fields."""
    department_id = (dossier or task.dossier).department_id
    choices: dict[str, list[tuple[str, str]]] = {}
    for field in form.fields:
        if field.type == "user":
            role = Role(field.role or Role.SPECIALIST.value)
            people = session.execute(
                select(User.id, User.full_name)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == role.value, User.unit_id == department_id, User.active)
                .order_by(User.full_name)
            ).all()
            choices[field.name] = [(str(user_id), name) for user_id, name in people]
    return choices


@dataclass(frozen=True)
class Completion:
    dossier: Dossier
    next_tasks: list[Task]


def complete_task(session: Session, actor: User, task_id: str, data: Any, forms: FormRegistry) -> Completion:
    """Complete ``task_id`` with ``data`` on behalf of ``actor`` and advance the dossier.

    The dossier row is locked (PostgreSQL) and its version checked on write
    (every backend), so of two people completing the same task exactly one
    succeeds; the other gets Conflict and nothing of theirs is written. This is
    the hottest path of the product: it reads four rows and writes in one flush.
    """
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("Không tìm thấy công việc.")
    require_act(actor, task)
    # Lock first: everything read after this is what the previous writer committed.
    dossier = session.scalars(
        select(Dossier)
        .where(Dossier.id == task.dossier_id)
        .with_for_update(of=Dossier.__table__)
        .execution_options(populate_existing=True)
    ).one()
    open_rows = list(
        session.scalars(
            select(Task)
            .where(Task.dossier_id == dossier.id, Task.closed_at.is_(None))
            .execution_options(populate_existing=True)
        )
    )
    if task not in open_rows:
        raise Conflict(TASK_GONE)
    require_act(actor, task)  # the assignment may have changed while we waited for the lock
    form = forms.get(task.form) if task.form in forms.names() else FormDefinition(task.form, task.title)
    clean, errors = form.validate(data if data is not None else {}, form_choices(session, form, task, dossier))
    if errors:
        raise InvalidInput(errors)

    state = session.get(WorkflowState, dossier.id, populate_existing=True)
    if state is None or dossier.process_version_id is None:
        raise Conflict("Không tải được quy trình của hồ sơ.")
    instance = load_instance(process_of_version(session, dossier.process_version_id), state.state)
    try:
        instance.complete(task.id, clean)
    except LookupError as err:
        raise Conflict(TASK_GONE) from err

    now = clock.now()
    with session.no_autoflush:  # one flush at the end: each row is written once
        task.closed_at = now
        task.completed_by_id = actor.id
        open_rows.remove(task)
        next_rows = advance.sync_tasks(session, dossier, instance, None, now, open_rows)
        state.state = instance.serialize()
        state.completed = instance.completed
        state.updated_at = now
        advance.record(
            session,
            dossier,
            actor,
            "complete",
            now,
            from_step=task.title,
            open_rows=next_rows,
            data=clean,
            step_due_at=task.due_at,
        )
        flag_modified(dossier, "status")  # always UPDATE, so the version guard always runs
    try:
        session.flush()
    except StaleDataError as err:
        raise Conflict(TASK_GONE) from err
    return Completion(dossier=dossier, next_tasks=next_rows)


_processes: dict[int, ProcessSpec] = {}


def process_of_version(session: Session, version_id: int) -> ProcessSpec:
    """The parsed process of a deployed version; versions never change, so it is parsed once per process."""
    process = _processes.get(version_id)
    if process is None:
        xml, key = session.execute(
            select(ProcessVersion.bpmn_xml, ProcessVersion.process_key).where(ProcessVersion.id == version_id)
        ).one()
        process = _processes[version_id] = parse_process(xml, key)
    return process
