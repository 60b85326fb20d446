"""The process designer in a real Chromium: add a step to the building-permit process and deploy it.

The designer opens the permit process in the bpmn-js modeler, adds a site check
("Kiểm tra thực địa") in the specialist lane between examination and approval
(through the bpmn-js API the page exposes), sets its form and time in the side
panel, checks it, dry-runs it and deploys it as version 2. A dossier received
before the deploy then finishes on version 1; one received after goes through
the new step. The dossiers move through the JSON API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from engine.models import ProcessVersion
from tests.factories import PERMIT, Api, specialist_choice
from webapp import create_app
from webapp.extensions import db

pytestmark = pytest.mark.e2e

KEY = "cap_phep_xay_dung"
DESIGNER = "thietke"
DESIGNER_NAME = "Võ Thị Hạnh"
SITE_CHECK = "Kiểm tra thực địa"

# Add the step through the modeler's own API: create it in the specialist lane, send examination's
# outgoing flow to it and connect it to approval; then select it so that the side panel shows it.
ADD_SITE_CHECK = """
() => {
  const modeler = window.motcuaModeler;
  const modeling = modeler.get("modeling");
  const registry = modeler.get("elementRegistry");
  const lane = registry.get("lane_specialist");
  const flow = registry.get("flow_examine_approve");
  const approve = registry.get("task_approve");
  const shape = modeling.createShape({ type: "bpmn:UserTask" }, { x: 840, y: 392 }, lane.parent);
  modeling.reconnectEnd(flow, shape, { x: 790, y: 392 });
  modeling.connect(shape, approve);
  modeler.get("selection").select(shape);
  const lanes = shape.businessObject.get("lanes").map((l) => l.id);
  return { id: shape.id, lanes: lanes };
}
"""

SELECT = """(id) => {
  const modeler = window.motcuaModeler;
  modeler.get("selection").select(modeler.get("elementRegistry").get(id));
}"""


@pytest.fixture
def api_client(db_url: str, live_server: str) -> Iterator[FlaskClient]:
    """A test client on the live server's database, for the dossier steps through /api/v1."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "e2e-api", "RATELIMIT_ENABLED": False})
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def log_in(page: Page, username: str, full_name: str) -> None:
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("demo")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/cong-viec$"))
    expect(page.locator(".topbar .who")).to_contain_text(full_name)


def complete(api: Api, code: str, title: str, data: dict) -> None:
    task = api.task_for(code)
    assert task is not None, f"{api.username} has no task for {code}"
    assert task["title"] == title, (task["title"], title)
    response = api.complete(task["id"], data)
    assert response.status_code == 200, response.json


def walk(client: FlaskClient, code: str, with_site_check: bool) -> None:
    """Assign → examine → (site check) → approve → return, each by the person whose task it is."""
    leader, specialist = Api(client, "truongphong"), Api(client, "chuyenvien")
    director, counter = Api(client, "lanhdao"), Api(client, "motcua")
    task = leader.task_for(code)
    assert task is not None
    complete(leader, code, "Phân công thụ lý", {"specialist": specialist_choice(task)})
    complete(specialist, code, "Thẩm định hồ sơ", {"proposal": "approve", "examination": "Đủ điều kiện"})
    if with_site_check:
        complete(specialist, code, SITE_CHECK, {"proposal": "approve", "examination": "Hiện trạng đúng hồ sơ"})
    complete(director, code, "Phê duyệt, ký kết quả", {"decision": "approve"})
    complete(counter, code, "Trả kết quả", {"receiver_name": "Nguyễn Văn An", "return_method": "counter"})
    dossier = counter.get(f"/dossiers/{code}").json
    assert dossier["status"] == 10, dossier


def steps_taken(client: FlaskClient, code: str) -> list[str]:
    history = Api(client, "motcua").get(f"/dossiers/{code}").json["history"]
    return [step for event in history for step in (event["from_step"], event["to_step"]) if step]


