"""E-mail to staff when a task reaches them, composed in batches by the outbox job.

The step that opens a task only marks its row (``Task.alert_pending``); so does a leader giving a
task to someone else. ``queue_pending`` turns the marked rows into outbox e-mails and clears the
marks in one transaction, a few queries per batch: the request pays nothing for the alerts.

Who hears of a task:
- an assigned task: its assignee;
- a pool task (anyone with the role in the unit may take it): every active member with that role in
  that unit, but only while they are at most ``POOL_LIMIT`` people. A larger pool (a busy counter,
  a big department) hears nothing by e-mail: its people work from the inbox, and the one who
  is assigned the task is told then.
- a task closed before the job ran: nobody (the step is done);
- besides any of these, their deputies while a delegation runs (``engine.services.delegation``), told on
  whose behalf.
The person who forwarded the dossier to the task (``opened_by_id``) is never told of it. The text
names the dossier's code, procedure, step and due time: nothing of the applicant.

On PostgreSQL the marked rows (and their dossiers) are taken ``FOR UPDATE SKIP LOCKED``, so runners
in several processes never queue the same alert twice, and a runner never waits for a step in
progress; SQLite has one writer at a time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from engine.models import Delegation, Dossier, Procedure, Task, User, UserRole
from engine.roles import ROLES, Role
from engine.services.notifications import public_base_url
from engine.services.outbox import enqueue_email

POOL_LIMIT = 5
BATCH = 500
TASK_PATH = "/cong-viec/"  # the task page (webapp.inbox)

Person = tuple[int, str, str | None]  # id, full name, e-mail


class AlertBatch(NamedTuple):
    tasks: int  # marked rows taken (and cleared) by this batch
    emails: int  # e-mails queued


def queue_pending(session: Session, now: datetime, limit: int = BATCH) -> AlertBatch:
    """Queue the e-mails of up to ``limit`` marked tasks and clear their marks; commit.

    Call it again while it returns ``tasks == limit``: more rows wait.
    """
    try:
        taken = list(session.scalars(_take(limit), execution_options={"synchronize_session": False}))
        if not taken:
            session.rollback()
            return AlertBatch(0, 0)
        rows = session.execute(
            select(
                Task.id,
                Task.dossier_id,
                Task.title,
                Task.role,
                Task.unit_id,
                Task.assignee_id,
                Task.due_at,
                Task.opened_by_id,
                Dossier.code,
                Procedure.name.label("procedure_name"),
            )
            .join(Dossier, Dossier.id == Task.dossier_id)
            .join(Procedure, Procedure.id == Dossier.procedure_id)
            .where(Task.id.in_(taken), Task.closed_at.is_(None))  # a closed step needs no alert
            .order_by(Task.created_at, Task.id)
        ).all()
        assignees, pools = _people(session, rows)
        told_people = {person[0] for people in [*assignees.values(), *pools.values()] for person in people}
        deputies = _deputies(session, told_people, now)
        emails = 0
        for row in rows:
            assigned = row.assignee_id is not None
            people = assignees.get(row.assignee_id, []) if assigned else pools.get((row.role, row.unit_id), [])
            told: set[int] = set()
            for person in people:
                # A leader away hands their tasks to a deputy (engine.services.delegation): both hear of it.
                for (user_id, name, email), principal in [(person, None), *deputies.get(person[0], [])]:
                    if user_id in told or user_id == row.opened_by_id or not email:
                        continue
                    told.add(user_id)
                    subject, body = task_email(
                        row.code, row.procedure_name or "", row, name, assigned=assigned, principal=principal
                    )
                    queued = enqueue_email(session, email, subject, body, row.dossier_id, now, send_after_commit=False)
                    emails += queued is not None
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return AlertBatch(len(taken), emails)


def _take(limit: int) -> Any:
    """Clear the marks of up to ``limit`` tasks and return their ids, in one statement.

    The write comes first so that two runners never read the same marks: on PostgreSQL the rows
    are locked (another runner's skipped), and SQLite lets one writer in at a time. The dossier rows
    are locked with them, skipping a dossier a step is changing: the e-mails' foreign key would
    otherwise wait for that step while holding the task row the step waits for (a deadlock).
    """
    pending = aliased(Task)
    marked = (
        select(pending.id)
        .join(Dossier, Dossier.id == pending.dossier_id)
        .where(pending.alert_pending)
        .order_by(pending.id)
        .limit(limit)
        .with_for_update(of=[pending, Dossier], skip_locked=True)  # SQLite compiles no FOR UPDATE
    )
    return (
        update(Task).where(Task.id.in_(marked), Task.alert_pending).values(alert_pending=False).returning(Task.id)
    )


def task_email(
    code: str, procedure_name: str, row: Any, name: str, *, assigned: bool, principal: str | None = None
) -> tuple[str, str]:
    """The subject and body telling ``name`` that task ``row`` of dossier ``code`` waits for them, or, with
    ``principal``, for the leader who delegated their work to them."""
    base = public_base_url()
    if assigned:
        who = f"được giao cho {principal}" if principal else "được giao cho Ông/Bà"
    else:
        who = f"đang chờ {ROLES[Role(row.role)].label.lower()} của đơn vị nhận xử lý"
    lines = [
        f"Kính gửi {name},",
        f"Hồ sơ {code} ({procedure_name}) đã đến bước “{row.title}”, {who}.",
        f"Ông/Bà nhận thư này vì đang được {principal} ủy quyền xử lý công việc." if principal else "",
        f"Hạn xử lý bước này: {row.due_at:%H:%M ngày %d/%m/%Y}." if row.due_at else "",
        f"Xem công việc: {base}{TASK_PATH}{row.id}" if base else "Xem công việc trong hộp công việc của Ông/Bà.",
        "Đây là thư tự động của hệ thống một cửa điện tử.",
    ]
    return f"Công việc mới: {row.title} – hồ sơ {code}", "\n\n".join(line for line in lines if line) + "\n"


def _people(
    session: Session, rows: list[Any]
) -> tuple[dict[int, list[Person]], dict[tuple[str, int], list[Person]]]:
    """Whom to tell of ``rows``: active assignees by id, and the small pools by (role, unit); two queries."""
    assignee_ids = {row.assignee_id for row in rows if row.assignee_id is not None}
    pool_keys = {(row.role, row.unit_id) for row in rows if row.assignee_id is None}
    assignees: dict[int, list[Person]] = {}
    if assignee_ids:
        found = session.execute(
            select(User.id, User.full_name, User.email).where(User.id.in_(assignee_ids), User.active)
        ).all()
        assignees = {user_id: [(user_id, name, email)] for user_id, name, email in found}
    pools: dict[tuple[str, int], list[Person]] = defaultdict(list)
    if pool_keys:
        size = func.count().over(partition_by=(UserRole.role, User.unit_id))
        members = (
            select(UserRole.role, User.unit_id, User.id, User.full_name, User.email, size.label("size"))
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role.in_({role for role, _ in pool_keys}),
                User.unit_id.in_({unit_id for _, unit_id in pool_keys}),
                User.active,
            )
            .subquery()
        )
        found = session.execute(
            select(members.c.role, members.c.unit_id, members.c.id, members.c.full_name, members.c.email)
            .where(members.c.size <= POOL_LIMIT)  # a larger pool hears nothing by e-mail
            .order_by(members.c.id)
        ).all()
        for role, unit_id, user_id, name, email in found:
            if (role, unit_id) in pool_keys:
                pools[(role, unit_id)].append((user_id, name, email))
    return assignees, pools


def _deputies(session: Session, principal_ids: set[int], now: datetime) -> dict[int, list[tuple[Person, str]]]:
    """The active deputies of each of ``principal_ids`` at ``now``, with the principal's name; one query."""
    if not principal_ids:
        return {}
    principal, deputy = aliased(User), aliased(User)
    found = session.execute(
        select(Delegation.principal_id, principal.full_name, deputy.id, deputy.full_name, deputy.email)
        .join(principal, principal.id == Delegation.principal_id)
        .join(deputy, deputy.id == Delegation.deputy_id)
        .where(
            Delegation.principal_id.in_(principal_ids),
            Delegation.revoked_at.is_(None),
            Delegation.starts_at <= now,
            Delegation.ends_at > now,
            deputy.active,
        )
        .order_by(Delegation.principal_id, deputy.id)
    ).all()
    deputies: dict[int, list[tuple[Person, str]]] = defaultdict(list)
    for principal_id, principal_name, deputy_id, name, email in found:
        deputies[principal_id].append(((deputy_id, name, email), principal_name))
    return deputies
