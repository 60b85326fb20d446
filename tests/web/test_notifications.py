"""The applicant's e-mails through the API, delivered to a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from engine.calendar import OfficeHours
from engine.models import Dossier, OutboxMessage, SmsLog
from engine.services.notifications import dossier_status_email, lookup_url
from tests.factories import APPLICANT, Api, run_permit_to_end, specialist_choice
from tests.web.conftest import app_with_mail
from webapp import create_app
from webapp.extensions import db
from webapp.outbox import send_due

PUBLIC = "https://dichvucong.example.gov.vn"
PROCEDURE = "Cấp giấy phép xây dựng nhà ở riêng lẻ"
RETURN = {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}


@pytest.fixture
def app(db_url, smtp):
    """The app of tests/web/conftest.py, sending through the test SMTP server."""
    sender = "Bộ phận Một cửa <motcua@example.com>"
    with app_with_mail(db_url, smtp, PUBLIC_BASE_URL=PUBLIC + "/", MAIL_SENDER=sender) as app:
        yield app


def _to_return_step(client, **overrides) -> tuple[str, Api, dict]:
    """Receive a permit dossier and walk it to the return step: (code, the counter's client, its task)."""
    counter = Api(client, "motcua")
    code = counter.receive(**overrides).json["code"]
    leader, specialist, director = Api(client, "truongphong"), Api(client, "chuyenvien"), Api(client, "lanhdao")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    task = specialist.task_for(code)
    assert specialist.complete(task["id"], {"proposal": "approve", "examination": "Đủ điều kiện"}).status_code == 200
    response = director.complete(director.task_for(code)["id"], {"decision": "approve", "note": ""})
    assert response.json["dossier"]["status"] == 9, response.json
    return code, counter, counter.task_for(code)


def _to_applicant(smtp) -> list:
    """The e-mails the applicant received (staff hear of their tasks too: tests/web/test_task_alerts.py)."""
    return [m for m in smtp.messages if m.recipients == [APPLICANT["email"]]]


def _subjects(smtp) -> list[str]:
    return [m.subject for m in _to_applicant(smtp)]


def _outbox(app, channel: str | None = None, recipient: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    if recipient:
        query = query.where(OutboxMessage.recipient == recipient)
    with app.app_context():
        return list(db.session.scalars(query))


def _sms(app) -> list[SmsLog]:
    """What the test SMS gateway recorded as sent, once the outbox job has run (SMS wait for it)."""
    send_due(app)
    with app.app_context():
        return list(db.session.scalars(select(SmsLog).order_by(SmsLog.id)))


def _due(app, code: str) -> datetime:
    with app.app_context():
        return db.session.scalars(select(Dossier.due_at).where(Dossier.code == code)).one()


def test_the_applicant_hears_when_the_result_is_ready_and_when_it_is_returned(app, client, smtp):
    code, counter, task = _to_return_step(client)
    # Sent within the request that resolved the dossier: no scheduler runs here.
    assert _subjects(smtp) == [f"Hồ sơ {code} đã được tiếp nhận", f"Kết quả hồ sơ {code} đã sẵn sàng"]
    ready = _to_applicant(smtp)[1]
    assert ready.recipients == [APPLICANT["email"]]
    assert ready.body.startswith("Kính gửi Ông/Bà Nguyễn Văn An,\n")
    assert f"Hồ sơ mã {code} về thủ tục “{PROCEDURE}” đã được giải quyết xong" in ready.body
    assert "Mời Ông/Bà đến nhận kết quả tại Trung tâm Phục vụ hành chính công tỉnh từ " in ready.body
    assert "trong giờ làm việc (07:00–11:30, 13:30–17:00, từ thứ Hai đến thứ Sáu, trừ ngày nghỉ lễ)" in ready.body
    assert f"tra cứu tình trạng hồ sơ tại: {PUBLIC}/tra-cuu/{code}\n" in ready.body
    assert ready.message["From"].addresses[0].display_name == "Bộ phận Một cửa"
    assert ready.message["Message-ID"] and ready.message["Date"]

    response = counter.complete(task["id"], RETURN)
    assert response.status_code == 200 and response.json["dossier"]["status"] == 10
    assert _subjects(smtp)[1:] == [f"Kết quả hồ sơ {code} đã sẵn sàng", f"Hồ sơ {code} đã trả kết quả"]
    returned = _to_applicant(smtp)[2]
    assert returned.body.startswith("Kính gửi Ông/Bà Nguyễn Văn An,\n")
    assert f"Hồ sơ mã {code} về thủ tục “{PROCEDURE}” đã được trả kết quả lúc " in returned.body
    assert f"{PUBLIC}/tra-cuu/{code}" in returned.body
    assert client.get(f"/tra-cuu/{code}").status_code == 200  # the link leads to the public lookup

    sent = {(m.attempts, m.sent_at is not None, m.last_error) for m in _outbox(app, "email")}
    assert sent == {(1, True, "")}  # each e-mail went right after its request
    assert {m.attempts for m in _outbox(app, "sms")} == {0}  # SMS wait for the outbox job
    assert len(_outbox(app, "email", APPLICANT["email"])) == 3
    # The same three changes by SMS, to the phone number the applicant gave.
    assert [m.body for m in _sms(app)] == [
        f"Hồ sơ {code} đã được tiếp nhận, hẹn trả {_due(app, code):%d/%m/%Y}. Chi tiết: {PUBLIC}/tra-cuu/{code}",
        f"Hồ sơ {code} đã có kết quả. Chi tiết: {PUBLIC}/tra-cuu/{code}",
        f"Hồ sơ {code} đã trả kết quả. Chi tiết: {PUBLIC}/tra-cuu/{code}",
    ]
    assert {m.recipient for m in _sms(app)} == {APPLICANT["phone"]}


def test_no_message_when_the_applicant_gave_no_address_nor_phone(app, client, smtp):
    code = Api(client, "motcua").receive(applicant={**APPLICANT, "email": "", "phone": ""}).json["code"]
    send_due(app)  # the outbox job queues the staff alert of the first step, before the steps are done
    responses = run_permit_to_end(client, code)
    assert [r.json["dossier"]["status"] for r in responses] == [4, 4, 9, 10]
    assert _to_applicant(smtp) == [] and _sms(app) == []
    assert {m.recipient.rpartition("@")[2] for m in _outbox(app)} == {"motcua.example"}  # staff only


def test_a_server_that_is_down_delays_the_e_mail_but_not_the_step(app, client, smtp):
    code, counter, task = _to_return_step(client)
    smtp.stop()
    response = counter.complete(task["id"], RETURN)
    assert response.status_code == 200 and response.json["dossier"]["status"] == 10

    message = _outbox(app, "email", APPLICANT["email"])[-1]
    assert message.subject == f"Hồ sơ {code} đã trả kết quả"
    assert (message.attempts, message.sent_at) == (1, None)
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at == message.created_at + timedelta(minutes=1)
    send_due(app)  # the job takes the steps' SMS; the e-mail is not due again yet

    smtp.start()  # back, on the same port
    runner = app.test_cli_runner()
    early = runner.invoke(args=["outbox", "send", "--now", message.created_at.isoformat()])
    assert early.exit_code == 0, early.output
    assert "Đã gửi 0 thư" in early.output and "Còn 1 thư chờ gửi" in early.output

    later = (message.next_attempt_at + timedelta(seconds=1)).isoformat()
    result = runner.invoke(args=["outbox", "send", "--now", later])
    assert result.exit_code == 0, result.output
    assert "Đã gửi 1 thư; 0 thư gửi lỗi" in result.output and "Còn 0 thư chờ gửi" in result.output
    assert _subjects(smtp)[1:] == [f"Kết quả hồ sơ {code} đã sẵn sàng", f"Hồ sơ {code} đã trả kết quả"]

    again = runner.invoke(args=["outbox", "send", "--now", later])
    assert again.exit_code == 0 and "Đã gửi 0 thư" in again.output
    assert len(_to_applicant(smtp)) == 3
    message = _outbox(app, "email", APPLICANT["email"])[-1]
    assert (message.attempts, message.last_error) == (2, "") and message.sent_at is not None


def test_without_a_mail_server_nothing_is_sent_and_the_command_says_so(db_url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "t", "MAIL_SERVER": ""})
    try:
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
        assert result.exit_code == 1
        assert "Chưa cấu hình máy chủ thư (MOTCUA_MAIL_SERVER)" in result.output
        status = app.test_cli_runner().invoke(args=["outbox", "status"])
        assert status.exit_code == 0 and "Còn 0 thư chờ gửi; 0 thư gửi không thành công" in status.output
    finally:
        with app.app_context():
            db.engine.dispose()


def _dossier(**fields) -> SimpleNamespace:
    values = {
        "code": "000.00.01.H10-260115-0007",
        "status": 9,
        "applicant_name": "Trần Thị Bích",
        "applicant_kind": "person",
        "organisation_name": "",
        "return_method": "counter",
        "address": "Số 5 đường Hùng Vương, phường Tân Phú",
        "returned_at": None,
    }
    return SimpleNamespace(**{**values, **fields})


def test_texts_for_a_result_sent_by_post_to_an_organisation_and_without_a_public_address():
    by_post = _dossier(return_method="post", applicant_kind="organisation", organisation_name="Công ty TNHH Sao Mai")
    email = dossier_status_email(by_post, "Cấp giấy phép", lookup_url(by_post.code, base_url=""))
    assert email.subject == "Kết quả hồ sơ 000.00.01.H10-260115-0007 đã sẵn sàng"
    assert email.body.startswith("Kính gửi Ông/Bà Trần Thị Bích (Công ty TNHH Sao Mai),")
    assert "qua dịch vụ bưu chính công ích theo địa chỉ đã đăng ký: Số 5 đường Hùng Vương" in email.body
    assert "bằng mã 000.00.01.H10-260115-0007 trên trang tra cứu hồ sơ của Bộ phận Một cửa" in email.body

    saturday = OfficeHours(periods=((time(7, 30), time(11, 30)),), weekdays=frozenset({0, 2, 5}))
    ready = dossier_status_email(
        _dossier(),
        "Cấp giấy phép",
        "https://x.example/tra-cuu/1",
        office_name="UBND xã Tân Phú",
        hours=saturday,
        collect_from=datetime(2026, 1, 16, 7, 30),
    )
    assert (
        "tại UBND xã Tân Phú từ 07:30 ngày 16/01/2026, trong giờ làm việc "
        "(07:30–11:30, thứ Hai, thứ Tư, thứ Bảy, trừ ngày nghỉ lễ)" in ready.body
    )

    returned = dossier_status_email(
        _dossier(status=10, returned_at=datetime(2026, 1, 20, 14, 5)), "Cấp giấy phép", "https://x.example/tra-cuu/1"
    )
    assert returned.subject == "Hồ sơ 000.00.01.H10-260115-0007 đã trả kết quả"
    assert "đã được trả kết quả lúc 14:05 ngày 20/01/2026." in returned.body
    assert dossier_status_email(_dossier(status=4), "Cấp giấy phép", "") is None


def test_the_scheduler_job_sends_what_is_due(db_url, smtp):
    from engine.services.outbox import enqueue_email

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SECRET_KEY": "t",
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": smtp.port,
            "SCHEDULER_ENABLED": True,
        }
    )
    scheduler = app.extensions["motcua_scheduler"]
    try:
        job = scheduler.get_job("outbox")
        assert job.trigger.interval == timedelta(minutes=1)
        with app.app_context():
            enqueue_email(db.session, "an@example.com", "Thư chờ gửi", "Nội dung", now=datetime(2026, 1, 1, 8, 0))
            db.session.commit()
        job.func(*job.args)  # what the scheduler runs each minute
        assert smtp.subjects() == ["Thư chờ gửi"]
    finally:
        scheduler.shutdown(wait=False)
        with app.app_context():
            db.engine.dispose()
