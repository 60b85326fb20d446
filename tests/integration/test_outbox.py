"""The outbox against a real database and a real SMTP server: rollback, retries, refusals, two runners."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine.db import make_engine, session_scope
from engine.mail import SmtpMailer
from engine.models import Dossier, OutboxMessage, Procedure, User
from engine.services import transaction
from engine.services.dossiers import receive_dossier
from engine.services.outbox import (
    MAX_ATTEMPTS,
    counts,
    deliver_due,
    enqueue_email,
    enqueue_sms,
    has_committed,
    retry_delay,
    state,
    take_committed,
)
from engine.services.tasks import complete_task, list_tasks
from tests.conftest import FORMS
from tests.factories import APPLICANT, PERMIT
from tests.smtp import SmtpSink, free_port

SENDER = "Bộ phận Một cửa <motcua@example.com>"
T0 = datetime(2026, 1, 15, 9, 0)
RETURN = {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return sessionmaker(bind=engine, expire_on_commit=False)


def _mailer(sink: SmtpSink) -> SmtpMailer:
    return SmtpMailer(sink.host, sink.port, SENDER, timeout=5)


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _to_return_step(session) -> tuple[str, str]:
    """Receive a permit dossier and walk it to the counter's return step: (dossier code, that task's id)."""
    procedure = session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one()
    reception = {
        "procedure_code": PERMIT,
        "applicant": {**APPLICANT, "phone": ""},  # e-mail only: SMS have tests of their own
        "components": [c.id for c in procedure.components],
    }
    code = receive_dossier(session, _user(session, "motcua"), reception, FORMS).code
    leader, specialist, director = (_user(session, name) for name in ("truongphong", "chuyenvien", "lanhdao"))
    steps = [
        (leader, {"specialist": str(specialist.id)}),
        (specialist, {"proposal": "approve", "examination": "Đủ điều kiện"}),
        (director, {"decision": "approve", "note": ""}),
    ]
    for user, data in steps:
        task = next(t for t in list_tasks(session, user) if t.dossier.code == code)
        complete_task(session, user, task.id, data, FORMS)
    task = next(t for t in list_tasks(session, _user(session, "motcua")) if t.dossier.code == code)
    return code, task.id


def _messages(session, recipient: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if recipient is not None:
        query = query.where(OutboxMessage.recipient == recipient)
    return list(session.scalars(query))


def test_a_step_that_rolls_back_after_queueing_leaves_no_message(engine, sessions):
    with session_scope(engine) as session:
        code, task_id = _to_return_step(session)

    with sessions() as session:
        with pytest.raises(RuntimeError), transaction(session):
            complete_task(session, _user(session, "motcua"), task_id, RETURN, FORMS)
            # Written in the step's transaction, so it is seen there.
            assert f"Hồ sơ {code} đã trả kết quả" in [m.subject for m in _messages(session)]
            raise RuntimeError("lỗi sau khi đã xếp thư")
        assert take_committed(session) == []  # nothing for the request hook to send

    with sessions() as session:
        assert [m.subject for m in _messages(session, APPLICANT["email"])] == [
            f"Hồ sơ {code} đã được tiếp nhận",
            f"Kết quả hồ sơ {code} đã sẵn sàng",
        ]
        assert session.scalars(select(Dossier.status).where(Dossier.code == code)).one() == 9

    # The same step committed: the message is there, and its id is handed over for sending.
    with sessions() as session, transaction(session):
        complete_task(session, _user(session, "motcua"), task_id, RETURN, FORMS)
    assert len(take_committed(session)) == 1
    with sessions() as session:
        assert [m.subject for m in _messages(session, APPLICANT["email"])][-1] == f"Hồ sơ {code} đã trả kết quả"


def test_an_empty_or_malformed_address_queues_nothing(sessions):
    with sessions() as session:
        assert enqueue_email(session, "", "Tiêu đề", "Nội dung") is None
        assert enqueue_email(session, None, "Tiêu đề", "Nội dung") is None
        assert enqueue_email(session, "  ", "Tiêu đề", "Nội dung") is None
        assert enqueue_email(session, "khong-phai-email", "Tiêu đề", "Nội dung") is None
        assert enqueue_email(session, "a@example.com\r\nBcc: x@example.com", "Tiêu đề", "Nội dung") is None
        session.commit()
        assert _messages(session) == []
        assert take_committed(session) == []


def test_the_request_hook_takes_only_the_channels_something_sends(sessions):
    with sessions() as session:
        mail = enqueue_email(session, "an@example.vn", "Tiêu đề", "Nội dung")
        sms = enqueue_sms(session, "0912345678", "Nội dung")
        session.commit()
        assert has_committed(session)
        assert take_committed(session, {"sms"}) == [sms.id]  # no mail server: the e-mail waits for the job
        assert not has_committed(session) and take_committed(session) == []
        assert [m.id for m in _messages(session, "an@example.vn")] == [mail.id]


def test_failed_tries_wait_longer_each_time_and_stop_after_ten(sessions):
    down = SmtpMailer("127.0.0.1", free_port(), SENDER, timeout=5)  # nothing listens there
    with sessions() as session:
        enqueue_email(session, "an@example.com", "Thử", "Nội dung", now=T0)
        session.commit()

    now, delays = T0, []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = deliver_due(sessions, down, now)
        assert (report.sent, report.failed, report.interrupted) == (0, 1, True)
        assert report.given_up == (attempt == MAX_ATTEMPTS)
        with sessions() as session:
            (message,) = _messages(session)
        assert message.attempts == attempt and message.sent_at is None
        assert "ConnectionRefusedError" in message.last_error
        delays.append(message.next_attempt_at - now)
        # Not tried again before its time.
        assert deliver_due(sessions, down, message.next_attempt_at - timedelta(seconds=1)).attempted == 0
        now = message.next_attempt_at

    minutes = [int(d.total_seconds() // 60) for d in delays]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert retry_delay(30) == timedelta(hours=1)
    assert state(message) == "failed"
    assert deliver_due(sessions, down, now + timedelta(days=1)).attempted == 0
    with sessions() as session:
        assert counts(session) == (0, 1)


def test_a_refused_address_does_not_hold_up_the_others_but_a_server_that_is_down_does(sessions, smtp):
    smtp.refused.add("khongco@example.com")
    with sessions() as session:
        for offset, recipient in enumerate(("a@example.com", "khongco@example.com", "c@example.com")):
            enqueue_email(session, recipient, f"Thư {offset}", "Nội dung", now=T0 + timedelta(seconds=offset))
        session.commit()

    report = deliver_due(sessions, _mailer(smtp), T0 + timedelta(minutes=1))
    assert (report.sent, report.failed, report.interrupted) == (2, 1, False)
    assert [m.recipients for m in smtp.messages] == [["a@example.com"], ["c@example.com"]]  # oldest first
    with sessions() as session:
        (refused,) = _messages(session, "khongco@example.com")
    assert refused.attempts == 1 and refused.sent_at is None and "550" in refused.last_error
    assert refused.next_attempt_at == T0 + timedelta(minutes=2)

    smtp.stop()
    with sessions() as session:
        enqueue_email(session, "d@example.com", "Thư 3", "Nội dung", now=T0 + timedelta(minutes=1))
        enqueue_email(session, "e@example.com", "Thư 4", "Nội dung", now=T0 + timedelta(minutes=1))
        session.commit()
    report = deliver_due(sessions, _mailer(smtp), T0 + timedelta(minutes=1, seconds=30))
    assert (report.sent, report.failed, report.interrupted) == (0, 1, True)
    with sessions() as session:
        assert [(m.recipient, m.attempts) for m in _messages(session) if m.sent_at is None] == [
            ("khongco@example.com", 1),
            ("d@example.com", 1),
            ("e@example.com", 0),  # not tried: the server was down
        ]


# Row locks are PostgreSQL's; SQLite has one writer at a time, so the race exists only there.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_runners_never_send_the_same_message(db_url, sessions, smtp):
    recipients = [f"nguoi{i:02d}@example.com" for i in range(40)]
    with sessions() as session:
        for recipient in recipients:
            enqueue_email(session, recipient, "Thông báo", "Nội dung", now=T0)
        session.commit()

    start = threading.Barrier(4)
    reports = []

    def runner() -> None:
        start.wait()
        reports.append(deliver_due(sessions, _mailer(smtp), T0, limit=100))

    threads = [threading.Thread(target=runner) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r.sent for r in reports) == 40 and sum(r.failed for r in reports) == 0
    assert sum(r.sent > 0 for r in reports) > 1  # the runners did share the work
    received = sorted(r for m in smtp.messages for r in m.recipients)
    assert received == recipients
    assert len({m.message["Message-ID"] for m in smtp.messages}) == 40
    with sessions() as session:
        assert all(state(m) == "sent" and m.attempts == 1 for m in _messages(session))


def test_the_mail_is_utf8_with_sender_recipient_date_and_message_id(smtp):
    body = "Kính gửi Ông/Bà Nguyễn Văn An,\n\nKết quả đã sẵn sàng.\n"
    _mailer(smtp).send("an@example.com", "Kết quả hồ sơ đã sẵn sàng", body, reference="motcua.outbox.7.20260115090000")
    _mailer(smtp).send("an@example.com", "Thư thứ hai", body)
    first, second = smtp.messages
    assert first.subject == "Kết quả hồ sơ đã sẵn sàng" and first.body == body
    assert first.sender == "motcua@example.com" and first.recipients == ["an@example.com"]
    headers = first.message
    assert headers["From"].addresses[0].display_name == "Bộ phận Một cửa"
    assert str(headers["To"]) == "an@example.com"
    assert headers["Date"].datetime.utcoffset() == timedelta(hours=7)
    assert headers["Message-ID"] == "<motcua.outbox.7.20260115090000@example.com>"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers.get_content_charset() == "utf-8"
    assert second.message["Message-ID"].endswith("@example.com>")
    assert second.message["Message-ID"] != headers["Message-ID"]


def test_a_long_vietnamese_subject_arrives_with_every_space(smtp):
    subject = "Hồ sơ 000.00.01.H10-261201-0003: xin lỗi và hẹn lại ngày trả kết quả"
    _mailer(smtp).send("an@example.com", subject, "Nội dung " * 40)
    (received,) = smtp.messages
    assert received.subject == subject
    assert received.body == "Nội dung " * 40 + "\n"
    assert max(len(line) for line in received.message.as_string().splitlines()) <= 998
