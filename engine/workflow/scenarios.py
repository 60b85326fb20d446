"""Dry runs of a diagram: scenarios that walk it step by step in memory and check where it ends up.

A scenario names the user tasks to complete, in order, with the data each is
completed with, and what should hold afterwards (ended, the open steps, the
status). Nothing is stored and nothing raises on a bad diagram or a bad
scenario: what went wrong is in the result, in Vietnamese, for the designer.

Scenarios live beside each procedure as ``processes/<procedure>/tests/*.json``::

    {"name": "Duyệt thẳng",
     "steps": [{"step": "task_receive", "data": {}}, {"step": "task_assign", "data": {"specialist": "2"}}],
     "expect": {"ended": false, "open": ["task_examine"], "status": 4}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.status import DossierStatus
from engine.workflow.runtime import ReadyTask, WorkflowInstance, start_instance
from engine.workflow.specs import parse_process
from engine.workflow.validation import Problem, validate_bpmn

if TYPE_CHECKING:
    from engine.forms import FormRegistry

ENDED_STATUS = int(DossierStatus.RETURNED)


@dataclass(frozen=True)
class Step:
    """Complete the ready user task ``step_id`` (its BPMN id) with ``data``."""

    step_id: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    name: str
    steps: list[Step]
    expect_end: bool | None = None
    expect_open: list[str] | None = None  # BPMN ids of the steps left open, in any order
    expect_status: int | None = None
    source: str = ""  # the file it was read from, if any


@dataclass
class ScenarioResult:
    """What a dry run did: ``problems`` with the diagram (nothing ran), or the run and its ``failures``."""

    name: str
    problems: list[Problem] = field(default_factory=list)
    taken: list[str] = field(default_factory=list)  # BPMN ids of the steps completed, in order
    ready: list[str] = field(default_factory=list)  # BPMN ids of the steps open at the end
    ended: bool = False
    status: int | None = None  # what the open steps imply: the least of their statuses, 10 once ended
    failures: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # every user task's BPMN id → its title
    data: dict[str, Any] = field(default_factory=dict)  # the instance's data at the end

    @property
    def ok(self) -> bool:
        return not self.problems and not self.failures

    def messages(self) -> list[str]:
        """Everything that went wrong, one line each."""
        return [str(p) for p in self.problems] + self.failures


class ScenarioFormatError(ValueError):
    """A scenario file or payload of the wrong shape; ``errors`` says where, one message each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def run_scenario(xml: str, scenario: Scenario, forms: FormRegistry | None = None) -> ScenarioResult:
    """Run ``scenario`` on the diagram ``xml`` in memory; never raises for a bad diagram or scenario.

    ``forms`` (a FormRegistry) makes the run check that each form exists and validate
    each step's data against its form, as a real completion would; without it the
    data goes to the engine as given.
    """
    result = ScenarioResult(name=scenario.name)
    try:
        result.problems = validate_bpmn(xml, forms.names() if forms is not None else None)
        if result.problems:
            return result
        process = parse_process(xml)
    except Exception as err:  # validation reports what it knows; anything else still belongs in the result
        result.problems = [Problem("", "", f"Không đọc được quy trình: {err}.")]
        return result
    result.titles = {name: step.title for name, step in process.steps.items()}
    try:
        instance = start_instance(process)
    except Exception as err:
        result.failures.append(f"Không khởi động được quy trình: {_engine_error(err)}")
        return result
    for number, step in enumerate(scenario.steps, 1):
        failure = _take(instance, number, step, forms)
        if failure:
            result.failures.append(failure)
            break
        result.taken.append(step.step_id)
    try:
        _report(result, instance)
    except Exception as err:  # an instance left half-way by an engine error: say so, never raise
        result.failures.append(f"Không đọc được trạng thái cuối của quy trình: {_engine_error(err)}")
    if not result.failures:
        result.failures += _unmet_expectations(scenario, result)
    return result


