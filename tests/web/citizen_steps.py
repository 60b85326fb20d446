"""Steps the citizen portal's tests share: accounts, logging in through the pages, finished dossiers."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.models import Dossier
from tests.factories import Api, make_citizen
from tests.web.test_ui import csrf_of
from webapp.extensions import db

PASSWORD = "Matkhau2026"
BIRTH = "1.001193"  # Đăng ký khai sinh: toàn trình, two steps to its result
CHILD = {
    "child_full_name": "Trần Minh Khôi",
    "child_birth_date": "2026-03-04",
    "child_sex": "male",
    "birth_place": "Bệnh viện Đa khoa tỉnh Bình Phước",
    "mother_full_name": "Lê Thị Hồng",
    "father_full_name": "Nguyễn Văn An",
    "declarant_relationship": "cha",
}


def new_account(app: Flask, email: str = "an.nguyen@example.vn", **fields: Any) -> int:
    with app.app_context():
        # Not the applicant of tests.factories: a page showing the account's name shows no dossier's.
        account = make_citizen(db.session, email=email, **{"full_name": "Phạm Thu Hà", **fields})
        db.session.commit()
        return account.id


def citizen_login(client: FlaskClient, email: str = "an.nguyen@example.vn", password: str = PASSWORD, next_: str = ""):
    page = client.get("/cong-dan/dang-nhap").get_data(as_text=True)
    url = "/cong-dan/dang-nhap" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": csrf_of(page)})


def post_form(client: FlaskClient, page_url: str, data: dict[str, Any], url: str | None = None):
    """POST ``data`` to ``url`` (default the page itself) with the CSRF token of ``page_url``."""
    token = csrf_of(client.get(page_url).get_data(as_text=True))
    return client.post(url or page_url, data={**data, "csrf_token": token})


def receive(client: FlaskClient, procedure: str = BIRTH) -> str:
    """A dossier received at the counter (the demo applicant of tests.factories); its code."""
    extra = {"data": CHILD} if procedure == BIRTH else {}
    response = Api(client, "motcua").receive(procedure, **extra)
    assert response.status_code == 201, response.json
    return response.json["code"]


def resolve_birth(client: FlaskClient, code: str) -> None:
    """Walk a birth registration to status 9 (its result issued)."""
    for username, data in (
        ("chuyenvien_tp", {"proposal": "approve", "examination": "Giấy chứng sinh hợp lệ"}),
        ("lanhdao", {"decision": "approve", "note": ""}),
    ):
        api = Api(client, username)
        response = api.complete(api.task_for(code)["id"], data)
        assert response.status_code == 200, response.json


def give_to(app: Flask, code: str, account_id: int) -> None:
    """Link a dossier to an account, as online submission would."""
    with app.app_context():
        db.session.scalars(select(Dossier).where(Dossier.code == code)).one().citizen_id = account_id
        db.session.commit()


RATING = {
    "overall": "4",
    "convenience": "3",
    "timeliness": "4",
    "attitude": "4",
    "transparency": "3",
    "contacts_count": "1",
    "agencies_count": "1",
    "comment": "Cán bộ hướng dẫn tận tình.",
}
