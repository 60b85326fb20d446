"""The staff pages and the public lookup, through the Flask test client (CSRF on)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from engine.models import Dossier, Unit, User, UserRole
from tests.factories import APPLICANT, PERMIT, Api, run_permit_to_end
from webapp.extensions import db


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, username: str, password: str = "demo"):
    page = client.get("/dang-nhap").get_data(as_text=True)
    return client.post("/dang-nhap", data={"username": username, "password": password, "csrf_token": csrf_of(page)})


def test_wrong_password_is_explained_and_the_username_kept(client):
    response = login(client, "motcua", "sai")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in html
    assert 'value="motcua"' in html


def test_pages_need_a_login(client):
    response = client.get("/cong-viec")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_form_without_csrf_token_is_refused(client):
    login(client, "motcua")
    response = client.post(f"/mot-cua/tiep-nhan/{PERMIT}", data=dict(APPLICANT))
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)


def test_reception_with_a_bad_id_number_keeps_what_was_typed(app, client):
    login(client, "motcua")
    page = client.get(f"/mot-cua/tiep-nhan/{PERMIT}").get_data(as_text=True)
    components = re.findall(r'name="components" value="(\d+)"', page)
    form = {**APPLICANT, "id_number": "00108801234", "components": components, "csrf_token": csrf_of(page)}
    response = client.post(f"/mot-cua/tiep-nhan/{PERMIT}", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số." in html
    assert 'value="Nguyễn Văn An"' in html and 'value="00108801234"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0


def test_counter_receives_and_the_leader_assigns_through_the_pages(client):
    login(client, "motcua")
    page = client.get(f"/mot-cua/tiep-nhan/{PERMIT}").get_data(as_text=True)
    components = re.findall(r'name="components" value="(\d+)"', page)
    form = {**APPLICANT, "components": components, "channel": "1", "csrf_token": csrf_of(page)}
    response = client.post(f"/mot-cua/tiep-nhan/{PERMIT}", data=form, follow_redirects=True)
    html = response.get_data(as_text=True)
    code = re.search(r"mã hồ sơ (\S+)\.", html).group(1)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in html and "Nguyễn Văn An" in html
    dossier_page = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Được tiếp nhận" in dossier_page and "Tiếp nhận hồ sơ" in dossier_page

    client.post("/dang-xuat", data={"csrf_token": csrf_of(html)})
    login(client, "truongphong")
    inbox = client.get("/cong-viec").get_data(as_text=True)
    assert code in inbox
    task_url = re.search(r'href="(/cong-viec/[0-9a-f-]{36})"', inbox).group(1)
    task_page = client.get(task_url).get_data(as_text=True)
    assert "Phân công thụ lý" in task_page and "Trần Văn Bình" in task_page
    # Each specialist is offered with the work they already hold.
    specialist = re.search(r'<option value="(\d+)">Trần Văn Bình \(0 việc đang xử lý\)</option>', task_page).group(1)

    empty = client.post(task_url, data={"csrf_token": csrf_of(task_page), "note": "Gấp"})
    assert empty.status_code == 422
    assert "Vui lòng nhập “Chuyên viên thụ lý”." in empty.get_data(as_text=True)
    assert "Gấp" in empty.get_data(as_text=True)

    done = client.post(
        task_url,
        data={"csrf_token": csrf_of(task_page), "specialist": specialist, "note": "Gấp"},
        follow_redirects=True,
    )
    assert "Đã hoàn thành “Phân công thụ lý”" in done.get_data(as_text=True)
    again = client.post(
        task_url, data={"csrf_token": csrf_of(task_page), "specialist": specialist}, follow_redirects=True
    )
    assert "Công việc này đã được xử lý" in again.get_data(as_text=True)

    history = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Lê Hoàng Cường" in history and "Gấp" in history and "Đang xử lý" in history


def test_scanner_search_opens_the_dossier(client):
    code = Api(client, "motcua").receive().json["code"]
    login(client, "motcua")
    response = client.get(f"/ho-so/?code={code.lower()}", follow_redirects=True)
    assert response.status_code == 200 and f"Hồ sơ {code}" in response.get_data(as_text=True)


def test_staff_of_another_agency_cannot_see_the_dossier(app, client):
    code = Api(client, "motcua").receive().json["code"]
    with app.app_context():
        other = Unit(code="000.00.00.H26", name="Ủy ban nhân dân tỉnh khác", kind="agency")
        db.session.add(other)
        db.session.flush()
        password = db.session.scalars(select(User.password_hash).where(User.username == "motcua")).one()
        db.session.add(
            User(
                username="ngoai",
                full_name="Người Ngoài",
                password_hash=password,
                unit_id=other.id,
                role_rows=[UserRole(role="agency_leader")],
            )
        )
        db.session.commit()
    login(client, "ngoai")
    response = client.get(f"/ho-so/{code}")
    assert response.status_code == 403
    assert APPLICANT["full_name"] not in response.get_data(as_text=True)
    assert Api(client, "ngoai").get(f"/dossiers/{code}").status_code == 403


def test_public_lookup_page_shows_the_returned_status_without_personal_data(client):
    code = Api(client, "motcua").receive().json["code"]
    run_permit_to_end(client, code)
    html = client.get(f"/tra-cuu/?code={code}", follow_redirects=True).get_data(as_text=True)
    assert "Đã trả kết quả" in html and "Cấp giấy phép xây dựng nhà ở riêng lẻ" in html
    for private in (APPLICANT["full_name"], APPLICANT["id_number"], APPLICANT["phone"], APPLICANT["address"]):
        assert private not in html


def test_public_lookup_of_unknown_code_says_so(client):
    response = client.get("/tra-cuu/000.00.01.H10-200101-0001")
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ mã" in response.get_data(as_text=True)
