"""Bulk e-mail: one message to each applicant of a searched list of dossiers, through the outbox.

Everything is written in the caller's transaction: the file once, then one outbox row per
distinct address, so either every applicant will be written to or none is. Up to
``SEND_AT_ONCE`` messages leave right after the commit, like any notice; more are left to the
outbox job, so the page that sent them does not wait minutes for the mail server.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import OutboxAttachment, User
from engine.roles import Role
from engine.services.attachments import MAX_ATTACHMENT_BYTES, UploadedFile, check_uploads
from engine.services.errors import Forbidden, InvalidInput
from engine.services.outbox import enqueue_email
from engine.services.search import SearchCriteria, matching, time_limited
from engine.storage import sniff

MAX_RECIPIENTS = 5000
SEND_AT_ONCE = 50
MAX_SUBJECT = 200
MAX_BODY = 10_000
SENDER_ROLES = (Role.COUNTER_OFFICER, Role.DEPARTMENT_LEADER, Role.AGENCY_LEADER)


@dataclass(frozen=True)
class BulkMailResult:
    recipients: int  # messages queued, one per distinct address
    without_email: int  # matching dossiers whose applicant gave no e-mail address


def _check_text(subject: str, body: str, attachment: UploadedFile | None, max_bytes: int) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = "Hãy nhập tiêu đề thư."
    elif len(subject) > MAX_SUBJECT or "\n" in subject or "\r" in subject:
        errors["subject"] = f"Tiêu đề một dòng, tối đa {MAX_SUBJECT} ký tự."
    if not body.strip():
        errors["body"] = "Hãy nhập nội dung thư."
    elif len(body) > MAX_BODY:
        errors["body"] = f"Nội dung tối đa {MAX_BODY:,} ký tự.".replace(",", ".")
    if attachment is not None:
        for message in check_uploads([attachment], max_bytes).values():
            errors["attachment"] = message
    return errors


def send_bulk_email(
    session: Session,
    actor: User,
    criteria: SearchCriteria,
    subject: str,
    body: str,
    attachment: UploadedFile | None = None,
    max_bytes: int = MAX_ATTACHMENT_BYTES,
) -> BulkMailResult:
    """Queue ``subject``/``body`` (and the file) to every applicant of the dossiers ``criteria`` finds."""
    if not any(actor.has_role(role) for role in SENDER_ROLES):
        raise Forbidden("Chỉ lãnh đạo hoặc cán bộ một cửa mới được gửi e-mail cho người nộp hồ sơ.")
    subject = subject.strip()
    errors = _check_text(subject, body, attachment, max_bytes)
    if errors:
        raise InvalidInput(errors, "Thư chưa hợp lệ.")
    now = clock.now()
    found = matching(session, actor, criteria, now).subquery()
    address = func.lower(func.trim(found.c.email))
    with time_limited(session):
        without = session.scalar(select(func.count()).select_from(found).where(func.trim(found.c.email) == "")) or 0
        rows = session.execute(
            select(address, func.min(found.c.id))
            .where(func.trim(found.c.email) != "")
            .group_by(address)
            .order_by(address)
            .limit(MAX_RECIPIENTS + 1)
        ).all()
    if not rows:
        message = "Không có người nộp nào trong danh sách có địa chỉ e-mail."
        raise InvalidInput({"_schema": message}, message)
    if len(rows) > MAX_RECIPIENTS:
        message = f"Danh sách có hơn {MAX_RECIPIENTS:,} địa chỉ e-mail; hãy lọc hẹp hơn rồi gửi.".replace(",", ".")
        raise InvalidInput({"_schema": message}, message)
    stored = None
    if attachment is not None:
        content_type, extension = sniff(attachment.data) or ("application/octet-stream", "")
        stored = OutboxAttachment(
            filename=_filename(attachment.filename, extension),
            content_type=content_type,
            data=attachment.data,
            created_at=now,
        )
        session.add(stored)
        session.flush()
    queued = 0
    for position, (email, dossier_id) in enumerate(rows):
        message = enqueue_email(
            session,
            email,
            subject,
            body,
            dossier_id=dossier_id,
            now=now,
            attachment=stored,
            send_after_commit=position < SEND_AT_ONCE,
        )
        queued += message is not None
    session.flush()
    return BulkMailResult(recipients=queued, without_email=without)


def _filename(name: str, extension: str) -> str:
    """A plain file name for the e-mail: no path, no control characters, the extension its content has."""
    base = (name or "tep").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"').strip() or "tep"
    if extension and not base.lower().endswith(extension):
        base += extension
    return base[-200:]
