"""The outbox: messages written in the transaction that announces them, sent after it commits.

``enqueue_email`` and ``enqueue_sms`` add a row beside the change it announces, so the message
exists if and only if the change does. Each row has a channel (``email`` or ``sms``); delivery
takes one sender per channel (an SMTP ``Mailer``, an SMS gateway) and leaves the messages of a
channel without a sender waiting. ``deliver_due`` sends what is due, one message per commit; a
message whose sending failed waits longer each time (1, 2, 4 … minutes, at most an hour)
and after ``MAX_ATTEMPTS`` tries it stays in the table, unsent, as failed.

Delivery is at least once: a crash between the server's acceptance and the commit sends
that message again (with the same Message-ID). On PostgreSQL each message is claimed
with ``FOR UPDATE SKIP LOCKED`` and held until its commit, so runners in several
processes never send the same message; SQLite has one writer at a time and no row locks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import event, func, insert, inspect, select
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from engine import clock
from engine.mail import MailAttachment, Mailer, MessageRefused
from engine.models import OutboxAttachment, OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)

# session.info keys: messages added in the open transaction; ids of those its commit wrote.
_QUEUED = "outbox_queued"
_COMMITTED = "outbox_committed"

SessionSource = Session | scoped_session | Callable[[], Session]


def email_row(
    recipient: str | None, subject: str, body: str, dossier_id: int | None = None, now: datetime | None = None
) -> dict[str, Any] | None:
    """The outbox row of an e-mail; None (nothing to queue) for an empty or unusable address."""
    recipient = (recipient or "").strip()
    if not recipient:
        return None
    if "@" not in recipient or any(ch.isspace() for ch in recipient):
        log.warning("not queueing an e-mail to the malformed address %r", recipient)
        return None
    return _row("email", recipient, subject[:255], body, dossier_id, now)


def sms_row(
    phone: str | None, body: str, dossier_id: int | None = None, now: datetime | None = None
) -> dict[str, Any] | None:
    """The outbox row of an SMS; None for an empty or unusable phone number."""
    recipient = phone_number(phone)
    return _row("sms", recipient, "", body, dossier_id, now) if recipient else None


def _row(
    channel: str, recipient: str, subject: str, body: str, dossier_id: int | None, now: datetime | None
) -> dict[str, Any]:
    now = now or clock.now()
    return {
        "channel": channel,
        "recipient": recipient,
        "subject": subject,
        "body": body,
        "dossier_id": dossier_id,
        "created_at": now,
        "next_attempt_at": now,
        "attempts": 0,
        "last_error": "",
        "attachment_id": None,
    }


_QUEUE = insert(OutboxMessage.__table__).returning(OutboxMessage.__table__.c.id)


def enqueue(session: Session, rows: Iterable[dict[str, Any] | None]) -> list[int]:
    """Queue ``rows`` (from ``email_row``/``sms_row``; None skipped) in one statement; their ids.

    For the paths that run on every step: no ORM objects, and the request sends them after its commit.
    """
    rows = [row for row in rows if row is not None]
    if not rows:
        return []
    ids = [id_ for (id_,) in session.connection().execute(_QUEUE, rows)]
    session.info.setdefault(_QUEUED, []).extend(zip(ids, (row["channel"] for row in rows), strict=True))
    return ids


def enqueue_email(
    session: Session,
    recipient: str | None,
    subject: str,
    body: str,
    dossier_id: int | None = None,
    now: datetime | None = None,
    *,
    attachment: OutboxAttachment | None = None,
    send_after_commit: bool = True,
) -> OutboxMessage | None:
    """Queue an e-mail in ``session``'s transaction; None (nothing queued) for an empty or unusable address.

    ``attachment`` (already added to the session) goes with the message. ``send_after_commit=False``
    leaves the message to the outbox job instead of the request that queued it (bulk e-mail).
    """
    row = email_row(recipient, subject, body, dossier_id, now)
    if row is None:
        return None
    message = OutboxMessage(**{**row, "attachment_id": attachment.id if attachment is not None else None})
    session.add(message)
    if send_after_commit:
        session.info.setdefault(_QUEUED, []).append(message)
    return message


def enqueue_sms(
    session: Session,
    phone: str | None,
    body: str,
    dossier_id: int | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Queue an SMS in ``session``'s transaction; None for an empty or unusable phone number."""
    row = sms_row(phone, body, dossier_id, now)
    if row is None:
        return None
    message = OutboxMessage(**row)
    session.add(message)
    session.info.setdefault(_QUEUED, []).append(message)
    return message


def phone_number(phone: str | None) -> str:
    """The digits of a Vietnamese phone number as a gateway takes them (0912345678); empty if unusable."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if (phone or "").strip().startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        digits = "0" + digits[2:]
    return digits if 9 <= len(digits) <= 11 and digits.startswith("0") else ""


def has_committed(session: Session | scoped_session) -> bool:
    """Whether transactions of ``session`` committed messages that no one has taken yet."""
    return bool(session.info.get(_COMMITTED))


def take_committed(session: Session | scoped_session, channels: Collection[str] | None = None) -> list[int]:
    """Ids of the messages queued in ``session`` whose transactions have committed since the last call.

    With ``channels``, only those of these channels: a channel nothing sends (no mail server set up)
    costs the request no delivery round at all.
    """
    committed = session.info.pop(_COMMITTED, [])
    return [id_ for id_, channel in committed if channels is None or channel in channels]


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    queued = session.info.pop(_QUEUED, None)
    if queued:
        committed = session.info.setdefault(_COMMITTED, [])
        for message in queued:
            if isinstance(message, tuple):  # (id, channel), written in Core
                committed.append(message)
            elif identity := inspect(message).identity:
                committed.append((identity[0], message.channel))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested:  # the whole transaction went: nothing it queued was written
        session.info.pop(_QUEUED, None)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 1, 2, 4 … minutes, at most an hour."""
    return min(FIRST_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)


