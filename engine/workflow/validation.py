"""Checks a BPMN file before it is deployed, and explains each problem to its designer.

Every problem names the element (id and name) and says, in Vietnamese, what to
change. Nothing here raises on a bad diagram: it returns the problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from engine.roles import lane_names_hint, role_for_lane
from engine.workflow.specs import (
    BPMN_NS,
    STEP_DOCUMENTS,
    executable_process_ids,
    parse_process,
    safe_parser,
    split_documents,
)

SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

# A diagram larger than this is refused before it is parsed: real ones weigh tens of kilobytes.
MAX_BPMN_BYTES = 5 * 1024 * 1024

# Flow nodes where a run stops to wait (for a person, a time, a message): a loop through one is not a spin.
WAIT_STATES = {
    "userTask", "manualTask", "receiveTask", "intermediateCatchEvent", "eventBasedGateway", "subProcess",
    "callActivity", "transaction", "adHocSubProcess",
}  # fmt: skip

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
    "message": "thông điệp (message)",
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


def validate_bpmn(xml: str | bytes, known_forms: Iterable[str] | None) -> list[Problem]:
    """All the problems that keep ``xml`` from being deployed; an empty list if there are none.

    ``known_forms`` None skips the check that each form exists (a dry run needs no forms).
    """
    if len(xml) > MAX_BPMN_BYTES:  # characters never outnumber bytes: refuse before encoding
        return [_too_large(len(xml))]
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    if len(raw) > MAX_BPMN_BYTES:
        return [_too_large(len(raw))]
    try:
        root = etree.fromstring(raw, parser=safe_parser())
    except etree.XMLSyntaxError as err:
        return [_malformed(err)]
    if root.getroottree().docinfo.doctype:
        return [
            Problem(
                "",
                "",
                "Tệp có khai báo DOCTYPE/ENTITY; vì an toàn, hệ thống không nhận. "
                "Hãy xóa phần <!DOCTYPE …> ở đầu tệp (trình thiết kế BPMN không cần nó).",
            )
        ]
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        return [Problem("", "", "Tệp không phải sơ đồ BPMN 2.0 (thiếu phần tử bpmn:definitions).")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return [Problem("", "", "Tệp phải được lưu với mã hóa UTF-8. Hãy lưu lại sơ đồ từ trình thiết kế.")]
    if not executable_process_ids(text):
        return [Problem("", "", "Sơ đồ không có quy trình nào được đánh dấu thực thi (isExecutable).")]

    problems = _unsupported_elements(root)
    problems += _user_task_problems(root, None if known_forms is None else set(known_forms))
    problems += _gateway_and_script_problems(root)
    problems += _loop_problems(root)
    problems += _message_problems(root)
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


def _too_large(size: int) -> Problem:
    return Problem(
        "",
        "",
        f"Tệp sơ đồ nặng {size / 1024 / 1024:.1f} MB, vượt giới hạn {MAX_BPMN_BYTES // 1024 // 1024} MB. "
        "Hãy bỏ bớt hình ảnh hoặc tài liệu nhúng trong sơ đồ, hoặc tách quy trình thành nhiều thủ tục.",
    )


# libxml2's commonest complaints, said for a designer; the original stays in brackets for whoever debugs.
_XML_ERRORS = (
    ("Document is empty", "tệp rỗng"),
    ("Start tag expected", "không tìm thấy thẻ mở đầu tiên"),
    ("Opening and ending tag mismatch", "thẻ mở và thẻ đóng không khớp nhau"),
    ("Premature end of data", "tệp bị cắt cụt: có thẻ chưa được đóng"),
    ("EndTag: '</' not found", "tệp bị cắt cụt: có thẻ chưa được đóng"),
    ("Extra content at the end of the document", "có nội dung thừa sau thẻ đóng cuối cùng"),
    ("EntityRef: expecting ';'", "ký tự “&” phải được viết là “&amp;”"),
    ("xmlParseEntityRef: no name", "ký tự “&” phải được viết là “&amp;”"),
    ("Unescaped '<' not allowed", "ký tự “<” trong giá trị thuộc tính phải được viết là “&lt;”"),
    ("AttValue: \" or ' expected", "giá trị thuộc tính phải nằm trong dấu nháy"),
    ("attributes construct error", "thuộc tính viết sai cú pháp"),
    ("Attribute redefined", "một thuộc tính bị lặp lại trong cùng một thẻ"),
    ("Couldn't find end of Start Tag", "thẻ mở chưa được đóng bằng “>”"),
    ("StartTag: invalid element name", "tên thẻ không hợp lệ"),
    ("Namespace prefix", "tiền tố không gian tên (namespace) chưa được khai báo"),
)


def _malformed(err: etree.XMLSyntaxError) -> Problem:
    detail = (err.msg or str(err)).strip()
    plain = re.sub(r"^Attribute \S+ redefined", "Attribute redefined", detail)
    said = next((vi for en, vi in _XML_ERRORS if plain.startswith(en)), "cú pháp XML không hợp lệ")
    where = f"dòng {err.lineno or '?'}" + (f", cột {err.offset + 1}" if err.offset is not None else "")  # 0-based
    return Problem(
        "",
        "",
        f"Tệp không phải XML hợp lệ ({where}): {said} (chi tiết kỹ thuật: {detail}). "
        "Hãy sửa chỗ đó, hoặc lưu lại sơ đồ từ trình thiết kế.",
    )


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


def _user_task_problems(root: etree._Element, known_forms: set[str] | None) -> list[Problem]:
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
        elif known_forms is not None and form not in known_forms:
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
        unknown = [doc for doc in split_documents(props.get("documents", "")) if doc not in STEP_DOCUMENTS]
        if unknown:
            problems.append(
                Problem(
                    task_id,
                    name,
                    f"Văn bản “{', '.join(unknown)}” không có. Bước có thể tạo: {', '.join(STEP_DOCUMENTS)}.",
                )
            )
    return problems


def _gateway_and_script_problems(root: etree._Element) -> list[Problem]:
    problems = []
    flows = {flow.get("id"): flow for flow in _bpmn(root, "sequenceFlow")}
    for gateway in _bpmn(root, "exclusiveGateway"):
        gateway_id = gateway.get("id", "")
        # Some tools write no bpmn:outgoing children: the flows' sourceRef is what the engine follows.
        refs = [(ref.text or "").strip() for ref in gateway.findall(f"{{{BPMN_NS}}}outgoing")]
        refs += [flow_id for flow_id, flow in flows.items() if flow.get("sourceRef") == gateway_id]
        outgoing = [flows[flow_id] for flow_id in dict.fromkeys(refs) if flow_id in flows]
        default = gateway.get("default")
        if default and default not in {flow.get("id") for flow in outgoing}:
            problems.append(
                Problem(
                    gateway_id,
                    _name(gateway),
                    f"Nhánh mặc định {default} không phải một nhánh đi ra từ cổng này. "
                    "Hãy chọn lại nhánh mặc định trong số các nhánh đi ra.",
                )
            )
        if len(outgoing) < 2:
            continue
        unconditioned = [
            flow
            for flow in outgoing
            if flow.get("id") != default and flow.find(f"{{{BPMN_NS}}}conditionExpression") is None
        ]
        if unconditioned:
            names = ", ".join(flow.get("id", "") for flow in unconditioned)
            problems.append(
                Problem(
                    gateway_id,
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


# Python's commonest syntax complaints, said for a designer.
_PYTHON_ERRORS = (
    ("invalid syntax", "cú pháp không hợp lệ"),
    ("unexpected indent", "thụt lề không đúng chỗ (dòng đầu của kịch bản không được thụt lề)"),
    ("unindent does not match", "thụt lề không khớp với các dòng trên"),
    ("expected an indented block", "thiếu khối lệnh thụt lề sau dấu “:”"),
    ("expected ':'", "thiếu dấu “:”"),
    ("unterminated string literal", "chuỗi ký tự chưa được đóng dấu nháy"),
    ("unterminated triple-quoted string", "chuỗi ký tự chưa được đóng dấu nháy"),
    ("unmatched", "thừa dấu đóng ngoặc"),
    ("closing parenthesis", "dấu đóng ngoặc không khớp dấu mở ngoặc"),
    ("cannot assign to", "không thể gán giá trị cho vế trái này"),
    ("invalid character", "có ký tự không hợp lệ (có thể là dấu nháy kiểu Word “ ”)"),
    ("invalid decimal literal", "số viết sai"),
    ("unexpected EOF", "kịch bản kết thúc giữa chừng"),
)


def _syntax_problem(node: etree._Element, source: str | None, mode: str, what: str) -> list[Problem]:
    try:
        compile(source or "None", node.get("id", "bpmn"), mode)
    except SyntaxError as err:
        detail = err.msg or "invalid syntax"
        if "was never closed" in detail:
            said = "dấu mở ngoặc chưa được đóng"
        else:
            said = next((vi for en, vi in _PYTHON_ERRORS if detail.startswith(en)), "lỗi cú pháp Python")
        lines = (source or "").splitlines()
        code = lines[err.lineno - 1].strip() if err.lineno and 0 < err.lineno <= len(lines) else ""
        shown = f" “{code[:120]}”" if code else ""
        return [
            Problem(
                node.get("id", ""),
                _name(node),
                f"{what} có lỗi cú pháp ở dòng {err.lineno}{shown}: {said} (chi tiết kỹ thuật: {detail}). "
                "Hãy sửa mã Python ở dòng đó.",
            )
        ]
    return []


def _loop_problems(root: etree._Element) -> list[Problem]:
    """Cycles of sequence flows that never stop at a wait state: the engine would run them for ever."""
    problems = []
    for process in _bpmn(root, "process"):
        by_id = {
            node.get("id"): node
            for node in process.iter()
            if isinstance(node.tag, str) and node.get("id") and etree.QName(node).namespace == BPMN_NS
        }
        nodes: dict[str, etree._Element] = {}
        edges: dict[str, list[str]] = {}
        for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
            source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
            if source in by_id and target in by_id:
                edges.setdefault(source, []).append(target)
                nodes[source], nodes[target] = by_id[source], by_id[target]
        spinning = {node_id for node_id, node in nodes.items() if etree.QName(node).localname not in WAIT_STATES}
        graph = {node_id: [t for t in edges.get(node_id, []) if t in spinning] for node_id in spinning}
        sources: dict[str, set[str]] = {}
        for source, targets in edges.items():
            for target in targets:
                sources.setdefault(target, set()).add(source)
        for component in _strongly_connected(graph):
            if len(component) == 1 and component[0] not in graph[component[0]]:
                continue
            members = set(component)
            if any(
                etree.QName(nodes[n]).localname == "parallelGateway" and sources.get(n, set()) - members
                for n in component
            ):
                continue  # a parallel join in the loop also waits for a branch from outside it: no spin
            cycle = _cycle_through(graph, members)
            # Name the gateway where the loop turns back: that is where an exit belongs.
            first = next((n for n in cycle if etree.QName(nodes[n]).localname.endswith("Gateway")), cycle[0])
            path = " → ".join(_label(nodes[n]) for n in [*cycle, cycle[0]])
            problems.append(
                Problem(
                    first,
                    _name(nodes[first]),
                    f"Vòng lặp {path} không đi qua tác vụ người dùng nào: bộ máy quy trình sẽ chạy vòng mãi "
                    "không dừng. Hãy cho nhánh quay lại đi tới một tác vụ người dùng (ví dụ bước thẩm định lại).",
                )
            )
    return problems


def _label(node: etree._Element) -> str:
    return f"“{node.get('name')}” ({node.get('id')})" if node.get("name") else str(node.get("id"))


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (a diagram of thousands of nodes must not hit the recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = graph[node]
            if child < len(successors):
                work.append((node, child + 1))
                succ = successors[child]
                if succ not in index:
                    work.append((succ, 0))
                elif succ in on_stack:
                    low[node] = min(low[node], index[succ])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    component.append(top)
                    if top == node:
                        break
                components.append(component[::-1])
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def _cycle_through(graph: dict[str, list[str]], component: set[str]) -> list[str]:
    """One cycle inside a strongly connected ``component``, as a list of node ids in flow order."""
    start = min(component)
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for succ in graph[node]:
            if succ not in component:
                continue
            if succ == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1]
            if succ not in previous:
                previous[succ] = node
                queue.append(succ)
    return [start]


def _message_problems(root: etree._Element) -> list[Problem]:
    """Messages are matched by name: a nameless one, or an event that names none, can never be received."""
    problems = []
    messages = {message.get("id"): message for message in _bpmn(root, "message")}
    for message in messages.values():
        if not (message.get("name") or "").strip():
            problems.append(
                Problem(
                    message.get("id", ""),
                    "",
                    "Thông điệp (message) chưa có tên. Hãy đặt tên cho thông điệp, ví dụ “ket_qua_xac_minh”: "
                    "sự kiện chờ thông điệp nhận ra nó theo tên.",
                )
            )
    for definition in _bpmn(root, "messageEventDefinition"):
        event = definition.getparent()
        ref = (definition.get("messageRef") or "").strip()
        if not ref:
            problems.append(
                Problem(
                    event.get("id", ""),
                    _name(event),
                    "Sự kiện thông điệp chưa gắn với thông điệp nào nên thông điệp không có tên. "
                    "Hãy chọn hoặc tạo một thông điệp có tên (messageRef) cho sự kiện này.",
                )
            )
        elif ref not in messages:
            problems.append(
                Problem(
                    event.get("id", ""),
                    _name(event),
                    f"Sự kiện thông điệp tham chiếu tới thông điệp “{ref}” không có trong sơ đồ. "
                    "Hãy chọn một thông điệp có sẵn hoặc tạo thông điệp đó (có tên).",
                )
            )
    return problems


def _is_positive_number(text: str) -> bool:
    try:
        return float(text) > 0
    except ValueError:
        return False
