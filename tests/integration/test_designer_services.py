"""The process designer's services against a real database: versions, diffs, redeploys, moving dossiers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.db import make_engine, session_scope
from engine.models import Dossier, HistoryEvent, Procedure, ProcessVersion, Task, User
from engine.services.designer import (
    check_draft,
    dry_run,
    migrate_dossiers,
    redeploy,
    version_diff,
    versions,
)
from engine.services.dossiers import receive_dossier
from engine.services.errors import Conflict, Forbidden
from engine.services.procedures import deploy_process, latest_version
from engine.services.tasks import complete_task, list_tasks
from tests.conftest import FORMS, ROOT
from tests.factories import APPLICANT, PERMIT, with_step_after_examination

PERMIT_XML = (ROOT / "processes/cap_phep_xay_dung/process.bpmn").read_text(encoding="utf-8")
KEY = "cap_phep_xay_dung"

def with_check_step(xml: str) -> str:
    """A specialist's second check between examination and approval; approval gets 16 hours instead of 24."""
    xml = with_step_after_examination(xml, "task_check", "Kiểm tra lại hồ sơ", 8)
    hours = '<spiff:property name="allotted_hours" value="{}" />'
    return xml.replace(hours.format(24), hours.format(16))


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


V2_XML = without_assignment(with_check_step(PERMIT_XML))


def _user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _receive(session) -> Dossier:
    procedure = session.scalars(select(Procedure).where(Procedure.code == PERMIT)).one()
    payload = {
        "procedure_code": PERMIT,
        "applicant": dict(APPLICANT),
        "components": [c.id for c in procedure.components],
    }
    return receive_dossier(session, _user(session, "motcua"), payload, FORMS)


def _complete(session, username: str, dossier_code: str, data: dict) -> str:
    user = _user(session, username)
    task = next(t for t in list_tasks(session, user) if t.dossier.code == dossier_code)
    complete_task(session, user, task.id, data, FORMS)
    return task.step


def _open_rows(session, dossier_code: str) -> list[Task]:
    dossier = session.scalars(select(Dossier).where(Dossier.code == dossier_code)).one()
    return list(session.scalars(select(Task).where(Task.dossier_id == dossier.id, Task.closed_at.is_(None))))


def test_the_shipped_draft_checks_clean_and_the_v2_draft_too():
    assert check_draft(PERMIT_XML, FORMS) == []
    assert check_draft(V2_XML, FORMS) == []
    (problem,) = check_draft(PERMIT_XML.replace('value="examine"', 'value="khong_co"'), FORMS)
    assert problem.element_id == "task_examine" and "Biểu mẫu “khong_co” không tồn tại" in problem.message


def test_check_draft_refuses_a_process_that_ends_before_any_step():
    xml = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s" /><bpmn:endEvent id="e" />'
        '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" /></bpmn:process></bpmn:definitions>'
    )
    (problem,) = check_draft(xml, FORMS)
    assert problem.message.startswith("Quy trình kết thúc ngay khi bắt đầu, không có bước nào cho người xử lý.")


def test_dry_run_walks_the_draft_and_reports_shape_errors():
    steps = [
        {"step": "task_receive", "data": {}},
        {"step": "task_examine", "data": {"proposal": "approve", "examination": "Đủ điều kiện"}},
        {"step": "task_check", "data": {"proposal": "approve", "examination": "Đã kiểm tra lại"}},
    ]
    result = dry_run(V2_XML, steps, FORMS, expect={"open": ["task_approve"], "status": 4})
    assert result.ok, result.messages()
    assert result.taken == ["task_receive", "task_examine", "task_check"]
    broken = dry_run(V2_XML, [{"step": ""}, "task_receive"], FORMS)
    assert broken.failures == [
        "Chạy thử.steps[0].step phải là tên bước BPMN (id của tác vụ người dùng), ví dụ “task_assign”.",
        'Chạy thử.steps[1] phải là một đối tượng {"step": "task_...", "data": {...}}.',
    ]


