"""Who is told of what by e-mail and SMS beyond the result: the applicant at each change they can see,
staff when a task reaches them (composed by the outbox job); through a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine import clock
from engine.db import make_engine
from engine.models import Dossier, OutboxMessage, SmsLog, Task, User
from engine.services import task_alerts
from tests.concurrency import run_at_once
from tests.factories import APPLICANT, PERMIT, Api, specialist_choice
from tests.web.conftest import app_with_mail
from webapp import create_app
from webapp.extensions import db
from webapp.outbox import send_due

PUBLIC = "https://dichvucong.example.gov.vn"


@pytest.fixture
def app(db_url, smtp):
    with app_with_mail(db_url, smtp, PUBLIC_BASE_URL=PUBLIC, SMS_PROVIDER="test") as app:
        yield app


def _to(smtp, address: str) -> list:
    return [m for m in smtp.messages if m.recipients == [address]]


def _sms(app) -> list[str]:
    """What the test SMS gateway sent, once the outbox job has run (SMS wait for it, not the request)."""
    send_due(app)
    with app.app_context():
        return list(db.session.scalars(select(SmsLog.body).order_by(SmsLog.id)))


def _staff(smtp) -> list:
    return [m for m in smtp.messages if m.recipients[0].endswith("@motcua.example")]


def _pending(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Task.id).where(Task.alert_pending)))


def test_staff_hear_of_the_tasks_that_reach_them_from_the_job_and_nothing_of_the_applicant(app, client, smtp):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    assert _staff(smtp) == []  # the reception's request wrote no alert: the outbox job composes it
    send_due(app)
    # The leader's pool task: the department's leaders are few, so they are told; the counter officer who acted is not.
    (pool,) = _to(smtp, "truongphong@motcua.example")
    assert pool.subject == f"Công việc mới: Phân công thụ lý – hồ sơ {code}"
    assert "đang chờ lãnh đạo phòng của đơn vị nhận xử lý" in pool.body
    assert f"{PUBLIC}/cong-viec/" in pool.body and "Hạn xử lý bước này:" in pool.body
    assert _to(smtp, "motcua@motcua.example") == []
    for private in (APPLICANT["full_name"], APPLICANT["phone"], APPLICANT["id_number"], APPLICANT["email"]):
        assert private not in pool.body

    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    assert _to(smtp, "chuyenvien@motcua.example") == []  # not from the completion's request
    send_due(app)
    (assigned,) = _to(smtp, "chuyenvien@motcua.example")
    assert assigned.subject == f"Công việc mới: Thẩm định hồ sơ – hồ sơ {code}"
    assert "được giao cho Ông/Bà" in assigned.body
    assert len(_to(smtp, "truongphong@motcua.example")) == 1  # the leader acted: not told of the next step
    assert _pending(app) == []


def test_a_large_pool_is_not_e_mailed(app, client, smtp, monkeypatch):
    monkeypatch.setattr(task_alerts, "POOL_LIMIT", 0)  # every pool is "too large"
    Api(client, "motcua").receive(PERMIT)
    send_due(app)
    assert _staff(smtp) == []
    assert _pending(app) == []


def test_a_task_closed_before_the_job_runs_alerts_nobody(app, client, smtp):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    assert len(_pending(app)) == 2  # the closed leader's task and the open specialist's task
    send_due(app)
    assert [m.recipients for m in _staff(smtp)] == [["chuyenvien@motcua.example"]]
    assert _pending(app) == []


def test_running_the_job_twice_sends_each_alert_once(app, client, smtp):
    Api(client, "motcua").receive(PERMIT)
    Api(client, "motcua").receive(PERMIT)
    send_due(app)
    send_due(app)
    assert len(_to(smtp, "truongphong@motcua.example")) == 2


def test_without_a_mail_server_the_job_queues_the_alerts_and_they_wait(db_url, smtp):
    with app_with_mail(db_url, smtp, MAIL_SERVER="", SMS_PROVIDER="") as app:
        code = Api(app.test_client(), "motcua").receive(PERMIT).json["code"]
        assert send_due(app) is None
        with app.app_context():
            waiting = db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.recipient == "truongphong@motcua.example")
            ).all()
        assert [(m.sent_at, code in m.subject) for m in waiting] == [(None, True)]
        assert _pending(app) == []
    assert smtp.messages == []


def test_two_job_runners_at_once_queue_each_alert_exactly_once(app, client, smtp, db_url):
    codes = {Api(client, "motcua").receive(PERMIT).json["code"] for _ in range(6)}
    def runner(sessions) -> list:
        taken = []
        with sessions() as session:
            while (batch := task_alerts.queue_pending(session, clock.now(), limit=2)).tasks:
                taken.append(batch)
        return taken

    results, errors = run_at_once(db_url, runner)
    batches = [batch for runs in results for batch in runs]
    send_due(app)

    assert errors == []
    assert sum(b.tasks for b in batches) == 6
    told = _to(smtp, "truongphong@motcua.example")
    assert sorted(m.subject for m in told) == sorted(f"Công việc mới: Phân công thụ lý – hồ sơ {c}" for c in codes)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite has no row locks: one writer at a time
def test_the_job_skips_a_dossier_a_step_is_changing_and_alerts_on_its_next_run(app, client, smtp, db_url):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    step = make_engine(db_url)  # a completion holding the dossier's row lock, as tasks.complete_task does
    job = make_engine(db_url, connect_args={"options": "-c lock_timeout=3000"})  # waiting would fail the test
    try:
        with step.connect() as conn, conn.begin():
            conn.execute(select(Dossier.id).where(Dossier.code == code).with_for_update())
            with sessionmaker(bind=job)() as session:
                assert task_alerts.queue_pending(session, clock.now()).tasks == 0
        with sessionmaker(bind=job)() as session:
            assert task_alerts.queue_pending(session, clock.now()).tasks == 1
    finally:
        step.dispose()
        job.dispose()
    send_due(app)
    assert len(_to(smtp, "truongphong@motcua.example")) == 1


def test_a_task_handed_to_another_person_alerts_them_after_the_job_and_a_claim_alerts_nobody(app, client, smtp):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    send_due(app)
    leader = Api(client, "truongphong")
    pool_task = leader.task_for(code)["id"]
    assert leader.post(f"/tasks/{pool_task}/claim", {}).status_code == 200
    send_due(app)
    assert len(_staff(smtp)) == 1  # the pool's alert, before the claim; taking the task tells nobody

    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    send_due(app)
    with app.app_context():
        examine = db.session.scalars(select(Task.id).where(Task.closed_at.is_(None))).one()
        other = db.session.scalars(select(User.id).where(User.username == "chuyenvien2")).one()
    assert leader.post(f"/tasks/{examine}/assign", {"user_id": other}).status_code == 200
    assert _to(smtp, "chuyenvien2@motcua.example") == []  # not from the assigning request
    send_due(app)
    (handed,) = _to(smtp, "chuyenvien2@motcua.example")
    assert handed.subject == f"Công việc mới: Thẩm định hồ sơ – hồ sơ {code}"
    assert "được giao cho Ông/Bà" in handed.body
    assert len(_to(smtp, "truongphong@motcua.example")) == 1  # the leader who assigned it is not told


def test_a_leaders_deputy_hears_of_the_leaders_tasks_while_the_delegation_runs(app, client, smtp):
    leader = Api(client, "truongphong")
    with app.app_context():
        deputy_id = db.session.scalars(select(User.id).where(User.username == "phophong")).one()
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    delegation = leader.post("/delegations", {"deputy_id": deputy_id, "ends_at": tomorrow, "reason": "Đi công tác"})
    assert delegation.status_code == 201, delegation.json
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    send_due(app)
    (copy,) = _to(smtp, "phophong@motcua.example")
    assert copy.subject == f"Công việc mới: Phân công thụ lý – hồ sơ {code}"
    assert "Kính gửi Vũ Đức Thắng," in copy.body
    assert "Ông/Bà nhận thư này vì đang được Lê Hoàng Cường ủy quyền xử lý công việc." in copy.body
    assert len(_to(smtp, "truongphong@motcua.example")) == 1  # the leader is told as before

    assert leader.post(f"/delegations/{delegation.json['id']}/end", {}).status_code == 200
    Api(client, "motcua").receive(PERMIT)
    send_due(app)
    assert len(_to(smtp, "phophong@motcua.example")) == 1  # ended: the deputy hears no more
    assert len(_to(smtp, "truongphong@motcua.example")) == 2


def test_the_applicant_hears_of_a_refusal_a_supplement_request_an_extension_and_a_stop(app, client, smtp):
    counter = Api(client, "motcua")
    refused = counter.receive(outcome="refuse", reason="Công trình thuộc khu vực đã có quy hoạch").json["code"]
    components = counter.procedure(PERMIT)["components"]
    waiting = counter.receive(
        components=[components[0]["id"]],
        outcome="supplement",
        missing=[{"component": components[1]["id"], "reason": "Cần bản sao có chứng thực sổ đỏ"}],
    ).json["code"]
    code = counter.receive().json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    due = datetime.fromisoformat(leader.get(f"/dossiers/{code}").json["due_at"]).date()
    day = due + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    body = {"reason": "Chờ ý kiến cơ quan phối hợp", "unit_at_fault": "Phòng Quản lý đô thị", "new_due_date": str(day)}
    assert leader.post(f"/dossiers/{code}/extensions", body).status_code == 201
    assert Api(client, "lanhdao").post(f"/dossiers/{code}/stop", {"reason": "Công dân rút hồ sơ"}).status_code == 200

    mails = {m.subject: m.body for m in _to(smtp, APPLICANT["email"])}
    assert "với lý do: Công trình thuộc khu vực đã có quy hoạch." in mails[f"Hồ sơ {refused} không được tiếp nhận"]
    supplement = mails[f"Hồ sơ {waiting} cần bổ sung giấy tờ"]
    assert f"- {components[1]['name']}: Cần bản sao có chứng thực sổ đỏ" in supplement
    assert f"{PUBLIC}/tra-cuu/{waiting}" in supplement
    extension = mails[f"Hồ sơ {code}: xin lỗi và hẹn lại ngày trả kết quả"]
    assert "Lý do: Chờ ý kiến cơ quan phối hợp." in extension and "Phòng Quản lý đô thị xin lỗi Ông/Bà" in extension
    assert f"Ngày hẹn trả kết quả mới: 17:00 ngày {day:%d/%m/%Y}." in extension
    assert "với lý do: Công dân rút hồ sơ." in mails[f"Hồ sơ {code} đã dừng xử lý"]
    assert f"Hồ sơ {code} đã được tiếp nhận" in mails

    sms = _sms(app)
    assert f"Hồ sơ {refused} không được tiếp nhận. Chi tiết: {PUBLIC}/tra-cuu/{refused}" in sms
    assert f"Hồ sơ {waiting} cần bổ sung giấy tờ. Chi tiết: {PUBLIC}/tra-cuu/{waiting}" in sms
    assert any(s.startswith(f"Hồ sơ {code} chậm so với hẹn, xin lỗi Ông/Bà; hẹn trả mới {day:%d/%m/%Y}.") for s in sms)
    assert f"Hồ sơ {code} đã dừng xử lý. Chi tiết: {PUBLIC}/tra-cuu/{code}" in sms
    assert all(len(s) <= 3 * 67 for s in sms)  # at most three UCS-2 segments
    printed = app.test_cli_runner().invoke(args=["outbox", "sms", "--limit", "1"])
    assert printed.exit_code == 0 and f"{APPLICANT['phone']}: Hồ sơ {code} đã dừng xử lý." in printed.output


def test_without_an_sms_gateway_the_sms_wait_in_the_outbox(db_url, smtp):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "t", "SMS_PROVIDER": ""})
    try:
        client = app.test_client()
        code = Api(client, "motcua").receive(PERMIT).json["code"]
        with app.app_context():
            waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
            assert [(m.recipient, m.sent_at, m.attempts) for m in waiting] == [(APPLICANT["phone"], None, 0)]
            assert code in waiting[0].body
            assert db.session.scalars(select(SmsLog)).all() == []
    finally:
        with app.app_context():
            db.engine.dispose()
