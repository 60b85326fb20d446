"""The daily warning e-mails through the outbox and a real SMTP server: contents, once a day, one runner."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine import clock
from engine.db import make_engine
from engine.mail import SmtpMailer
from engine.models import DigestSent, OutboxMessage
from engine.services import notifications
from engine.services.digests import LEASE_NAME, LEASE_TIME, acquire_lease, send_digests
from engine.services.outbox import deliver_due
from tests.concurrency import run_at_once
from tests.integration.dashboard_data import warned_dossiers
from tests.smtp import SmtpSink

BASE = "https://dichvucong.example.gov.vn"
SPECIALIST = "chuyenvien@motcua.example"
HEAD = "truongphong@motcua.example"
DIRECTOR = "lanhdao@motcua.example"


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def sessions(db_url, monkeypatch):
    monkeypatch.setitem(notifications._settings, "public_base_url", BASE)
    engine = make_engine(db_url)
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def now():
    return clock.now()


@pytest.fixture
def warned(sessions, now):
    with sessions() as session:
        return warned_dossiers(session, now)


def _deliver(sessions, smtp, now) -> None:
    deliver_due(sessions, SmtpMailer(smtp.host, smtp.port, "Một Cửa <motcua@example.com>", timeout=5), now, limit=100)


def test_each_assignee_gets_their_due_soon_tasks_and_each_leader_the_overdue_dossiers(sessions, smtp, now, warned):
    report = send_digests(sessions, now)
    _deliver(sessions, smtp, now)

    assert (report.ran, report.due_soon, report.overdue) == (True, 1, 2)
    mails = {message.recipients[0]: message for message in smtp.messages}
    assert set(mails) == {SPECIALIST, HEAD, DIRECTOR}  # no one else has anything due: no empty e-mails

    specialist = mails[SPECIALIST]
    assert specialist.subject == f"Nhắc việc: 1 công việc sắp đến hạn ngày {now:%d/%m/%Y}"
    soon, _, late = specialist.body.partition("đã quá hạn")
    assert f"Hồ sơ {warned.soon}" in soon and f"{BASE}/ho-so/{warned.soon}" in soon
    assert f"Hồ sơ {warned.late_2}" in late and f"Hồ sơ {warned.late_half_day}" in late
    assert warned.late_5 not in specialist.body  # waits in the leader's pool, not at him
    assert f"{BASE}/cong-viec?due=soon" in specialist.body

    for leader in (HEAD, DIRECTOR):
        digest = mails[leader]
        assert digest.subject == f"Tổng hợp hồ sơ quá hạn ngày {now:%d/%m/%Y}: 4 hồ sơ"
        for code in (warned.late_half_day, warned.late_2, warned.late_5, warned.late_10):
            assert f"Hồ sơ {code}" in digest.body
        assert (
            warned.soon not in digest.body and warned.paused not in digest.body and warned.resolved not in digest.body
        )
        assert "quá hạn 10 ngày" in digest.body and "đang ở: Trần Văn Bình" in digest.body
        assert f"{BASE}/canh-bao?state=overdue" in digest.body


def test_a_second_run_the_same_day_sends_nothing_twice(sessions, smtp, now, warned):
    send_digests(sessions, now)
    again = send_digests(sessions, now + timedelta(hours=2))
    _deliver(sessions, smtp, now + timedelta(hours=2))

    assert again.ran and (again.due_soon, again.overdue, again.already_sent) == (0, 0, 3)
    assert sorted(r for m in smtp.messages for r in m.recipients) == sorted([SPECIALIST, HEAD, DIRECTOR])
    tomorrow = send_digests(sessions, now + timedelta(days=1))
    assert tomorrow.overdue == 2  # a new day, a new digest for the leaders


def test_a_runner_leaves_the_job_to_the_process_holding_it(sessions, now, warned):
    with sessions() as session:
        assert acquire_lease(session, LEASE_NAME, "may-chu-khac:1", now)

    assert send_digests(sessions, now).ran is False
    with sessions() as session:
        assert session.scalars(select(OutboxMessage)).all() == []

    lapsed = send_digests(sessions, now + LEASE_TIME)  # the other process died: its lease runs out
    assert lapsed.ran and lapsed.overdue == 2


def test_two_runners_started_at_once_send_each_person_exactly_one_mail(db_url, sessions, smtp, now, warned):
    reports, errors = run_at_once(db_url, lambda sessions: send_digests(sessions, now))
    _deliver(sessions, smtp, now)

    assert errors == []
    assert sum(r.due_soon + r.overdue for r in reports) == 3
    assert Counter(r for m in smtp.messages for r in m.recipients) == {SPECIALIST: 1, HEAD: 1, DIRECTOR: 1}
    with sessions() as session:
        assert len(session.scalars(select(DigestSent)).all()) == 3
