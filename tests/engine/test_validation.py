"""A diagram that cannot run is refused with a message naming the element and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.workflow import parse_process, validate_bpmn
from tests.conftest import FORMS

ROOT = Path(__file__).resolve().parents[2]
PERMIT_XML = (ROOT / "processes/cap_phep_xay_dung/process.bpmn").read_text(encoding="utf-8")


def problems(xml: str) -> list[str]:
    return [str(p) for p in validate_bpmn(xml, FORMS.names())]


def test_every_shipped_process_is_valid():
    for path in sorted(ROOT.glob("processes/*/process.bpmn")):
        assert problems(path.read_text(encoding="utf-8")) == [], path.parent.name


def test_malformed_xml_names_the_line():
    (message,) = problems(PERMIT_XML[:500])
    assert message.startswith("Tệp không phải XML hợp lệ (dòng")


def test_not_bpmn_at_all():
    assert problems("<html><body>hi</body></html>") == [
        "Tệp không phải sơ đồ BPMN 2.0 (thiếu phần tử bpmn:definitions)."
    ]


def test_unsupported_element_is_named():
    xml = PERMIT_XML.replace('<bpmn:userTask id="task_examine"', '<bpmn:serviceTask id="task_examine"', 1).replace(
        '</bpmn:userTask>\n    <bpmn:userTask id="task_approve"',
        '</bpmn:serviceTask>\n    <bpmn:userTask id="task_approve"',
        1,
    )
    found = problems(xml)
    assert any(
        m.startswith("“Thẩm định hồ sơ” (task_examine): Phần tử tác vụ dịch vụ (service task) chưa được hỗ trợ")
        for m in found
    ), found


def test_lane_without_a_role_is_refused():
    found = problems(PERMIT_XML.replace('name="Chuyên viên"', 'name="Kế toán"'))
    assert any(m.startswith("“Kế toán” (lane_specialist): Làn này không ứng với vai trò nào") for m in found), found


def test_missing_form_is_named_with_the_available_ones():
    found = problems(PERMIT_XML.replace('value="examine"', 'value="tham_dinh"'))
    assert any("Biểu mẫu “tham_dinh” không tồn tại" in m and "approve" in m for m in found), found


def test_gateway_without_default_or_condition_is_refused():
    found = problems(PERMIT_XML.replace(' default="flow_rejected"', ""))
    assert any(m.startswith("“Đồng ý?” (gw_approved): Nhánh flow_rejected không có điều kiện") for m in found), found


def test_condition_with_a_syntax_error_is_refused():
    found = problems(PERMIT_XML.replace('decision == "approve"', 'decision == = "approve"'))
    assert any(m.startswith("“Đồng ý” (flow_approved): Điều kiện có lỗi cú pháp") for m in found), found


def test_invalid_status_code_is_refused():
    found = problems(PERMIT_XML.replace('name="status" value="9"', 'name="status" value="42"'))
    assert any("Trạng thái “42” không hợp lệ" in m for m in found), found


# Tiny hand-written diagrams for the structural rules: one counter lane, user tasks with a known form.

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"


def user_task(task_id: str, name: str = "Bước") -> str:
    return (
        f'<bpmn:userTask id="{task_id}" name="{name}"><bpmn:extensionElements><spiff:properties>'
        '<spiff:property name="form" value="receive" /></spiff:properties></bpmn:extensionElements>'
        "</bpmn:userTask>"
    )


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def diagram(body: str, definitions: str = "") -> str:
    import re

    refs = "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in re.findall(r'userTask id="(\w+)"', body))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="{BPMN}" xmlns:spiff="{SPIFF}" '
        f'id="defs" targetNamespace="http://motcua.local/bpmn">{definitions}\n'
        '<bpmn:process id="p" isExecutable="true">\n'
        f'<bpmn:laneSet id="ls"><bpmn:lane id="lane_counter" name="Một cửa">{refs}</bpmn:lane></bpmn:laneSet>\n'
        f"{body}\n</bpmn:process>\n</bpmn:definitions>\n"
    )


STRAIGHT = diagram(
    '<bpmn:startEvent id="start" />' + user_task("task_receive") + '<bpmn:endEvent id="end" />'
    + flow("f1", "start", "task_receive") + flow("f2", "task_receive", "end")
)  # fmt: skip


def test_a_tiny_straight_diagram_is_valid():
    assert problems(STRAIGHT) == []


def test_malformed_xml_is_explained_in_vietnamese_with_line_and_column():
    broken = STRAIGHT.replace("</bpmn:process>", "</bpmn:proces>")
    (message,) = problems(broken)
    assert message.startswith("Tệp không phải XML hợp lệ (dòng 6, cột"), message
    assert "thẻ mở và thẻ đóng không khớp nhau" in message and "Hãy sửa chỗ đó" in message


def test_a_file_over_the_limit_is_refused_before_parsing():
    from engine.workflow.validation import MAX_BPMN_BYTES

    # Not even XML: had it been parsed, the message would be about XML.
    (message,) = problems("<" * (MAX_BPMN_BYTES + 1))
    assert "vượt giới hạn 5 MB" in message and "XML" not in message
    (message,) = [str(p) for p in validate_bpmn(b" " * (MAX_BPMN_BYTES + 1), FORMS.names())]
    assert "vượt giới hạn 5 MB" in message


def test_a_loop_without_a_user_task_is_refused():
    xml = diagram(
        '<bpmn:startEvent id="start" />' + user_task("task_receive")
        + '<bpmn:exclusiveGateway id="gw_loop" name="Lặp lại?" default="f_again" />'
        + '<bpmn:scriptTask id="script_count" name="Đếm"><bpmn:script>n = 1</bpmn:script></bpmn:scriptTask>'
        + '<bpmn:endEvent id="end" />'
        + flow("f1", "start", "task_receive") + flow("f2", "task_receive", "gw_loop")
        + flow("f_again", "gw_loop", "script_count") + flow("f_done", "gw_loop", "end", "n > 5")
        + flow("f_back", "script_count", "gw_loop")
    )  # fmt: skip
    (message,) = problems(xml)
    assert message.startswith("“Lặp lại?” (gw_loop): Vòng lặp “Lặp lại?” (gw_loop) → “Đếm” (script_count) → "), message
    assert "không đi qua tác vụ người dùng nào" in message
    # The same loop through a user task is a rework loop, and fine.
    back = 'sourceRef="script_count" targetRef='
    rework = xml.replace(back + '"gw_loop"', back + '"task_receive"')
    assert problems(rework) == []


def test_a_loop_through_a_parallel_join_that_waits_for_a_user_task_is_fine():
    def loop(with_user_task: bool) -> str:
        branch = (
            flow("f3", "split", "task_receive") + flow("f4", "task_receive", "join")
            if with_user_task
            else flow("f3", "start_other", "task_receive")
        )
        return diagram(
            '<bpmn:startEvent id="start" />' + '<bpmn:exclusiveGateway id="merge" />'
            + '<bpmn:parallelGateway id="split" />' + user_task("task_receive")
            + '<bpmn:scriptTask id="script_log"><bpmn:script>n = 1</bpmn:script></bpmn:scriptTask>'
            + '<bpmn:parallelGateway id="join" />' + '<bpmn:exclusiveGateway id="gw_again" default="f_end" />'
            + '<bpmn:endEvent id="end" />'
            + flow("f1", "start", "merge") + flow("f2", "merge", "split") + branch
            + flow("f5", "split", "script_log") + flow("f6", "script_log", "join") + flow("f7", "join", "gw_again")
            + flow("f_again", "gw_again", "merge", "n > 1") + flow("f_end", "gw_again", "end")
        )  # fmt: skip

    assert problems(loop(with_user_task=True)) == []
    # Without the user task on the join's other branch, the same loop spins.
    found = problems(loop(with_user_task=False))
    assert any(
        m.startswith("gw_again: Vòng lặp gw_again → merge → split → script_log → join → gw_again") for m in found
    )


def test_a_script_with_a_syntax_error_names_the_line():
    xml = diagram(
        '<bpmn:startEvent id="start" />'
        + '<bpmn:scriptTask id="script_fee" name="Tính lệ phí"><bpmn:script>fee = 100\nfee = = 2</bpmn:script>'
        + "</bpmn:scriptTask>" + user_task("task_receive") + '<bpmn:endEvent id="end" />'
        + flow("f1", "start", "script_fee") + flow("f2", "script_fee", "task_receive")
        + flow("f3", "task_receive", "end")
    )  # fmt: skip
    (message,) = problems(xml)
    assert message.startswith("“Tính lệ phí” (script_fee): Kịch bản có lỗi cú pháp ở dòng 2 “fee = = 2”: "), message
    assert "cú pháp không hợp lệ" in message and "Hãy sửa mã Python ở dòng đó." in message


def test_an_exclusive_gateway_needs_a_default_or_conditions_on_every_branch():
    body = (
        '<bpmn:startEvent id="start" />' + user_task("task_receive") + user_task("task_other")
        + '<bpmn:exclusiveGateway id="gw" name="Rẽ nhánh" />' + '<bpmn:endEvent id="end" />'
        + flow("f1", "start", "gw") + flow("f_a", "gw", "task_receive", 'kind == "a"') + flow("f_b", "gw", "task_other")
        + flow("f2", "task_receive", "end") + flow("f3", "task_other", "end")
    )  # fmt: skip
    # The gateway has no bpmn:outgoing children: its branches are found by their sourceRef.
    (message,) = problems(diagram(body))
    assert message.startswith("“Rẽ nhánh” (gw): Nhánh f_b không có điều kiện và không phải nhánh mặc định."), message
    assert problems(diagram(body.replace('name="Rẽ nhánh"', 'name="Rẽ nhánh" default="f_b"'))) == []
    conditioned = body.replace(flow("f_b", "gw", "task_other"), flow("f_b", "gw", "task_other", "True"))
    assert problems(diagram(conditioned)) == []
    found = problems(diagram(body.replace('name="Rẽ nhánh"', 'name="Rẽ nhánh" default="f2"')))
    assert any(m.startswith("“Rẽ nhánh” (gw): Nhánh mặc định f2 không phải một nhánh đi ra từ cổng này") for m in found)


def test_a_message_without_a_name_is_refused():
    xml = diagram(
        '<bpmn:startEvent id="start" />' + user_task("task_receive")
        + '<bpmn:intermediateCatchEvent id="wait_reply" name="Chờ trả lời"><bpmn:messageEventDefinition id="med" />'
        + "</bpmn:intermediateCatchEvent>"
        + '<bpmn:intermediateCatchEvent id="wait_other"><bpmn:messageEventDefinition id="med2" messageRef="msg_x" />'
        + "</bpmn:intermediateCatchEvent>" + '<bpmn:endEvent id="end" />'
        + flow("f1", "start", "task_receive") + flow("f2", "task_receive", "wait_reply")
        + flow("f3", "wait_reply", "wait_other") + flow("f4", "wait_other", "end"),
        definitions='<bpmn:message id="msg_x" />',
    )  # fmt: skip
    found = problems(xml)
    assert any(m.startswith("msg_x: Thông điệp (message) chưa có tên. Hãy đặt tên") for m in found), found
    unnamed = "“Chờ trả lời” (wait_reply): Sự kiện thông điệp chưa gắn với thông điệp nào"
    assert any(m.startswith(unnamed) for m in found), found
    missing = xml.replace('messageRef="msg_x"', 'messageRef="msg_gone"')
    gone = "wait_other: Sự kiện thông điệp tham chiếu tới thông điệp “msg_gone” không có trong sơ đồ"
    assert any(m.startswith(gone) for m in problems(missing))


def test_without_known_forms_the_form_names_are_not_checked():
    xml = STRAIGHT.replace('value="receive"', 'value="khong_co"')
    assert any("khong_co" in m for m in problems(xml))
    assert validate_bpmn(xml, None) == []


def _with_doctype(entity: str) -> str:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e {entity}>]>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s" name="&e;"/></bpmn:process>'
        "</bpmn:definitions>"
    )


def test_a_doctype_is_refused_before_any_entity_is_read():
    internal = _with_doctype('"x"')
    problems = validate_bpmn(internal, [])
    assert [p.message.split(";")[0] for p in problems] == ["Tệp có khai báo DOCTYPE/ENTITY"]
    with pytest.raises(ValueError):
        parse_process(internal)
    # An entity that would read a file of the server is refused as it is parsed, and nothing is read.
    external = _with_doctype('SYSTEM "file:///etc/hostname"')
    (problem,) = validate_bpmn(external, [])
    assert "external entity" in problem.message
    with pytest.raises(etree.XMLSyntaxError):
        parse_process(external)


def test_a_step_may_only_produce_known_documents():
    xml = (ROOT / "processes" / "cap_phep_xay_dung" / "process.bpmn").read_text(encoding="utf-8")
    bad = xml.replace('name="documents" value="du-thao"', 'name="documents" value="du-thao, giay-khen"')
    (problem,) = validate_bpmn(bad, FORMS.names())
    assert problem.element_id == "task_examine"
    assert problem.message.startswith("Văn bản “giay-khen” không có.")
    assert validate_bpmn(xml, FORMS.names()) == []
