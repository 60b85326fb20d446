"""The processing pages through the Flask test client (CSRF on): inbox tabs, claim, comments,
delegation, rework, extension; bad input answered on the page with what was typed kept."""

from __future__ import annotations

import re
from datetime import timedelta

from engine import clock
from tests.factories import PERMIT, Api, specialist_choice
from tests.web.test_ui import csrf_of, login


def _assigned(client) -> str:
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    leader = Api(client, "truongphong")
    task = leader.task_for(code)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    return code


def test_inbox_tabs_count_and_claim(client):
    code = Api(client, "motcua").receive(PERMIT).json["code"]
    login(client, "truongphong")
    page = client.get("/cong-viec?tab=pool")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-tab="pool">1<' in html and 'data-tab="mine">0<' in html
    assert code in html and "Sắp đến hạn" in html  # the assignment step has 8 working hours
    task_id = Api(client, "truongphong").task_for(code)["id"]
    claimed = client.post(
        f"/cong-viec/{task_id}/nhan", data={"csrf_token": csrf_of(html), "next": "/cong-viec?tab=mine"}
    )
    assert claimed.status_code == 302 and claimed.headers["Location"].endswith("/cong-viec?tab=mine")
    mine = client.get("/cong-viec?tab=mine").get_data(as_text=True)
    assert code in mine and "Đã nhận xử lý “Phân công thụ lý”" in mine
    # The claimed task carries the claimer's badge, and claiming twice is refused with a message.
    again = client.post(f"/cong-viec/{task_id}/nhan", data={"csrf_token": csrf_of(mine)}, follow_redirects=True)
    assert "Bạn đã nhận công việc này rồi." in again.get_data(as_text=True)


def test_a_bad_filter_is_explained(client):
    login(client, "truongphong")
    page = client.get("/cong-viec?received_from=32/13/2026&due=late")
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Bộ lọc chưa hợp lệ" in html and "Ngày không hợp lệ" in html


def test_an_empty_comment_is_refused_and_a_long_one_kept(client):
    code = _assigned(client)
    login(client, "chuyenvien")
    html = client.get(f"/ho-so/{code}").get_data(as_text=True)
    empty = client.post(f"/ho-so/{code}/y-kien", data={"csrf_token": csrf_of(html), "body": "  "})
    assert empty.status_code == 422 and "Hãy nhập ý kiến." in empty.get_data(as_text=True)
    long = "Ý kiến " * 400
    refused = client.post(f"/ho-so/{code}/y-kien", data={"csrf_token": csrf_of(html), "body": long})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Tối đa 2000 ký tự" in body and long.strip()[:100] in body
    ok = client.post(f"/ho-so/{code}/y-kien", data={"csrf_token": csrf_of(html), "body": "Đã kiểm tra thực địa"})
    assert ok.status_code == 302
    page = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Đã kiểm tra thực địa" in page
    # The assignment was done at once: its history line says it was done in time.
    assert re.search(r'class="badge timeliness">(Trước hạn|Đúng hạn)<', page)


def test_delegation_form_keeps_what_was_typed(client):
    login(client, "truongphong")
    html = client.get("/uy-quyen").get_data(as_text=True)
    assert "Vũ Đức Thắng" in html
    refused = client.post(
        "/uy-quyen", data={"csrf_token": csrf_of(html), "deputy_id": "", "ends_at": "2020-01-01", "reason": "Nghỉ phép"}
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Hãy chọn người được ủy quyền." in body and 'value="Nghỉ phép"' in body
    assert "Chưa có ủy quyền nào." in body


def test_rework_without_a_reason_keeps_the_task_page(client):
    code = _assigned(client)
    specialist = Api(client, "chuyenvien")
    specialist.complete(specialist.task_for(code)["id"], {"proposal": "approve", "examination": "Đủ"})
    task_id = Api(client, "lanhdao").task_for(code)["id"]
    login(client, "lanhdao")
    html = client.get(f"/cong-viec/{task_id}").get_data(as_text=True)
    assert "Chuyển lại bước trước" in html
    refused = client.post(f"/cong-viec/{task_id}/chuyen-lai", data={"csrf_token": csrf_of(html), "reason": " "})
    assert refused.status_code == 422 and "Hãy nhập lý do." in refused.get_data(as_text=True)
    done = client.post(
        f"/cong-viec/{task_id}/chuyen-lai", data={"csrf_token": csrf_of(html), "reason": "Sai diện tích"}
    )
    assert done.status_code == 302
    assert Api(client, "chuyenvien").task_for(code)["title"] == "Thẩm định hồ sơ"


def test_extension_form_shows_its_errors_beside_the_fields(client):
    code = _assigned(client)
    login(client, "truongphong")
    html = client.get(f"/ho-so/{code}").get_data(as_text=True)
    assert "Xin lỗi và gia hạn (Mẫu 04)" in html and "Dừng xử lý hồ sơ (Mẫu 05)" in html
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    refused = client.post(
        f"/ho-so/{code}/gia-han",
        data={
            "csrf_token": csrf_of(html),
            "reason": "Chờ ý kiến phối hợp",
            "unit_at_fault": "",
            "new_due_date": yesterday,
        },
    )
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Hãy nhập đơn vị, cá nhân để chậm trễ." in body and 'value="Chờ ý kiến phối hợp"' in body
    # A specialist is not offered the leaders' actions.
    login(client, "chuyenvien")
    assert "Xin lỗi và gia hạn (Mẫu 04)" not in client.get(f"/ho-so/{code}").get_data(as_text=True)


def test_the_step_offers_the_documents_it_produces(client):
    """The permit's examination step names the draft result as its document (spiff property "documents")."""
    code = _assigned(client)
    task_id = Api(client, "chuyenvien").task_for(code)["id"]
    login(client, "chuyenvien")
    page = client.get(f"/cong-viec/{task_id}").get_data(as_text=True)
    match = re.search(r'id="step-documents"><a class="button" href="([^"]+)">Dự thảo văn bản kết quả</a>', page)
    assert match, "the draft is not offered on the examination step"
    draft = client.get(match.group(1))
    assert draft.status_code == 200 and draft.data[:2] == b"PK"  # a .docx
