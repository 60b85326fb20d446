"""The administrator's catalogue: editing procedures and their components, exporting and importing all of it.

Every change is validated in full before anything is written, so a refusal
leaves the catalogue as it was. Dossiers keep their own snapshot of the
components (``dossier_component``): editing the catalogue never touches them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.calendar import parse_day
from engine.documents.notices import RESULT_TEMPLATES
from engine.models import Component, Field, Procedure, ProcessVersion, Unit, User
from engine.models.catalogue import ONLINE_LEVELS, TIME_KINDS
from engine.roles import Role
from engine.services.errors import Forbidden, InvalidInput, NotFound
from engine.services.procedures import forget_cached_names
from engine.text import fold

EXPORT_FORMAT = "motcua.catalogue"
EXPORT_VERSION = 1
FIELD_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9_.\-]{1,39}")
FIELD_CODE_RULE = (
    "Mã lĩnh vực gồm 2–40 ký tự: chữ in hoa không dấu, chữ số, dấu gạch dưới, chấm hoặc gạch ngang (ví dụ XAY_DUNG)."
)
MAX_TIME_VALUE = 365
MAX_COPIES = 99
COPY_KINDS = ("originals", "certified_copies", "photocopies")
# How many copies a component asks for when the data does not say (as in processes/*/procedure.json).
COPY_DEFAULTS = {"originals": 1, "certified_copies": 0, "photocopies": 0}
LIMITS = {"name": 500, "fee": 255, "result": 255, "source": 5000}


def require_administrator(actor: User) -> None:
    if not actor.has_role(Role.ADMINISTRATOR):
        raise Forbidden("Chức năng này dành cho quản trị hệ thống.")


def list_catalogue(session: Session, actor: User) -> list[Procedure]:
    """Every procedure, active or not, by code."""
    require_administrator(actor)
    return list(session.scalars(select(Procedure).order_by(Procedure.code)))


def list_fields(session: Session, actor: User) -> list[Field]:
    require_administrator(actor)
    return list(session.scalars(select(Field).order_by(Field.name)))


def procedure_for_edit(session: Session, actor: User, code: str) -> Procedure:
    """The procedure ``code``, inactive ones included."""
    require_administrator(actor)
    procedure = session.scalars(select(Procedure).where(Procedure.code == code)).first()
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục có mã “{code}”.")
    return procedure


# --- editing one procedure -------------------------------------------------------------------------


def update_procedure(
    session: Session, actor: User, code: str, changes: Mapping[str, Any], form_names: Collection[str]
) -> Procedure:
    """Save the facts and the components of procedure ``code``.

    ``changes`` holds the facts (name, time_kind, time_value, fee, result,
    source, effective_from, online_level, application_form, result_template, active), ``field``
    (the code of an existing field) or ``new_field`` ({code, name} of a field to
    create), and ``components`` in order, each with its ``id`` if it exists
    already and an optional ``position`` to reorder by. Components left out are
    removed. Errors are keyed by the same names (``components.<i>.<key>``).
    """
    procedure = procedure_for_edit(session, actor, code)
    facts, errors = clean_facts(changes, form_names)
    field, field_errors = _chosen_field(session, changes)
    errors |= field_errors
    components, component_errors = clean_components(changes.get("components", []))
    errors |= component_errors
    own_ids = {c.id for c in procedure.components}
    for index, item in enumerate(components):
        if item["id"] is not None and item["id"] not in own_ids:
            errors[f"components.{index}.name"] = "Thành phần này không còn trong thủ tục; hãy tải lại trang."
    if errors:
        raise InvalidInput(errors)
    if field.id is None:
        session.add(field)
    procedure.field = field
    _apply(procedure, facts, sorted(components, key=lambda item: item["position"]))
    session.flush()
    forget_cached_names()
    return procedure


def _chosen_field(session: Session, changes: Mapping[str, Any]) -> tuple[Field, dict[str, str]]:
    """The existing field chosen, or a new (unsaved) one typed in."""
    new = changes.get("new_field")
    if isinstance(new, Mapping):
        code, name = _text(new.get("code")), _text(new.get("name"))
        errors: dict[str, str] = {}
        if not FIELD_CODE_RE.fullmatch(code):
            errors["new_field_code"] = FIELD_CODE_RULE
        else:
            existing = session.scalars(select(Field).where(Field.code == code)).first()
            if existing is not None:
                errors["new_field_code"] = f"Đã có lĩnh vực mã {code} (“{existing.name}”): hãy chọn nó trong danh sách."
        if not name:
            errors["new_field_name"] = "Tên lĩnh vực không được để trống."
        elif len(name) > 255:
            errors["new_field_name"] = "Tên lĩnh vực dài quá 255 ký tự."
        return Field(code=code, name=name), errors
    code = _text(changes.get("field"))
    field = session.scalars(select(Field).where(Field.code == code)).first() if code else None
    if field is None:
        return Field(code="", name=""), {"field": "Hãy chọn một lĩnh vực trong danh sách, hoặc nhập lĩnh vực mới."}
    return field, {}


def _apply(procedure: Procedure, facts: Mapping[str, Any], components: list[dict[str, Any]]) -> None:
    """Write validated facts and components onto ``procedure``, keeping the rows of components that stay."""
    for key, value in facts.items():
        setattr(procedure, key, value)
    procedure.name_folded = fold(procedure.name)
    claimed = {item["id"] for item in components}
    by_id = {c.id: c for c in procedure.components if c.id is not None}
    # Rows without an id (an import) take over the component of the same name, so its id stays.
    by_name = {fold(c.name): c for c in procedure.components if c.id not in claimed}
    kept: list[Component] = []
    for position, item in enumerate(components, start=1):
        component = by_id.get(item["id"]) if item["id"] is not None else by_name.get(fold(item["name"]))
        if component is None or component in kept:
            component = Component()
        component.position = position
        component.name = item["name"]
        component.required = item["required"]
        for kind in COPY_KINDS:
            setattr(component, kind, item[kind])
        kept.append(component)
    procedure.components = kept  # the rest are deleted (delete-orphan); dossiers keep their snapshots


# --- validation shared by the edit form and the import ---------------------------------------------


def clean_facts(raw: Mapping[str, Any], form_names: Collection[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate a procedure's own facts (not its field, units or process); messages stand on their own."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    clean["name"] = _text(raw.get("name"))
    if not clean["name"]:
        errors["name"] = "Tên thủ tục không được để trống."
    time_kind = _text(raw.get("time_kind"))
    clean["time_kind"] = time_kind
    if time_kind not in TIME_KINDS:
        errors["time_kind"] = (
            "Loại thời hạn phải là ngày làm việc (working_days), ngày theo lịch (calendar_days) "
            "hoặc trong ngày (same_day)."
        )
    clean["time_value"] = 0
    if time_kind != "same_day":
        value = _integer(raw.get("time_value"))
        if value is None or not 1 <= value <= MAX_TIME_VALUE:
            errors["time_value"] = f"Thời hạn giải quyết phải là số nguyên từ 1 đến {MAX_TIME_VALUE} ngày."
        else:
            clean["time_value"] = value
    for key in ("fee", "result"):
        clean[key] = _text(raw.get(key))
    clean["source"] = raw["source"].strip() if isinstance(raw.get("source"), str) else ""
    for key, limit in LIMITS.items():
        if len(clean[key]) > limit:
            errors[key] = f"Nội dung dài quá {limit} ký tự."
    effective = raw.get("effective_from")
    clean["effective_from"] = _date(effective)
    if effective not in (None, "") and clean["effective_from"] is None:
        errors["effective_from"] = "Ngày hiệu lực phải là một ngày có thật, ví dụ 01/07/2025."
    clean["online_level"] = _text(raw.get("online_level")) or "none"
    if clean["online_level"] not in ONLINE_LEVELS:
        errors["online_level"] = (
            "Mức độ dịch vụ trực tuyến phải là toàn trình (toan_trinh), một phần (mot_phan) hoặc không (none)."
        )
    clean["application_form"] = _text(raw.get("application_form"))
    if clean["application_form"] and clean["application_form"] not in form_names:
        errors["application_form"] = f"Không có biểu mẫu tờ khai “{clean['application_form']}”."
    clean["result_template"] = _text(raw.get("result_template")).removesuffix(".docx")
    if clean["result_template"] and clean["result_template"] not in RESULT_TEMPLATES:
        errors["result_template"] = (
            f"Không có mẫu kết quả “{clean['result_template']}”; có: {', '.join(sorted(RESULT_TEMPLATES))}."
        )
    active = _flag(raw.get("active"), default=True)
    if active is None:
        errors["active"] = "Trạng thái áp dụng phải là true hoặc false."
    clean["active"] = bool(active)
    return clean, errors


def clean_components(raw: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Validate components; each comes back with id, position, name, required and the three counts."""
    if not isinstance(raw, list):
        return [], {"components": "Danh sách thành phần hồ sơ phải là một mảng."}
    errors: dict[str, str] = {}
    clean: list[dict[str, Any]] = []
    names: set[str] = set()
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            errors[f"components.{index}.name"] = "Thành phần hồ sơ phải là một đối tượng có tên."
            continue
        name = _text(item.get("name"))
        if not name:
            errors[f"components.{index}.name"] = "Tên thành phần hồ sơ không được để trống."
        elif len(name) > LIMITS["name"]:
            errors[f"components.{index}.name"] = f"Tên thành phần dài quá {LIMITS['name']} ký tự."
        elif fold(name) in names:
            errors[f"components.{index}.name"] = "Trùng tên với một thành phần khác của thủ tục."
        names.add(fold(name))
        counts: dict[str, Any] = {}
        for kind in COPY_KINDS:
            value = item.get(kind, COPY_DEFAULTS[kind])
            counts[kind] = 0 if value in ("", None) else _integer(value)
            if counts[kind] is None or not 0 <= counts[kind] <= MAX_COPIES:
                errors[f"components.{index}.{kind}"] = f"Số bản phải là số nguyên từ 0 đến {MAX_COPIES}."
        position = _integer(item.get("position", index + 1))
        if position is None:
            errors[f"components.{index}.position"] = "Thứ tự phải là một số nguyên."
        required = _flag(item.get("required"), default=True)
        if required is None:
            errors[f"components.{index}.required"] = "“Bắt buộc” phải là true hoặc false."
        ident = item.get("id")
        clean.append(
            {
                "id": ident if isinstance(ident, int) and not isinstance(ident, bool) else None,
                "position": (position if position is not None else index + 1, index),
                "name": name,
                "required": bool(required),
                **counts,
            }
        )
    return clean, errors


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d{1,6}\s*", value):
        return int(value)
    return None


