"""Online submission in the services: drafts, submitting, and the counter's decisions, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from engine.db import make_engine, session_scope
from engine.models import Attachment, Dossier, OnlineDraft, OutboxMessage, Procedure, Task, User
from engine.services import online, online_intake, online_supplement
from engine.services.attachments import UploadedFile
from engine.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from engine.status import DossierStatus
from engine.storage import AttachmentStore
from tests.conftest import FORMS
from tests.factories import make_citizen

BIRTH = "1.001193"  # Đăng ký khai sinh: toàn trình, two required components
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
APPLICATION = {
    "child_full_name": "Nguyễn Minh Khang",
    "child_birth_date": "2026-11-20",
    "child_sex": "male",
    "birth_place": "Bệnh viện Đa khoa tỉnh Bình Phước",
    "declarant_relationship": "cha",
}


@pytest.fixture
def session(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def store(tmp_path):
    return AttachmentStore(tmp_path / "files")


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _procedure(session, code: str = BIRTH) -> Procedure:
    return session.scalars(select(Procedure).where(Procedure.code == code)).one()


def _draft(session, citizen, store, *, files: bool = True) -> OnlineDraft:
    procedure = _procedure(session)
    unit = online.receiving_units(session, procedure)[0]
    draft = online.start_draft(session, citizen, BIRTH, unit.id)
    uploads = [UploadedFile("to-khai.pdf", PDF, procedure.components[0].id)]
    if files:
        uploads.append(UploadedFile("giay-chung-sinh.png", PNG, procedure.components[1].id))
    form = {**online.draft_form(draft), "data": APPLICATION}
    online.save_draft(session, citizen, draft.id, form, uploads, store, FORMS)
    return draft


def _submitted(session, store, email: str = "an.nguyen@example.vn") -> tuple[Dossier, object]:
    citizen = make_citizen(session, email=email)
    draft = _draft(session, citizen, store)
    return online.submit_draft(session, citizen, draft.id, FORMS), citizen


def test_a_draft_is_kept_with_the_applicant_prefilled_and_another_citizen_cannot_see_it(session, store):
    owner = make_citizen(session)
    draft = _draft(session, owner, store)
    session.commit()
    assert online.draft_form(draft)["applicant"]["full_name"] == "Nguyễn Văn An"
    assert online.draft_form(draft)["data"]["child_full_name"] == "Nguyễn Minh Khang"
    assert [f.filename for f in online.get_draft(session, owner, draft.id).files] == [
        "to-khai.pdf",
        "giay-chung-sinh.png",
    ]
    other = make_citizen(session, email="binh@example.vn")
    assert online.drafts_of(session, other) == []
    with pytest.raises(NotFound):
        online.get_draft(session, other, draft.id)
    with pytest.raises(NotFound):
        online.save_draft(session, other, draft.id, {"applicant": {"full_name": "Kẻ lạ"}})


def test_submitting_without_a_required_component_names_it_and_keeps_the_uploaded_files(session, store):
    citizen = make_citizen(session)
    draft = _draft(session, citizen, store, files=False)
    with pytest.raises(InvalidInput) as err:
        online.submit_draft(session, citizen, draft.id, FORMS)
    second = _procedure(session).components[1]
    assert err.value.errors[f"files.{second.id}"] == f"Chưa tải lên “{second.name}” (thành phần bắt buộc)."
    assert [f.filename for f in online.get_draft(session, citizen, draft.id).files] == ["to-khai.pdf"]
    assert session.scalars(select(Dossier)).all() == []


def test_a_fake_pdf_is_refused_and_the_files_uploaded_before_stay(session, store):
    citizen = make_citizen(session)
    draft = _draft(session, citizen, store, files=False)
    second = _procedure(session).components[1]
    _, errors = online.save_draft(
        session,
        citizen,
        draft.id,
        None,
        [UploadedFile("giay-chung-sinh.pdf", b"MZ\x90\x00 not a pdf", second.id)],
        store,
    )
    assert "không phải PDF thật" in errors[f"files.{second.id}"]
    assert [f.filename for f in online.get_draft(session, citizen, draft.id).files] == ["to-khai.pdf"]


def test_a_png_named_pdf_is_refused(session, store):
    citizen = make_citizen(session)
    draft = _draft(session, citizen, store, files=False)
    second = _procedure(session).components[1]
    _, errors = online.save_draft(session, citizen, draft.id, None, [UploadedFile("x.pdf", PNG, second.id)], store)
    assert "có đuôi PDF nhưng nội dung là ảnh PNG" in errors[f"files.{second.id}"]


def test_bad_applicant_fields_are_reported_at_submission_and_the_typed_text_is_kept(session, store):
    citizen = make_citizen(session)
    draft = _draft(session, citizen, store)
    form = online.draft_form(draft)
    form["applicant"] |= {"id_number": "12345", "phone": "abc"}
    online.save_draft(session, citizen, draft.id, form, forms=FORMS)
    with pytest.raises(InvalidInput) as err:
        online.submit_draft(session, citizen, draft.id, FORMS)
    assert err.value.errors["applicant.id_number"] == "Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số."
    assert "Số điện thoại không hợp lệ" in err.value.errors["applicant.phone"]
    assert online.draft_form(online.get_draft(session, citizen, draft.id))["applicant"]["id_number"] == "12345"


def test_a_submitted_draft_becomes_a_new_online_dossier_with_its_files(session, store):
    dossier, citizen = _submitted(session, store)
    session.commit()
    assert (dossier.status, dossier.channel, dossier.citizen_id) == (1, 2, citizen.id)
    assert dossier.due_at is None and dossier.process_version_id is None
    assert dossier.code.startswith("000.00.01.H10-")
    assert [a.filename for a in dossier.attachments] == ["to-khai.pdf", "giay-chung-sinh.png"]
    assert all(row.submitted for row in dossier.components)
    assert [e.action for e in dossier.history] == ["submit_online"]
    assert online.drafts_of(session, citizen) == []


def test_a_procedure_not_offered_online_is_refused(session):
    citizen = make_citizen(session)
    procedure = _procedure(session)
    procedure.online_level = "none"
    session.flush()
    with pytest.raises(InvalidInput) as err:
        online.start_draft(session, citizen, BIRTH, online.receiving_units(session, procedure)[0].id)
    assert "chưa được cung cấp trực tuyến" in err.value.errors["procedure_code"]


def test_accepting_starts_the_workflow_from_now_and_queues_the_receipt(session, store):
    dossier, _ = _submitted(session, store)
    officer = _user(session, "motcua")
    assert [d.code for d in online_intake.online_dossiers(session, officer)] == [dossier.code]
    online_intake.accept_online(session, officer, dossier.code, FORMS, version=dossier.version)
    # As at the counter: received, then straight on to the examination step (status 4 for this procedure).
    assert [e.action for e in dossier.history] == ["submit_online", "receive"]
    assert dossier.status == DossierStatus.PROCESSING and dossier.due_at is not None
    assert dossier.received_by_id == officer.id
    assert session.scalars(select(Task).where(Task.dossier_id == dossier.id, Task.closed_at.is_(None))).all()
    # The applicant's receipt by e-mail (staff task alerts and the SMS go to others, or by another channel).
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "an.nguyen@example.vn", OutboxMessage.channel == "email")
    ).one()
    assert dossier.code in message.subject and "tiếp nhận" in message.subject
    assert online_intake.online_dossiers(session, officer) == []


def test_another_counter_may_not_act_on_it(session, store):
    dossier, _ = _submitted(session, store)
    outsider = _user(session, "chuyenvien")
    with pytest.raises(Forbidden):
        online_intake.accept_online(session, outsider, dossier.code, FORMS)


def test_a_stale_decision_is_a_conflict(session, store):
    dossier, _ = _submitted(session, store)
    officer = _user(session, "motcua")
    seen = dossier.version
    online_intake.refuse_online(session, officer, dossier.code, "Không thuộc thẩm quyền", version=seen)
    with pytest.raises(Conflict):
        online_intake.accept_online(session, officer, dossier.code, FORMS, version=seen)


def test_two_officers_accepting_at_once_one_wins(db_url, tmp_path):
    store = AttachmentStore(tmp_path / "files")
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        dossier, _ = _submitted(session, store)
        code = dossier.code
    with session_scope(engine) as first, session_scope(engine) as second:
        # Both read the dossier as status 1 before either writes.
        first.scalars(select(Dossier).where(Dossier.code == code)).one()
        second.scalars(select(Dossier).where(Dossier.code == code)).one()
        online_intake.accept_online(first, _user(first, "motcua"), code, FORMS)
        first.commit()
        with pytest.raises(Conflict):
            online_intake.accept_online(second, _user(second, "motcua"), code, FORMS)
        second.rollback()
    with session_scope(engine) as session:
        dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one()
        assert dossier.status == DossierStatus.PROCESSING
        assert [e.action for e in dossier.history].count("receive") == 1
    engine.dispose()


def test_supplement_asked_then_resubmitted_goes_back_to_the_counter_with_the_files_kept(session, store):
    dossier, citizen = _submitted(session, store)
    officer = _user(session, "motcua")
    row = dossier.components[1]
    online_supplement.request_online_supplement(session, officer, dossier.code, {row.id: "Ảnh chụp bị mờ, chụp lại"})
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED
    message = session.scalars(select(OutboxMessage)).one()
    assert "Ảnh chụp bị mờ, chụp lại" in message.body
    with pytest.raises(InvalidInput) as err:
        online_supplement.resubmit(session, citizen, dossier.code)
    assert f"files.{row.id}" in err.value.errors
    online_supplement.add_supplement_files(
        session, citizen, dossier.code, [UploadedFile("moi.pdf", PDF, row.id)], store
    )
    online_supplement.resubmit(session, citizen, dossier.code, "Đã chụp lại")
    assert dossier.status == DossierStatus.NEW
    assert [a.filename for a in dossier.attachments] == ["to-khai.pdf", "giay-chung-sinh.png", "moi.pdf"]
    assert dossier.history[-1].action == "supplement_received"
    online_intake.accept_online(session, officer, dossier.code, FORMS)
    assert dossier.status == DossierStatus.PROCESSING and not row.missing_reason


def test_refusing_needs_a_reason_and_sets_status_3(session, store):
    dossier, _ = _submitted(session, store)
    officer = _user(session, "motcua")
    with pytest.raises(InvalidInput) as err:
        online_intake.refuse_online(session, officer, dossier.code, " ")
    assert err.value.errors["reason"] == "Vui lòng ghi rõ lý do từ chối tiếp nhận."
    online_intake.refuse_online(session, officer, dossier.code, "Thủ tục không thuộc thẩm quyền của tỉnh")
    assert (dossier.status, dossier.refusal_reason) == (3, "Thủ tục không thuộc thẩm quyền của tỉnh")


def test_the_submitted_application_is_kept_for_the_counter(session, store):
    dossier, _ = _submitted(session, store)
    review = online_intake.review(session, _user(session, "motcua"), dossier.code, FORMS)
    assert review.data["child_full_name"] == "Nguyễn Minh Khang"
    assert json.loads(json.dumps(review.data)) == review.data
    assert session.scalars(select(Attachment)).all()
