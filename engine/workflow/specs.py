"""Parsing BPMN into executable specs, cached by content hash."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

# The documents a step may produce (spiff property "documents", comma-separated): the person at the step
# gets them to print or download beside the step's form.
STEP_DOCUMENTS: dict[str, str] = {
    "du-thao": "Dự thảo văn bản kết quả",
    "mau-02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
    "mau-04": "Văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)",
    "mau-05": "Thông báo dừng giải quyết hồ sơ (Mẫu 05)",
    "mau-06": "Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 06)",
    "result": "Văn bản kết quả đã ký",
}


@dataclass(frozen=True)
class StepInfo:
    """What the engine reads from a user task: its form, lane, status and allotted time."""

    name: str  # the BPMN id, e.g. task_examine
    title: str
    lane: str | None
    form: str | None
    status: int | None
    allotted_hours: float | None
    assignee_field: str | None  # a data field naming the user who must do this step
    documents: tuple[str, ...] = ()  # keys of STEP_DOCUMENTS the step produces


def content_hash(xml: str) -> str:
    return hashlib.sha256(xml.encode("utf-8")).hexdigest()


class ProcessSpec:
    """A parsed process: the Spiff specs plus the step information the engine needs."""

    def __init__(self, process_key: str, spec: object, subprocess_specs: dict[str, object]) -> None:
        self.process_key = process_key
        self.spec = spec
        self.subprocess_specs = subprocess_specs

    @cached_property
    def steps(self) -> dict[str, StepInfo]:
        specs = [self.spec, *self.subprocess_specs.values()]
        return {
            name: step_info(task_spec)
            for process in specs
            for name, task_spec in process.task_specs.items()  # type: ignore[attr-defined]
            if isinstance(task_spec, UserTask)
        }

    @property
    def name(self) -> str:
        return str(getattr(self.spec, "description", None) or self.process_key)


def step_info(task_spec: object) -> StepInfo:
    props: dict[str, str] = getattr(task_spec, "extensions", {}).get("properties", {})
    status = props.get("status")
    hours = props.get("allotted_hours")
    return StepInfo(
        name=task_spec.name,  # type: ignore[attr-defined]
        title=getattr(task_spec, "bpmn_name", None) or task_spec.name,  # type: ignore[attr-defined]
        lane=getattr(task_spec, "lane", None),
        form=props.get("form"),
        status=int(status) if status and status.isdigit() else None,
        allotted_hours=float(hours) if hours else None,
        assignee_field=props.get("assignee"),
        documents=split_documents(props.get("documents", "")),
    )


def split_documents(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def safe_parser() -> etree.XMLParser:
    """No entities expanded, no DTD loaded, nothing fetched: a diagram is data, never a way to read files."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def require_plain_xml(xml: str) -> etree._Element:
    """The parsed root; ValueError for a document with a DOCTYPE (entities could read the server's files)."""
    root = etree.fromstring(xml.encode("utf-8"), parser=safe_parser())
    if root.getroottree().docinfo.doctype:
        raise ValueError("BPMN with a DOCTYPE is refused")
    return root


def executable_process_ids(xml: str) -> list[str]:
    root = require_plain_xml(xml)
    return [
        node.get("id")
        for node in root.iter(f"{{{BPMN_NS}}}process")
        if node.get("isExecutable", "true").lower() == "true"
    ]


# Deployed versions are few; drafts checked in the designer are many and short-lived, so the cache is bounded.
_CACHE_SIZE = 256
_cache: OrderedDict[str, ProcessSpec] = OrderedDict()
_cache_lock = threading.Lock()


def parse_process(xml: str, process_key: str | None = None) -> ProcessSpec:
    """Parse ``xml`` (cached by its hash). ``process_key`` defaults to its first executable process."""
    key = content_hash(xml) + ":" + (process_key or "")
    cached = _cache.get(key)
    if cached is not None:
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
        return cached
    require_plain_xml(xml)  # before SpiffWorkflow's own parser, which would expand entities
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml.encode("utf-8"))
    process_key = process_key or executable_process_ids(xml)[0]
    parsed = ProcessSpec(process_key, parser.get_spec(process_key), parser.get_subprocess_specs(process_key))
    with _cache_lock:
        _cache[key] = parsed
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return parsed