def _take(instance: WorkflowInstance, number: int, step: Step, forms: FormRegistry | None) -> str | None:
    """Complete the one ready task of ``step``; a failure message if that cannot be done."""
    where = f"Bước {number} ({step.step_id})"
    ready = instance.ready_tasks()
    matching = [task for task in ready if task.step.name == step.step_id]
    if not matching:
        waiting = _names(ready) if ready else "không có bước nào (quy trình đã kết thúc hoặc đang chờ sự kiện)"
        return f"{where}: bước này không sẵn sàng để hoàn thành. Các bước đang chờ: {waiting}."
    if len(matching) > 1:
        return f"{where}: có {len(matching)} công việc cùng bước này đang chờ; kịch bản không biết chọn công việc nào."
    (task,) = matching
    data = step.data
    if forms is not None and task.step.form in forms.names():
        data, errors = forms.get(task.step.form).validate(step.data)
        if errors:
            said = "; ".join(f"{name}: {message}" for name, message in errors.items())
            return f"{where}: dữ liệu không hợp lệ với biểu mẫu “{task.step.form}”: {said}"
    try:
        instance.complete(task.id, data)
    except Exception as err:
        return f"{where}: bộ máy quy trình báo lỗi khi hoàn thành bước “{task.step.title}”: {_engine_error(err)}"
    return None


def _report(result: ScenarioResult, instance: WorkflowInstance) -> None:
    ready = instance.ready_tasks()
    result.ready = [task.step.name for task in ready]
    result.ended = instance.completed
    result.status = implied_status(ready, result.ended)
    result.data = instance.data


def implied_status(ready: Iterable[ReadyTask], ended: bool) -> int | None:
    """The dossier status the open steps imply: the least of their statuses; 10 once the process ended."""
    if ended:
        return ENDED_STATUS
    statuses = [task.step.status for task in ready if task.step.status is not None]
    return min(statuses) if statuses else None


def _unmet_expectations(scenario: Scenario, result: ScenarioResult) -> list[str]:
    failures = []
    if scenario.expect_end is True and not result.ended:
        waiting = _list(result.ready) or "không có bước nào"
        failures.append(f"Mong đợi quy trình kết thúc, nhưng quy trình chưa kết thúc (đang chờ: {waiting}).")
    if scenario.expect_end is False and result.ended:
        failures.append("Mong đợi quy trình chưa kết thúc, nhưng quy trình đã kết thúc.")
    if scenario.expect_open is not None and sorted(scenario.expect_open) != sorted(result.ready):
        failures.append(
            f"Mong đợi các bước đang chờ là: {_list(scenario.expect_open) or 'không có bước nào'}; "
            f"thực tế là: {_list(result.ready) or 'không có bước nào'}."
        )
    if scenario.expect_status is not None and scenario.expect_status != result.status:
        failures.append(f"Mong đợi trạng thái {_status(scenario.expect_status)}, thực tế là {_status(result.status)}.")
    return failures


def _names(ready: list[ReadyTask]) -> str:
    return ", ".join(f"{task.step.name} (“{task.step.title}”)" for task in ready)


def _list(step_ids: list[str]) -> str:
    return ", ".join(step_ids)


def _status(code: int | None) -> str:
    if code is None:
        return "không xác định (các bước đang chờ không khai báo trạng thái)"
    try:
        return f"{code} ({DossierStatus(code).label})"
    except ValueError:
        return str(code)


def _engine_error(err: Exception) -> str:
    """An engine error for a designer: a missing field is named; the rest keeps the engine's own words."""
    cause: BaseException | None = err
    while cause is not None and not isinstance(cause, NameError):
        cause = cause.__cause__ or cause.__context__
    technical = " ".join(str(err).split()) or type(err).__name__  # Spiff's text already holds its notes
    if isinstance(cause, NameError) and cause.name:
        return (
            f"điều kiện hoặc kịch bản dùng trường “{cause.name}” nhưng dữ liệu của các bước trước không có trường "
            f"này. Hãy bổ sung dữ liệu đó ở bước trước, hoặc sửa điều kiện (chi tiết kỹ thuật: {technical})."
        )
    return f"{technical.rstrip('.')}."


# Reading scenarios from JSON ------------------------------------------------------------------------------

_SCENARIO_KEYS = {"name", "steps", "expect"}
_STEP_KEYS = {"step", "data"}
_EXPECT_KEYS = {"ended", "open", "status"}


