"""Moving a running instance onto another version of its process.

A serialized state names its task specs by BPMN id, so it can be restored onto a
newer version of the diagram when every id it still needs exists there. Restoring
it as it is would not be enough: the tasks the old diagram predicted after each
waiting task (the FUTURE/LIKELY/MAYBE branch below a ready task) would lead the
dossier down the old path. So those predictions are dropped and made again from
the new diagram; the completed past and the waiting tasks keep their ids and data.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.workflow.runtime import _SERIALIZER, SCRIPT_ENGINE, WorkflowInstance
from engine.workflow.specs import ProcessSpec


class RebaseError(Exception):
    """The state cannot be put on the new version; ``message`` says why, in Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def rebase_instance(process: ProcessSpec, state: bytes) -> WorkflowInstance:
    """The instance serialized in ``state`` (on any version of the process), restored onto ``process``.

    Completed tasks of steps the new version no longer has are cut off the head of
    the history where they can be (they only served a later recall); anywhere else
    they make the move impossible and RebaseError names them.
    """
    dct = json.loads(state)
    _SERIALIZER.migrate(dct)
    if dct.get("subprocesses"):
        raise RebaseError("Hồ sơ đang ở trong một quy trình con; chưa hỗ trợ chuyển sang phiên bản khác.")
    _drop_predictions(dct["tasks"])
    names = set(process.spec.task_specs)
    missing = [task_id for task_id, task in dct["tasks"].items() if task["task_spec"] not in names]
    if missing:
        _cut_history(dct, missing)
    dct["spec"] = process.spec
    dct["subprocess_specs"] = process.subprocess_specs
    workflow = _SERIALIZER.from_dict(dct)
    workflow.script_engine = SCRIPT_ENGINE
    workflow._predict()  # what follows each waiting task, according to the new version
    return WorkflowInstance(process, workflow)


def _drop_predictions(tasks: dict[str, Any]) -> None:
    """Remove every task below an unfinished task whose parent is finished (or which is the root)."""
    finished = TaskState.FINISHED_MASK
    for task_id in list(tasks):
        task = tasks.get(task_id)
        if task is None or task["state"] & finished:
            continue
        parent = tasks.get(task["parent"]) if task["parent"] else None
        if parent is not None and not parent["state"] & finished:
            continue
        stack = list(task["children"])
        while stack:
            child = tasks.pop(stack.pop(), None)
            if child is not None:
                stack.extend(child["children"])
        task["children"] = []


def _cut_history(dct: dict[str, Any], missing: list[str]) -> None:
    """Make the task after the last missing one the root, when all of them lie on the completed head chain."""
    tasks = dct["tasks"]
    chain = []
    task_id = dct["root"]
    while len(tasks[task_id]["children"]) == 1 and tasks[task_id]["state"] == TaskState.COMPLETED:
        chain.append(task_id)
        task_id = tasks[task_id]["children"][0]
    stranded = [t for t in missing if t not in chain]
    if stranded:
        names = ", ".join(sorted({tasks[t]["task_spec"] for t in stranded}))
        raise RebaseError(f"Trạng thái của hồ sơ còn cần các bước không có trong phiên bản mới: {names}.")
    cut = max(chain.index(t) for t in missing)
    # A task stores its data as a change to its parent's: the new root needs it whole.
    data: dict[str, Any] = {}
    for task_id in [*chain[: cut + 1], tasks[chain[cut]]["children"][0]]:
        task = tasks[task_id]
        delta = task.get("delta") or {}
        if task["parent"] is None or not delta:
            data = copy.deepcopy(task["data"])
        else:
            data = {**data, **copy.deepcopy(delta.get("updates", {}))}
            for key in delta.get("deletions", []):
                data.pop(key, None)
    new_root = tasks[chain[cut]]["children"][0]
    for dropped in chain[: cut + 1]:
        del tasks[dropped]
    tasks[new_root].update(parent=None, data=data, delta={})
    dct["root"] = new_root
    if dct.get("last_task") not in tasks:
        dct["last_task"] = new_root
