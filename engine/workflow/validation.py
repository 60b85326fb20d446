"""Checks a BPMN file before it is deployed, and explains each problem to its designer.

Every problem names the element (id and name) and says, in Vietnamese, what to
change. Nothing here raises on a bad diagram: it returns the problems.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.roles import lane_names_hint, role_for_lane
from engine.workflow.specs import BPMN_NS, executable_process_ids, parse_process

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

SUPPORTED = {
    "definitions", "process", "collaboration", "participant", "laneSet", "lane", "childLaneSet",
    "flowNodeRef", "startEvent", "endEvent", "userTask", "manualTask", "scriptTask", "script",
    "exclusiveGateway", "parallelGateway", "sequenceFlow", "conditionExpression", "incoming",
    "outgoing", "extensionElements", "documentation", "textAnnotation", "text", "association",
    "intermediateCatchEvent", "boundaryEvent", "timerEventDefinition", "timeDuration", "timeDate",
    "timeCycle", "category", "categoryValue", "group",
}  # fmt: skip

ELEMENT_LABELS = {
    "serviceTask": "tác vụ dịch vụ (service task)",
    "sendTask": "tác vụ gửi (send task)",
    "receiveTask": "tác vụ nhận (receive task)",
    "businessRuleTask": "tác vụ quy tắc (business rule task)",
    "callActivity": "gọi quy trình con (call activity)",
    "subProcess": "quy trình con (sub-process)",
    "complexGateway": "cổng phức hợp (complex gateway)",
    "eventBasedGateway": "cổng sự kiện (event-based gateway)",
    "inclusiveGateway": "cổng bao hàm (inclusive gateway)",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diagram."""

    element_id: str
    element_name: str
    message: str

    def __str__(self) -> str:
        where = f"“{self.element_name}” ({self.element_id})" if self.element_name else self.element_id
        return f"{where}: {self.message}" if self.element_id else self.message


def validate_bpmn(xml: str | bytes, known_forms: Iterable[str]) -> list[Problem]:
    """All the problems that keep ``xml`` from being deployed; an empty list if there are none."""
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        root = etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as err:
        line = err.lineno or "?"
        return [
            Problem("", "", f"Tệp không phải XML hợp lệ (dòng {line}): {err.msg}. Hãy lưu lại sơ đồ từ trình thiết kế.")
        ]
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        return [Problem("", "", "Tệp không phải sơ đồ BPMN 2.0 (thiếu phần tử bpmn:definitions).")]
    text = raw.decode("utf-8")
    if not executable_process_ids(text):
        return [Problem("", "", "Sơ đồ không có quy trình nào được đánh dấu thực thi (isExecutable).")]

    problems = _unsupported_elements(root)
    problems += _user_task_problems(root, set(known_forms))
    problems += _gateway_and_script_problems(root)
    if problems:
        return problems
    try:
        parse_process(text)
    except ValidationException as err:
        node_id = getattr(err, "id", "") or ""
        name = getattr(err, "name", "") or ""
        return [
            Problem(node_id, name, f"Bộ máy quy trình không chấp nhận phần tử này: {err.args[0] if err.args else err}.")
        ]
    except Exception as err:  # the parser raises many kinds; a designer needs the message
        return [Problem("", "", f"Không đọc được quy trình: {err}.")]
    return []


def _name(node: etree._Element) -> str:
    return node.get("name") or ""


def _bpmn(node: etree._Element, tag: str) -> list[etree._Element]:
    return list(node.iter(f"{{{BPMN_NS}}}{tag}"))


def _unsupported_elements(root: etree._Element) -> list[Problem]:
    problems = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        qname = etree.QName(node)
        if qname.namespace != BPMN_NS or qname.localname in SUPPORTED:
            continue
        if qname.localname.endswith("EventDefinition") and qname.localname != "timerEventDefinition":
            label = f"sự kiện loại {qname.localname}"
        else:
            label = ELEMENT_LABELS.get(qname.localname, qname.localname)
        problems.append(
            Problem(
                node.get("id", ""),
                _name(node),
                f"Phần tử {label} chưa được hỗ trợ. Hãy thay bằng tác vụ người dùng (user task), "
                "tác vụ kịch bản (script task) hoặc cổng rẽ nhánh.",
            )
        )
    return problems


