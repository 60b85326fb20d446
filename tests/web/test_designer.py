"""The process designer's pages and JSON endpoints, through the Flask test client (CSRF on)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.models import Dossier, ProcessVersion
from tests.conftest import ROOT
from tests.factories import PERMIT, Api, specialist_choice, with_step_after_examination
from tests.web.test_ui import csrf_of, login
from webapp.extensions import db

KEY = "cap_phep_xay_dung"
PERMIT_XML = (ROOT / "processes" / KEY / "process.bpmn").read_text(encoding="utf-8")
CAMUNDA7 = ROOT / "tests" / "fixtures" / "camunda" / "cap_phep_camunda7.bpmn"

def with_field_check(xml: str) -> str:
    """A specialist's site check between examination and approval."""
    return with_step_after_examination(xml, "task_field_check", "Kiểm tra thực địa", 16)


V2_XML = with_field_check(PERMIT_XML)
UNKNOWN_FORM_XML = PERMIT_XML.replace('name="form" value="examine"', 'name="form" value="khong_co"')
MALFORMED_XML = PERMIT_XML.replace("</bpmn:process>", "", 1)


def designer_session(client, username: str = "thietke") -> str:
    """Log in and return a CSRF token for the next requests."""
    login(client, username)
    return csrf_of(client.get("/cong-viec").get_data(as_text=True))


def post_json(client, url: str, token: str, body: dict[str, Any]):
    return client.post(url, json=body, headers={"X-CSRFToken": token})


def latest_number(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(ProcessVersion.number)).where(ProcessVersion.process_key == KEY))


def version_count(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(ProcessVersion).where(ProcessVersion.process_key == KEY)
        )


def version_id(app, number: int) -> int:
    with app.app_context():
        return db.session.scalar(
            select(ProcessVersion.id).where(ProcessVersion.process_key == KEY, ProcessVersion.number == number)
        )


# Who may -------------------------------------------------------------------------------------------------------


def every_route(app) -> list[tuple[str, str, dict[str, Any]]]:
    v1 = version_id(app, 1)
    return [
        ("GET", "/thiet-ke", {}),
        ("GET", f"/thiet-ke/{KEY}", {}),
        ("GET", f"/thiet-ke/{KEY}/so-do.bpmn", {}),
        ("GET", f"/thiet-ke/{KEY}/phien-ban", {}),
        ("GET", f"/thiet-ke/{KEY}/phien-ban/{v1}", {}),
        ("POST", f"/thiet-ke/{KEY}/phien-ban/{v1}/trien-khai-lai", {"data": {}}),
        ("POST", f"/thiet-ke/{KEY}/chuyen-ho-so", {"data": {}}),
        ("POST", f"/thiet-ke/{KEY}/kiem-tra", {"json": {"xml": PERMIT_XML}}),
        ("POST", f"/thiet-ke/{KEY}/chay-thu", {"json": {"xml": PERMIT_XML, "steps": []}}),
        ("POST", f"/thiet-ke/{KEY}/trien-khai", {"json": {"xml": V2_XML}}),
        (
            "POST",
            f"/thiet-ke/{KEY}/tai-len",
            {"data": {"file": (io.BytesIO(PERMIT_XML.encode()), "q.bpmn")}, "content_type": "multipart/form-data"},
        ),
    ]


@pytest.mark.parametrize("username", ["motcua", "chuyenvien", "lanhdao"])
def test_non_designers_get_403_on_every_designer_route(app, client, username):
    token = designer_session(client, username)
    for method, url, kwargs in every_route(app):
        if method == "GET":
            response = client.get(url)
        else:
            if "data" in kwargs and "content_type" not in kwargs:
                kwargs = {"data": {**kwargs["data"], "csrf_token": token}}
            response = client.post(url, headers={"X-CSRFToken": token}, **kwargs)
        assert response.status_code == 403, (method, url, response.status_code)
        if url.endswith(("kiem-tra", "chay-thu", "trien-khai", "tai-len")):
            text = response.json["error"]
        else:
            text = response.get_data(as_text=True)
        assert "Chỉ người thiết kế quy trình hoặc quản trị hệ thống" in text, url
    assert latest_number(app) == 1
    nav = client.get("/cong-viec").get_data(as_text=True)
    assert "Thiết kế quy trình" not in nav


