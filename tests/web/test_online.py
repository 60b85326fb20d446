"""Online submission through the pages and the API: the citizen's draft and submission, the counter's online tab,
with the e-mails delivered to a real SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from engine.models import Dossier, OnlineDraft, Procedure, Unit, User, UserRole
from engine.services import citizens
from tests.factories import Api, make_citizen
from tests.smtp import SmtpSink
from webapp import create_app
from webapp.extensions import db

PERMIT = "1.009994"  # mot_phan, three required components and one optional; accepted -> status 2 (assignment)
BIRTH = "1.001193"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PUBLIC = "https://dichvucong.example.gov.vn"
CITIZEN = "an.nguyen@example.vn"  # make_citizen's address


@pytest.fixture
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture
def app(db_url, smtp, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": db_url,
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "PUBLIC_BASE_URL": PUBLIC,
            "MAIL_SERVER": smtp.host,
            "MAIL_PORT": smtp.port,
            "MAIL_SENDER": "Bộ phận Một cửa <motcua@example.com>",
            "SCHEDULER_ENABLED": False,
            "ATTACHMENTS_DIR": tmp_path / "files",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def account(app):
    with app.app_context():
        made = make_citizen(db.session)
        db.session.commit()
        return {"id": made.id, "claims": citizens.session_claims(made), "email": made.email}


@pytest.fixture
def citizen(app, account):
    client = app.test_client()
    with client.session_transaction() as s:
        s["citizen"] = account["claims"]
    return client


def _login_staff(client, username: str = "motcua"):
    response = client.post("/dang-nhap", data={"username": username, "password": "demo"})
    assert response.status_code in (302, 303), response.data
    return client


@pytest.fixture
def counter(app):
    return _login_staff(app.test_client())


def _components(app, code: str = PERMIT) -> list[int]:
    with app.app_context():
        procedure = db.session.scalars(select(Procedure).where(Procedure.code == code)).one()
        return [c.id for c in procedure.components]


def _start(citizen, code: str = PERMIT) -> str:
    page = citizen.get(f"/cong-dan/nop-ho-so/{code}")
    unit_id = re.search(r'name="unit_id" value="(\d+)"', page.get_data(as_text=True)).group(1)
    response = citizen.post(f"/cong-dan/nop-ho-so/{code}", data={"unit_id": unit_id})
    assert response.status_code == 302, response.data
    return response.headers["Location"]


def _applicant(**overrides):
    return {
        "kind": "person",
        "full_name": "Nguyễn Văn An",
        "id_number": "001090012345",
        "phone": "0912345678",
        "email": "an.nguyen@example.vn",
        "address": "12 Trần Phú, Ba Đình, Hà Nội",
        "return_method": "counter",
        **overrides,
    }


def _files(ids: list[int], content: bytes = PDF) -> dict:
    return {f"file-{i}": (io.BytesIO(content), f"giay-to-{i}.pdf") for i in ids}


def _submit(app, citizen) -> str:
    """A permit dossier submitted online through the pages; its code."""
    url = _start(citizen)
    required = _components(app)[:3]
    response = citizen.post(url, data={**_applicant(), "action": "submit", **_files(required)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def _status(app, code: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Dossier.status).where(Dossier.code == code)).one()


def test_the_procedure_list_offers_only_procedures_submitted_online_and_finds_without_accents(app, citizen):
    with app.app_context():
        procedure = db.session.scalars(select(Procedure).where(Procedure.code == BIRTH)).one()
        procedure.online_level = "none"
        db.session.commit()
    page = citizen.get("/cong-dan/nop-ho-so").get_data(as_text=True)
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in page and "Đăng ký khai sinh" not in page
    found = citizen.get("/cong-dan/nop-ho-so?q=giay phep xay dung").get_data(as_text=True)
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in found and "Đăng ký kết hôn" not in found
    refused = citizen.get(f"/cong-dan/nop-ho-so/{BIRTH}")
    assert refused.status_code == 422 and "chưa được cung cấp trực tuyến" in refused.get_data(as_text=True)


def test_a_draft_is_prefilled_saved_and_listed(app, citizen):
    url = _start(citizen)
    page = citizen.get(url).get_data(as_text=True)
    assert 'value="Nguyễn Văn An"' in page and 'value="001090012345"' in page
    response = citizen.post(url, data={**_applicant(address="Số 9 Lê Lợi, Đồng Xoài"), "action": "save"})
    assert response.status_code == 302
    saved = citizen.get(url).get_data(as_text=True)
    assert "Đã lưu nháp." in saved and 'value="Số 9 Lê Lợi, Đồng Xoài"' in saved
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" in citizen.get("/cong-dan/ho-so-nhap").get_data(as_text=True)


def test_another_citizen_cannot_open_or_change_a_draft(app, citizen):
    url = _start(citizen)
    other = app.test_client()
    with app.app_context():
        stranger = make_citizen(db.session, email="binh@example.vn")
        db.session.commit()
        claims = citizens.session_claims(stranger)
    with other.session_transaction() as s:
        s["citizen"] = claims
    assert other.get(url).status_code == 404
    assert other.post(url, data={**_applicant(full_name="Kẻ lạ"), "action": "save"}).status_code == 404
    assert "Nguyễn Văn An" in citizen.get(url).get_data(as_text=True)


def test_a_fake_pdf_is_refused_with_a_message_and_what_was_typed_and_uploaded_stays(app, citizen):
    url = _start(citizen)
    first, second = _components(app)[:2]
    assert citizen.post(url, data={**_applicant(), "action": "save", **_files([first])}).status_code == 302
    response = citizen.post(
        url, data={**_applicant(phone="0987654321"), "action": "save", **_files([second], b"MZ\x90\x00 executable")}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Tệp “giay-to-{second}.pdf” không phải PDF thật" in page
    assert f"✔ giay-to-{first}.pdf" in page and 'value="0987654321"' in page


def test_submitting_without_a_required_component_names_it_and_keeps_the_draft(app, citizen):
    url = _start(citizen)
    ids = _components(app)
    response = citizen.post(url, data={**_applicant(), "action": "submit", **_files(ids[:2])})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Chưa tải lên “Bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng)” (thành phần bắt buộc)." in page
    assert f"✔ giay-to-{ids[0]}.pdf" in page and f"✔ giay-to-{ids[1]}.pdf" in page
    with app.app_context():
        assert db.session.scalars(select(Dossier)).all() == []
        assert len(db.session.scalars(select(OnlineDraft)).one().files) == 2


def test_a_submitted_dossier_waits_in_the_counters_online_tab_and_is_accepted_with_the_receipt_emailed(
    app, citizen, counter, smtp
):
    code = _submit(app, citizen)
    assert _status(app, code) == 1
    assert "Mới đăng ký" in citizen.get(f"/cong-dan/nop-ho-so/da-nop/{code}").get_data(as_text=True)
    staff_page = counter.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Xem và xử lý hồ sơ trực tuyến" in staff_page and "/phieu" not in staff_page
    tab = counter.get("/mot-cua/truc-tuyen").get_data(as_text=True)
    assert code in tab and '<span class="count" id="online-count">1</span>' in tab
    review = counter.get(f"/mot-cua/truc-tuyen/{code}").get_data(as_text=True)
    assert "Nguyễn Văn An" in review
    attachment = re.search(rf'href="(/ho-so/{re.escape(code)}/tep/\d+)"', review).group(1)
    shown = counter.get(attachment)
    assert shown.status_code == 200 and shown.data == PDF and shown.headers["Content-Disposition"].startswith("inline")
    version = re.search(r'name="version" value="(\d+)"', review).group(1)
    accepted = counter.post(f"/mot-cua/truc-tuyen/{code}/tiep-nhan", data={"version": version})
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith(f"/ho-so/{code}/phieu")
    assert _status(app, code) == 2  # as after a reception at the counter: waiting for assignment
    receipt = counter.get(f"/ho-so/{code}/phieu").get_data(as_text=True)
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in receipt.upper() or "GIẤY TIẾP NHẬN" in receipt.upper()
    assert smtp.subjects_to(CITIZEN) == [f"Hồ sơ {code} đã được tiếp nhận"]
    (mail,) = [m for m in smtp.messages if CITIZEN in m.recipients]
    assert f"Mã hồ sơ: {code}" in mail.body and "Ngày hẹn trả kết quả: " in mail.body
    assert f"{PUBLIC}/tra-cuu/{code}" in mail.body
    with app.app_context():
        leader_tasks = Api(app.test_client(), "truongphong").get("/tasks").json
    assert any(t["dossier_code"] == code for t in leader_tasks)
    assert code not in counter.get("/mot-cua/truc-tuyen").get_data(as_text=True)


def test_a_second_accept_of_the_same_dossier_gets_409(app, citizen, counter):
    code = _submit(app, citizen)
    review = counter.get(f"/mot-cua/truc-tuyen/{code}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', review).group(1)
    other = _login_staff(app.test_client())
    assert other.post(f"/mot-cua/truc-tuyen/{code}/tiep-nhan", data={"version": version}).status_code == 302
    late = counter.post(f"/mot-cua/truc-tuyen/{code}/tiep-nhan", data={"version": version})
    assert late.status_code == 409
    assert "vừa được cán bộ khác xử lý" in late.get_data(as_text=True)


def test_the_counter_asks_for_supplements_and_the_citizen_adds_them_online(app, citizen, counter, smtp):
    code = _submit(app, citizen)
    with app.app_context():
        rows = db.session.scalars(select(Dossier).where(Dossier.code == code)).one().components
        drawing = rows[2].id
    missing = counter.post(f"/mot-cua/truc-tuyen/{code}/bo-sung", data={})
    assert missing.status_code == 422 and "Hãy ghi rõ thành phần cần bổ sung và lý do." in missing.get_data(
        as_text=True
    )
    asked = counter.post(
        f"/mot-cua/truc-tuyen/{code}/bo-sung", data={f"reason-{drawing}": "Thiếu bản vẽ mặt cắt, bổ sung đủ"}
    )
    assert asked.status_code == 302 and _status(app, code) == 5
    assert smtp.subjects_to(CITIZEN) == [f"Hồ sơ {code} cần bổ sung giấy tờ"]
    assert "Thiếu bản vẽ mặt cắt, bổ sung đủ" in smtp.messages[0].body
    assert f"{PUBLIC}/cong-dan/ho-so/{code}/bo-sung" in smtp.messages[0].body

    page = citizen.get(f"/cong-dan/ho-so/{code}/bo-sung").get_data(as_text=True)
    assert "Yêu cầu: Thiếu bản vẽ mặt cắt, bổ sung đủ" in page
    nothing = citizen.post(f"/cong-dan/ho-so/{code}/bo-sung", data={})
    assert nothing.status_code == 422 and "Chưa tải lên “Bản vẽ thiết kế" in nothing.get_data(as_text=True)
    fake = citizen.post(
        f"/cong-dan/ho-so/{code}/bo-sung", data={f"file-{drawing}": (io.BytesIO(b"not a pdf"), "ban-ve.pdf")}
    )
    assert fake.status_code == 422 and "không phải PDF thật" in fake.get_data(as_text=True)
    done = citizen.post(
        f"/cong-dan/ho-so/{code}/bo-sung",
        data={f"file-{drawing}": (io.BytesIO(PDF), "ban-ve-moi.pdf"), "note": "Đã bổ sung"},
    )
    assert done.status_code == 302 and _status(app, code) == 1
    review = counter.get(f"/mot-cua/truc-tuyen/{code}").get_data(as_text=True)
    assert "ban-ve-moi.pdf" in review and f"giay-to-{_components(app)[0]}.pdf" in review
    assert code in counter.get("/mot-cua/truc-tuyen").get_data(as_text=True)


def test_refusing_needs_a_reason_sets_status_3_and_emails_it(app, citizen, counter, smtp):
    code = _submit(app, citizen)
    empty = counter.post(f"/mot-cua/truc-tuyen/{code}/tu-choi", data={"reason": ""})
    assert empty.status_code == 422 and "Vui lòng ghi rõ lý do từ chối tiếp nhận." in empty.get_data(as_text=True)
    refused = counter.post(f"/mot-cua/truc-tuyen/{code}/tu-choi", data={"reason": "Công trình nằm trong khu quy hoạch"})
    assert refused.status_code == 302 and _status(app, code) == 3
    assert smtp.subjects_to(CITIZEN) == [f"Hồ sơ {code} không được tiếp nhận"]
    assert "Lý do: Công trình nằm trong khu quy hoạch" in smtp.messages[0].body


def test_an_officer_of_another_counter_may_not_act_on_it(app, citizen):
    code = _submit(app, citizen)
    with app.app_context():
        agency = db.session.scalars(select(Unit).where(Unit.code == "000.00.00.H10")).one()
        other = Unit(code="000.00.02.H10", name="Bộ phận một cửa xã Tân Phú", kind="counter", parent_id=agency.id)
        db.session.add(other)
        db.session.flush()
        motcua = db.session.scalars(select(User).where(User.username == "motcua")).one()
        db.session.add(
            User(
                username="motcua2",
                full_name="Lý Thị Hoa",
                password_hash=motcua.password_hash,
                unit_id=other.id,
                role_rows=[UserRole(role="counter_officer")],
            )
        )
        db.session.commit()
    outsider = _login_staff(app.test_client(), "motcua2")
    assert code not in outsider.get("/mot-cua/truc-tuyen").get_data(as_text=True)
    assert outsider.post(f"/mot-cua/truc-tuyen/{code}/tiep-nhan", data={}).status_code == 403
    assert _status(app, code) == 1


# --- API -------------------------------------------------------------------------------------------


def _bearer(app, account) -> dict[str, str]:
    with app.app_context():
        from engine.models import CitizenAccount

        token = citizens.api_token(db.session.get(CitizenAccount, account["id"]), "test-secret")
    return {"Authorization": f"Bearer {token}"}


def _api_submit(client, headers, files: dict, **payload):
    import json

    body = {"procedure_code": PERMIT, "applicant": _applicant(), **payload}
    return client.post(
        "/api/v1/citizen/submissions",
        headers=headers,
        data={"payload": json.dumps(body), **files},
        content_type="multipart/form-data",
    )


def test_api_submission_refuses_a_missing_component_keeps_the_draft_and_then_submits_it(app, account):
    client, headers = app.test_client(), _bearer(app, account)
    ids = _components(app)
    first = _api_submit(client, headers, _files(ids[:2]))
    assert first.status_code == 422
    assert "Bản vẽ thiết kế xây dựng" in first.json["errors"][f"files.{ids[2]}"]
    draft_id = first.json["draft_id"]
    second = _api_submit(client, headers, _files(ids[2:3]), draft_id=draft_id)
    assert second.status_code == 201, second.json
    assert (second.json["status"], second.json["channel"]) == (1, 2)
    assert len(second.json["attachments"]) == 3


def test_api_refuses_a_staff_token_for_citizen_calls_and_a_fake_file(app, account):
    client = app.test_client()
    staff = Api(client, "motcua")
    assert _api_submit(client, staff.headers, {}).status_code == 401
    ids = _components(app)
    fake = _api_submit(client, _bearer(app, account), _files(ids[:1], b"GIF89a not a pdf"))
    assert fake.status_code == 422 and "không phải PDF thật" in fake.json["errors"][f"files.{ids[0]}"]


def test_api_online_tab_supplement_and_citizen_resubmission(app, account, smtp):
    client, headers = app.test_client(), _bearer(app, account)
    created = _api_submit(client, headers, _files(_components(app)[:3]))
    code = created.json["code"]
    staff = Api(client, "motcua")
    listed = staff.get("/online-dossiers").json
    assert [d["code"] for d in listed] == [code]
    row = created.json["components"][0]["id"]
    asked = staff.post(f"/online-dossiers/{code}/supplement", {"items": [{"component_id": row, "reason": "Ký tên"}]})
    assert asked.status_code == 200 and asked.json["status"] == 5
    back = client.post(
        f"/api/v1/citizen/dossiers/{code}/supplement",
        headers=headers,
        data={f"file-{row}": (io.BytesIO(PDF), "don-da-ky.pdf")},
        content_type="multipart/form-data",
    )
    assert back.status_code == 200 and back.json["status"] == 1
    stale = staff.post(f"/online-dossiers/{code}/refuse", {"reason": "Không hợp lệ", "version": 1})
    assert stale.status_code == 409
    accepted = staff.post(f"/online-dossiers/{code}/accept", {})
    assert accepted.status_code == 200 and accepted.json["status"] == 2
    assert smtp.subjects_to(CITIZEN)[-1] == f"Hồ sơ {code} đã được tiếp nhận"
