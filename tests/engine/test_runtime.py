"""The workflow runtime in memory: the five-step procedure, its loop, and its stored state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.workflow import load_instance, parse_process, start_instance

ROOT = Path(__file__).resolve().parents[2]
PERMIT_XML = (ROOT / "processes/cap_phep_xay_dung/process.bpmn").read_text(encoding="utf-8")


@pytest.fixture
def process():
    return parse_process(PERMIT_XML)


def _step(process, state: bytes, data: dict) -> tuple[bytes, str]:
    instance = load_instance(process, state)
    (task,) = instance.ready_tasks()
    instance.complete(task.id, data)
    return instance.serialize(), task.step.name


def test_five_steps_run_in_order_from_receive_to_return(process):
    state = start_instance(process).serialize()
    steps = []
    for data in ({}, {"specialist": "2"}, {"proposal": "approve"}, {"decision": "approve"}, {}):
        state, step = _step(process, state, data)
        steps.append(step)
    assert steps == ["task_receive", "task_assign", "task_examine", "task_approve", "task_return"]
    assert load_instance(process, state).completed


def test_rejection_sends_the_dossier_back_to_examination(process):
    state = start_instance(process).serialize()
    for data in ({}, {"specialist": "2"}, {"proposal": "approve"}, {"decision": "reject"}):
        state, _ = _step(process, state, data)
    (task,) = load_instance(process, state).ready_tasks()
    assert task.step.name == "task_examine"
    assert task.step.assignee_field == "specialist"
    assert task.data["specialist"] == "2"  # the assignment survives the loop


def test_state_does_not_repeat_the_process_definition(process):
    state = start_instance(process).serialize()
    stored = json.loads(state)
    assert "spec" not in stored and "subprocess_specs" not in stored
    stock = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    workflow = BpmnWorkflow(process.spec, process.subprocess_specs)
    workflow.do_engine_steps()
    assert 2 * len(state) < len(stock.serialize_json(workflow))


def test_state_stays_small_after_fifty_rework_loops(process):
    state = start_instance(process).serialize()
    for data in ({}, {"specialist": "2"}):
        state, _ = _step(process, state, data)
    first_pass = len(state)
    for _ in range(50):
        state, _ = _step(process, state, {"proposal": "approve"})
        state, _ = _step(process, state, {"decision": "reject"})
    assert len(state) < 2 * first_pass
    # …and the dossier still finishes normally.
    for data in ({"proposal": "approve"}, {"decision": "approve"}, {}):
        state, _ = _step(process, state, data)
    assert load_instance(process, state).completed


def test_completing_a_task_twice_is_refused(process):
    instance = start_instance(process)
    (task,) = instance.ready_tasks()
    instance.complete(task.id, {})
    with pytest.raises(LookupError):
        instance.complete(task.id, {})


def test_steps_carry_what_the_engine_reads(process):
    examine = process.steps["task_examine"]
    assert (examine.title, examine.lane, examine.form, examine.status) == (
        "Thẩm định hồ sơ",
        "Chuyên viên",
        "examine",
        4,
    )
    assert examine.allotted_hours == 64


def test_specs_are_parsed_once_per_content(process):
    assert parse_process(PERMIT_XML) is process


def test_conditions_cannot_reach_python_builtins():
    xml = PERMIT_XML.replace('decision == "approve"', '__import__("os").getcwd() == "x"')
    process = parse_process(xml)
    state = start_instance(process).serialize()
    for data in ({}, {"specialist": "2"}, {"proposal": "approve"}):
        state, _ = _step(process, state, data)
    instance = load_instance(process, state)
    (task,) = instance.ready_tasks()
    with pytest.raises(Exception, match="__import__"):
        instance.complete(task.id, {"decision": "approve"})