def test_versions_are_listed_newest_first_with_their_running_dossiers(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        _receive(session)
        _receive(session)
        designer = _user(session, "thietke")
        deploy_process(session, designer, with_check_step(PERMIT_XML), FORMS)
        _receive(session)
        listed = versions(session, designer, KEY)
    engine.dispose()
    assert [(v.number, v.running, v.latest) for v in listed] == [(2, 1, True), (1, 2, False)]
    assert listed[0].deployed_by_name == "Võ Thị Hạnh" and listed[1].deployed_by_name == "Hệ thống"
    assert listed[0].steps == [
        "Tiếp nhận hồ sơ",
        "Phân công thụ lý",
        "Thẩm định hồ sơ",
        "Kiểm tra lại hồ sơ",
        "Phê duyệt, ký kết quả",
        "Trả kết quả",
    ]
    assert len(listed[0].content_hash) == 64 and listed[0].content_hash != listed[1].content_hash


def test_the_diff_names_the_added_step_the_changed_time_and_the_rerouted_flows(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        designer = _user(session, "thietke")
        first = latest_version(session, KEY)
        second = deploy_process(session, designer, with_check_step(PERMIT_XML), FORMS)
        diff = version_diff(session, designer, second.id)
        initial = version_diff(session, designer, first.id)
    engine.dispose()
    assert (diff.number, diff.previous_number) == (2, 1)
    assert [(s.step_id, s.title, s.role, s.form, s.allotted_hours) for s in diff.steps_added] == [
        ("task_check", "Kiểm tra lại hồ sơ", "Chuyên viên", "examine", 8.0)
    ]
    assert diff.steps_removed == []
    ((change,),) = [c.changes for c in diff.steps_changed]
    assert diff.steps_changed[0].step_id == "task_approve"
    assert (change.label, change.before, change.after) == ("Thời gian xử lý (giờ làm việc)", "24", "16")
    assert [str(f) for f in diff.flows_added] == [
        "Thẩm định hồ sơ → Kiểm tra lại hồ sơ",
        "Kiểm tra lại hồ sơ → Phê duyệt, ký kết quả",
    ]
    assert [str(f) for f in diff.flows_removed] == ["Thẩm định hồ sơ → Phê duyệt, ký kết quả"]
    assert diff.text_diff.startswith("--- phiên bản 1\n+++ phiên bản 2\n")
    assert '+    <bpmn:userTask id="task_check" name="Kiểm tra lại hồ sơ">' in diff.text_diff
    assert not diff.text_diff_truncated and not diff.unchanged
    assert initial.previous_number is None and len(initial.steps_added) == 5 and initial.flows_removed == []


def test_an_older_version_is_redeployed_as_a_new_number(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        designer = _user(session, "thietke")
        first = latest_version(session, KEY)
        deploy_process(session, designer, with_check_step(PERMIT_XML), FORMS)
        third = redeploy(session, designer, first.id, FORMS)
        assert (third.number, third.bpmn_xml, third.deployed_by_name) == (3, PERMIT_XML, "Võ Thị Hạnh")
        assert latest_version(session, KEY).id == third.id
        assert _receive(session).process_version_id == third.id
        for same_as_latest in (third.id, first.id):
            with pytest.raises(Conflict, match="đã là phiên bản mới nhất"):
                redeploy(session, designer, same_as_latest)
        count = len(session.scalars(select(ProcessVersion).where(ProcessVersion.process_key == KEY)).all())
    engine.dispose()
    assert count == 3


def test_dossiers_move_to_the_new_version_unless_their_open_step_is_gone(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        at_examination = _receive(session)
        at_assignment = _receive(session)
        specialist = _user(session, "chuyenvien")
        _complete(session, "truongphong", at_examination.code, {"specialist": str(specialist.id)})
        done = _receive(session)
        for username, data in (
            ("truongphong", {"specialist": str(specialist.id)}),
            ("chuyenvien", {"proposal": "approve", "examination": "Đủ điều kiện"}),
            ("lanhdao", {"decision": "approve"}),
            ("motcua", {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}),
        ):
            _complete(session, username, done.code, data)
        v1 = at_examination.process_version_id
    with session_scope(engine) as session:
        (row_before,) = _open_rows(session, at_examination.code)
        version_before = session.get(Dossier, at_examination.id).version
        v2 = deploy_process(session, _user(session, "thietke"), V2_XML, FORMS)
        report = migrate_dossiers(session, _user(session, "thietke"), KEY, v2.id)
        v2_id = v2.id
    assert report.moved == [at_examination.code]
    assert report.refused == [
        (at_assignment.code, "Bước đang mở “Phân công thụ lý” (task_assign) không có trong phiên bản 2.")
    ]

    with session_scope(engine) as session:
        moved = session.get(Dossier, at_examination.id)
        assert (moved.process_version_id, moved.version) == (v2_id, version_before + 1)
        last = moved.history[-1]
        assert (last.action, last.actor_name, last.from_step) == (
            "migrate",
            "Võ Thị Hạnh",
            "Chuyển sang phiên bản 2 của quy trình",
        )
        assert session.get(Dossier, at_assignment.id).process_version_id == v1
        assert session.get(Dossier, done.id).process_version_id == v1  # returned: not running, not touched
        (row_after,) = _open_rows(session, at_examination.code)
        assert (row_after.id, row_after.step, row_after.assignee_id) == (row_before.id, "task_examine", specialist.id)
        # It now follows the new version's path: examination, then the new check, then approval.
        steps = [
            _complete(session, "chuyenvien", moved.code, {"proposal": "approve", "examination": "Đủ điều kiện"}),
            _complete(session, "chuyenvien", moved.code, {"proposal": "approve", "examination": "Đã kiểm tra lại"}),
            _complete(session, "lanhdao", moved.code, {"decision": "approve"}),
            _complete(session, "motcua", moved.code, {"receiver_name": "Nguyễn Văn An", "return_method": "counter"}),
        ]
        assert steps == ["task_examine", "task_check", "task_approve", "task_return"]
        finished = session.get(Dossier, at_examination.id, populate_existing=True)
        assert finished.status == 10
        events = session.scalars(select(HistoryEvent.to_step).where(HistoryEvent.dossier_id == finished.id)).all()
        assert "Kiểm tra lại hồ sơ" in events
        # A second run finds nothing left to move but the refused one.
        again = migrate_dossiers(session, _user(session, "quantri"), KEY, v2_id)
    engine.dispose()
    assert again.moved == [] and [code for code, _ in again.refused] == [at_assignment.code]


def test_a_dossier_whose_open_step_changes_role_is_refused(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        waiting = _receive(session)  # at the department leader's assignment
        moved_lane = PERMIT_XML.replace(
            "<bpmn:flowNodeRef>task_assign</bpmn:flowNodeRef>\n      </bpmn:lane>",
            "</bpmn:lane>",
        ).replace(
            "<bpmn:flowNodeRef>task_examine</bpmn:flowNodeRef>",
            "<bpmn:flowNodeRef>task_examine</bpmn:flowNodeRef><bpmn:flowNodeRef>task_assign</bpmn:flowNodeRef>",
        )
        v2 = deploy_process(session, _user(session, "thietke"), moved_lane, FORMS)
        report = migrate_dossiers(session, _user(session, "thietke"), KEY, v2.id)
    engine.dispose()
    assert report.moved == []
    assert report.refused == [
        (
            waiting.code,
            "Bước đang mở “Phân công thụ lý” (task_assign) ở phiên bản 2 do chuyên viên thực hiện, "
            "khác người đang giữ hồ sơ (lãnh đạo phòng).",
        )
    ]


def test_only_designers_and_administrators_manage_versions(db_url):
    engine = make_engine(db_url)
    with session_scope(engine) as session:
        first = latest_version(session, KEY)
        for username in ("chuyenvien", "motcua", "lanhdao"):
            outsider = _user(session, username)
            for call, argument in (
                (versions, KEY),
                (version_diff, first.id),
                (redeploy, first.id),
                (lambda s, a, v: migrate_dossiers(s, a, KEY, v), first.id),
            ):
                with pytest.raises(Forbidden, match="Chỉ người thiết kế quy trình hoặc quản trị hệ thống"):
                    call(session, outsider, argument)
        assert [v.number for v in versions(session, _user(session, "quantri"), KEY)] == [1]
    engine.dispose()