def _flag(value: Any, default: bool) -> bool | None:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "on", "yes", "có"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "off", "no", "không", ""):
        return False
    return None


def _date(value: Any) -> date | None:
    """A typed date (2026-09-02 or 02/09/2026); None for anything empty or malformed."""
    return parse_day(value) if isinstance(value, str) and value.strip() else None


# --- export and import -----------------------------------------------------------------------------


def export_catalogue(session: Session, actor: User) -> dict[str, Any]:
    """The whole catalogue as a JSON-ready document that import_catalogue reads back."""
    require_administrator(actor)
    # Sorted here, not in SQL: collations differ between databases, files should not.
    fields = sorted(session.scalars(select(Field)), key=lambda f: f.code)
    procedures = sorted(list_catalogue(session, actor), key=lambda p: p.code)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": clock.now().isoformat(),
        "fields": [{"code": f.code, "name": f.name} for f in fields],
        "procedures": [_procedure_json(p) for p in procedures],
    }


def _procedure_json(p: Procedure) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field.code,
        "process_key": p.process_key,
        "agency": p.agency.code,
        "department": p.department.code,
        "time_kind": p.time_kind,
        "time_value": p.time_value,
        "fee": p.fee,
        "result": p.result,
        "source": p.source,
        "effective_from": p.effective_from.isoformat() if p.effective_from else None,
        "online_level": p.online_level,
        "application_form": p.application_form,
        "result_template": p.result_template,
        "active": p.active,
        "components": [
            {"name": c.name, "required": c.required, **{kind: getattr(c, kind) for kind in COPY_KINDS}}
            for c in p.components
        ],
    }