def test_the_designer_pages_need_a_login(client):
    for url in ("/thiet-ke", f"/thiet-ke/{KEY}", f"/thiet-ke/{KEY}/phien-ban"):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


@pytest.mark.parametrize("username", ["thietke", "quantri"])
def test_designers_and_administrators_see_the_procedures_with_their_processes(client, username):
    designer_session(client, username)
    html = client.get("/cong-viec").get_data(as_text=True)
    assert 'href="/thiet-ke">Thiết kế quy trình</a>' in html
    page = client.get("/thiet-ke")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    row = re.search(rf'<tr data-process-key="{KEY}">(.*?)</tr>', html, re.S).group(1)
    assert PERMIT in row and "Cấp giấy phép xây dựng nhà ở riêng lẻ" in row
    assert '<td data-label="Phiên bản mới nhất" class="version-number">1' in row
    assert "Hệ thống" in row  # the demo deployed it
    assert f'href="/thiet-ke/{KEY}"' in row and f'href="/thiet-ke/{KEY}/phien-ban"' in row


def test_the_modeler_page_loads_the_modeler_and_the_latest_diagram(client):
    designer_session(client)
    html = client.get(f"/thiet-ke/{KEY}").get_data(as_text=True)
    assert "/vendor/bpmn-js/bpmn-modeler.production.min.js" in html
    assert "/static/designer.js" in html
    assert 'id="designer-config"' in html and '"name": "examine"' in html.replace('":"', '": "')
    assert "<script>" not in html  # the CSP forbids inline scripts
    xml = client.get(f"/thiet-ke/{KEY}/so-do.bpmn")
    assert xml.status_code == 200 and xml.mimetype == "application/xml"
    assert xml.get_data(as_text=True) == PERMIT_XML
    assert client.get("/thiet-ke/khong_co_quy_trinh").status_code == 404
    modeler = client.get("/vendor/bpmn-js/bpmn-modeler.production.min.js")  # npm ci ran: scripts/_venv.sh
    assert modeler.status_code == 200 and modeler.mimetype == "text/javascript"


# Kiểm tra -------------------------------------------------------------------------------------------------------


def test_check_finds_nothing_in_the_shipped_diagram_and_the_edit(client):
    token = designer_session(client)
    for xml in (PERMIT_XML, V2_XML):
        response = post_json(client, f"/thiet-ke/{KEY}/kiem-tra", token, {"xml": xml})
        assert response.status_code == 200
        assert response.json == {"ok": True, "problems": []}


def test_check_names_the_element_with_an_unknown_form(client):
    token = designer_session(client)
    response = post_json(client, f"/thiet-ke/{KEY}/kiem-tra", token, {"xml": UNKNOWN_FORM_XML})
    assert response.status_code == 200
    body = response.json
    assert body["ok"] is False and body["error"] == "Sơ đồ còn 1 vấn đề cần sửa trước khi triển khai."
    (problem,) = body["problems"]
    assert problem["element_id"] == "task_examine" and problem["element_name"] == "Thẩm định hồ sơ"
    assert problem["message"].startswith("Biểu mẫu “khong_co” không tồn tại.")


def test_check_explains_malformed_xml(client):
    token = designer_session(client)
    body = post_json(client, f"/thiet-ke/{KEY}/kiem-tra", token, {"xml": MALFORMED_XML}).json
    (problem,) = body["problems"]
    assert problem["element_id"] == "" and problem["message"].startswith("Tệp không phải XML hợp lệ (dòng")
    body = post_json(client, f"/thiet-ke/{KEY}/kiem-tra", token, {"xml": "không phải xml"}).json
    assert body["problems"][0]["message"].startswith("Tệp không phải XML hợp lệ")