def state(message: OutboxMessage) -> str:
    """``sent``, ``pending`` (will be tried) or ``failed`` (given up after MAX_ATTEMPTS)."""
    if message.sent_at is not None:
        return "sent"
    return "failed" if message.attempts >= MAX_ATTEMPTS else "pending"


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # tries that failed this run (given_up included)
    given_up: int = 0  # messages whose last allowed try failed this run
    interrupted: bool = False  # the server could not be used; the rest waits for the next run

    @property
    def attempted(self) -> int:
        return self.sent + self.failed


class OutboxCounts(NamedTuple):
    pending: int  # not sent, still to be tried (due now or later)
    failed: int  # not sent, given up


def deliver_due(
    source: SessionSource,
    senders: Mailer | Mapping[str, Mailer],
    now: datetime | None = None,
    limit: int = 50,
    ids: Collection[int] | None = None,
) -> DeliveryReport:
    """Send up to ``limit`` pending messages due at ``now``, oldest first, each marked in its own commit.

    ``source`` is a session (committed as it goes) or a factory of sessions (one is opened and
    closed here). ``senders`` maps a channel to what sends it (a lone ``Mailer`` sends e-mail only).
    ``ids`` restricts the run to those messages, e.g. the ones a request just queued. A failure that
    concerns the server rather than the message ends the run for that channel: the rest would fail too.
    """
    now = now or clock.now()
    active = dict(senders) if isinstance(senders, Mapping) else {"email": senders}
    session, owned = _session(source)
    report = DeliveryReport()
    try:
        for _ in range(limit):
            message = _claim_next(session, now, ids, tuple(active))
            if message is None:
                break
            extra: dict[str, MailAttachment] = {}
            if message.attachment_id is not None:
                extra["attachment"] = _attachment(session, message.attachment_id)
            try:
                active[message.channel].send(
                    message.recipient,
                    message.subject,
                    message.body,
                    reference=f"motcua.outbox.{message.id}.{message.created_at:%Y%m%d%H%M%S}",
                    **extra,
                )
            except Exception as err:  # a broken message must not stop the others: every error is recorded
                _record_failure(message, err, now)
                session.commit()
                report.failed += 1
                report.given_up += message.attempts >= MAX_ATTEMPTS
                if not isinstance(err, MessageRefused):
                    report.interrupted = True
                    del active[message.channel]
                    if not active:
                        break
                continue
            message.attempts += 1
            message.sent_at = now
            message.last_error = ""
            session.commit()
            report.sent += 1
    except BaseException:
        session.rollback()
        raise
    finally:
        if owned:
            session.close()
    return report


def counts(session: Session) -> OutboxCounts:
    rows = session.execute(
        select(OutboxMessage.attempts >= MAX_ATTEMPTS, func.count())
        .where(OutboxMessage.sent_at.is_(None))
        .group_by(OutboxMessage.attempts >= MAX_ATTEMPTS)
    ).all()
    by_kind = {bool(given_up): count for given_up, count in rows}
    return OutboxCounts(pending=by_kind.get(False, 0), failed=by_kind.get(True, 0))


def _session(source: SessionSource) -> tuple[Session, bool]:
    if isinstance(source, Session):
        return source, False
    if isinstance(source, scoped_session):
        return source(), False
    return source(), True


def _claim_next(
    session: Session, now: datetime, ids: Collection[int] | None, channels: tuple[str, ...]
) -> OutboxMessage | None:
    """The oldest due message of ``channels``, locked until the next commit (PostgreSQL).

    Rows other runners hold locked are skipped.
    """
    if not channels:
        return None
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.channel.in_(channels),
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts < MAX_ATTEMPTS,
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # SQLite compiles no FOR UPDATE: a plain select
        .execution_options(populate_existing=True)
    )
    if ids is not None:
        if not ids:
            return None
        query = query.where(OutboxMessage.id.in_(list(ids)))
    return session.scalars(query).first()


def _attachment(session: Session, attachment_id: int) -> MailAttachment:
    row = session.get(OutboxAttachment, attachment_id)  # the identity map reads a bulk e-mail's file once
    assert row is not None  # a foreign key keeps it
    return MailAttachment(row.filename, row.content_type, row.data)


def _record_failure(message: OutboxMessage, err: BaseException, now: datetime) -> None:
    message.attempts += 1
    message.last_error = f"{type(err).__name__}: {err}"[:2000]
    message.next_attempt_at = now + retry_delay(message.attempts)
    log.warning(
        "%s %s to %s not sent (try %s): %s", message.channel, message.id, message.recipient, message.attempts, err
    )
