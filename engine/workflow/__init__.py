"""The only code that imports SpiffWorkflow.

It parses and validates process definitions, starts, loads, advances and
serializes instances, and hands the rest of the engine plain dataclasses.
"""

from engine.workflow.runtime import ReadyTask, WorkflowInstance, load_instance, start_instance
from engine.workflow.specs import ProcessSpec, StepInfo, parse_process
from engine.workflow.validation import Problem, validate_bpmn

__all__ = [
    "Problem",
    "ProcessSpec",
    "ReadyTask",
    "StepInfo",
    "WorkflowInstance",
    "load_instance",
    "parse_process",
    "start_instance",
    "validate_bpmn",
]