def test_check_refuses_a_request_without_xml_and_without_the_csrf_token(client):
    token = designer_session(client)
    response = post_json(client, f"/thiet-ke/{KEY}/kiem-tra", token, {"sơ đồ": "?"})
    assert response.status_code == 400
    assert response.json == {"error": "Yêu cầu thiếu nội dung sơ đồ (trường “xml”).", "problems": []}
    response = client.post(f"/thiet-ke/{KEY}/kiem-tra", data="<xml/>", headers={"X-CSRFToken": token})
    assert response.status_code == 400 and "đối tượng JSON" in response.json["error"]
    response = client.post(f"/thiet-ke/{KEY}/kiem-tra", json={"xml": PERMIT_XML})
    assert response.status_code == 400 and "Phiên làm việc đã hết hạn" in response.json["error"]


def test_check_says_the_draft_belongs_to_another_process(client):
    token = designer_session(client)
    other = PERMIT_XML.replace('id="cap_phep_xay_dung"', 'id="quy_trinh_khac"').replace(
        'processRef="cap_phep_xay_dung"', 'processRef="quy_trinh_khac"'
    )
    body = post_json(client, f"/thiet-ke/{KEY}/kiem-tra", token, {"xml": other}).json
    assert body["ok"] is False
    assert body["problems"][0]["message"].startswith(
        "Mã quy trình trong sơ đồ là “quy_trinh_khac”, khác mã “cap_phep_xay_dung”"
    )


def test_a_draft_with_an_external_entity_is_refused_not_read(app, client):
    token = designer_session(client)
    xml = PERMIT_XML.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>',
    ).replace('name="Tiếp nhận hồ sơ">', 'name="Tiếp nhận hồ sơ"><bpmn:documentation>&x;</bpmn:documentation>', 1)
    body = post_json(client, f"/thiet-ke/{KEY}/kiem-tra", token, {"xml": xml}).json
    assert body["ok"] is False and body["problems"]
    response = post_json(client, f"/thiet-ke/{KEY}/trien-khai", token, {"xml": xml})
    assert response.status_code == 422
    assert latest_number(app) == 1


# Chạy thử ----------------------------------------------------------------------------------------------------------

HAPPY_PATH = [
    {"step": "task_receive", "data": {}},
    {"step": "task_assign", "data": {"specialist": "2"}},
    {"step": "task_examine", "data": {"proposal": "approve", "examination": "Đủ điều kiện"}},
    {"step": "task_field_check", "data": {"proposal": "approve", "examination": "Đã kiểm tra thực địa"}},
    {"step": "task_approve", "data": {"decision": "approve"}},
    {"step": "task_return", "data": {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}},
]


def test_a_dry_run_walks_the_draft_to_the_end(client):
    token = designer_session(client)
    response = post_json(client, f"/thiet-ke/{KEY}/chay-thu", token, {"xml": V2_XML, "steps": HAPPY_PATH})
    body = response.json
    assert response.status_code == 200 and body["ok"] is True, body
    assert body["ended"] is True and body["ready"] == [] and body["failures"] == []
    assert [s["step"] for s in body["taken"]] == [s["step"] for s in HAPPY_PATH]
    assert body["taken"][3]["title"] == "Kiểm tra thực địa"
    assert (body["status"], body["status_label"]) == (10, "Đã trả kết quả")


def test_a_dry_run_says_where_it_stopped_and_why(client):
    token = designer_session(client)
    steps = [*HAPPY_PATH[:3], {"step": "task_approve", "data": {"decision": "approve"}}]
    body = post_json(client, f"/thiet-ke/{KEY}/chay-thu", token, {"xml": V2_XML, "steps": steps}).json
    assert body["ok"] is False and body["ended"] is False
    assert [s["step"] for s in body["ready"]] == ["task_field_check"]
    assert body["failures"][0].startswith("Bước 4 (task_approve): bước này không sẵn sàng để hoàn thành.")
    assert body["error"] == "Chạy thử không đi hết kịch bản."

    body = post_json(client, f"/thiet-ke/{KEY}/chay-thu", token, {"xml": UNKNOWN_FORM_XML, "steps": []}).json
    assert body["ok"] is False and body["problems"][0]["element_id"] == "task_examine"

    response = post_json(client, f"/thiet-ke/{KEY}/chay-thu", token, {"xml": V2_XML, "steps": "task_receive"})
    assert response.status_code == 400 and response.json["error"] == "Kịch bản chạy thử phải là một danh sách các bước."


# Triển khai -------------------------------------------------------------------------------------------------------


