"""Importing a diagram saved by Camunda Modeler (Camunda 7 or Camunda 8) into our dialect.

What carries over: the form of a user task (``camunda:formKey``, ``camunda:formRef``,
``zeebe:formDefinition``) becomes ``spiff:property name="form"``; candidate groups
become the lane (a lane is renamed, or the task moved into a lane, named for the
role the group maps to); an assignee expression such as ``${specialist}`` or
``=specialist`` becomes ``spiff:property name="assignee"``; a due date written as a
duration becomes ``allotted_hours``; ``status``/``allotted_hours``/``form``/``assignee``
properties carry over as they are; JUEL and FEEL conditions and timer values are
rewritten as the Python expressions our engine evaluates.

What does not (listeners, connectors, input/output mappings, service task
implementations, groups no role answers to, scripts in other languages) is listed
plainly in ``unmapped``, element by element, and removed from the diagram; the
BPMN elements themselves stay, so ``validate_bpmn`` still names what must change.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from lxml import etree

from engine.roles import ROLES, Role, lane_names_hint, role_for_lane
from engine.workflow.runtime import SAFE_BUILTINS
from engine.workflow.specs import BPMN_NS
from engine.workflow.validation import MAX_BPMN_BYTES, SPIFF_NS, validate_bpmn

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
MODELER_NS = "http://camunda.org/schema/modeler/1.0"
FOREIGN_NS = (CAMUNDA_NS, ZEEBE_NS, MODELER_NS)
PREFIXES = {CAMUNDA_NS: "camunda", ZEEBE_NS: "zeebe", MODELER_NS: "modeler"}

# A "day" in a due date is a working day of eight hours: allotted_hours counts working hours.
HOURS_PER_DAY = 8
HOURS_PER_WEEK = 5 * HOURS_PER_DAY

OUR_PROPERTIES = ("form", "status", "allotted_hours", "assignee")

_FORM_PREFIXES = (
    "camunda-forms:deployment:",
    "camunda-forms:app:",
    "camunda-forms:",
    "embedded:deployment:",
    "embedded:app:",
    "embedded:",
    "deployment:",
    "app:",
)

# What each Camunda extension is, and why it does not carry over.
_JAVA = "Một Cửa không chạy mã Java hay job worker; nếu cần, hãy thay bằng một tác vụ kịch bản (script task) Python"
_DATA = "các bước trong Một Cửa dùng chung dữ liệu của hồ sơ; hãy đặt tên trường biểu mẫu trùng với tên biến"
_UNUSED = "Một Cửa không dùng thiết lập này"
_EXTENSIONS: dict[str, tuple[str, str]] = {
    "executionListener": ("trình nghe sự kiện thực thi (execution listener)", _JAVA),
    "executionListeners": ("trình nghe sự kiện thực thi (execution listener)", _JAVA),
    "taskListener": ("trình nghe sự kiện tác vụ (task listener)", _JAVA),
    "taskListeners": ("trình nghe sự kiện tác vụ (task listener)", _JAVA),
    "connector": ("connector", _JAVA),
    "taskDefinition": ("cài đặt job worker của tác vụ (task definition)", _JAVA),
    "field": ("trường cấu hình lớp Java (field injection)", _JAVA),
    "inputOutput": ("ánh xạ dữ liệu vào/ra (input/output mapping)", _DATA),
    "ioMapping": ("ánh xạ dữ liệu vào/ra (input/output mapping)", _DATA),
    "in": ("biến truyền vào quy trình con", _DATA),
    "out": ("biến trả ra từ quy trình con", _DATA),
    "taskHeaders": ("tiêu đề tác vụ (task headers)", _UNUSED),
    "formData": ("biểu mẫu khai báo ngay trong sơ đồ (form data)", "hãy tạo biểu mẫu tương ứng trong thư mục forms/"),
    "userTaskForm": ("biểu mẫu nhúng (user task form)", "hãy tạo biểu mẫu tương ứng trong thư mục forms/"),
    "properties": ("thuộc tính mở rộng (properties)", _UNUSED),
    "calledElement": ("quy trình được gọi (called element)", "quy trình con chưa được hỗ trợ"),
    "calledDecision": ("bảng quyết định DMN được gọi", "bảng quyết định chưa được hỗ trợ"),
    "script": ("biểu thức FEEL của tác vụ kịch bản", "hãy viết lại bằng Python trong phần kịch bản (script)"),
    "subscription": ("tương quan thông điệp (subscription)", "thông điệp chưa được hỗ trợ"),
    "failedJobRetryTimeCycle": ("chu kỳ thử lại khi lỗi", _UNUSED),
    "loopCharacteristics": ("thiết lập lặp nhiều phiên bản", "tác vụ nhiều phiên bản chưa được hỗ trợ"),
    "versionTag": ("nhãn phiên bản", "Một Cửa tự đánh số phiên bản khi triển khai"),
}
_ATTRIBUTES: dict[str, tuple[str, str]] = {
    "class": ("lớp Java thực thi", _JAVA),
    "delegateExpression": ("biểu thức delegate", _JAVA),
    "expression": ("biểu thức thực thi", _JAVA),
    "type": ("kiểu thực thi", _JAVA),
    "topic": ("chủ đề external task", _JAVA),
    "taskPriority": ("độ ưu tiên external task", _UNUSED),
    "resultVariable": ("biến nhận kết quả", _DATA),
    "asyncBefore": ("chạy bất đồng bộ (async before)", _UNUSED),
    "asyncAfter": ("chạy bất đồng bộ (async after)", _UNUSED),
    "async": ("chạy bất đồng bộ", _UNUSED),
    "exclusive": ("chạy độc quyền (exclusive)", _UNUSED),
    "jobPriority": ("độ ưu tiên job", _UNUSED),
    "historyTimeToLive": ("thời gian lưu lịch sử", "Một Cửa giữ lịch sử hồ sơ theo quy định lưu trữ"),
    "versionTag": ("nhãn phiên bản", "Một Cửa tự đánh số phiên bản khi triển khai"),
    "isStartableInTasklist": ("cho phép khởi động từ Tasklist", _UNUSED),
    "candidateStarterGroups": ("nhóm được phép khởi động quy trình", "hồ sơ được khởi động khi tiếp nhận"),
    "candidateStarterUsers": ("người được phép khởi động quy trình", "hồ sơ được khởi động khi tiếp nhận"),
    "initiator": ("biến lưu người khởi động", "người tiếp nhận được ghi trong lịch sử hồ sơ"),
    "formKey": ("biểu mẫu", "chỉ tác vụ người dùng có biểu mẫu; thông tin tiếp nhận lấy từ thủ tục"),
    "formRef": ("biểu mẫu", "chỉ tác vụ người dùng có biểu mẫu; thông tin tiếp nhận lấy từ thủ tục"),
    "candidateUsers": ("người dùng được giao (candidate users)", "Một Cửa giao việc theo vai trò (làn)"),
    "followUpDate": ("ngày theo dõi (follow-up date)", _UNUSED),
    "priority": ("độ ưu tiên", _UNUSED),
    "resource": ("tệp kịch bản bên ngoài", "hãy chép kịch bản vào phần script, viết bằng Python"),
    "decisionRef": ("bảng quyết định DMN", "bảng quyết định chưa được hỗ trợ"),
    "calledElement": ("quy trình được gọi", "quy trình con chưa được hỗ trợ"),
    "errorCodeVariable": ("biến mã lỗi", _UNUSED),
    "errorMessageVariable": ("biến thông báo lỗi", _UNUSED),
}


@dataclass(frozen=True)
class CamundaImport:
    """The diagram in our dialect, what was carried over, and what was not (each naming its element)."""

    xml: str
    mapped: list[str]
    unmapped: list[str]


def import_camunda(xml: str) -> CamundaImport:
    """Convert a Camunda Modeler diagram (7.x or 8.x) to our dialect; never raises for a bad file.

    A file that cannot be read comes back unchanged, with the reason in ``unmapped``.
    """
    if len(xml) > MAX_BPMN_BYTES or len(xml.encode("utf-8")) > MAX_BPMN_BYTES:
        return CamundaImport(xml, [], [str(p) for p in validate_bpmn(xml, None)])
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except (etree.XMLSyntaxError, ValueError):
        return CamundaImport(xml, [], [str(p) for p in validate_bpmn(xml, None)] or ["Không đọc được tệp XML."])
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        return CamundaImport(xml, [], ["Tệp không phải sơ đồ BPMN 2.0 (thiếu phần tử bpmn:definitions)."])
    converter = _Converter(root)
    converter.run()
    return CamundaImport(converter.serialize(), converter.mapped, converter.unmapped)


def _where(node: etree._Element) -> str:
    node_id = node.get("id") or etree.QName(node).localname
    return f"{node_id} (“{node.get('name')}”)" if node.get("name") else node_id


def _bpmn(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


def _lane_name(role: Role) -> str:
    return ROLES[role].lane_names[0]


def role_for_group(group: str) -> Role | None:
    """The role a Camunda candidate group stands for: a lane name or a role key, ``_``/``-`` read as spaces."""
    return role_for_lane(group) or role_for_lane(re.sub(r"[_\-.]+", " ", group))


class _Converter:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.mapped: list[str] = []
        self.unmapped: list[str] = []
        self.embedded_forms: dict[str, str] = {}
        self.used_forms: set[str] = set()  # embedded forms a task referred to: reported with the task
        self.group_role: dict[str, tuple[str, Role]] = {}  # user task id → (the group, its role)
        self.ids = {node.get("id") for node in root.iter() if isinstance(node.tag, str) and node.get("id")}

    def run(self) -> None:
        self._platform()
        for form in self.root.iter(f"{{{ZEEBE_NS}}}userTaskForm"):
            self.embedded_forms[form.get("id", "")] = form.text or ""
        for task in list(self.root.iter(_bpmn("userTask"))):
            self._user_task(task)
        for form in list(self.root.iter(f"{{{ZEEBE_NS}}}userTaskForm")):
            if form.get("id") in self.used_forms:
                _remove(form)
        for expression in list(self.root.iter(_bpmn("conditionExpression"))):
            self._condition(expression)
        for tag in ("timeDuration", "timeDate", "timeCycle"):
            for timer in list(self.root.iter(_bpmn(tag))):
                self._timer(timer)
        for task in list(self.root.iter(_bpmn("scriptTask"))):
            self._script(task)
        for process in list(self.root.iter(_bpmn("process"))):
            self._lanes(process)
        self._sweep()

    # Where the diagram came from ------------------------------------------------------------------------------

    def _platform(self) -> None:
        platform = self.root.get(f"{{{MODELER_NS}}}executionPlatform")
        version = self.root.get(f"{{{MODELER_NS}}}executionPlatformVersion")
        namespaces = {
            etree.QName(name).namespace
            for node in self.root.iter()
            if isinstance(node.tag, str)
            for name in (node.tag, *node.attrib)
        }
        dialect = "Camunda 8 (Zeebe)" if ZEEBE_NS in namespaces else "Camunda 7" if CAMUNDA_NS in namespaces else "BPMN"
        if platform:
            dialect = f"{platform} {version or ''}".strip()
        exporter = " ".join(filter(None, (self.root.get("exporter"), self.root.get("exporterVersion"))))
        self.mapped.append(
            f"Sơ đồ {dialect}" + (f" (lưu bởi {exporter})" if exporter else "") + " được chuyển sang quy ước Một Cửa."
        )

    # User tasks ---------------------------------------------------------------------------------------------

    def _user_task(self, task: etree._Element) -> None:
        where = _where(task)
        props: dict[str, str] = {}
        for ns in (CAMUNDA_NS, ZEEBE_NS):
            for container in task.findall(f"{_bpmn('extensionElements')}/{{{ns}}}properties"):
                for prop in container.findall(f"{{{ns}}}property"):
                    name, value = prop.get("name", ""), prop.get("value", "")
                    if name in OUR_PROPERTIES:
                        props[name] = value
                        self.mapped.append(f"{where}: thuộc tính {name} = “{value}” được giữ nguyên.")
                    else:
                        self.unmapped.append(
                            f"{where}: thuộc tính mở rộng “{name}” = “{value}” không được chuyển: {_UNUSED}."
                        )
                _remove(container)
        for marker in list(task.iter(f"{{{ZEEBE_NS}}}userTask")):  # "a Camunda user task": nothing to carry
            _remove(marker)
        form = self._form(task, where)
        if form and "form" not in props:
            props["form"] = form
        self._groups(task, where)
        assignee = self._assignee(task, where)
        if assignee and "assignee" not in props:
            props["assignee"] = assignee
        hours = self._due(task, where)
        if hours and "allotted_hours" not in props:
            props["allotted_hours"] = hours
        if props:
            _set_properties(task, {name: props[name] for name in OUR_PROPERTIES if name in props})

    def _form(self, task: etree._Element, where: str) -> str | None:
        key = _pop(task, CAMUNDA_NS, "formKey") or _pop(task, CAMUNDA_NS, "formRef")
        for definition in task.iter(f"{{{ZEEBE_NS}}}formDefinition"):
            key = definition.get("formId") or definition.get("formKey") or definition.get("externalReference") or key
            _remove(definition)
        if not key:
            return None
        key = key.strip()
        if key.startswith("camunda-forms:bpmn:"):
            return self._embedded_form(key, key.removeprefix("camunda-forms:bpmn:"), where)
        if key.startswith(("${", "#{", "=")):
            self.unmapped.append(
                f"{where}: biểu mẫu được chọn bằng biểu thức “{key}” không được chuyển: "
                "hãy chọn một biểu mẫu cố định (thuộc tính form)."
            )
            return None
        name = key
        for prefix in _FORM_PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix) :]
                break
        name = re.sub(r"\.(form|html?|json)$", "", name.rsplit("/", 1)[-1])
        self.mapped.append(f"{where}: biểu mẫu “{key}” → form “{name}”.")
        return name

    def _embedded_form(self, key: str, form_id: str, where: str) -> str:
        text = self.embedded_forms.get(form_id)
        self.used_forms.add(form_id)
        name = form_id
        fields: list[str] = []
        if text:
            try:
                schema = json.loads(text)
            except ValueError:
                schema = {}
            if isinstance(schema, dict):
                name = str(schema.get("id") or form_id)
                fields = [
                    str(c.get("key")) for c in schema.get("components", []) if isinstance(c, dict) and c.get("key")
                ]
        self.mapped.append(f"{where}: biểu mẫu “{key}” → form “{name}”.")
        listed = f" (các trường: {', '.join(fields)})" if fields else ""
        self.unmapped.append(
            f"{where}: nội dung biểu mẫu nhúng “{form_id}”{listed} không được chuyển: "
            f"bước này dùng biểu mẫu “{name}” trong thư mục forms/; hãy tạo hoặc chọn biểu mẫu có các trường đó."
        )
        return name

    def _groups(self, task: etree._Element, where: str) -> None:
        text = _pop(task, CAMUNDA_NS, "candidateGroups")
        assignments = list(task.iter(f"{{{ZEEBE_NS}}}assignmentDefinition"))
        for assignment in assignments:
            text = assignment.get("candidateGroups") or text
            users = assignment.get("candidateUsers")
            if users:
                self.unmapped.append(
                    f"{where}: người dùng được giao (candidateUsers “{users}”) không được chuyển: "
                    "Một Cửa giao việc theo vai trò (làn)."
                )
        users = _pop(task, CAMUNDA_NS, "candidateUsers")
        if users:
            self.unmapped.append(
                f"{where}: người dùng được giao (candidateUsers “{users}”) không được chuyển: "
                "Một Cửa giao việc theo vai trò (làn)."
            )
        if not text:
            return
        groups = _group_names(text)
        if groups is None:
            self.unmapped.append(
                f"{where}: nhóm được giao là biểu thức “{text}” nên không xác định được vai trò; "
                f"hãy đặt bước vào làn tên là một trong: {lane_names_hint()}."
            )
            return
        chosen: tuple[str, Role] | None = None
        for group in groups:
            role = role_for_group(group)
            if role is None:
                self.unmapped.append(
                    f"{where}: nhóm “{group}” không ứng với vai trò nào của Một Cửa nên bị bỏ qua "
                    f"(tên làn dùng được: {lane_names_hint()})."
                )
            elif chosen is None:
                chosen = (group, role)
            elif role != chosen[1]:
                self.unmapped.append(
                    f"{where}: mỗi bước chỉ thuộc một vai trò: dùng nhóm “{chosen[0]}” ({ROLES[chosen[1]].label}), "
                    f"bỏ qua nhóm “{group}” ({ROLES[role].label})."
                )
        if chosen is not None:
            self.group_role[task.get("id", "")] = chosen

    def _assignee(self, task: etree._Element, where: str) -> str | None:
        text = _pop(task, CAMUNDA_NS, "assignee")
        for assignment in list(task.iter(f"{{{ZEEBE_NS}}}assignmentDefinition")):
            text = assignment.get("assignee") or text
            _remove(assignment)
        if not text:
            return None
        text = text.strip()
        field = re.fullmatch(r"(?:[$#]\{\s*([A-Za-z_]\w*)\s*\}|=\s*([A-Za-z_]\w*))", text)
        if field:
            name = field.group(1) or field.group(2)
            self.mapped.append(f"{where}: người thực hiện “{text}” → assignee “{name}” (trường chứa người được giao).")
            return name
        if text.startswith(("${", "#{", "=")):
            self.unmapped.append(
                f"{where}: người thực hiện là biểu thức “{text}” không được chuyển: hãy dùng một trường dữ liệu "
                "chứa người được giao (ví dụ specialist của bước phân công) làm thuộc tính assignee."
            )
        else:
            self.unmapped.append(
                f"{where}: giao cố định cho người dùng “{text}” không được chuyển: Một Cửa giao việc theo vai trò "
                "(làn) hoặc theo một trường dữ liệu chứa người được giao."
            )
        return None

    def _due(self, task: etree._Element, where: str) -> str | None:
        text = _pop(task, CAMUNDA_NS, "dueDate")
        for schedule in list(task.iter(f"{{{ZEEBE_NS}}}taskSchedule")):
            text = schedule.get("dueDate") or text
            if schedule.get("followUpDate"):
                self.unmapped.append(
                    f"{where}: ngày theo dõi (followUpDate “{schedule.get('followUpDate')}”) không được chuyển: "
                    f"{_UNUSED}."
                )
            _remove(schedule)
        if not text:
            return None
        hours = duration_hours(text)
        if hours is None:
            self.unmapped.append(
                f"{where}: thời hạn “{text}” không đổi được thành số giờ; hãy nhập thuộc tính allotted_hours "
                "(số giờ làm việc, ví dụ 16)."
            )
            return None
        value = f"{hours:g}"
        self.mapped.append(
            f"{where}: thời hạn “{text}” → allotted_hours {value} giờ làm việc (1 ngày = {HOURS_PER_DAY} giờ làm việc)."
        )
        return value

    # Expressions ---------------------------------------------------------------------------------------------

    def _condition(self, expression: etree._Element) -> None:
        flow = expression.getparent()
        where = _where(flow)
        text = (expression.text or "").strip()
        language = (expression.get("language") or "").strip()
        if language and language.lower() not in ("python", "python3"):
            self.unmapped.append(
                f"{where}: điều kiện viết bằng {language} (“{text}”) không được chuyển: hãy viết lại bằng Python, "
                'ví dụ decision == "approve".'
            )
            return
        if text.startswith(("${", "#{")):
            converted = python_condition(text[2:-1] if text.endswith("}") else text[2:], "juel")
        elif text.startswith("="):
            converted = python_condition(text[1:], "feel")
        else:
            return  # already an expression of ours
        if converted is None:
            self.unmapped.append(
                f"{where}: điều kiện “{text}” không tự chuyển được sang Python: hãy viết lại, "
                'ví dụ decision == "approve".'
            )
            return
        expression.text = converted
        self.mapped.append(f"{where}: điều kiện “{text}” → “{converted}”.")

    def _timer(self, timer: etree._Element) -> None:
        event = timer.getparent().getparent() if timer.getparent() is not None else None
        where = _where(event) if event is not None else _where(timer)
        text = (timer.text or "").strip()
        if not text or text[0] in "\"'":
            return
        match = re.fullmatch(r'=?\s*(?:duration|date and time|date|cycle)?\s*\(\s*"([^"]+)"\s*\)', text)
        value = match.group(1) if match else text.lstrip("=").strip()
        if re.fullmatch(r"(R\d*/)?P[\dYMWDTHS.]+|\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?", value):
            timer.text = f'"{value}"'
            self.mapped.append(f'{where}: hẹn giờ “{text}” → “"{value}"” (chuỗi ISO 8601 trong dấu nháy).')
        else:
            self.unmapped.append(
                f"{where}: hẹn giờ “{text}” không tự chuyển được: hãy ghi thời lượng ISO 8601 trong dấu nháy, "
                'ví dụ "P3D".'
            )

    def _script(self, task: etree._Element) -> None:
        language = (task.get("scriptFormat") or "").strip()
        if language and language.lower() not in ("python", "python3", "py"):
            self.unmapped.append(
                f"{_where(task)}: kịch bản viết bằng {language} không chạy được trong Một Cửa: "
                "hãy viết lại bằng Python."
            )

    # Lanes --------------------------------------------------------------------------------------------------

    def _lanes(self, process: etree._Element) -> None:
        lanes = list(process.iter(_bpmn("lane")))
        lane_of = {(ref.text or "").strip(): lane for lane in lanes for ref in lane.findall(_bpmn("flowNodeRef"))}
        tasks = list(process.iter(_bpmn("userTask")))
        # A lane no role answers to, whose tasks' groups all name one role, takes that role's name.
        for lane in lanes:
            if role_for_lane(lane.get("name")) is not None:
                continue
            roles = {
                self.group_role[t.get("id", "")][1]
                for t in tasks
                if lane_of.get(t.get("id", "")) is lane and t.get("id", "") in self.group_role
            }
            if len(roles) == 1:
                role = roles.pop()
                old = lane.get("name") or ""
                lane.set("name", _lane_name(role))
                self.mapped.append(
                    f"{lane.get('id')}: làn “{old}” đổi tên thành “{_lane_name(role)}” "
                    f"theo nhóm được giao của các bước trong làn ({ROLES[role].label})."
                )
        for task in tasks:
            task_id = task.get("id", "")
            lane = lane_of.get(task_id)
            lane_name = lane.get("name") if lane is not None else None
            lane_role = role_for_lane(lane_name)
            chosen = self.group_role.get(task_id)
            if chosen is None:
                if lane_role is None:
                    self.unmapped.append(
                        f"{_where(task)}: không xác định được ai làm bước này (không nằm trong làn nào ứng với "
                        "vai trò, không có nhóm được giao ứng với vai trò); hãy đặt bước vào làn tên là một trong: "
                        f"{lane_names_hint()}."
                    )
                continue
            group, role = chosen
            if lane_role == role:
                self.mapped.append(f"{_where(task)}: nhóm “{group}” → vai trò {ROLES[role].label}, làn “{lane_name}”.")
                continue
            if lane_role is not None:
                self.unmapped.append(
                    f"{_where(task)}: nhóm “{group}” ứng với vai trò {ROLES[role].label} nhưng bước nằm trong làn "
                    f"“{lane_name}” ({ROLES[lane_role].label}); giữ theo làn, hãy kiểm tra lại."
                )
                continue
            target, created = self._lane_for(process, role)
            if lane is not None:
                for ref in lane.findall(_bpmn("flowNodeRef")):
                    if (ref.text or "").strip() == task_id:
                        _remove(ref)
            ref = etree.SubElement(target, _bpmn("flowNodeRef"))
            ref.text = task_id
            lane_of[task_id] = target
            note = " (làn mới, chưa có hình trong sơ đồ: hãy mở sơ đồ trong trình thiết kế để vẽ)" if created else ""
            self.mapped.append(
                f"{_where(task)}: nhóm “{group}” → vai trò {ROLES[role].label}: bước được đặt vào làn "
                f"“{target.get('name')}”{note}."
            )

    def _lane_for(self, process: etree._Element, role: Role) -> tuple[etree._Element, bool]:
        for lane in process.iter(_bpmn("lane")):
            if role_for_lane(lane.get("name")) == role:
                return lane, False
        lane_set = process.find(_bpmn("laneSet"))
        if lane_set is None:
            lane_set = etree.Element(_bpmn("laneSet"), id=self._new_id(f"LaneSet_{process.get('id')}"))
            process.insert(_leading_children(process), lane_set)
        lane = etree.SubElement(lane_set, _bpmn("lane"), id=self._new_id(f"Lane_{role.value}"), name=_lane_name(role))
        return lane, True

    def _new_id(self, base: str) -> str:
        candidate, n = base, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{base}_{n}"
        self.ids.add(candidate)
        return candidate

    # Whatever is left -------------------------------------------------------------------------------------------

    def _sweep(self) -> None:
        for node in list(self.root.iter()):
            if not isinstance(node.tag, str):
                continue
            namespace = etree.QName(node).namespace
            parent = node.getparent()
            if namespace in FOREIGN_NS:
                if parent is not None and etree.QName(parent).namespace not in FOREIGN_NS:
                    owner = parent.getparent() if etree.QName(parent).localname == "extensionElements" else parent
                    self._unmapped_extension(owner, node)
                    _remove(node)
                continue
            for key in list(node.attrib):
                attribute = etree.QName(key)
                if attribute.namespace in FOREIGN_NS:
                    if attribute.namespace != MODELER_NS:
                        self._unmapped_attribute(node, attribute, node.attrib[key])
                    del node.attrib[key]
        for extensions in list(self.root.iter(_bpmn("extensionElements"))):
            if len(extensions) == 0:
                _remove(extensions)

    def _unmapped_extension(self, owner: etree._Element | None, node: etree._Element) -> None:
        qname = etree.QName(node)
        label, reason = _EXTENSIONS.get(qname.localname, (f"phần mở rộng {qname.localname}", _UNUSED))
        details = [f'{k}="{v}"' for k, v in node.attrib.items() if k not in ("id",)][:3]
        if not details and node.text and node.text.strip() and qname.localname != "userTaskForm":
            details = [f"“{node.text.strip()[:80]}”"]
        for child in node.iter():
            if child is not node and isinstance(child.tag, str) and len(details) < 3:
                details += [f'{k}="{v}"' for k, v in child.attrib.items()][: 3 - len(details)]
        detail = f", {' '.join(details)}" if details else ""
        where = _where(owner) if owner is not None else "definitions"
        prefix = PREFIXES.get(qname.namespace or "", "")
        self.unmapped.append(f"{where}: {label} ({prefix}:{qname.localname}{detail}) không được chuyển: {reason}.")

    def _unmapped_attribute(self, node: etree._Element, attribute: etree.QName, value: str) -> None:
        localname = attribute.localname
        label, reason = _ATTRIBUTES.get(localname, (f"thuộc tính {localname}", _UNUSED))
        prefix = PREFIXES.get(attribute.namespace or "", "")
        self.unmapped.append(f"{_where(node)}: {label} ({prefix}:{localname}=“{value}”) không được chuyển: {reason}.")

    def serialize(self) -> str:
        nsmap = {prefix: uri for prefix, uri in self.root.nsmap.items() if uri not in FOREIGN_NS}
        if SPIFF_NS not in nsmap.values():
            nsmap["spiff" if "spiff" not in nsmap else "spiffworkflow"] = SPIFF_NS
        root = etree.Element(self.root.tag, attrib=dict(self.root.attrib), nsmap=nsmap)
        root.text = self.root.text
        for child in list(self.root):
            root.append(child)
        etree.cleanup_namespaces(root)
        etree.indent(root, space="  ")  # what was added or removed leaves the layout even; texts stay as they are
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


# Helpers -------------------------------------------------------------------------------------------------------


def _pop(node: etree._Element, namespace: str, name: str) -> str | None:
    value = node.attrib.pop(f"{{{namespace}}}{name}", None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _remove(node: etree._Element) -> None:
    """Remove ``node``; a last child hands its tail (the closing tag's indentation) to what precedes it."""
    parent = node.getparent()
    if parent is None:
        return
    if node.getnext() is None:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = node.tail
        else:
            parent.text = node.tail
    parent.remove(node)


def _leading_children(node: etree._Element) -> int:
    """Where a new child goes after ``documentation`` and ``extensionElements`` (the BPMN schema's order)."""
    index = 0
    for child in node:
        if isinstance(child.tag, str) and etree.QName(child).localname in ("documentation", "extensionElements"):
            index = node.index(child) + 1
    return index


def _set_properties(task: etree._Element, props: dict[str, str]) -> None:
    extensions = task.find(_bpmn("extensionElements"))
    if extensions is None:
        extensions = etree.Element(_bpmn("extensionElements"))
        task.insert(_leading_children(task), extensions)
    container = extensions.find(f"{{{SPIFF_NS}}}properties")
    if container is None:
        container = etree.SubElement(extensions, f"{{{SPIFF_NS}}}properties")
    existing = {prop.get("name"): prop for prop in container.findall(f"{{{SPIFF_NS}}}property")}
    for name, value in props.items():
        prop = existing.get(name)
        if prop is None:
            prop = etree.SubElement(container, f"{{{SPIFF_NS}}}property", name=name)
        prop.set("value", value)


def _group_names(text: str) -> list[str] | None:
    """Candidate groups as names: "a, b" or a FEEL list ``=["a", "b"]``; None for any other expression."""
    text = text.strip()
    if text.startswith("="):
        body = text[1:].strip()
        if re.fullmatch(r'\[\s*("[^"]*"\s*(,\s*"[^"]*"\s*)*)?\]', body) or re.fullmatch(r'"[^"]*"', body):
            return [g for g in re.findall(r'"([^"]*)"', body) if g.strip()]
        return None
    if text.startswith(("${", "#{")):
        return None
    return [g.strip() for g in text.split(",") if g.strip()]


_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:\d+(?:\.\d+)?S)?)?"
)