def _user_task_problems(root: etree._Element, known_forms: set[str]) -> list[Problem]:
    lane_of: dict[str, etree._Element] = {}
    for lane in _bpmn(root, "lane"):
        for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef"):
            lane_of[(ref.text or "").strip()] = lane
    problems = []
    for lane in _bpmn(root, "lane"):
        has_user_task = any(lane_of.get(task.get("id")) is lane for task in _bpmn(root, "userTask"))
        if has_user_task and role_for_lane(lane.get("name")) is None:
            problems.append(
                Problem(
                    lane.get("id", ""),
                    _name(lane),
                    f"Làn này không ứng với vai trò nào. Hãy đặt tên làn là một trong: {lane_names_hint()}.",
                )
            )
    for task in _bpmn(root, "userTask"):
        task_id, name = task.get("id", ""), _name(task)
        if task_id not in lane_of:
            problems.append(
                Problem(task_id, name, "Tác vụ người dùng phải nằm trong một làn (lane) để biết ai thực hiện.")
            )
        props = {prop.get("name"): prop.get("value", "") for prop in task.iter(f"{{{SPIFF_NS}}}property")}
        form = props.get("form")
        if not form:
            problems.append(
                Problem(
                    task_id,
                    name,
                    "Chưa chọn biểu mẫu: thêm thuộc tính “form” với tên một biểu mẫu trong thư mục forms/.",
                )
            )
        elif form not in known_forms:
            problems.append(
                Problem(
                    task_id,
                    name,
                    f"Biểu mẫu “{form}” không tồn tại. Các biểu mẫu có sẵn: {', '.join(sorted(known_forms))}.",
                )
            )
        status = props.get("status")
        if status is not None and not (status.isdigit() and 1 <= int(status) <= 10):
            problems.append(
                Problem(task_id, name, f"Trạng thái “{status}” không hợp lệ: dùng mã trạng thái quốc gia từ 1 đến 10.")
            )
        hours = props.get("allotted_hours")
        if hours is not None and not _is_positive_number(hours):
            problems.append(
                Problem(task_id, name, f"Thời gian xử lý “{hours}” không hợp lệ: nhập số giờ làm việc, ví dụ 8.")
            )
    return problems


def _gateway_and_script_problems(root: etree._Element) -> list[Problem]:
    problems = []
    flows = {flow.get("id"): flow for flow in _bpmn(root, "sequenceFlow")}
    for gateway in _bpmn(root, "exclusiveGateway"):
        outgoing = [flows.get((ref.text or "").strip()) for ref in gateway.findall(f"{{{BPMN_NS}}}outgoing")]
        outgoing = [flow for flow in outgoing if flow is not None]
        if len(outgoing) < 2:
            continue
        default = gateway.get("default")
        unconditioned = [
            flow
            for flow in outgoing
            if flow.get("id") != default and flow.find(f"{{{BPMN_NS}}}conditionExpression") is None
        ]
        if unconditioned:
            names = ", ".join(flow.get("id", "") for flow in unconditioned)
            problems.append(
                Problem(
                    gateway.get("id", ""),
                    _name(gateway),
                    f"Nhánh {names} không có điều kiện và không phải nhánh mặc định. "
                    'Hãy thêm điều kiện, ví dụ decision == "approve", hoặc đặt một nhánh làm mặc định.',
                )
            )
    for flow in flows.values():
        condition = flow.find(f"{{{BPMN_NS}}}conditionExpression")
        if condition is not None:
            problems += _syntax_problem(flow, (condition.text or "").strip(), "eval", "Điều kiện")
    for task in _bpmn(root, "scriptTask"):
        script = task.find(f"{{{BPMN_NS}}}script")
        problems += _syntax_problem(task, script.text if script is not None else "", "exec", "Kịch bản")
    return problems


def _syntax_problem(node: etree._Element, source: str | None, mode: str, what: str) -> list[Problem]:
    try:
        compile(source or "None", node.get("id", "bpmn"), mode)
    except SyntaxError as err:
        return [Problem(node.get("id", ""), _name(node), f"{what} có lỗi cú pháp ở dòng {err.lineno}: {err.msg}.")]
    return []


def _is_positive_number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False