def test_deploying_a_valid_edit_creates_the_next_version(app, client):
    token = designer_session(client)
    response = post_json(client, f"/thiet-ke/{KEY}/trien-khai", token, {"xml": V2_XML})
    assert response.status_code == 201, response.json
    assert response.json["number"] == 2 and response.json["unchanged"] is False
    assert response.json["message"].startswith("Đã triển khai phiên bản 2.")
    assert latest_number(app) == 2
    with app.app_context():
        v2 = db.session.get(ProcessVersion, response.json["id"])
        assert v2.bpmn_xml == V2_XML and v2.deployed_by_name == "Võ Thị Hạnh"
    assert client.get(f"/thiet-ke/{KEY}/so-do.bpmn").get_data(as_text=True) == V2_XML

    again = post_json(client, f"/thiet-ke/{KEY}/trien-khai", token, {"xml": V2_XML})
    assert again.status_code == 200 and again.json["unchanged"] is True and again.json["number"] == 2
    assert "giống hệt phiên bản 2" in again.json["message"]
    assert version_count(app) == 2


@pytest.mark.parametrize(
    ("xml", "element_id", "message"),
    [
        (UNKNOWN_FORM_XML, "task_examine", "Biểu mẫu “khong_co” không tồn tại."),
        (MALFORMED_XML, "", "Tệp không phải XML hợp lệ"),
        (
            PERMIT_XML.replace('name="Chuyên viên"', 'name="Phòng kỹ thuật"'),
            "lane_specialist",
            "Làn này không ứng với vai trò nào.",
        ),
    ],
)
def test_a_bad_draft_is_refused_and_the_deployed_version_stays(app, client, xml, element_id, message):
    token = designer_session(client)
    response = post_json(client, f"/thiet-ke/{KEY}/trien-khai", token, {"xml": xml})
    assert response.status_code == 422
    body = response.json
    assert body["error"] == "Sơ đồ chưa hợp lệ nên chưa được triển khai. Phiên bản đang dùng không thay đổi."
    assert body["problems"][0]["element_id"] == element_id
    assert body["problems"][0]["message"].startswith(message)
    assert set(body["problems"][0]) == {"element_id", "element_name", "message"}
    assert latest_number(app) == 1 and version_count(app) == 1
    assert client.get(f"/thiet-ke/{KEY}/so-do.bpmn").get_data(as_text=True) == PERMIT_XML


def test_a_draft_of_another_process_is_not_deployed_here(app, client):
    token = designer_session(client)
    other = PERMIT_XML.replace('id="cap_phep_xay_dung"', 'id="quy_trinh_khac"').replace(
        'processRef="cap_phep_xay_dung"', 'processRef="quy_trinh_khac"'
    )
    response = post_json(client, f"/thiet-ke/{KEY}/trien-khai", token, {"xml": other})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProcessVersion).where(
            ProcessVersion.process_key == "quy_trinh_khac")) == 0  # fmt: skip
    assert latest_number(app) == 1


# Tải lên --------------------------------------------------------------------------------------------------------------


def upload(client, token: str, data: bytes, filename: str = "so-do.bpmn"):
    return client.post(
        f"/thiet-ke/{KEY}/tai-len",
        data={"file": (io.BytesIO(data), filename)},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )


def test_a_20_mb_upload_is_refused_before_it_is_read(app, client):
    token = designer_session(client)
    big = PERMIT_XML.encode().replace(
        b"</bpmn:definitions>", b"<!--" + b"x" * (20 * 1024 * 1024) + b"--></bpmn:definitions>"
    )
    response = upload(client, token, big)
    assert response.status_code == 413
    assert response.json["error"].startswith("Tệp sơ đồ vượt giới hạn 5 MB nên không được đọc.")
    assert response.json["problems"] == []
    assert latest_number(app) == 1


def test_an_upload_just_over_the_limit_inside_a_small_request_is_refused_too(client):
    token = designer_session(client)
    response = upload(client, token, b" " * (5 * 1024 * 1024 + 1))
    assert response.status_code == 413 and "5 MB" in response.json["error"]


