"""The daily warning e-mails: each assignee their due-soon tasks, each leader the overdue dossiers of their units.

``send_digests`` queues them in the outbox (delivery is the outbox's business), one
message per person per kind and day:

- One runner at a time: the run holds a lease row (``job_lease``), taken by one
  conditional UPDATE (or the INSERT of the first run), so two processes started at
  once, on PostgreSQL or SQLite alike, see one of them run and the other return.
- Once a day per person: each message is queued in the same transaction as its
  ``digest_sent`` row, whose unique key (kind, person, day) refuses a second one; a
  run after a crash or a restart the same day only sends what is still missing.

Tasks are due soon by their own ``due_at`` (the step's personal due date the inbox
shows) within the inbox's window; dossiers are overdue by theirs, as on the warnings page.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import clock
from engine.models import DigestSent, Dossier, JobLease, Procedure, Task, Unit, User, UserRole
from engine.services.dashboard import RUNNING_STATUSES, soon_window
from engine.services.notifications import public_base_url
from engine.services.outbox import enqueue_email
from engine.services.oversight import LEADER_ROLES, oversight_of
from engine.services.warnings import holders_of

log = logging.getLogger(__name__)

LEASE_NAME = "warning_digests"
LEASE_TIME = timedelta(minutes=30)  # longer than a run; a crashed runner's lease lapses by itself
LISTED = 50  # dossiers named in one e-mail; the rest are counted and linked

DUE_SOON = "due_soon"
OVERDUE = "overdue"


@dataclass
class DigestReport:
    ran: bool = False  # False: another process held the lease
    due_soon: int = 0  # e-mails queued to assignees
    overdue: int = 0  # e-mails queued to leaders
    already_sent: int = 0  # people who had today's e-mail already


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(session: Session, name: str, holder: str, now: datetime, ttl: timedelta = LEASE_TIME) -> bool:
    """Take the lease ``name`` for ``holder`` until ``now + ttl`` if it is free or lapsed; commits."""
    taken = session.execute(
        update(JobLease)
        .where(JobLease.name == name, (JobLease.expires_at <= now) | (JobLease.holder == holder))
        .values(holder=holder, expires_at=now + ttl)
    ).rowcount
    if not taken:
        exists = session.scalar(select(JobLease.name).where(JobLease.name == name))
        if exists is None:
            try:
                session.execute(insert(JobLease).values(name=name, holder=holder, expires_at=now + ttl))
                taken = 1
            except IntegrityError:  # another runner created it first: theirs
                session.rollback()
                return False
    session.commit()
    return bool(taken)


def release_lease(session: Session, name: str, holder: str, now: datetime) -> None:
    session.execute(update(JobLease).where(JobLease.name == name, JobLease.holder == holder).values(expires_at=now))
    session.commit()


def send_digests(
    sessions: Callable[[], Session], now: datetime | None = None, holder: str | None = None
) -> DigestReport:
    """Queue today's digests for everyone who has something in them, unless another runner holds the job."""
    now = now or clock.now()
    holder = holder or default_holder()
    report = DigestReport()
    with sessions() as session:
        if not acquire_lease(session, LEASE_NAME, holder, now):
            log.info("warning digests: another process is sending them")
            return report
        report.ran = True
        try:
            for user_id in _assignees(session, now):
                _queue_one(session, DUE_SOON, user_id, now, report)
            for user_id in _leaders(session):
                _queue_one(session, OVERDUE, user_id, now, report)
        finally:
            session.rollback()
            release_lease(session, LEASE_NAME, holder, now)
    return report


def _assignees(session: Session, now: datetime) -> list[int]:
    """People holding open tasks with a due time; each one's window is applied to their own tasks."""
    return list(
        session.scalars(
            select(Task.assignee_id)
            .join(User, User.id == Task.assignee_id)
            .where(Task.closed_at.is_(None), Task.due_at.is_not(None), User.active.is_(True))
            .distinct()
            .order_by(Task.assignee_id)
        )
    )


def _leaders(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_([str(role) for role in LEADER_ROLES]), User.active.is_(True))
            .distinct()
            .order_by(User.id)
        )
    )