def duration_hours(text: str) -> float | None:
    """Working hours in a due date written as a duration: "P2D", "PT16H", "=now() + duration("P1D")",
    "${dateTime().plusDays(2).toDate()}". None for a date or anything else."""
    hours = 0.0
    found = False
    for match in _DURATION.finditer(text):
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        if not parts:
            continue
        found = True
        hours += (
            parts.get("weeks", 0) * HOURS_PER_WEEK
            + parts.get("days", 0) * HOURS_PER_DAY
            + parts.get("hours", 0)
            + parts.get("minutes", 0) / 60
        )
    for unit, amount in re.findall(r"plus(Weeks|Days|Hours|Minutes)\(\s*(\d+)\s*\)", text):
        found = True
        hours += int(amount) * {"Weeks": HOURS_PER_WEEK, "Days": HOURS_PER_DAY, "Hours": 1, "Minutes": 1 / 60}[unit]
    return round(hours, 2) if found and hours > 0 else None


_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_JUEL = (
    (r"&&", " and "),
    (r"\|\|", " or "),
    (r"!\s*empty\s+", ""),
    (r"\bnot\s+empty\s+", ""),
    (r"\bempty\s+", "not "),
    (r"!(?!=)", " not "),
    (r"\beq\b", "=="),
    (r"\bne\b", "!="),
    (r"\blt\b", "<"),
    (r"\bgt\b", ">"),
    (r"\ble\b", "<="),
    (r"\bge\b", ">="),
    (r"\bdiv\b", "/"),
    (r"\bmod\b", "%"),
    (r"\bnull\b", "None"),
    (r"\btrue\b", "True"),
    (r"\bfalse\b", "False"),
)
_FEEL = (
    (r"(?<![=!<>])=(?!=)", " == "),
    (r"\bnull\b", "None"),
    (r"\btrue\b", "True"),
    (r"\bfalse\b", "False"),
)
_ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.Name, ast.Constant, ast.Load,
    ast.And, ast.Or, ast.Not, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Is, ast.IsNot, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Mod, ast.USub, ast.List, ast.Tuple,
)  # fmt: skip


def python_condition(text: str, dialect: str) -> str | None:
    """A JUEL (Camunda 7) or FEEL (Camunda 8) condition as Python; None unless it is plain comparisons of data."""
    rules = _JUEL if dialect == "juel" else _FEEL
    pieces = []
    last = 0
    for match in _STRING.finditer(text):
        pieces.append(_rewrite(text[last : match.start()], rules))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(_rewrite(text[last:], rules))
    result = " ".join("".join(pieces).split())
    try:
        tree = ast.parse(result, mode="eval")
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SAFE_BUILTINS:
            continue
        if not isinstance(node, _ALLOWED_NODES):
            return None
        if isinstance(node, ast.Name) and node.id in ("execution", "task", "authenticatedUserId"):
            return None
    return result


def _rewrite(segment: str, rules: tuple[tuple[str, str], ...]) -> str:
    for pattern, replacement in rules:
        segment = re.sub(pattern, replacement, segment)
    return segment
