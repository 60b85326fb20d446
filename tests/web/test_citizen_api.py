"""The citizen API: registration, tokens apart from staff tokens, own dossiers, the result, the rating."""

from __future__ import annotations

from sqlalchemy import update

from engine.models import CitizenAccount
from tests.factories import PERMIT, Api
from tests.web.citizen_steps import PASSWORD, RATING, give_to, new_account, receive, resolve_birth
from webapp.extensions import db


def _token(client, email: str = "an.nguyen@example.vn", password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/citizen/token", json={"email": email, "password": password})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_registration_refuses_a_duplicate_and_a_weak_password_per_field(app, client):
    body = {"email": "binh@example.vn", "password": "Antoan2026", "full_name": "Trần Thị Bình"}
    created = client.post("/api/v1/citizen/register", json=body)
    assert created.status_code == 201 and created.json["verified"] is False
    unverified = client.post("/api/v1/citizen/token", json={"email": "binh@example.vn", "password": "Antoan2026"})
    assert unverified.status_code == 401 and "chưa được xác thực" in unverified.json["error"]
    again = client.post("/api/v1/citizen/register", json={**body, "email": "BINH@example.vn", "password": "ngan"})
    assert again.status_code == 422
    assert "đã được đăng ký" in again.json["errors"]["email"]
    assert "ít nhất 8 ký tự" in again.json["errors"]["password"]
    assert client.post("/api/v1/citizen/register", data="x").status_code == 400


def test_citizen_and_staff_tokens_are_not_interchangeable(app, client):
    new_account(app)
    citizen = _token(client)
    staff = Api(client, "motcua").headers
    assert client.get("/api/v1/tasks", headers=citizen).status_code == 401
    assert client.get("/api/v1/citizen/dossiers", headers=staff).status_code == 401
    assert client.get("/api/v1/citizen/dossiers").status_code == 401
    assert client.get("/api/v1/citizen/dossiers", headers=citizen).json == []
    with app.app_context():  # a password change elsewhere ends the token
        db.session.execute(update(CitizenAccount).values(token_generation=CitizenAccount.token_generation + 1))
        db.session.commit()
    gone = client.get("/api/v1/citizen/dossiers", headers=citizen)
    assert gone.status_code == 401 and "không còn hiệu lực" in gone.json["error"]


def test_a_citizen_reads_only_own_dossiers_downloads_the_result_and_rates_once(app, client):
    mine, theirs = receive(client), receive(client, PERMIT)
    give_to(app, mine, new_account(app))
    give_to(app, theirs, new_account(app, email="khac@example.vn"))
    headers = _token(client)
    listed = client.get("/api/v1/citizen/dossiers", headers=headers).json
    assert [d["code"] for d in listed] == [mine]
    assert client.get(f"/api/v1/citizen/dossiers/{theirs}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/citizen/dossiers/{theirs}/rating", headers=headers, json=RATING).status_code == 404
    early = client.post(f"/api/v1/citizen/dossiers/{mine}/rating", headers=headers, json=RATING)
    assert early.status_code == 409 and "Chỉ đánh giá được khi hồ sơ đã xử lý xong" in early.json["error"]
    assert client.get(f"/api/v1/citizen/dossiers/{mine}/result", headers=headers).status_code == 409

    resolve_birth(client, mine)
    details = client.get(f"/api/v1/citizen/dossiers/{mine}", headers=headers).json
    assert details["status"] == 9 and details["applicant"]["full_name"] == "Nguyễn Văn An"
    assert details["result"]["downloadable"] is True and details["rated"] is False
    result = client.get(f"/api/v1/citizen/dossiers/{mine}/result", headers=headers)
    assert result.status_code == 200 and result.headers["X-Verification-Code"] == details["result"]["verification_code"]

    numbers = {k: (int(v) if k != "comment" else v) for k, v in RATING.items()}
    bad = client.post(f"/api/v1/citizen/dossiers/{mine}/rating", headers=headers, json={**numbers, "overall": 5})
    assert bad.status_code == 422 and "overall" in bad.json["errors"]
    done = client.post(f"/api/v1/citizen/dossiers/{mine}/rating", headers=headers, json=numbers)
    assert done.status_code == 201 and done.json["overall"] == 4
    twice = client.post(f"/api/v1/citizen/dossiers/{mine}/rating", headers=headers, json=numbers)
    assert (
        twice.status_code == 409
        and twice.json["error"] == "Hồ sơ này đã được đánh giá. Mỗi hồ sơ chỉ được đánh giá một lần."
    )
