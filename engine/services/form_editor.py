"""The form editor: task forms changed by an agency's designers, saved as numbered versions.

The files in ``forms/`` are the seed and the fallback; the registry serves the newest
saved version of a name, else the file. Running tasks validate with the current
form, so a save may never drop or rename a field a deployed process reads (a
gateway condition, an ``assignee`` property), nor drop a choice value a condition
compares with: those saves are refused, naming the process and the element.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from engine import clock
from engine.forms import FIELD_TYPES, FormDefinition, FormField, FormRegistry, form_from_dict
from engine.models import Dossier, FormVersion, ProcessVersion, User
from engine.roles import ROLES, Role
from engine.services.designer import NOT_RUNNING, require_designer
from engine.services.errors import InvalidInput, NotFound
from engine.workflow import parse_process
from engine.workflow.specs import BPMN_NS

MAX_FIELDS = 50
MAX_LABEL = 255
MAX_HELP = 1000
MAX_NAME = 100
MAX_CHOICES = 200
MAX_LENGTH_LIMIT = 10000
FORM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
TYPE_LABELS = {
    "text": "Văn bản một dòng",
    "textarea": "Văn bản nhiều dòng",
    "integer": "Số nguyên",
    "number": "Số",
    "date": "Ngày",
    "choice": "Lựa chọn",
    "boolean": "Có/Không",
    "user": "Người dùng (theo vai trò)",
}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = re.compile(r"\"([^\"]*)\"|'([^']*)'")


# Validation ---------------------------------------------------------------------------------------------------


def parse_definition(name: str, raw: Any) -> FormDefinition:
    """Check a definition as the editor sends it; raise InvalidInput with one Vietnamese message per bad field.

    ``raw`` is ``{"title": …, "fields": [{"name", "label", "type", "required", "max_length",
    "min", "max", "choices": [{"value", "label"}], "role", "help"}]}``; numbers may come as text.
    """
    errors: dict[str, str] = {}
    if not FORM_NAME.match(name or ""):
        errors["name"] = (
            "Tên biểu mẫu chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ, "
            f"tối đa {MAX_NAME} ký tự."
        )
    if not isinstance(raw, dict):
        raise InvalidInput({"_schema": "Dữ liệu biểu mẫu phải là một đối tượng JSON."})
    title = str(raw.get("title") or "").strip()
    if not title:
        errors["title"] = "Vui lòng nhập tên hiển thị của biểu mẫu."
    elif len(title) > MAX_LABEL:
        errors["title"] = f"Tên hiển thị dài quá {MAX_LABEL} ký tự."
    items = raw.get("fields")
    if not isinstance(items, list):
        raise InvalidInput({**errors, "fields": "Danh sách trường phải là một mảng."})
    if len(items) > MAX_FIELDS:
        errors["fields"] = f"Một biểu mẫu có tối đa {MAX_FIELDS} trường (đang có {len(items)})."
    out: list[FormField] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items[:MAX_FIELDS]):
        parsed = _parse_field(index, item, errors, seen)
        if parsed is not None:
            out.append(parsed)
    if errors:
        raise InvalidInput(errors)
    return FormDefinition(name=name, title=title, fields=tuple(out))


def _parse_field(index: int, item: Any, errors: dict[str, str], seen: dict[str, int]) -> FormField | None:
    key = f"fields.{index}"
    if not isinstance(item, dict):
        errors[key] = "Mỗi trường phải là một đối tượng JSON."
        return None
    before = len(errors)
    name = str(item.get("name") or "").strip()
    if not name:
        errors[f"{key}.name"] = "Vui lòng nhập tên trường."
    elif not name.isidentifier() or keyword.iskeyword(name) or not name.isascii():
        errors[f"{key}.name"] = (
            "Tên trường chỉ gồm chữ cái không dấu, chữ số và dấu gạch dưới, không bắt đầu bằng chữ số "
            "(ví dụ: so_to_khai)."
        )
    elif len(name) > MAX_NAME:
        errors[f"{key}.name"] = f"Tên trường dài quá {MAX_NAME} ký tự."
    elif name in seen:
        errors[f"{key}.name"] = f"Tên trường “{name}” trùng với trường thứ {seen[name] + 1}."
    else:
        seen[name] = index
    label = str(item.get("label") or "").strip()
    if not label:
        errors[f"{key}.label"] = "Vui lòng nhập nhãn của trường."
    elif len(label) > MAX_LABEL:
        errors[f"{key}.label"] = f"Nhãn dài quá {MAX_LABEL} ký tự."
    kind = str(item.get("type") or "text")
    if kind not in FIELD_TYPES:
        errors[f"{key}.type"] = f"Kiểu trường “{kind}” không được hỗ trợ."
    max_length = _number(item.get("max_length"), f"{key}.max_length", "Độ dài tối đa", errors, integer=True)
    if max_length is not None and not 1 <= max_length <= MAX_LENGTH_LIMIT:
        errors[f"{key}.max_length"] = f"Độ dài tối đa phải từ 1 đến {MAX_LENGTH_LIMIT}."
    low = _number(item.get("min"), f"{key}.min", "Giá trị nhỏ nhất", errors, integer=kind == "integer")
    high = _number(item.get("max"), f"{key}.max", "Giá trị lớn nhất", errors, integer=kind == "integer")
    if low is not None and high is not None and low > high:
        errors[f"{key}.max"] = "Giá trị lớn nhất phải lớn hơn hoặc bằng giá trị nhỏ nhất."
    choices = _choices(item.get("choices"), f"{key}.choices", errors) if kind == "choice" else ()
    role = str(item.get("role") or "").strip() or None
    if kind == "user":
        if role is None:
            errors[f"{key}.role"] = "Trường chọn người dùng cần vai trò của người được chọn."
        elif role not in {r.value for r in Role}:
            errors[f"{key}.role"] = f"Vai trò “{role}” không tồn tại."
    else:
        role = None
    help_text = str(item.get("help") or "").strip()
    if len(help_text) > MAX_HELP:
        errors[f"{key}.help"] = f"Hướng dẫn dài quá {MAX_HELP} ký tự."
    if len(errors) > before:
        return None
    numeric = kind in ("integer", "number")
    return FormField(
        name=name,
        label=label,
        type=kind,
        required=_flag(item.get("required")),
        choices=choices,
        max_length=max_length if kind in ("text", "textarea") else None,
        min=low if numeric else None,
        max=high if numeric else None,
        role=role,
        help=help_text,
    )


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes", "có")
    return bool(value)


def _number(value: Any, key: str, label: str, errors: dict[str, str], *, integer: bool) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        errors[key] = f"{label} phải là một số."
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        errors[key] = f"{label} phải là một số."
        return None
    if number != number or number in (float("inf"), float("-inf")):
        errors[key] = f"{label} phải là một số."
        return None
    if integer or number.is_integer():
        if not number.is_integer():
            errors[key] = f"{label} phải là một số nguyên."
            return None
        return int(number)
    return number


def _choices(value: Any, key: str, errors: dict[str, str]) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str):  # "giá trị|nhãn" lines, as the editor's text box holds them
        value = [
            {"value": line.split("|", 1)[0].strip(), "label": ([*line.split("|", 1), ""])[1].strip()}
            for line in value.splitlines()
            if line.strip()
        ]
    if not value:
        errors[key] = "Trường lựa chọn cần ít nhất một lựa chọn (mỗi dòng: giá trị|nhãn)."
        return ()
    if not isinstance(value, list) or len(value) > MAX_CHOICES:
        errors[key] = f"Danh sách lựa chọn không hợp lệ (tối đa {MAX_CHOICES} lựa chọn)."
        return ()
    out: list[tuple[str, str]] = []
    for number, choice in enumerate(value, start=1):
        if not isinstance(choice, dict):
            errors[key] = f"Lựa chọn thứ {number} không hợp lệ."
            return ()
        v = str(choice.get("value") if choice.get("value") is not None else "").strip()
        label = str(choice.get("label") or "").strip() or v
        if not v:
            errors[key] = f"Lựa chọn thứ {number} chưa có giá trị (mỗi dòng: giá trị|nhãn)."
            return ()
        if len(v) > MAX_NAME or len(label) > MAX_LABEL:
            errors[key] = f"Lựa chọn thứ {number} quá dài."
            return ()
        if any(v == seen for seen, _ in out):
            errors[key] = f"Giá trị lựa chọn “{v}” bị trùng."
            return ()
        out.append((v, label))
    return tuple(out)


def definition_json(definition: FormDefinition) -> dict[str, Any]:
    """The definition in the shape of a forms/*.json file (what a version stores)."""
    fields: list[dict[str, Any]] = []
    for f in definition.fields:
        item: dict[str, Any] = {"name": f.name, "label": f.label, "type": f.type, "required": f.required}
        if f.choices:
            item["choices"] = [{"value": v, "label": label} for v, label in f.choices]
        for key in ("max_length", "min", "max", "role"):
            if getattr(f, key) is not None:
                item[key] = getattr(f, key)
        if f.help:
            item["help"] = f.help
        fields.append(item)
    return {"title": definition.title, "fields": fields}


def preview(definition: dict[str, Any], name: str = "xem_truoc") -> FormDefinition:
    """The form ``definition`` describes, checked exactly as a save is (no database): InvalidInput if bad."""
    return parse_definition(name, definition)


# What the deployed processes read -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    process_key: str
    version_number: int
    step_id: str
    step_title: str


def _versions_in_use(session: Session) -> list[ProcessVersion]:
    """The latest version of each process, and every older one a running dossier is still on."""
    newest = (
        select(ProcessVersion.process_key, func.max(ProcessVersion.number).label("number"))
        .group_by(ProcessVersion.process_key)
        .subquery()
    )
    latest = session.scalars(
        select(ProcessVersion).join(
            newest,
            (ProcessVersion.process_key == newest.c.process_key) & (ProcessVersion.number == newest.c.number),
        )
    ).all()
    running_ids = select(Dossier.process_version_id).where(Dossier.status.not_in(NOT_RUNNING)).distinct()
    running = session.scalars(select(ProcessVersion).where(ProcessVersion.id.in_(running_ids))).all()
    by_id = {v.id: v for v in [*latest, *running]}
    return sorted(by_id.values(), key=lambda v: (v.process_key, v.number))


def _latest_versions(session: Session) -> list[ProcessVersion]:
    newest = (
        select(ProcessVersion.process_key, func.max(ProcessVersion.number).label("number"))
        .group_by(ProcessVersion.process_key)
        .subquery()
    )
    return list(
        session.scalars(
            select(ProcessVersion)
            .join(
                newest,
                (ProcessVersion.process_key == newest.c.process_key) & (ProcessVersion.number == newest.c.number),
            )
            .order_by(ProcessVersion.process_key)
        ).all()
    )


def usages(session: Session) -> dict[str, list[Usage]]:
    """Which user tasks of the latest process versions use each form."""
    out: dict[str, list[Usage]] = {}
    for version in _latest_versions(session):
        for step in parse_process(version.bpmn_xml, version.process_key).steps.values():
            if step.form:
                out.setdefault(step.form, []).append(Usage(version.process_key, version.number, step.name, step.title))
    return out


def _conditions(xml: str) -> list[tuple[str, str, str]]:
    """(element id, element name, condition text) of each conditional sequence flow."""
    root = etree.fromstring(xml.encode("utf-8"), parser=etree.XMLParser(resolve_entities=False, no_network=True))
    names = {node.get("id"): node.get("name") or "" for node in root.iter() if isinstance(node.tag, str)}
    out = []
    for flow in root.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        for condition in flow.iter(f"{{{BPMN_NS}}}conditionExpression"):
            text = condition.text or ""
            name = flow.get("name") or names.get(flow.get("sourceRef", ""), "")
            out.append((flow.get("id", ""), name, text))
    return out


def _identifiers(expression: str) -> set[str]:
    return set(_IDENTIFIER.findall(_LITERAL.sub(" ", expression)))


def _literals(expression: str) -> set[str]:
    return {a or b for a, b in _LITERAL.findall(expression)}


def _check_references(session: Session, old: FormDefinition | None, new: FormDefinition) -> None:
    """Refuse a save that drops a field (or a choice value) a process using this form reads."""
    if old is None:
        return
    new_fields = {f.name: f for f in new.fields}
    removed = {f.name for f in old.fields} - set(new_fields)
    dropped_values = {
        f.name: {v for v, _ in f.choices} - {v for v, _ in new_fields[f.name].choices}
        for f in old.fields
        if f.type == "choice" and f.name in new_fields and new_fields[f.name].type == "choice"
    }
    if not removed and not any(dropped_values.values()):
        return
    problems: list[str] = []
    for version in _versions_in_use(session):
        process = parse_process(version.bpmn_xml, version.process_key)
        if not any(step.form == new.name for step in process.steps.values()):
            continue
        where = f"quy trình {version.process_key} (phiên bản {version.number})"
        for step in process.steps.values():
            if step.assignee_field and step.assignee_field in removed:
                problems.append(
                    f"Trường “{step.assignee_field}” được bước “{step.title or step.name}” ({step.name}) của {where} "
                    "dùng để chọn người thực hiện."
                )
        for element_id, element_name, text in _conditions(version.bpmn_xml):
            label = f"“{element_name}” ({element_id})" if element_name else f"({element_id})"
            identifiers = _identifiers(text)
            for field_name in sorted(removed & identifiers):
                problems.append(f"Trường “{field_name}” được điều kiện rẽ nhánh {label} của {where} đọc.")
            for field_name, values in dropped_values.items():
                for value in sorted(values & _literals(text)) if field_name in identifiers else []:
                    problems.append(
                        f"Lựa chọn “{value}” của trường “{field_name}” được điều kiện rẽ nhánh {label} "
                        f"của {where} so sánh."
                    )
    if problems:
        unique = list(dict.fromkeys(problems))
        raise InvalidInput(
            {"_form": " ".join(unique) + " Hãy giữ lại trường hoặc lựa chọn này, hoặc sửa quy trình trước."},
            "Không lưu được biểu mẫu: quy trình đang dùng một trường hoặc lựa chọn bị xoá hay đổi tên.",
        )


# Versions -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormSummary:
    name: str
    title: str
    fields: int
    used_by: list[Usage]
    newest: FormVersion | None  # None: the file in forms/ is served
    has_file: bool


def list_forms(session: Session, actor: User, registry: FormRegistry) -> list[FormSummary]:
    require_designer(actor)
    newest = {
        v.name: v
        for v in session.scalars(
            select(FormVersion).where(FormVersion.id.in_(select(func.max(FormVersion.id)).group_by(FormVersion.name)))
        ).all()
    }
    used = usages(session)
    out = []
    for name in sorted(registry.names() | set(newest)):
        stored = newest.get(name)
        definition = _definition_of(stored) if stored is not None else registry.get(name)
        out.append(
            FormSummary(
                name=name,
                title=definition.title,
                fields=len(definition.fields),
                used_by=used.get(name, []),
                newest=stored,
                has_file=registry.file_form(name) is not None,
            )
        )
    return out


def form_history(session: Session, actor: User, name: str) -> list[FormVersion]:
    """The saved versions of ``name``, newest first ([] when only the file exists)."""
    require_designer(actor)
    return list(
        session.scalars(select(FormVersion).where(FormVersion.name == name).order_by(FormVersion.number.desc())).all()
    )


def current_form(session: Session, name: str, registry: FormRegistry) -> FormDefinition | None:
    """The newest definition of ``name`` read from the database now (not the registry's cache), else the file."""
    stored = session.scalars(
        select(FormVersion).where(FormVersion.name == name).order_by(FormVersion.number.desc()).limit(1)
    ).first()
    return _definition_of(stored) if stored is not None else registry.file_form(name)


def save_form(
    session: Session, actor: User, name: str, definition: dict[str, Any], registry: FormRegistry
) -> FormVersion:
    """Check ``definition`` and store it as the next version of ``name``; the registry serves it at once."""
    require_designer(actor)
    parsed = parse_definition(name, definition)
    _check_references(session, current_form(session, name, registry), parsed)
    return _store(session, actor, parsed, registry)


def restore(session: Session, actor: User, name: str, number: int, registry: FormRegistry) -> FormVersion:
    """Save version ``number`` of ``name`` again as the newest (0: the file in forms/)."""
    require_designer(actor)
    if number == 0:
        old = registry.file_form(name)
        if old is None:
            raise NotFound(f"Biểu mẫu “{name}” không có tệp gốc trong thư mục forms/.")
    else:
        row = session.scalars(select(FormVersion).where(FormVersion.name == name, FormVersion.number == number)).first()
        if row is None:
            raise NotFound(f"Không tìm thấy phiên bản {number} của biểu mẫu “{name}”.")
        old = _definition_of(row)
    parsed = parse_definition(name, definition_json(old))
    _check_references(session, current_form(session, name, registry), parsed)
    return _store(session, actor, parsed, registry)


def _store(session: Session, actor: User, parsed: FormDefinition, registry: FormRegistry) -> FormVersion:
    number = (session.scalar(select(func.max(FormVersion.number)).where(FormVersion.name == parsed.name)) or 0) + 1
    version = FormVersion(
        name=parsed.name,
        number=number,
        definition=json.dumps(definition_json(parsed), ensure_ascii=False),
        created_by_id=actor.id,
        created_by_name=actor.full_name,
        created_at=clock.now(),
    )
    session.add(version)
    session.flush()
    registry.remember(parsed)
    return version


def _definition_of(row: FormVersion) -> FormDefinition:
    return form_from_dict(json.loads(row.definition), row.name)


def type_label(kind: str) -> str:
    return TYPE_LABELS.get(kind, kind)


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, info.label) for role, info in ROLES.items()]


# The registry's reader ----------------------------------------------------------------------------------------


def stored_forms(connection: Connection | Session, parsed: dict[int, FormDefinition]) -> dict[str, FormDefinition]:
    """The newest saved version of each form; ``parsed`` caches definitions by row id between calls."""
    newest = connection.execute(
        select(FormVersion.id, FormVersion.name).where(
            FormVersion.id.in_(select(func.max(FormVersion.id)).group_by(FormVersion.name))
        )
    ).all()
    missing = [row_id for row_id, _ in newest if row_id not in parsed]
    if missing:
        for row_id, name, text in connection.execute(
            select(FormVersion.id, FormVersion.name, FormVersion.definition).where(FormVersion.id.in_(missing))
        ).all():
            parsed[row_id] = form_from_dict(json.loads(text), name)
    live = {row_id for row_id, _ in newest}
    for row_id in [k for k in parsed if k not in live]:
        del parsed[row_id]
    return {name: parsed[row_id] for row_id, name in newest}