def test_a_camunda_modeler_file_is_converted_and_what_did_not_carry_over_is_listed(app, client):
    token = designer_session(client)
    response = upload(client, token, CAMUNDA7.read_bytes(), "cap_phep_camunda7.bpmn")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["camunda"] is True and body["filename"] == "cap_phep_camunda7.bpmn"
    assert body["process_id"] == "cap_phep_camunda7"
    assert "camunda:" not in body["xml"] and "http://spiffworkflow.org/bpmn/schema/1.0/core" in body["xml"]
    assert (
        "Task_Examine (“Thẩm định hồ sơ”): biểu mẫu “embedded:app:forms/examine.html” → form “examine”."
        in (body["mapped"])
    )
    assert any("trình nghe sự kiện thực thi (execution listener)" in line for line in body["unmapped"])
    assert any(line.startswith("Task_Notify") for line in body["unmapped"])
    assert [p["element_id"] for p in body["problems"]] == ["Task_Notify"]  # the service task stays to be replaced
    assert latest_number(app) == 1  # uploading deploys nothing


def test_an_upload_in_our_own_dialect_comes_back_as_it_is(client):
    token = designer_session(client)
    body = upload(client, token, PERMIT_XML.encode("utf-8")).json
    assert body["camunda"] is False and body["xml"] == PERMIT_XML
    assert body["mapped"] == [] and body["unmapped"] == [] and body["problems"] == []