def load_scenarios(path: Path | str) -> list[Scenario]:
    """The scenarios of a JSON file, or of every ``*.json`` in a folder (by file name).

    A file holds one scenario object or a list of them. ScenarioFormatError says
    what is wrong with the shape, naming the file and the place in it.
    """
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    scenarios: list[Scenario] = []
    errors: list[str] = []
    for file in files:
        try:
            raw = json.loads(file.read_text(encoding="utf-8"))
        except OSError as err:
            errors.append(f"{file.name}: không đọc được tệp ({err.strerror or err}).")
            continue
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            where = f" (dòng {err.lineno}, cột {err.colno})" if isinstance(err, json.JSONDecodeError) else ""
            errors.append(f"{file.name}: không phải JSON hợp lệ{where}.")
            continue
        items = raw if isinstance(raw, list) else [raw]
        for index, item in enumerate(items):
            where = file.name if not isinstance(raw, list) else f"{file.name}[{index}]"
            try:
                scenarios.append(scenario_from_dict(item, where, source=file.name))
            except ScenarioFormatError as err:
                errors += err.errors
    if errors:
        raise ScenarioFormatError(errors)
    return scenarios


def scenario_from_dict(raw: Any, where: str = "kịch bản", source: str = "") -> Scenario:
    """Build a Scenario from its JSON shape; ScenarioFormatError lists every mistake, each with its place."""
    errors: list[str] = []
    if not isinstance(raw, dict):
        raise ScenarioFormatError([f'{where}: mỗi kịch bản phải là một đối tượng JSON {{"name", "steps", ...}}.'])
    for key in sorted(set(raw) - _SCENARIO_KEYS):
        errors.append(f"{where}: khóa “{key}” không được hỗ trợ (chỉ dùng name, steps, expect).")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(f"{where}: thiếu “name” (tên kịch bản, một chuỗi khác rỗng).")
        name = ""
    steps = _steps(raw.get("steps"), where, errors)
    expect = raw.get("expect", {})
    ended = opened = status = None
    if not isinstance(expect, dict):
        errors.append(f'{where}: “expect” phải là một đối tượng, ví dụ {{"ended": true, "status": 10}}.')
    else:
        for key in sorted(set(expect) - _EXPECT_KEYS):
            errors.append(f"{where}.expect: khóa “{key}” không được hỗ trợ (chỉ dùng ended, open, status).")
        ended = expect.get("ended")
        if ended is not None and not isinstance(ended, bool):
            errors.append(f"{where}.expect.ended phải là true hoặc false.")
        opened = expect.get("open")
        if opened is not None and not (isinstance(opened, list) and all(isinstance(s, str) and s for s in opened)):
            errors.append(f'{where}.expect.open phải là danh sách tên bước BPMN, ví dụ ["task_examine"].')
        status = expect.get("status")
        if status is not None and (isinstance(status, bool) or not isinstance(status, int) or not 1 <= status <= 10):
            errors.append(f"{where}.expect.status phải là mã trạng thái từ 1 đến 10.")
    if errors:
        raise ScenarioFormatError(errors)
    return Scenario(
        name=name.strip(),
        steps=steps,
        expect_end=ended,
        expect_open=opened,
        expect_status=status,
        source=source,
    )


def _steps(raw: Any, where: str, errors: list[str]) -> list[Step]:
    if not isinstance(raw, list):
        errors.append(f'{where}: thiếu “steps” (danh sách các bước, mỗi bước {{"step": ..., "data": {{...}}}}).')
        return []
    steps = []
    for index, item in enumerate(raw):
        here = f"{where}.steps[{index}]"
        if not isinstance(item, dict):
            errors.append(f'{here} phải là một đối tượng {{"step": "task_...", "data": {{...}}}}.')
            continue
        for key in sorted(set(item) - _STEP_KEYS):
            errors.append(f"{here}: khóa “{key}” không được hỗ trợ (chỉ dùng step, data).")
        step_id = item.get("step")
        data = item.get("data", {})
        if not isinstance(step_id, str) or not step_id.strip():
            errors.append(f"{here}.step phải là tên bước BPMN (id của tác vụ người dùng), ví dụ “task_assign”.")
            continue
        if not isinstance(data, dict):
            errors.append(f"{here}.data phải là một đối tượng JSON (tên trường → giá trị).")
            continue
        steps.append(Step(step_id.strip(), dict(data)))
    return steps
