"""The process designer: check and dry-run drafts, list and compare versions, redeploy, move dossiers.

Everything that reads or changes deployed versions is for process designers and
administrators only. Checking and dry-running a draft touch no database: they
are thin wrappers the web layer calls with the draft's XML.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import clock
from engine.forms import FormRegistry
from engine.models import Dossier, ProcessVersion, Task, User, WorkflowState
from engine.roles import ROLES, Role, role_for_lane
from engine.services import advance
from engine.services.errors import Conflict, Forbidden, NotFound
from engine.services.procedures import InvalidProcess, check_process, latest_version
from engine.status import DossierStatus
from engine.workflow import Problem, ProcessSpec, StepInfo, parse_process, start_instance, validate_bpmn
from engine.workflow.migration import RebaseError, rebase_instance
from engine.workflow.scenarios import ScenarioFormatError, ScenarioResult, run_scenario, scenario_from_dict
from engine.workflow.specs import BPMN_NS, content_hash

# A dossier in one of these is not running: nothing will move it along its process again.
NOT_RUNNING = (DossierStatus.REFUSED, DossierStatus.STOPPED, DossierStatus.RETURNED)
DIFF_LINES = 400

FORBIDDEN = "Chỉ người thiết kế quy trình hoặc quản trị hệ thống mới được quản lý phiên bản quy trình."


def require_designer(actor: User) -> None:
    if not (actor.has_role(Role.PROCESS_DESIGNER) or actor.has_role(Role.ADMINISTRATOR)):
        raise Forbidden(FORBIDDEN)


# Drafts ------------------------------------------------------------------------------------------------------


def check_draft(xml: str, forms: FormRegistry) -> list[Problem]:
    """Everything that would keep the draft from being deployed, and from starting: [] if it is ready."""
    problems = validate_bpmn(xml, forms.names())
    if problems:
        return problems
    try:
        instance = start_instance(parse_process(xml))
    except Exception as err:  # a script or condition that fails on the way to the first step
        return [Problem("", "", f"Quy trình không khởi động được: {' '.join(str(err).split())}.")]
    if instance.completed:
        return [
            Problem(
                "",
                "",
                "Quy trình kết thúc ngay khi bắt đầu, không có bước nào cho người xử lý. "
                "Hãy nối sự kiện bắt đầu tới một tác vụ người dùng (ví dụ bước tiếp nhận hồ sơ).",
            )
        ]
    return []


def dry_run(
    xml: str, steps: list[dict[str, Any]], forms: FormRegistry, expect: dict[str, Any] | None = None
) -> ScenarioResult:
    """Walk the draft through ``steps`` ([{"step": "task_receive", "data": {...}}, ...]) in memory.

    ``expect`` takes the scenario file's "expect" shape ({"ended", "open", "status"}).
    A malformed ``steps`` comes back as failures, never as an exception.
    """
    name = "Chạy thử"
    raw: dict[str, Any] = {"name": name, "steps": steps}
    if expect is not None:
        raw["expect"] = expect
    try:
        scenario = scenario_from_dict(raw, name)
    except ScenarioFormatError as err:
        return ScenarioResult(name=name, failures=list(err.errors))
    return run_scenario(xml, scenario, forms)


# Versions ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionInfo:
    id: int
    number: int
    deployed_by_name: str
    deployed_at: datetime
    content_hash: str
    steps: list[str]  # the titles of its user tasks
    running: int  # dossiers still running on it
    latest: bool


def versions(session: Session, actor: User, process_key: str) -> list[VersionInfo]:
    """Every deployed version of ``process_key``, newest first."""
    require_designer(actor)
    rows = session.scalars(
        select(ProcessVersion).where(ProcessVersion.process_key == process_key).order_by(ProcessVersion.number.desc())
    ).all()
    if not rows:
        raise NotFound(f"Chưa có phiên bản nào của quy trình “{process_key}”.")
    running = dict(
        session.execute(
            select(Dossier.process_version_id, func.count())
            .where(Dossier.process_version_id.in_([v.id for v in rows]), Dossier.status.not_in(NOT_RUNNING))
            .group_by(Dossier.process_version_id)
        ).all()
    )
    return [
        VersionInfo(
            id=version.id,
            number=version.number,
            deployed_by_name=version.deployed_by_name,
            deployed_at=version.deployed_at,
            content_hash=version.content_hash,
            steps=[step.title for step in _process(version).steps.values()],
            running=int(running.get(version.id, 0)),
            latest=version is rows[0],
        )
        for version in rows
    ]


@dataclass(frozen=True)
class StepSummary:
    """A user task as a designer reads it."""

    step_id: str
    title: str
    lane: str
    role: str  # the role's label, "" if the lane names none
    form: str
    allotted_hours: float | None
    status: int | None
    assignee_field: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str  # Vietnamese
    before: str
    after: str


@dataclass(frozen=True)
class StepChange:
    step_id: str
    title: str
    changes: list[FieldChange]


@dataclass(frozen=True)
class FlowChange:
    source: str
    target: str
    source_name: str
    target_name: str

    def __str__(self) -> str:
        return f"{self.source_name or self.source} → {self.target_name or self.target}"


@dataclass(frozen=True)
class VersionDiff:
    version_id: int
    number: int
    previous_number: int | None  # None for a process's first version: everything is "added"
    steps_added: list[StepSummary] = field(default_factory=list)
    steps_removed: list[StepSummary] = field(default_factory=list)
    steps_changed: list[StepChange] = field(default_factory=list)
    flows_added: list[FlowChange] = field(default_factory=list)
    flows_removed: list[FlowChange] = field(default_factory=list)
    text_diff: str = ""  # unified diff of the XML, at most DIFF_LINES lines
    text_diff_truncated: bool = False

    @property
    def unchanged(self) -> bool:
        return not (
            self.steps_added or self.steps_removed or self.steps_changed or self.flows_added or self.flows_removed
        )


_STEP_FIELDS = (
    ("title", "Tên bước"),
    ("lane", "Làn"),
    ("role", "Vai trò"),
    ("form", "Biểu mẫu"),
    ("allotted_hours", "Thời gian xử lý (giờ làm việc)"),
    ("status", "Trạng thái hồ sơ"),
    ("assignee_field", "Người thực hiện theo trường"),
)


def version_diff(session: Session, actor: User, version_id: int) -> VersionDiff:
    """What version ``version_id`` changed against the version numbered just before it."""
    require_designer(actor)
    version = _version(session, version_id)
    previous = session.scalars(
        select(ProcessVersion)
        .where(ProcessVersion.process_key == version.process_key, ProcessVersion.number < version.number)
        .order_by(ProcessVersion.number.desc())
        .limit(1)
    ).first()
    after = {k: _summary(s) for k, s in _process(version).steps.items()}
    before = {k: _summary(s) for k, s in _process(previous).steps.items()} if previous else {}
    changed = []
    for step_id in after.keys() & before.keys():
        changes = [
            FieldChange(name, label, _shown(getattr(before[step_id], name)), _shown(getattr(after[step_id], name)))
            for name, label in _STEP_FIELDS
            if getattr(before[step_id], name) != getattr(after[step_id], name)
        ]
        if changes:
            changed.append(StepChange(step_id, after[step_id].title, changes))
    flows_after = _flows(version.bpmn_xml)
    flows_before = _flows(previous.bpmn_xml) if previous else {}
    lines = list(
        difflib.unified_diff(
            previous.bpmn_xml.splitlines() if previous else [],
            version.bpmn_xml.splitlines(),
            fromfile=f"phiên bản {previous.number}" if previous else "(chưa có)",
            tofile=f"phiên bản {version.number}",
            lineterm="",
        )
    )
    truncated = len(lines) > DIFF_LINES
    text = "\n".join(lines[:DIFF_LINES])
    if truncated:
        text += f"\n… (còn {len(lines) - DIFF_LINES} dòng khác biệt nữa)"
    return VersionDiff(
        version_id=version.id,
        number=version.number,
        previous_number=previous.number if previous else None,
        steps_added=[after[k] for k in after if k not in before],
        steps_removed=[before[k] for k in before if k not in after],
        steps_changed=sorted(changed, key=lambda c: list(after).index(c.step_id)),
        flows_added=[flows_after[k] for k in flows_after if k not in flows_before],
        flows_removed=[flows_before[k] for k in flows_before if k not in flows_after],
        text_diff=text,
        text_diff_truncated=truncated,
    )


def _summary(step: StepInfo) -> StepSummary:
    role = role_for_lane(step.lane)
    return StepSummary(
        step_id=step.name,
        title=step.title,
        lane=step.lane or "",
        role=ROLES[role].label if role else "",
        form=step.form or "",
        allotted_hours=step.allotted_hours,
        status=step.status,
        assignee_field=step.assignee_field or "",
    )


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(không có)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _flows(xml: str) -> dict[tuple[str, str], FlowChange]:
    """The sequence flows of the executable processes, by (source, target)."""
    root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    names = {node.get("id"): node.get("name") or "" for node in root.iter() if isinstance(node.tag, str)}
    flows: dict[tuple[str, str], FlowChange] = {}
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        flows.setdefault((source, target), FlowChange(source, target, names.get(source, ""), names.get(target, "")))
    return flows


def _process(version: ProcessVersion) -> ProcessSpec:
    """The parsed process of a version, cached by its content (process_of_version caches by row id)."""
    return parse_process(version.bpmn_xml, version.process_key)


def _version(session: Session, version_id: int) -> ProcessVersion:
    version = session.get(ProcessVersion, version_id)
    if version is None:
        raise NotFound("Không tìm thấy phiên bản quy trình.")
    return version


def redeploy(session: Session, actor: User, version_id: int, forms: FormRegistry | None = None) -> ProcessVersion:
    """Deploy an older version's XML again, as a new number (new dossiers take it).

    With ``forms``, the XML is checked again first (a form it names may have been removed since).
    """
    require_designer(actor)
    version = _version(session, version_id)
    latest = latest_version(session, version.process_key)
    if latest is not None and latest.content_hash == version.content_hash:
        if latest.id == version.id:
            raise Conflict(f"Phiên bản {version.number} đã là phiên bản mới nhất: không cần triển khai lại.")
        raise Conflict(
            f"Nội dung phiên bản {version.number} đã là phiên bản mới nhất (phiên bản {latest.number}): "
            "không cần triển khai lại."
        )
    if forms is not None:
        problems = check_process(version.bpmn_xml, forms)
        if problems:
            raise InvalidProcess(problems)
    number = (
        session.scalar(select(func.max(ProcessVersion.number)).where(ProcessVersion.process_key == version.process_key))
        or 0
    ) + 1
    again = ProcessVersion(
        process_key=version.process_key,
        number=number,
        bpmn_xml=version.bpmn_xml,
        content_hash=content_hash(version.bpmn_xml),
        deployed_by_id=actor.id,
        deployed_by_name=actor.full_name,
        deployed_at=clock.now(),
    )
    session.add(again)
    session.flush()
    return again


# Moving running dossiers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationReport:
    moved: list[str]  # dossier codes
    refused: list[tuple[str, str]]  # (dossier code, why, in Vietnamese)


def migrate_dossiers(session: Session, actor: User, process_key: str, to_version_id: int) -> MigrationReport:
    """Move the running dossiers of ``process_key`` on older versions onto version ``to_version_id``.

    A dossier moves when each of its open steps is a user task of the target version
    for the same role, and its workflow state, restored onto the target version, waits
    at exactly those steps (same task ids). It keeps its inbox rows (their titles and
    forms follow the new version) and its history; its version is bumped, so a step
    completed concurrently on the old version fails cleanly. The rest are refused, each
    with its reason.
    """
    require_designer(actor)
    target = _version(session, to_version_id)
    if target.process_key != process_key:
        raise NotFound(f"Phiên bản này không thuộc quy trình “{process_key}”.")
    process = _process(target)
    older = select(ProcessVersion.id).where(
        ProcessVersion.process_key == process_key, ProcessVersion.number < target.number
    )
    dossiers = session.scalars(
        select(Dossier)
        .where(Dossier.process_version_id.in_(older), Dossier.status.not_in(NOT_RUNNING))
        .order_by(Dossier.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    report = MigrationReport(moved=[], refused=[])
    now = clock.now()
    numbers = dict(
        session.execute(select(ProcessVersion.id, ProcessVersion.number).where(ProcessVersion.id.in_(older))).all()
    )
    dossier_versions = {d.id: numbers.get(d.process_version_id) for d in dossiers}
    try:
        for dossier in dossiers:
            reason = _move(session, dossier, target, process, now)
            if not reason:
                old_number = dossier_versions.get(dossier.id)
                advance.record(
                    session,
                    dossier,
                    actor,
                    "migrate",
                    now,
                    from_step=f"Chuyển sang phiên bản {target.number} của quy trình",
                    note=f"Từ phiên bản {old_number}." if old_number else "",
                )
            if reason:
                report.refused.append((dossier.code, reason))
            else:
                report.moved.append(dossier.code)
        session.flush()  # the version check: a dossier changed since it was read fails here (or at an autoflush)
    except StaleDataError as err:
        raise Conflict("Có hồ sơ vừa được xử lý trong lúc chuyển phiên bản; hãy thực hiện lại.") from err
    return report


def _move(
    session: Session, dossier: Dossier, target: ProcessVersion, process: ProcessSpec, now: datetime
) -> str | None:
    """Move one dossier, or say why not (nothing is changed then)."""
    rows = session.scalars(
        select(Task)
        .where(Task.dossier_id == dossier.id, Task.closed_at.is_(None))
        .order_by(Task.created_at, Task.id)
        .execution_options(populate_existing=True)
    ).all()
    for row in rows:
        step = process.steps.get(row.step)
        if step is None:
            return f"Bước đang mở “{row.title}” ({row.step}) không có trong phiên bản {target.number}."
        role = role_for_lane(step.lane) or Role.COUNTER_OFFICER
        if role.value != row.role:
            return (
                f"Bước đang mở “{row.title}” ({row.step}) ở phiên bản {target.number} do "
                f"{ROLES[role].label.lower()} thực hiện, khác người đang giữ hồ sơ "
                f"({ROLES[Role(row.role)].label.lower()})."
            )
    state = session.get(WorkflowState, dossier.id, populate_existing=True)
    if state is None:
        return "Hồ sơ chưa có trạng thái quy trình để chuyển."
    try:
        instance = rebase_instance(process, state.state)
    except RebaseError as err:
        return err.message
    except Exception as err:
        return f"Không chuyển được trạng thái quy trình sang phiên bản {target.number}: {' '.join(str(err).split())}."
    ready = {(task.id, task.step.name) for task in instance.ready_tasks()}
    open_steps = {(row.id, row.step) for row in rows}
    if ready != open_steps:
        return (
            f"Sau khi chuyển sang phiên bản {target.number}, quy trình chờ ở "
            f"{_steps_text(sorted(s for _, s in ready))} thay vì {_steps_text(sorted(s for _, s in open_steps))}."
        )
    for row in rows:
        step = process.steps[row.step]
        row.title = step.title
        row.form = step.form or ""
    dossier.process_version_id = target.id
    advance.update_status(dossier, instance, rows, now)
    state.state = instance.serialize()
    state.completed = instance.completed
    state.updated_at = now
    return None


def _steps_text(steps: list[str]) -> str:
    return ", ".join(steps) if steps else "không bước nào"
