"""Running instances: start, load, complete a user task, advance, serialize.

The serialized state leaves out the process definition (it is stored once per
deployed version and parsed once per process), and completed tasks that the
engine can no longer need are pruned after each step: the dossier's own history
table keeps the record, so a dossier that loops fifty times through a rework
path costs about as much to load as one on its first pass.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine.workflow.specs import ProcessSpec, StepInfo

# Names a diagram's conditions and scripts may use: data only, no imports or I/O.
_SAFE_NAMES = "abs all any bool dict float int len list max min round set sorted str sum tuple"
SAFE_BUILTINS: dict[str, Any] = {name: getattr(builtins, name) for name in _SAFE_NAMES.split()}
SCRIPT_ENGINE = PythonScriptEngine(environment=TaskDataEnvironment({"__builtins__": SAFE_BUILTINS}))

# Keep the completed user tasks of the last few steps, so that a later recall can
# rewind to them; older completed tasks are pruned.
KEEP_COMPLETED_USER_TASKS = 3


class _StateOnlyConverter(BpmnWorkflowConverter):
    """Serializes an instance without its specs; restores it onto specs passed in by the caller."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _StateOnlyConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person."""

    id: str
    step: StepInfo
    data: dict[str, Any]


class WorkflowInstance:
    """One dossier's running workflow."""

    def __init__(self, process: ProcessSpec, workflow: BpmnWorkflow) -> None:
        self.process = process
        self._workflow = workflow

    @property
    def completed(self) -> bool:
        return bool(self._workflow.completed)

    @property
    def data(self) -> dict[str, Any]:
        """The data of the most recently completed task (the instance's current knowledge)."""
        last = self._workflow.last_task
        return dict(last.data) if last is not None else dict(self._workflow.data)

    def ready_tasks(self) -> list[ReadyTask]:
        return [
            ReadyTask(str(task.id), self.process.steps[task.task_spec.name], task.data)
            for task in self._workflow.get_tasks(state=TaskState.READY, manual=True)
            if isinstance(task.task_spec, UserTask)
        ]

    def complete(self, task_id: str, data: dict[str, Any]) -> None:
        """Complete a ready user task with validated ``data`` and run the engine to the next wait."""
        task = self._workflow.get_task_from_id(UUID(task_id))
        if task is None or task.state != TaskState.READY:
            raise LookupError(task_id)
        task.data.update(data)
        task.run()
        self._workflow.do_engine_steps()
        self._prune()

    def rewind(self, task_id: str) -> None:
        """Make the completed user task ``task_id`` ready again, dropping what followed it.

        For a recall or a return for rework: the task keeps its id and gets back the
        data it started with. LookupError if it is not a completed user task still
        in the instance (pruned, or never reached).
        """
        try:
            task = self._workflow.get_task_from_id(UUID(task_id))
        except (ValueError, TaskNotFoundException) as err:
            raise LookupError(task_id) from err
        if (
            task.parent is None
            or task.state != TaskState.COMPLETED
            or not isinstance(task.task_spec, UserTask)
        ):
            raise LookupError(task_id)
        self._workflow.reset_from_task_id(task.id)
        self._workflow.do_engine_steps()

    def serialize(self) -> bytes:
        _SERIALIZER.registry._encoder_mode = True  # as serialize_json does
        try:
            dct = _SERIALIZER.to_dict(self._workflow)
        finally:
            _SERIALIZER.registry._encoder_mode = False
        dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
        return json.dumps(dct, separators=(",", ":"), cls=_SERIALIZER._encoder_cls).encode()

    def _prune(self) -> None:
        """Drop the completed head of the task tree where it is a single chain.

        Only a chain (each task with one child, none a subprocess) is cut, so no
        parallel branch or join ever loses a task it waits on.
        """
        workflow = self._workflow
        chain = []
        task = workflow.task_tree
        while len(task.children) == 1 and task.state == TaskState.COMPLETED:
            if isinstance(task.task_spec, SubWorkflowTask):
                return
            chain.append(task)
            task = task.children[0]
        user_tasks = [i for i, t in enumerate(chain) if isinstance(t.task_spec, UserTask)]
        if len(user_tasks) <= KEEP_COMPLETED_USER_TASKS:
            return
        new_root = chain[user_tasks[-KEEP_COMPLETED_USER_TASKS]]
        for dropped in chain[: chain.index(new_root)]:
            del workflow.tasks[dropped.id]
        new_root._parent = None
        workflow.task_tree = new_root


def start_instance(process: ProcessSpec) -> WorkflowInstance:
    workflow = BpmnWorkflow(process.spec, process.subprocess_specs, script_engine=SCRIPT_ENGINE)
    workflow.do_engine_steps()
    return WorkflowInstance(process, workflow)


def load_instance(process: ProcessSpec, state: bytes) -> WorkflowInstance:
    dct = json.loads(state)
    _SERIALIZER.migrate(dct)
    # The converter takes spec objects as they are: the registry passes non-dicts through.
    dct["spec"] = process.spec
    dct["subprocess_specs"] = process.subprocess_specs
    workflow = _SERIALIZER.from_dict(dct)
    workflow.script_engine = SCRIPT_ENGINE
    return WorkflowInstance(process, workflow)
