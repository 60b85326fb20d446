"""Diagrams saved by Camunda Modeler (7.x and 8.x) come into our dialect; what cannot is listed, by element."""

from __future__ import annotations

from lxml import etree

from engine.workflow import parse_process, validate_bpmn
from engine.workflow.camunda import CAMUNDA_NS, ZEEBE_NS, duration_hours, import_camunda, python_condition
from engine.workflow.scenarios import Scenario, Step, run_scenario
from tests.conftest import FORMS, ROOT

FIXTURES = ROOT / "tests/fixtures/camunda"
CAMUNDA7 = (FIXTURES / "cap_phep_camunda7.bpmn").read_text(encoding="utf-8")
CAMUNDA8 = (FIXTURES / "khai_sinh_camunda8.bpmn").read_text(encoding="utf-8")

# The Camunda 7 diagram without its service task: the approved branch goes straight to the return step.
CAMUNDA7_NO_SERVICE = (
    CAMUNDA7.replace('targetRef="Task_Notify"', 'targetRef="Task_Return"')
    .replace("<bpmn:incoming>Flow_6notify</bpmn:incoming>", "<bpmn:incoming>Flow_4approved</bpmn:incoming>")
    .replace('<bpmn:sequenceFlow id="Flow_6notify" sourceRef="Task_Notify" targetRef="Task_Return" />', "")
    .replace("<bpmn:flowNodeRef>Task_Notify</bpmn:flowNodeRef>", "")
)
CAMUNDA7_NO_SERVICE = (
    CAMUNDA7_NO_SERVICE[: CAMUNDA7_NO_SERVICE.index('<bpmn:serviceTask id="Task_Notify"')]
    + (CAMUNDA7_NO_SERVICE[CAMUNDA7_NO_SERVICE.index("</bpmn:serviceTask>") + len("</bpmn:serviceTask>") :])
)


def problems(xml: str) -> list[str]:
    return [str(p) for p in validate_bpmn(xml, FORMS.names())]


def approval_path(receive: str, examine: str, approve: str, give_back: str) -> list[Step]:
    """Receive, examine, be sent back once, examine again, approve, return."""
    examined = {"proposal": "approve", "examination": "Đủ điều kiện"}
    return [
        Step(receive, {}),
        Step(examine, examined),
        Step(approve, {"decision": "reject"}),
        Step(examine, examined),
        Step(approve, {"decision": "approve"}),
        Step(give_back, {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}),
    ]


def test_camunda7_extensions_become_ours():
    result = import_camunda(CAMUNDA7)
    assert CAMUNDA_NS not in result.xml and "camunda:" not in result.xml
    assert (
        "Task_Examine (“Thẩm định hồ sơ”): biểu mẫu “embedded:app:forms/examine.html” → form “examine”."
        in result.mapped
    )
    assert (
        "Task_Examine (“Thẩm định hồ sơ”): người thực hiện “${specialist}” → assignee “specialist” "
        "(trường chứa người được giao)." in result.mapped
    )
    assert any(
        m.startswith("Task_Examine (“Thẩm định hồ sơ”): thời hạn “P8D” → allotted_hours 64 giờ") for m in result.mapped
    )
    assert any(
        m.startswith("Lane_Phong: làn “Phòng Quản lý xây dựng” đổi tên thành “Chuyên viên”") for m in result.mapped
    )
    assert (
        "Task_Return (“Trả kết quả”): nhóm “mot_cua” → vai trò Cán bộ một cửa: bước được đặt vào làn “Bộ phận một cửa”."
        in result.mapped
    )
    assert "Flow_4approved (“Đồng ý”): điều kiện “${decision == 'approve'}” → “decision == 'approve'”." in result.mapped


