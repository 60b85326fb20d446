"""The form editor's pages through the Flask test client (CSRF on)."""

from __future__ import annotations

import re

from tests.factories import PERMIT, Api, specialist_choice
from tests.web.test_ui import csrf_of, login

ASSIGN_ROWS = {
    "fields-0-name": "specialist",
    "fields-0-label": "Chuyên viên thụ lý",
    "fields-0-type": "user",
    "fields-0-required": "1",
    "fields-0-role": "specialist",
    "fields-1-name": "note",
    "fields-1-label": "Ý kiến chỉ đạo",
    "fields-1-type": "textarea",
    "fields-1-max_length": "2000",
}


def _editor(client, name: str) -> str:
    response = client.get(f"/thiet-ke/bieu-mau/{name}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_list_shows_each_form_where_it_is_used_and_the_editor_its_fields(client):
    login(client, "thietke")
    html = client.get("/thiet-ke/bieu-mau").get_data(as_text=True)
    assert 'data-form="approve"' in html and "Phê duyệt kết quả" in html and "cap_phep_xay_dung" in html
    assert "trong vòng 30 giây" in html
    assert "/thiet-ke/bieu-mau" in client.get("/thiet-ke/cap_phep_xay_dung/phien-ban").get_data(as_text=True)
    page = _editor(client, "approve")
    assert 'name="fields-0-name" value="decision"' in page and "approve|Đồng ý, ký duyệt" in page
    assert "form_editor.js" in page and "<script>" not in page


def test_non_designers_are_refused(client):
    login(client, "motcua")
    assert client.get("/thiet-ke/bieu-mau").status_code == 403
    assert client.get("/thiet-ke/bieu-mau/approve").status_code == 403


def test_errors_are_shown_beside_the_fields_with_what_was_typed_kept(client):
    login(client, "thietke")
    token = csrf_of(_editor(client, "assign"))
    data = {
        **ASSIGN_ROWS,
        "csrf_token": token,
        "title": "Phân công thụ lý (sửa)",
        "fields-2-name": "2 so ban",
        "fields-2-label": "Số bản cần cấp",
        "fields-2-type": "integer",
        "fields-2-min": "9",
        "fields-2-max": "3",
    }
    response = client.post("/thiet-ke/bieu-mau/assign", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tên trường chỉ gồm chữ cái không dấu" in html
    assert "Giá trị lớn nhất phải lớn hơn hoặc bằng giá trị nhỏ nhất." in html
    assert 'value="2 so ban"' in html and 'value="Số bản cần cấp"' in html and 'value="Phân công thụ lý (sửa)"' in html
    # Without the assignee field the process could not pick the specialist: refused, naming the process.
    refused = client.post(
        "/thiet-ke/bieu-mau/assign",
        data={"csrf_token": token, "title": "Phân công", **{k: v for k, v in ASSIGN_ROWS.items() if "-0-" not in k}},
    )
    assert refused.status_code == 422 and "cap_phep_xay_dung" in refused.get_data(as_text=True)
    # Without the CSRF token nothing is saved.
    assert client.post("/thiet-ke/bieu-mau/assign", data={**ASSIGN_ROWS, "title": "X"}).status_code == 400


def test_the_preview_renders_the_task_pages_field_macro(client):
    login(client, "thietke")
    token = csrf_of(_editor(client, "approve"))
    definition = {
        "title": "Thử",
        "fields": [
            {"name": "so_ban", "label": "Số bản", "type": "integer", "required": True},
            {"name": "loai", "label": "Loại", "type": "choice", "choices": "a|Loại A\nb|Loại B"},
        ],
    }
    response = client.post("/thiet-ke/bieu-mau/xem-truoc", json=definition, headers={"X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<label for="so_ban">Số bản <span class="req" aria-hidden="true">*</span></label>' in html
    assert 'type="number"' in html and 'value="a"' in html and "Loại B" in html
    bad = client.post(
        "/thiet-ke/bieu-mau/xem-truoc",
        json={"title": "Thử", "fields": [{"name": "", "label": "Số bản"}]},
        headers={"X-CSRFToken": token},
    )
    assert bad.status_code == 422 and "Vui lòng nhập tên trường." in bad.get_data(as_text=True)
    assert client.post("/thiet-ke/bieu-mau/xem-truoc", json=definition).status_code == 400  # no token


def test_a_new_optional_field_reaches_an_open_task_and_its_completion(client):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    login(client, "thietke")
    token = csrf_of(_editor(client, "assign"))
    data = {
        **ASSIGN_ROWS,
        "csrf_token": token,
        "title": "Phân công thụ lý",
        "fields-2-name": "muc_do",
        "fields-2-label": "Mức độ ưu tiên",
        "fields-2-type": "choice",
        "fields-2-choices": "thuong|Thường\nkhan|Khẩn",
    }
    saved = client.post("/thiet-ke/bieu-mau/assign", data=data, follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "phiên bản 1" in html and "áp dụng trong vòng 30 giây" in html
    assert re.search(r'<tr data-version="1">', html)
    client.get("/dang-xuat")
    login(client, "truongphong")
    page = client.get(f"/cong-viec/{task['id']}").get_data(as_text=True)
    assert "Mức độ ưu tiên" in page and 'name="muc_do"' in page
    fresh = leader.task_for(code)
    done = leader.complete(fresh["id"], {"specialist": specialist_choice(fresh), "muc_do": "khan"})
    assert done.status_code == 200, done.json