class CatalogueRejected(InvalidInput):
    """An import refused as a whole; ``problems`` lists what is wrong, by procedure (or field, or file)."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        self.problems = problems
        super().__init__(
            {label: " ".join(messages) for label, messages in problems.items()},
            "Chưa nhập thủ tục nào: tệp có lỗi ở " + ", ".join(problems) + ".",
        )


@dataclass(frozen=True)
class ImportResult:
    created: list[str]
    updated: list[str]


def read_catalogue(data: bytes) -> Any:
    """The JSON document in an uploaded file."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as err:
        raise CatalogueRejected({"Tệp": ["Tệp không phải JSON hợp lệ (UTF-8) xuất từ danh mục thủ tục."]}) from err


def import_catalogue(session: Session, actor: User, document: Any, form_names: Collection[str]) -> ImportResult:
    """Create or update, by code, every field and procedure in ``document``, or none of them.

    Procedures missing from the document are left as they are.
    """
    require_administrator(actor)
    problems: dict[str, list[str]] = {}
    if not isinstance(document, Mapping) or not isinstance(document.get("procedures"), list):
        raise CatalogueRejected({"Tệp": ["Tệp phải là một đối tượng JSON có danh sách “procedures”."]})
    if document.get("format", EXPORT_FORMAT) != EXPORT_FORMAT:
        raise CatalogueRejected({"Tệp": [f"Tệp không phải danh mục thủ tục (format phải là “{EXPORT_FORMAT}”)."]})
    fields = _clean_import_fields(document.get("fields", []), problems)
    known_fields = set(session.scalars(select(Field.code))) | set(fields)
    units = {u.code: u for u in session.scalars(select(Unit))}
    process_keys = set(session.scalars(select(ProcessVersion.process_key).distinct()))
    procedures: list[dict[str, Any]] = []
    seen: set[str] = set()
    if not document["procedures"]:
        problems.setdefault("Tệp", []).append("Tệp không có thủ tục nào.")
    for number, item in enumerate(document["procedures"], start=1):
        code = _text(item.get("code")) if isinstance(item, Mapping) else ""
        label = f"Thủ tục {code}" if code else f"Thủ tục thứ {number}"
        if not isinstance(item, Mapping):
            problems[label] = ["Thủ tục phải là một đối tượng JSON."]
            continue
        clean, messages = _clean_import_procedure(item, form_names, known_fields, units, process_keys)
        if not code:
            messages.insert(0, "Thiếu mã thủ tục.")
        elif len(code) > 60:
            messages.insert(0, "Mã thủ tục dài quá 60 ký tự.")
        elif code in seen:
            messages.insert(0, "Mã thủ tục bị lặp lại trong tệp.")
        seen.add(code)
        if messages:
            problems.setdefault(label, []).extend(messages)
        procedures.append(clean | {"code": code})
    if problems:
        raise CatalogueRejected(problems)

    for code, name in fields.items():
        field = session.scalars(select(Field).where(Field.code == code)).first()
        if field is None:
            session.add(Field(code=code, name=name))
        else:
            field.name = name
    session.flush()
    field_by_code = {f.code: f for f in session.scalars(select(Field))}
    existing = {p.code: p for p in session.scalars(select(Procedure))}
    created: list[str] = []
    updated: list[str] = []
    for clean in procedures:
        procedure = existing.get(clean["code"])
        if procedure is None:
            procedure = Procedure(code=clean["code"])
            session.add(procedure)
            created.append(clean["code"])
        else:
            updated.append(clean["code"])
        procedure.field = field_by_code[clean.pop("field")]
        procedure.agency = units[clean.pop("agency")]
        procedure.department = units[clean.pop("department")]
        components = clean.pop("components")
        clean.pop("code")
        _apply(procedure, clean, components)
    session.flush()
    forget_cached_names()
    return ImportResult(created=created, updated=updated)