def test_the_designer_adds_a_site_check_and_only_new_dossiers_take_it(
    new_context: Callable[[], BrowserContext], api_client: FlaskClient, tmp_path: Path
) -> None:
    counter = Api(api_client, "motcua")
    before = counter.receive(PERMIT).json["code"]  # received on version 1

    page = new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    log_in(page, DESIGNER, DESIGNER_NAME)
    page.get_by_role("navigation").get_by_role("link", name="Thiết kế quy trình").click()
    expect(page).to_have_url(re.compile(r"/thiet-ke$"))
    row = page.locator(f'#designer-procedures tr[data-process-key="{KEY}"]')
    expect(row.locator(".version-number")).to_have_text("1")
    expect(row).to_contain_text("1 ")  # one dossier running
    row.get_by_role("link", name="Sửa sơ đồ").click()
    expect(page).to_have_url(re.compile(rf"/thiet-ke/{KEY}$"))
    expect(page.locator("#designer.ready")).to_have_count(1)
    expect(page.locator("#latest-number")).to_have_text("1")
    expect(page.locator("#designer-canvas .bjs-powered-by")).to_be_visible()  # the bpmn.io watermark stays
    expect(page.locator('[data-element-id="task_examine"]').first).to_be_visible()

    # Selecting a step shows what the engine reads from it.
    page.evaluate(SELECT, "task_examine")
    expect(page.locator("#designer-element-id")).to_have_text("task_examine")
    expect(page.locator("#designer-name")).to_have_value("Thẩm định hồ sơ")
    expect(page.locator("#designer-form")).to_have_value("examine")
    expect(page.locator("#designer-hours")).to_have_value("64")
    expect(page.locator("#designer-status")).to_have_value("4")
    expect(page.locator("#designer-assignee")).to_have_value("specialist")

    added = page.evaluate(ADD_SITE_CHECK)
    step_id = added["id"]
    assert added["lanes"] == ["lane_specialist"], added
    expect(page.locator("#designer-element-id")).to_have_text(step_id)
    expect(page.locator("#designer-state")).to_have_text("Có thay đổi chưa triển khai.")

    # A step without a form is named by the check, marked on the diagram, and selected from the list.
    page.get_by_role("button", name="Kiểm tra").click()
    problems = page.locator("#designer-problem-list li")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("Chưa chọn biểu mẫu")
    expect(page.locator(f'.djs-element.has-problem[data-element-id="{step_id}"]')).to_have_count(1)
    expect(page.locator(".problem-badge")).to_have_count(1)
    page.evaluate(SELECT, "task_approve")
    expect(page.locator("#designer-element-id")).to_have_text("task_approve")
    problems.first.get_by_role("button").click()
    expect(page.locator("#designer-element-id")).to_have_text(step_id)
    page.screenshot(path=str(tmp_path / "problem.png"), full_page=True)

    # The side panel: name, form, allotted hours, status, assignee field.
    page.locator("#designer-name").fill(SITE_CHECK)
    page.locator("#designer-name").press("Tab")
    page.locator("#designer-form").select_option("examine")
    page.locator("#designer-hours").fill("16")
    page.locator("#designer-hours").press("Tab")
    page.locator("#designer-status").select_option("4")
    page.locator("#designer-assignee").fill("specialist")
    page.locator("#designer-assignee").press("Tab")
    page.locator("#designer-documents").get_by_label("Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 06)").check()
    expect(page.locator(f'[data-element-id="{step_id}"] .djs-visual')).to_contain_text("thực địa")
    xml = page.evaluate("async () => (await window.motcuaModeler.saveXML({ format: true })).xml")
    task = re.search(rf'<bpmn:userTask id="{step_id}" name="{SITE_CHECK}">(.*?)</bpmn:userTask>', xml, re.S)
    assert task, xml
    properties = (
        ("form", "examine"),
        ("allotted_hours", "16"),
        ("status", "4"),
        ("assignee", "specialist"),
        ("documents", "mau-06"),
    )
    for name, value in properties:
        assert f'<spiff:property name="{name}" value="{value}" />' in task.group(1), task.group(1)

    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.locator("#designer-problems-summary")).to_have_text(
        "Không có vấn đề nào: sơ đồ sẵn sàng để triển khai."
    )
    expect(problems).to_have_count(0)
    expect(page.locator(".djs-element.has-problem")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "modeler.png"), full_page=True)

    # A dry run along the prefilled happy path goes through the new step to the end.
    page.get_by_role("button", name="Chạy thử").click()
    rows = page.locator("#designer-trial-steps tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.nth(3).locator("select")).to_have_value(step_id)
    page.get_by_role("button", name="Chạy kịch bản").click()
    summary = page.locator("#designer-trial-summary")
    expect(summary).to_contain_text("Chạy hết kịch bản. Quy trình đã kết thúc.")
    expect(summary).to_contain_text(f"{SITE_CHECK} ({step_id})")
    expect(summary).to_contain_text("10 – Đã trả kết quả")
    page.screenshot(path=str(tmp_path / "dry-run.png"), full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Triển khai").click()
    expect(page.locator("#designer-message")).to_contain_text("Đã triển khai phiên bản 2.")
    expect(page.locator("#latest-number")).to_have_text("2")
    expect(page.locator("#designer-state")).to_have_text("Bản nháp giống phiên bản đang dùng.")

    page.get_by_role("link", name="Phiên bản").click()
    expect(page.locator("#versions tbody tr")).to_have_count(2)
    latest = page.locator('#versions tr[data-version="2"]')
    expect(latest).to_contain_text(DESIGNER_NAME)
    expect(latest).to_contain_text(SITE_CHECK)
    page.screenshot(path=str(tmp_path / "versions.png"), full_page=True)
    latest.get_by_role("link", name="Khác biệt").click()
    expect(page.locator("#steps-added")).to_contain_text(SITE_CHECK)
    expect(page.locator("#steps-added")).to_contain_text("16 giờ")
    page.screenshot(path=str(tmp_path / "diff.png"), full_page=True)
    assert not errors, errors

    after = counter.receive(PERMIT).json["code"]  # received on version 2
    walk(api_client, before, with_site_check=False)
    walk(api_client, after, with_site_check=True)
    assert SITE_CHECK not in steps_taken(api_client, before)
    assert SITE_CHECK in steps_taken(api_client, after)


CAMUNDA7 = Path(__file__).resolve().parent.parent / "fixtures" / "camunda" / "cap_phep_camunda7.bpmn"


def test_a_camunda_file_is_loaded_as_a_draft_with_what_did_not_carry_over(
    new_context: Callable[[], BrowserContext], api_client: FlaskClient, tmp_path: Path
) -> None:
    page = new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    log_in(page, DESIGNER, DESIGNER_NAME)
    page.goto(f"/thiet-ke/{KEY}")
    expect(page.locator("#designer.ready")).to_have_count(1)

    page.locator("#designer-upload").set_input_files(str(CAMUNDA7))
    expect(page.locator("#designer-message")).to_have_text(
        "Đã nạp tệp “cap_phep_camunda7.bpmn” vào trình thiết kế (chưa triển khai)."
    )
    summary = page.locator("#designer-import-summary")
    expect(summary).to_contain_text("Camunda Modeler")
    expect(summary).to_contain_text("Mã quy trình “cap_phep_camunda7” trong tệp được đổi thành “cap_phep_xay_dung”.")
    expect(page.locator("#designer-mapped")).to_contain_text("Task_Examine (“Thẩm định hồ sơ”): biểu mẫu")
    expect(page.locator("#designer-unmapped")).to_contain_text("trình nghe sự kiện thực thi (execution listener)")
    expect(page.locator('[data-element-id="Task_Examine"]').first).to_be_visible()
    # The service task cannot run here: it is named, marked, and the converted step shows its form.
    problems = page.locator("#designer-problem-list li")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("tác vụ dịch vụ (service task) chưa được hỗ trợ")
    expect(page.locator('.djs-element.has-problem[data-element-id="Task_Notify"]')).to_have_count(1)
    page.evaluate(SELECT, "Task_Examine")
    expect(page.locator("#designer-form")).to_have_value("examine")
    expect(page.locator("#designer-hours")).to_have_value("64")
    expect(page.locator("#designer-assignee")).to_have_value("specialist")
    page.screenshot(path=str(tmp_path / "camunda.png"), full_page=True)

    # Deploying it as it is is refused, with the same problem; version 1 stays.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Triển khai").click()
    expect(page.locator("#designer-message")).to_have_text(
        "Sơ đồ chưa hợp lệ nên chưa được triển khai. Phiên bản đang dùng không thay đổi."
    )
    expect(problems).to_have_count(1)
    expect(page.locator("#latest-number")).to_have_text("1")

    with page.expect_download() as download:
        page.get_by_role("button", name="Tải xuống .bpmn").click()
    assert download.value.suggested_filename == f"{KEY}.bpmn"
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert f'<bpmn:process id="{KEY}"' in saved and f'processRef="{KEY}"' in saved
    assert "camunda:" not in saved and '<spiff:property name="form" value="examine"' in saved
    assert not errors, errors

    with api_client.application.app_context():
        assert db.session.scalar(select(func.max(ProcessVersion.number)).where(ProcessVersion.process_key == KEY)) == 1


ADD_SCRIPT = """
() => {
  const modeler = window.motcuaModeler;
  const registry = modeler.get("elementRegistry");
  const lane = registry.get("lane_counter");
  const shape = modeler.get("modeling").createShape({ type: "bpmn:ScriptTask" }, { x: 950, y: 142 }, lane.parent);
  modeler.get("selection").select(shape);
  return shape.id;
}
"""
SAVED = "async () => (await window.motcuaModeler.saveXML({ format: true })).xml"


def test_the_side_panel_edits_lanes_conditions_default_flows_and_scripts(
    new_context: Callable[[], BrowserContext],
) -> None:
    page = new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    log_in(page, DESIGNER, DESIGNER_NAME)
    page.goto(f"/thiet-ke/{KEY}")
    expect(page.locator("#designer.ready")).to_have_count(1)

    # A lane: its name says who works in it; an unknown name is flagged as it is typed.
    page.evaluate(SELECT, "lane_specialist")
    expect(page.locator("#designer-name")).to_have_value("Chuyên viên")
    expect(page.locator("#designer-lane-role")).to_have_text("Làn này do chuyên viên thực hiện.")
    page.locator("#designer-name").fill("Phòng kỹ thuật")
    expect(page.locator("#designer-lane-role")).to_have_text("Tên làn chưa ứng với vai trò nào.")
    page.locator("#designer-name").fill("Cán bộ thụ lý")
    page.locator("#designer-name").press("Tab")
    expect(page.locator("#designer-lane-role")).to_have_text("Làn này do chuyên viên thực hiện.")

    # A flow out of the gateway: its Python condition, and which flow is the default.
    page.evaluate(SELECT, "flow_approved")
    expect(page.locator("#designer-condition")).to_have_value('decision == "approve"')
    expect(page.locator("#designer-default")).not_to_be_checked()
    page.locator("#designer-condition").fill('decision == "approve" and area <= 250')
    page.locator("#designer-condition").press("Tab")
    page.evaluate(SELECT, "flow_rejected")
    expect(page.locator("#designer-default")).to_be_checked()
    expect(page.locator("#designer-condition")).to_be_disabled()
    page.evaluate(SELECT, "gw_approved")
    expect(page.locator("#designer-gateway-default")).to_have_value("flow_rejected")

    # A script task's Python script.
    script_id = page.evaluate(ADD_SCRIPT)
    expect(page.locator("#designer-element-id")).to_have_text(script_id)
    page.locator("#designer-script").fill("fee = 50000 if area > 250 else 0")
    page.locator("#designer-script").press("Tab")

    xml = page.evaluate(SAVED)
    assert '<bpmn:lane id="lane_specialist" name="Cán bộ thụ lý">' in xml
    assert 'decision == "approve" and area &lt;= 250</bpmn:conditionExpression>' in xml
    assert 'default="flow_rejected"' in xml
    assert re.search(
        rf'<bpmn:scriptTask id="{script_id}"[^>]*>.*?<bpmn:script>fee = 50000 if area &gt; 250 else 0', xml, re.S
    )
    assert '<spiff:property name="form" value="examine" />' in xml  # untouched spiff properties survive

    # Undo goes back step by step, and the panel follows.
    page.evaluate(SELECT, "flow_approved")
    page.evaluate(
        "() => { const stack = window.motcuaModeler.get('commandStack'); for (let i = 0; i < 3; i++) stack.undo(); }"
    )
    page.evaluate(SELECT, "flow_approved")
    expect(page.locator("#designer-condition")).to_have_value('decision == "approve"')

    # Making the approved flow the default clears its condition.
    page.locator("#designer-default").check()
    expect(page.locator("#designer-condition")).to_be_disabled()
    expect(page.locator("#designer-condition")).to_have_value("")
    xml = page.evaluate(SAVED)
    assert 'default="flow_approved"' in xml and "<bpmn:conditionExpression" not in xml
    page.get_by_role("button", name="Kiểm tra").click()
    expect(page.locator("#designer-problem-list li")).to_have_count(1)
    expect(page.locator("#designer-problem-list li").first).to_contain_text("Nhánh flow_rejected không có điều kiện")
    assert not errors, errors
