"""Saved searches and bulk e-mail to applicants, against a real database and a real SMTP server."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from engine.db import make_engine, session_scope
from engine.mail import SmtpMailer
from engine.models import OutboxMessage, User
from engine.services import bulk_mail, transaction
from engine.services.attachments import UploadedFile
from engine.services.bulk_mail import send_bulk_email
from engine.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.services.outbox import deliver_due, take_committed
from engine.services.saved_searches import delete_saved, get_saved, save_search, saved_criteria, saved_searches
from engine.services.search import parse_criteria
from tests.factories import make_dossier
from tests.smtp import SmtpSink

PDF = b"%PDF-1.4\n% test\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


def test_a_saved_search_comes_back_for_its_owner_only(engine):
    with session_scope(engine) as session:
        leader = _user(session, "truongphong")
        saved = save_search(session, leader, "  Quá hạn   xây dựng ", parse_criteria({"overdue": "on", "page": "3"}))
        with pytest.raises(Conflict):
            save_search(session, leader, "Quá hạn xây dựng", parse_criteria({"name": "nguyen"}))
        with pytest.raises(InvalidInput) as empty:
            save_search(session, leader, "Không gì", parse_criteria({"sort": "due"}))
        assert empty.value.errors == {"name": "Chưa có điều kiện tìm kiếm nào để lưu."}
        with pytest.raises(NotFound):
            get_saved(session, _user(session, "chuyenvien"), saved.id)
        with pytest.raises(NotFound):
            delete_saved(session, _user(session, "chuyenvien"), saved.id)
        assert [s.name for s in saved_searches(session, leader)] == ["Quá hạn xây dựng"]
        assert saved_searches(session, _user(session, "chuyenvien")) == []
        criteria = saved_criteria(get_saved(session, leader, saved.id))
        assert (criteria.overdue, criteria.page) == (True, 1)  # the page is not part of a search
        delete_saved(session, leader, saved.id)
        assert saved_searches(session, leader) == []


def test_bulk_email_reaches_each_applicant_once_with_the_file(engine, smtp):
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with session_scope(engine) as session:
        make_dossier(session, applicant_name="Nguyễn Văn An", email="an@example.com")
        make_dossier(session, applicant_name="Nguyễn Văn An", email=" AN@example.com ")  # the same person again
        make_dossier(session, applicant_name="Nguyễn Thị Hoa", email="hoa@example.com")
        make_dossier(session, applicant_name="Nguyễn Văn Tư")  # gave no e-mail address
        make_dossier(session, applicant_name="Lê Văn Khác", email="khac@example.com")  # not in the list
    session = sessions()
    with transaction(session):
        result = send_bulk_email(
            session,
            _user(session, "motcua"),
            parse_criteria({"name": "nguyen"}),
            "Thông báo lịch trả kết quả",
            "Kính gửi ông/bà,\nBộ phận Một cửa nghỉ ngày 2/9.",
            UploadedFile("../../lich nghi.pdf", PDF),
        )
    assert (result.recipients, result.without_email) == (2, 1)
    ids = take_committed(session)
    session.close()
    assert len(ids) == 2

    report = deliver_due(sessions, SmtpMailer(smtp.host, smtp.port, "motcua@example.com", timeout=5))
    assert report.sent == 2
    assert sorted(m.recipients[0] for m in smtp.messages) == ["an@example.com", "hoa@example.com"]
    for received in smtp.messages:
        assert received.subject == "Thông báo lịch trả kết quả"
        assert "nghỉ ngày 2/9" in received.body
        (attached,) = list(received.message.iter_attachments())
        assert attached.get_filename() == "lich nghi.pdf"
        assert attached.get_content_type() == "application/pdf"
        assert attached.get_content() == PDF


def test_bulk_email_is_refused_whole_when_it_cannot_be_sent(engine):
    with session_scope(engine) as session:
        make_dossier(session, applicant_name="Nguyễn Văn An", email="an@example.com")
        counter = _user(session, "motcua")
        criteria = parse_criteria({"name": "nguyen"})
        with pytest.raises(Forbidden):
            send_bulk_email(session, _user(session, "chuyenvien"), criteria, "Tiêu đề", "Nội dung")
        with pytest.raises(InvalidInput) as bad:
            send_bulk_email(session, counter, criteria, "", "  ", UploadedFile("a.exe", b"MZ\x90\x00"))
        assert bad.value.errors == {
            "subject": "Hãy nhập tiêu đề thư.",
            "body": "Hãy nhập nội dung thư.",
            "attachment": "Tệp “a.exe” không phải PDF, JPEG hoặc PNG (nội dung tệp không khớp định dạng).",
        }
        with pytest.raises(InvalidInput) as nobody:
            send_bulk_email(session, counter, parse_criteria({"name": "khong ai"}), "Tiêu đề", "Nội dung")
        assert nobody.value.errors == {"_schema": "Không có người nộp nào trong danh sách có địa chỉ e-mail."}
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_bulk_email_above_the_cap_is_refused(engine, monkeypatch):
    monkeypatch.setattr(bulk_mail, "MAX_RECIPIENTS", 2)
    with session_scope(engine) as session:
        for n in range(3):
            make_dossier(session, email=f"p{n}@example.com")
        with pytest.raises(InvalidInput) as refused:
            send_bulk_email(session, _user(session, "lanhdao"), parse_criteria({}), "Tiêu đề", "Nội dung")
        assert refused.value.message == "Danh sách có hơn 2 địa chỉ e-mail; hãy lọc hẹp hơn rồi gửi."
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