def test_camunda7_what_does_not_carry_over_is_listed_by_element():
    unmapped = import_camunda(CAMUNDA7).unmapped
    expected_starts = [
        "Task_Approve (“Phê duyệt, ký kết quả”): trình nghe sự kiện thực thi (execution listener) "
        '(camunda:executionListener, class="vn.gov.motcua.AuditListener" event="start") không được chuyển',
        "Task_Approve (“Phê duyệt, ký kết quả”): trình nghe sự kiện tác vụ (task listener)",
        "Task_Notify (“Gửi tin nhắn báo kết quả”): lớp Java thực thi (camunda:class=“vn.gov.motcua.SendSms”) "
        "không được chuyển: Một Cửa không chạy mã Java",
        "Task_Approve (“Phê duyệt, ký kết quả”): nhóm “ban_giam_doc” không ứng với vai trò nào",
        "Task_Approve (“Phê duyệt, ký kết quả”): người dùng được giao (candidateUsers “giamdoc”)",
        "Task_Examine (“Thẩm định hồ sơ”): ánh xạ dữ liệu vào/ra (input/output mapping) (camunda:inputOutput",
        "StartEvent_1 (“Nộp hồ sơ”): biến lưu người khởi động (camunda:initiator=“applicant”)",
        "cap_phep_camunda7 (“Cấp giấy phép xây dựng (Camunda 7)”): thời gian lưu lịch sử",
    ]
    for start in expected_starts:
        assert any(line.startswith(start) for line in unmapped), (start, unmapped)
    assert len(unmapped) == len(expected_starts)


def test_camunda7_result_is_refused_only_for_its_service_task():
    assert problems(import_camunda(CAMUNDA7).xml) == [
        "“Gửi tin nhắn báo kết quả” (Task_Notify): Phần tử tác vụ dịch vụ (service task) chưa được hỗ trợ. "
        "Hãy thay bằng tác vụ người dùng (user task), tác vụ kịch bản (script task) hoặc cổng rẽ nhánh."
    ]


def test_camunda7_without_the_service_task_is_valid_and_runs_its_reject_loop():
    xml = import_camunda(CAMUNDA7_NO_SERVICE).xml
    assert problems(xml) == []
    steps = parse_process(xml).steps
    assert (steps["Task_Examine"].lane, steps["Task_Examine"].assignee_field) == ("Chuyên viên", "specialist")
    assert (steps["Task_Approve"].lane, steps["Task_Approve"].allotted_hours) == ("Lãnh đạo", 24.0)
    assert (steps["Task_Return"].lane, steps["Task_Return"].form) == ("Bộ phận một cửa", "return")
    path = approval_path("Task_Receive", "Task_Examine", "Task_Approve", "Task_Return")
    result = run_scenario(xml, Scenario("Camunda 7", path, expect_end=True), FORMS)
    assert result.ok, result.messages()


def test_camunda8_zeebe_extensions_become_ours_and_the_result_is_valid():
    result = import_camunda(CAMUNDA8)
    assert ZEEBE_NS not in result.xml and "zeebe:" not in result.xml
    assert problems(result.xml) == []
    steps = parse_process(result.xml).steps
    examine = steps["Task_Examine"]
    assert (examine.lane, examine.form, examine.status, examine.allotted_hours, examine.assignee_field) == (
        "Chuyên viên",
        "examine",
        4,
        16.0,
        "specialist",
    )
    assert (steps["Task_Receive"].lane, steps["Task_Receive"].allotted_hours) == ("Một cửa", 8.0)
    assert (steps["Task_Approve"].lane, steps["Task_Approve"].form) == ("Lãnh đạo", "approve")
    assert any("Flow_4approved" in m and '→ “decision == "approve" and decision != None”' in m for m in result.mapped)
    expected_starts = [
        "Task_Examine (“Kiểm tra hồ sơ, ghi Sổ hộ tịch”): nhóm “phong_tu_phap” không ứng với vai trò nào",
        "Task_Approve (“Ký Giấy khai sinh”): nội dung biểu mẫu nhúng “UserTaskForm_approve” (các trường: "
        "decision, note) không được chuyển",
        "Task_Examine (“Kiểm tra hồ sơ, ghi Sổ hộ tịch”): ánh xạ dữ liệu vào/ra (input/output mapping) "
        "(zeebe:ioMapping",
        "Task_Examine (“Kiểm tra hồ sơ, ghi Sổ hộ tịch”): tiêu đề tác vụ (task headers) (zeebe:taskHeaders",
        "Task_Approve (“Ký Giấy khai sinh”): trình nghe sự kiện thực thi (execution listener) "
        '(zeebe:executionListeners, eventType="end" type="audit-log")',
    ]
    for start in expected_starts:
        assert any(line.startswith(start) for line in result.unmapped), (start, result.unmapped)
    assert len(result.unmapped) == len(expected_starts)
    path = approval_path("Task_Receive", "Task_Examine", "Task_Approve", "Task_Return")
    run = run_scenario(result.xml, Scenario("Camunda 8", path, expect_end=True, expect_status=10), FORMS)
    assert run.ok, run.messages()