def test_an_unreadable_upload_is_refused_with_the_reason(client):
    token = designer_session(client)
    response = upload(client, token, MALFORMED_XML.encode())
    assert response.status_code == 422
    assert response.json["error"].startswith("Không đọc được tệp này như một sơ đồ BPMN 2.0")
    assert response.json["problems"][0]["message"].startswith("Tệp không phải XML hợp lệ")
    response = upload(client, token, "Sơ đồ".encode("utf-16"))
    assert response.status_code == 422 and "UTF-8" in response.json["error"]
    response = client.post(f"/thiet-ke/{KEY}/tai-len", data={}, headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.json["error"] == "Hãy chọn một tệp .bpmn để tải lên."


# Phiên bản --------------------------------------------------------------------------------------------------------


def test_versions_are_listed_and_the_diff_shows_the_added_step(app, client):
    token = designer_session(client)
    assert post_json(client, f"/thiet-ke/{KEY}/trien-khai", token, {"xml": V2_XML}).status_code == 201
    html = client.get(f"/thiet-ke/{KEY}/phien-ban").get_data(as_text=True)
    assert re.findall(r'<tr data-version="(\d+)">', html) == ["2", "1"]
    row2 = re.search(r'<tr data-version="2">(.*?)</tr>', html, re.S).group(1)
    assert "Đang dùng" in row2 and "Võ Thị Hạnh" in row2 and "Kiểm tra thực địa" in row2
    assert "Triển khai lại" not in row2
    row1 = re.search(r'<tr data-version="1">(.*?)</tr>', html, re.S).group(1)
    assert "Hệ thống" in row1 and "Triển khai lại" in row1 and "Kiểm tra thực địa" not in row1

    v2 = version_id(app, 2)
    diff = client.get(f"/thiet-ke/{KEY}/phien-ban/{v2}").get_data(as_text=True)
    assert "Phiên bản 2 so với phiên bản 1" in diff
    added = re.search(r'id="steps-added">(.*?)</section>', diff, re.S).group(1)
    assert "Kiểm tra thực địa" in added and "16 giờ" in added
    flows = re.search(r'id="flows">(.*?)</section>', diff, re.S).group(1)
    assert "Thẩm định hồ sơ → Kiểm tra thực địa" in flows and "Thẩm định hồ sơ → Phê duyệt, ký kết quả" in flows
    assert "<pre>" in diff and "+++ phiên bản 2" in diff
    assert client.get(f"/thiet-ke/{KEY}/phien-ban/999999").status_code == 404
    download = client.get(f"/thiet-ke/{KEY}/so-do.bpmn?phien-ban={version_id(app, 1)}&tai-xuong=1")
    assert download.get_data(as_text=True) == PERMIT_XML
    assert download.headers["Content-Disposition"] == f'attachment; filename="{KEY}-v1.bpmn"'


def test_redeploying_an_older_version_creates_a_new_number(app, client):
    token = designer_session(client)
    assert post_json(client, f"/thiet-ke/{KEY}/trien-khai", token, {"xml": V2_XML}).status_code == 201
    v1 = version_id(app, 1)
    response = client.post(f"/thiet-ke/{KEY}/phien-ban/{v1}/trien-khai-lai", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/thiet-ke/{KEY}/phien-ban")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã triển khai lại phiên bản 1 thành phiên bản 3." in html
    assert latest_number(app) == 3
    with app.app_context():
        v3 = db.session.scalar(
            select(ProcessVersion).where(ProcessVersion.process_key == KEY, ProcessVersion.number == 3)
        )
        assert v3.bpmn_xml == PERMIT_XML and v3.deployed_by_name == "Võ Thị Hạnh"

    # The latest version again: nothing to do, said plainly.
    v3_id = version_id(app, 3)
    response = client.post(f"/thiet-ke/{KEY}/phien-ban/{v3_id}/trien-khai-lai", data={"csrf_token": token})
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Phiên bản 3 đã là phiên bản mới nhất: không cần triển khai lại." in html
    assert latest_number(app) == 3
    assert client.post(f"/thiet-ke/{KEY}/phien-ban/{v1}/trien-khai-lai", data={}).status_code == 400  # no CSRF


def without_assignment(xml: str) -> str:
    """Reception goes straight to examination: the leader's assignment step is gone."""
    xml = re.sub(r'\s*<bpmn:userTask id="task_assign".*?</bpmn:userTask>', "", xml, flags=re.S)
    xml = re.sub(r'\s*<bpmndi:BPMNShape id="task_assign_di".*?</bpmndi:BPMNShape>', "", xml, flags=re.S)
    xml = re.sub(r'\s*<bpmndi:BPMNEdge id="flow_assign_examine_di".*?</bpmndi:BPMNEdge>', "", xml, flags=re.S)
    xml = re.sub(r'\s*<bpmn:sequenceFlow id="flow_assign_examine"[^>]*/>', "", xml)
    xml = xml.replace("\n        <bpmn:flowNodeRef>task_assign</bpmn:flowNodeRef>", "")
    xml = xml.replace('targetRef="task_assign"', 'targetRef="task_examine"')
    incoming = "<bpmn:incoming>{}</bpmn:incoming>"
    return xml.replace(incoming.format("flow_assign_examine"), incoming.format("flow_receive_assign"))


def test_running_dossiers_move_to_the_latest_version_or_are_told_why_not(app, client):
    counter, leader = Api(client, "motcua"), Api(client, "truongphong")
    waiting = counter.receive(PERMIT).json["code"]  # at "Phân công thụ lý", a step the new version drops
    examined = counter.receive(PERMIT).json["code"]
    task = leader.task_for(examined)
    assert leader.complete(task["id"], {"specialist": specialist_choice(task)}).status_code == 200
    token = designer_session(client)
    response = post_json(client, f"/thiet-ke/{KEY}/trien-khai", token, {"xml": without_assignment(V2_XML)})
    assert response.status_code == 201, response.json
    html = client.get(f"/thiet-ke/{KEY}/phien-ban").get_data(as_text=True)
    assert "2 hồ sơ đang chạy trên phiên bản cũ." in html

    response = client.post(f"/thiet-ke/{KEY}/chuyen-ho-so", data={"csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Chuyển hồ sơ đang chạy sang phiên bản 2" in html
    assert "Đã chuyển 1 hồ sơ; 1 hồ sơ giữ phiên bản cũ." in html
    moved = re.search(r'id="moved">(.*?)</section>', html, re.S).group(1)
    assert examined in moved and waiting not in moved
    refused = re.search(r'id="refused">(.*?)</section>', html, re.S).group(1)
    assert waiting in refused
    assert "Bước đang mở “Phân công thụ lý” (task_assign) không có trong phiên bản 2." in refused
    with app.app_context():
        versions = dict(db.session.execute(select(Dossier.code, Dossier.process_version_id)).all())
    assert versions[examined] == version_id(app, 2) and versions[waiting] == version_id(app, 1)
    html = client.get(f"/thiet-ke/{KEY}/phien-ban").get_data(as_text=True)
    assert "1 hồ sơ đang chạy trên phiên bản cũ." in html
