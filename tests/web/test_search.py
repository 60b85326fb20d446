"""The search page and the search API: results, typed values kept, errors by field, saved searches, e-mail."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine import clock
from engine.models import OutboxMessage
from tests.factories import Api, make_dossier
from tests.web.test_ui import csrf_of, login
from webapp.extensions import db

PDF = b"%PDF-1.4\n% test\n%%EOF\n"


@pytest.fixture
def codes(app):
    now = clock.now().replace(microsecond=0)
    with app.app_context():
        made = {
            "an": make_dossier(db.session, applicant_name="Nguyễn Văn An", email="an@example.com"),
            "late": make_dossier(
                db.session, applicant_name="Trần Thị Bình", due_at=now - timedelta(days=1), email="binh@example.com"
            ),
            "justice": make_dossier(db.session, "1.001193", applicant_name="Nguyễn Thị Tư Pháp"),
        }
        db.session.commit()
        return {label: d.code for label, d in made.items()}


def test_the_page_finds_by_name_without_diacritics_and_marks_overdue(client, codes):
    login(client, "lanhdao")
    page = client.get("/ho-so/tim-kiem?name=tran thi binh")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert codes["late"] in html and codes["an"] not in html
    assert "Quá hạn" in html and "Tìm thấy 1 hồ sơ." in html
    assert 'value="tran thi binh"' in html  # what was typed stays in the box


def test_staff_of_another_department_do_not_see_the_dossiers(client, codes):
    login(client, "chuyenvien_tp")
    html = client.get("/ho-so/tim-kiem?name=nguyen").get_data(as_text=True)
    assert codes["justice"] in html and codes["an"] not in html


def test_bad_criteria_are_shown_by_field_with_the_typed_values(client, codes):
    login(client, "lanhdao")
    page = client.get("/ho-so/tim-kiem?received_from=2026-05-10&received_to=2026-05-01&code=ABC")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu." in html
    assert 'value="2026-05-10"' in html and 'value="ABC"' in html
    assert 'id="results"' not in html


def test_a_saved_search_is_listed_applied_and_deleted(client, codes):
    login(client, "lanhdao")
    page = client.get("/ho-so/tim-kiem?overdue=1").get_data(as_text=True)
    saved = client.post(
        "/ho-so/tim-kiem/luu", data={"overdue": "1", "search_name": "Hồ sơ trễ hạn", "csrf_token": csrf_of(page)}
    )
    assert saved.status_code == 302
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Đã lưu tìm kiếm “Hồ sơ trễ hạn”." in page
    link = page.split('id="saved-searches"')[1].split('href="')[1].split('"')[0]
    applied = client.get(link)
    assert applied.status_code == 302 and "overdue=1" in applied.headers["Location"]
    again = client.post(
        "/ho-so/tim-kiem/luu", data={"overdue": "1", "search_name": "Hồ sơ trễ hạn", "csrf_token": csrf_of(page)}
    )
    assert again.status_code == 422
    assert "Bạn đã có tìm kiếm tên “Hồ sơ trễ hạn”" in again.get_data(as_text=True)
    delete = page.split('id="saved-searches"')[1].split('action="')[1].split('"')[0]
    client.post(delete, data={"csrf_token": csrf_of(page)})
    assert "Chưa có tìm kiếm nào được lưu." in client.get("/ho-so/tim-kiem").get_data(as_text=True)


def test_bulk_email_from_the_page_queues_one_message_per_applicant(app, client, codes):
    login(client, "motcua")
    page = client.get("/ho-so/tim-kiem?name=nguyen").get_data(as_text=True)
    assert "Gửi e-mail cho người nộp" in page
    form = {"name": "nguyen", "subject": "", "body": "Nội dung", "csrf_token": csrf_of(page)}
    refused = client.post("/ho-so/tim-kiem/gui-email", data=form)
    assert refused.status_code == 422 and "Hãy nhập tiêu đề thư." in refused.get_data(as_text=True)
    assert ">Nội dung</textarea>" in refused.get_data(as_text=True)
    form.update(subject="Lịch nghỉ lễ", attachment=(io.BytesIO(PDF), "lich.pdf"))
    sent = client.post("/ho-so/tim-kiem/gui-email", data=form, content_type="multipart/form-data")
    assert sent.status_code == 302
    flashed = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Đã xếp 1 thư vào hàng đợi gửi cho người nộp. 1 hồ sơ không có địa chỉ e-mail" in flashed
    with app.app_context():
        (message,) = db.session.scalars(select(OutboxMessage)).all()
        assert (message.recipient, message.subject, message.attachment_id is not None) == (
            "an@example.com",
            "Lịch nghỉ lễ",
            True,
        )


def test_a_specialist_is_offered_no_bulk_email_and_refused_it(client, codes):
    login(client, "chuyenvien")
    page = client.get("/ho-so/tim-kiem?name=nguyen").get_data(as_text=True)
    assert "Gửi e-mail cho người nộp" not in page
    data = {"name": "nguyen", "subject": "a", "body": "b", "csrf_token": csrf_of(page)}
    assert client.post("/ho-so/tim-kiem/gui-email", data=data).status_code == 403


def test_api_search_returns_items_and_paging(client, codes):
    response = Api(client, "lanhdao").get("/dossiers?name=nguyen&sort=code&per_page=1")
    assert response.status_code == 200
    body = response.json
    assert [i["code"] for i in body["items"]] == [min(codes["an"], codes["justice"])]
    assert body["paging"] == {"page": 1, "per_page": 1, "pages": 2, "total": 2, "more": False, "count_cap": 1000}
    late = Api(client, "lanhdao").get("/dossiers?overdue=true").json["items"]
    assert [(i["code"], i["overdue"]) for i in late] == [(codes["late"], True)]


def test_api_refuses_bad_criteria_with_errors_by_field(client, codes):
    api = Api(client, "lanhdao")
    response = api.get("/dossiers?name=" + "a" * 10_000 + "&due_from=2019-01-01&due_to=2026-01-01&unit=999")
    assert response.status_code == 422
    assert response.json["errors"] == {
        "name": "Quá dài: tối đa 100 ký tự.",
        "due_to": "Khoảng thời gian tối đa là 5 năm.",
    }
    unknown = api.get("/dossiers?unit=999")
    assert unknown.status_code == 422
    assert unknown.json["errors"] == {"unit": "Không có đơn vị này trong phạm vi bạn được xem."}
    assert api.client.get("/api/v1/dossiers").status_code == 401


def test_api_saved_searches_belong_to_their_owner(client, codes):
    leader = Api(client, "lanhdao")
    created = leader.post("/saved-searches", {"name": "Trễ", "criteria": {"overdue": "1"}})
    assert created.status_code == 201 and created.json["criteria"] == {"overdue": "1"}
    saved_id = created.json["id"]
    assert [s["name"] for s in leader.get("/saved-searches").json] == ["Trễ"]
    assert Api(client, "motcua").get(f"/saved-searches/{saved_id}").status_code == 404
    assert leader.post("/saved-searches", {"name": "Trễ", "criteria": {"overdue": "1"}}).status_code == 409
    assert client.delete(f"/api/v1/saved-searches/{saved_id}", headers=leader.headers).status_code == 204
    assert leader.get("/saved-searches").json == []


def test_api_bulk_email(client, codes):
    counter = Api(client, "motcua")
    data = {"name": "nguyen", "subject": "Thông báo", "body": "Nội dung"}
    response = client.post("/api/v1/bulk-emails", headers=counter.headers, data=data)
    assert response.status_code == 201
    assert response.json == {"recipients": 1, "without_email": 1}
    bad = client.post("/api/v1/bulk-emails", headers=counter.headers, data={"subject": "x"})
    assert bad.status_code == 422 and bad.json["errors"] == {"body": "Hãy nhập nội dung thư."}