def _queue_one(session: Session, kind: str, user_id: int, now: datetime, report: DigestReport) -> None:
    """Build and queue one person's digest with its log row, in one transaction; a duplicate is dropped."""
    user = session.get(User, user_id)
    if user is None or not user.email:
        return
    sent = select(DigestSent.id).where(
        DigestSent.kind == kind, DigestSent.user_id == user_id, DigestSent.day == now.date()
    )
    if session.scalar(sent) is not None:  # the unique key still settles a race; this spares building the e-mail
        session.rollback()
        report.already_sent += 1
        return
    built = due_soon_email(session, user, now) if kind == DUE_SOON else overdue_email(session, user, now)
    if built is None:
        return
    subject, body = built
    try:
        message = enqueue_email(session, user.email, subject, body, now=now)
        if message is None:
            session.rollback()
            return
        session.flush()
        session.add(
            DigestSent(kind=kind, user_id=user.id, day=now.date(), outbox_message_id=message.id, created_at=now)
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        report.already_sent += 1
        return
    if kind == DUE_SOON:
        report.due_soon += 1
    else:
        report.overdue += 1


def _when(moment: datetime | None) -> str:
    return f"{moment:%H:%M} ngày {moment:%d/%m/%Y}" if moment else "không có hạn"


def _link(path: str) -> str:
    base = public_base_url()
    return f"{base}{path}" if base else ""


def _closing(day: date, path: str) -> list[str]:
    link = _link(path)
    lines = ["", f"Xem trên hệ thống: {link}" if link else "Xem trên hệ thống Một Cửa, mục Cảnh báo."]
    lines += ["", f"Thư tự động của hệ thống Một Cửa ngày {day:%d/%m/%Y}; vui lòng không trả lời thư này."]
    return lines


def due_soon_email(session: Session, user: User, now: datetime) -> tuple[str, str] | None:
    """The assignee's e-mail: their open tasks due soon (and those already late); None when there are none."""
    soon_before = soon_window(session, user, now)
    rows = session.execute(
        select(Task.title, Task.due_at, Dossier.code, Dossier.applicant_name, Procedure.name)
        .join(Dossier, Dossier.id == Task.dossier_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(Task.closed_at.is_(None), Task.assignee_id == user.id, Task.due_at <= soon_before)
        .order_by(Task.due_at, Task.id)
    ).all()
    soon = [row for row in rows if row.due_at >= now]
    late = [row for row in rows if row.due_at < now]
    if not soon:
        return None
    lines = [f"Kính gửi {user.full_name},", ""]
    lines.append(f"Anh/chị có {len(soon)} công việc sắp đến hạn xử lý (trong 8 giờ làm việc tới):")
    lines += _task_lines(soon)
    if late:
        lines += ["", f"Và {len(late)} công việc đã quá hạn:"]
        lines += _task_lines(late)
    lines += _closing(now.date(), "/cong-viec?due=soon")
    return f"Nhắc việc: {len(soon)} công việc sắp đến hạn ngày {now:%d/%m/%Y}", "\n".join(lines)


def _task_lines(rows: list) -> list[str]:
    lines = []
    for number, row in enumerate(rows[:LISTED], start=1):
        lines.append(f"{number}. Hồ sơ {row.code} – {row.applicant_name} – {row.name}")
        lines.append(f"   Bước: {row.title}; hạn xử lý: {_when(row.due_at)}")
        if link := _link(f"/ho-so/{row.code}"):
            lines.append(f"   {link}")
    if len(rows) > LISTED:
        lines.append(f"… và {len(rows) - LISTED} công việc khác.")
    return lines


def overdue_email(session: Session, user: User, now: datetime) -> tuple[str, str] | None:
    """The leader's digest: overdue dossiers of their unit and the units under it; None when there are none."""
    scope = oversight_of(session, user)
    condition = (scope.dossiers(), Dossier.status.in_(RUNNING_STATUSES), Dossier.due_at < now)
    total = session.scalar(select(func.count()).select_from(Dossier).where(*condition)) or 0
    if not total:
        return None
    rows = session.execute(
        select(Dossier.id, Dossier.code, Dossier.applicant_name, Dossier.due_at, Procedure.name, Unit.name)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .join(Unit, Unit.id == Dossier.department_id)
        .where(*condition)
        .order_by(Dossier.due_at, Dossier.id)
        .limit(LISTED)
    ).all()
    holders = holders_of(session, [row[0] for row in rows])
    lines = [f"Kính gửi {user.full_name},", ""]
    lines.append(f"Đơn vị anh/chị theo dõi có {total} hồ sơ đã quá hạn giải quyết tính đến {_when(now)}:")
    for number, (dossier_id, code, applicant, due_at, procedure, department) in enumerate(rows, start=1):
        days = (now - due_at).days
        late = f"quá hạn {days} ngày" if days else "quá hạn chưa đến 1 ngày"
        lines.append(f"{number}. Hồ sơ {code} – {applicant} – {procedure}")
        lines.append(f"   {department}; hạn: {_when(due_at)} ({late}); đang ở: {holders.get(dossier_id) or '—'}")
        if link := _link(f"/ho-so/{code}"):
            lines.append(f"   {link}")
    if total > len(rows):
        lines.append(f"… và {total - len(rows)} hồ sơ khác.")
    lines += _closing(now.date(), "/canh-bao?state=overdue")
    return f"Tổng hợp hồ sơ quá hạn ngày {now:%d/%m/%Y}: {total} hồ sơ", "\n".join(lines)
