"""A diagram that cannot run is refused with a message naming the element and the fix."""

from __future__ import annotations

from pathlib import Path

from engine.workflow import validate_bpmn
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
