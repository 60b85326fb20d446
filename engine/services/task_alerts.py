"""E-mail to staff when a task reaches them, queued in the outbox with the step that opened the task.

Who hears of a task:
- an assigned task: its assignee;
- a pool task (anyone with the role in the unit may take it): every active member with that role in
  that unit, but only while they are at most ``POOL_LIMIT`` people. A larger pool (a busy counter,
  a big department) hears nothing by e-mail: its people work from the inbox, and the one who
  claims or is assigned the task is told then.
The person whose action opened the task is never told of it. The text names the dossier's code,
procedure, step and due time: nothing of the applicant.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import OutboxMessage, Procedure, User, UserRole
from engine.roles import ROLES, Role
from engine.services.notifications import public_base_url
from engine.services.outbox import enqueue_email

POOL_LIMIT = 5
TASK_PATH = "/cong-viec/"  # the task page (webapp.inbox)


def notify_task_holders(
    session: Session, dossier: Any, rows: Iterable[Any], now: datetime, actor_id: int | None = None
) -> list[OutboxMessage]:
    """Queue the e-mails about the newly opened or newly assigned task ``rows`` of ``dossier``."""
    rows = [row for row in rows if row.closed_at is None]
    if not rows:
        return []
    conn = session.connection()
    procedure_name = conn.execute(select(Procedure.name).where(Procedure.id == dossier.procedure_id)).scalar() or ""
    queued: list[OutboxMessage | None] = []
    for row in rows:
        assigned = row.assignee_id is not None
        for user_id, name, email in _people(session, row):
            if user_id != actor_id and email:
                subject, body = task_email(dossier.code, procedure_name, row, name, assigned=assigned)
                queued.append(enqueue_email(session, email, subject, body, dossier_id=dossier.id, now=now))
    return [message for message in queued if message is not None]


def task_email(code: str, procedure_name: str, row: Any, name: str, *, assigned: bool) -> tuple[str, str]:
    """The subject and body telling ``name`` that task ``row`` of dossier ``code`` waits for them."""
    base = public_base_url()
    who = (
        "được giao cho Ông/Bà" if assigned else f"đang chờ {ROLES[Role(row.role)].label.lower()} của đơn vị nhận xử lý"
    )
    lines = [
        f"Kính gửi {name},",
        f"Hồ sơ {code} ({procedure_name}) đã đến bước “{row.title}”, {who}.",
        f"Hạn xử lý bước này: {row.due_at:%H:%M ngày %d/%m/%Y}." if row.due_at else "",
        f"Xem công việc: {base}{TASK_PATH}{row.id}" if base else "Xem công việc trong hộp công việc của Ông/Bà.",
        "Đây là thư tự động của hệ thống một cửa điện tử.",
    ]
    return f"Công việc mới: {row.title} – hồ sơ {code}", "\n\n".join(line for line in lines if line) + "\n"


def _people(session: Session, row: Any) -> list[tuple[int, str, str | None]]:
    conn = session.connection()
    if row.assignee_id is not None:
        found = conn.execute(
            select(User.id, User.full_name, User.email).where(User.id == row.assignee_id, User.active)
        ).all()
        return [tuple(r) for r in found]  # type: ignore[misc]
    members = conn.execute(
        select(User.id, User.full_name, User.email)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == row.role, User.unit_id == row.unit_id, User.active)
        .order_by(User.id)
        .limit(POOL_LIMIT + 1)
    ).all()
    return [tuple(r) for r in members] if len(members) <= POOL_LIMIT else []  # type: ignore[misc]