def test_new_lanes_are_created_when_the_diagram_has_none():
    root = etree.fromstring(import_camunda(CAMUNDA8).xml.encode())
    lanes = {
        lane.get("name"): [ref.text for ref in lane]
        for lane in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}lane")
    }
    assert lanes == {
        "Một cửa": ["Task_Receive", "Task_Return"],
        "Chuyên viên": ["Task_Examine"],
        "Lãnh đạo": ["Task_Approve"],
    }


def test_conditions_are_rewritten_as_python_when_they_are_plain_comparisons():
    assert python_condition("decision == 'approve' && !empty note", "juel") == "decision == 'approve' and note"
    assert python_condition("amount gt 10 || vip eq true", "juel") == "amount > 10 or vip == True"
    assert python_condition("execution.getVariable('x') == 1", "juel") is None
    assert python_condition('decision = "approve" or count >= 3', "feel") == 'decision == "approve" or count >= 3'
    assert python_condition('x = "a = b"', "feel") == 'x == "a = b"'  # inside a string nothing changes
    assert python_condition('contains(name, "x")', "feel") is None


def test_due_dates_become_working_hours():
    assert duration_hours("P2D") == 16
    assert duration_hours("PT16H") == 16
    assert duration_hours("P1W") == 40
    assert duration_hours('=now() + duration("P1DT4H")') == 12
    assert duration_hours("${dateTime().plusHours(4).toDate()}") == 4
    assert duration_hours("2026-01-31T17:00:00") is None
    assert duration_hours("${dueDate}") is None


DIAGRAM7 = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="task_one" name="Một bước" camunda:assignee="demo" camunda:candidateGroups="accounting"
        camunda:formKey="${formName}" camunda:dueDate="${dueDate}" />
    <bpmn:scriptTask id="script_fee" name="Tính phí" scriptFormat="groovy">
      <bpmn:script>def fee = 10</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:intermediateCatchEvent id="wait_day" name="Chờ một ngày">
      <bpmn:timerEventDefinition id="t1"><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="wait_expr">
      <bpmn:timerEventDefinition id="t2">
        <bpmn:timeDuration>${waitTime}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task_one">
      <bpmn:conditionExpression language="javascript">x &gt; 1</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f2" sourceRef="task_one" targetRef="script_fee">
      <bpmn:conditionExpression>${execution.getVariable("ok")}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""


def test_what_cannot_be_converted_is_said_plainly_and_left_for_the_designer():
    result = import_camunda(DIAGRAM7)
    expected_starts = [
        "task_one (“Một bước”): biểu mẫu được chọn bằng biểu thức “${formName}” không được chuyển",
        "task_one (“Một bước”): nhóm “accounting” không ứng với vai trò nào của Một Cửa nên bị bỏ qua",
        "task_one (“Một bước”): giao cố định cho người dùng “demo” không được chuyển",
        "task_one (“Một bước”): thời hạn “${dueDate}” không đổi được thành số giờ; hãy nhập thuộc tính allotted_hours",
        "f1: điều kiện viết bằng javascript (“x > 1”) không được chuyển: hãy viết lại bằng Python",
        'f2: điều kiện “${execution.getVariable("ok")}” không tự chuyển được sang Python',
        "wait_expr: hẹn giờ “${waitTime}” không tự chuyển được",
        "script_fee (“Tính phí”): kịch bản viết bằng groovy không chạy được trong Một Cửa: hãy viết lại bằng Python.",
        "task_one (“Một bước”): không xác định được ai làm bước này",
    ]
    for start in expected_starts:
        assert any(line.startswith(start) for line in result.unmapped), (start, result.unmapped)
    assert len(result.unmapped) == len(expected_starts)
    assert 'wait_day (“Chờ một ngày”): hẹn giờ “P1D” → “"P1D"” (chuỗi ISO 8601 trong dấu nháy).' in result.mapped
    assert '<bpmn:timeDuration>"P1D"</bpmn:timeDuration>' in result.xml
    assert '${execution.getVariable("ok")}' in result.xml  # left as it was, for the designer to rewrite


def test_a_file_that_is_not_xml_comes_back_unchanged_with_the_reason():
    result = import_camunda("<bpmn:definitions>")
    assert result.xml == "<bpmn:definitions>" and result.mapped == []
    (reason,) = result.unmapped
    assert reason.startswith("Tệp không phải XML hợp lệ (dòng 1")
    assert import_camunda("<html/>").unmapped == ["Tệp không phải sơ đồ BPMN 2.0 (thiếu phần tử bpmn:definitions)."]