def _clean_import_fields(raw: Any, problems: dict[str, list[str]]) -> dict[str, str]:
    """The file's fields as code -> name; problems are added under “Lĩnh vực …”."""
    if not isinstance(raw, list):
        problems.setdefault("Tệp", []).append("“fields” phải là một danh sách lĩnh vực.")
        return {}
    fields: dict[str, str] = {}
    for number, item in enumerate(raw, start=1):
        code = _text(item.get("code")) if isinstance(item, Mapping) else ""
        name = _text(item.get("name")) if isinstance(item, Mapping) else ""
        label = f"Lĩnh vực {code}" if code else f"Lĩnh vực thứ {number}"
        messages = []
        if not FIELD_CODE_RE.fullmatch(code):
            messages.append(FIELD_CODE_RULE)
        elif code in fields:
            messages.append("Mã lĩnh vực bị lặp lại trong tệp.")
        if not name or len(name) > 255:
            messages.append("Tên lĩnh vực không được để trống và không dài quá 255 ký tự.")
        if messages:
            problems[label] = messages
        else:
            fields[code] = name
    return fields


def _clean_import_procedure(
    item: Mapping[str, Any],
    form_names: Collection[str],
    known_fields: set[str],
    units: Mapping[str, Unit],
    process_keys: set[str],
) -> tuple[dict[str, Any], list[str]]:
    """One procedure of an import, validated; the messages name what is wrong in Vietnamese."""
    clean, errors = clean_facts(item, form_names)
    messages = list(errors.values())
    field = item.get("field")
    field_code = _text(field.get("code") if isinstance(field, Mapping) else field)
    if field_code not in known_fields:
        messages.append(f"Lĩnh vực “{field_code}” không có trong tệp cũng như trong danh mục.")
    process_key = _text(item.get("process_key"))
    if process_key not in process_keys:
        messages.append(f"Chưa có quy trình nào được triển khai với khóa “{process_key}”.")
    for key, role in (("agency", "cơ quan giải quyết"), ("department", "đơn vị thụ lý")):
        unit_code = _text(item.get(key))
        if unit_code not in units:
            messages.append(f"Không có đơn vị mã “{unit_code}” ({role}).")
        elif key == "agency" and units[unit_code].kind != "agency":
            messages.append(f"Đơn vị “{unit_code}” không phải một cơ quan.")
    components, component_errors = clean_components(item.get("components", []))
    components = [c | {"id": None} for c in components]  # ids belong to the database the file came from
    for key, message in component_errors.items():
        parts = key.split(".")
        messages.append(f"Thành phần thứ {int(parts[1]) + 1}: {message}" if len(parts) > 1 else message)
    clean |= {
        "field": field_code,
        "process_key": process_key,
        "agency": _text(item.get("agency")),
        "department": _text(item.get("department")),
        "components": components,
    }
    return clean, messages
