"""Validating what the counter types in when it receives a dossier."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    validate,
    validates,
    validates_schema,
)

ID_NUMBER_RE = re.compile(r"^\d{12}$")  # CCCD / số định danh cá nhân
PHONE_RE = re.compile(r"^(0|\+84)\d{9,10}$")
TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")  # mã số thuế / mã số doanh nghiệp
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
OUTCOMES = ("accept", "supplement", "refuse")


def _messages(label: str) -> dict[str, str]:
    return {
        "required": f"Vui lòng nhập {label}.",
        "null": f"Vui lòng nhập {label}.",
        "invalid": f"{label[0].upper()}{label[1:]} không hợp lệ.",
    }


def _count(label: str) -> fields.Integer:
    return fields.Integer(
        load_default=None,
        validate=validate.Range(min=0, max=99, error=f"Số {label} phải từ 0 đến 99."),
        error_messages={"invalid": f"Số {label} phải là số nguyên."},
    )


class ApplicantSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    error_messages = {"type": "Thông tin người nộp phải là một đối tượng."}  # noqa: RUF012

    kind = fields.String(
        load_default="person",
        validate=validate.OneOf(["person", "organisation"], error="Người nộp là cá nhân hoặc tổ chức."),
    )
    full_name = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=255, error="Họ và tên phải từ 2 đến 255 ký tự.")],
        error_messages=_messages("họ và tên"),
    )
    id_number = fields.String(load_default="", error_messages=_messages("số CCCD/định danh"))
    phone = fields.String(load_default="", error_messages=_messages("số điện thoại"))
    email = fields.String(load_default="", error_messages=_messages("email"))
    address = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=500, error="Địa chỉ phải từ 2 đến 500 ký tự.")],
        error_messages=_messages("địa chỉ"),
    )
    organisation_name = fields.String(
        load_default="", validate=validate.Length(max=255, error="Tên tổ chức dài quá 255 ký tự.")
    )
    tax_code = fields.String(load_default="", error_messages=_messages("mã số thuế"))

    @validates("phone")
    def _phone(self, value: str, **_: Any) -> None:
        if value and not PHONE_RE.match(value.replace(" ", "").replace(".", "")):
            raise ValidationError("Số điện thoại không hợp lệ (ví dụ 0912345678).")

    @validates("email")
    def _email(self, value: str, **_: Any) -> None:
        if value and not EMAIL_RE.match(value.strip()):
            raise ValidationError("Địa chỉ email không hợp lệ.")

    @validates_schema(skip_on_field_errors=False)
    def _by_kind(self, data: dict[str, Any], **_: Any) -> None:
        if not data:  # not an object at all: the type error says enough
            return
        errors: dict[str, str] = {}
        id_number = (data.get("id_number") or "").strip()
        if data.get("kind") == "organisation":
            if not (data.get("organisation_name") or "").strip():
                errors["organisation_name"] = "Vui lòng nhập tên tổ chức."
            if not TAX_CODE_RE.match((data.get("tax_code") or "").strip()):
                errors["tax_code"] = "Mã số thuế gồm 10 chữ số (chi nhánh: 10 chữ số, dấu gạch ngang và 3 chữ số)."
            if id_number and not ID_NUMBER_RE.match(id_number):
                errors["id_number"] = "Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số."
        elif not id_number:
            errors["id_number"] = "Vui lòng nhập số CCCD/định danh cá nhân."
        elif not ID_NUMBER_RE.match(id_number):
            errors["id_number"] = "Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số."
        if errors:
            raise ValidationError(errors)


class ComponentSchema(Schema):
    """A ticked catalogue component (``id``) or one added at the counter (``name``), with its counts."""

    class Meta:
        unknown = EXCLUDE

    error_messages = {"type": "Mỗi thành phần hồ sơ là một mã số hoặc một đối tượng."}  # noqa: RUF012

    id = fields.Integer(load_default=None, error_messages={"invalid": "Mã thành phần hồ sơ phải là số."})
    name = fields.String(
        load_default=None, validate=validate.Length(min=2, max=500, error="Tên giấy tờ phải từ 2 đến 500 ký tự.")
    )
    originals = _count("bản chính")
    certified_copies = _count("bản sao chứng thực")
    photocopies = _count("bản chụp")

    @validates_schema
    def _id_or_name(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("id") is None and not (data.get("name") or "").strip():
            raise ValidationError("Thành phần hồ sơ cần mã (trong danh mục) hoặc tên (thêm tại quầy).")


class MissingSchema(Schema):
    """One line of Mẫu 02: what to add or complete, and why."""

    class Meta:
        unknown = EXCLUDE

    component = fields.Raw(required=True, error_messages=_messages("thành phần cần bổ sung"))
    reason = fields.String(
        required=True,
        validate=validate.Length(min=3, max=1000, error="Lý do bổ sung phải từ 3 đến 1000 ký tự."),
        error_messages=_messages("lý do cần bổ sung"),
    )


class ReceptionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    error_messages = {"type": "Dữ liệu gửi lên phải là một đối tượng JSON."}  # noqa: RUF012

    procedure_code = fields.String(required=True, error_messages=_messages("mã thủ tục"))
    applicant = fields.Nested(
        ApplicantSchema,
        required=True,
        error_messages={
            "required": "Vui lòng nhập thông tin người nộp.",
            "null": "Vui lòng nhập thông tin người nộp.",
            "type": "Thông tin người nộp phải là một đối tượng.",
        },
    )
    components = fields.List(
        fields.Raw(), load_default=list, error_messages={"invalid": "Danh sách thành phần hồ sơ không hợp lệ."}
    )
    channel = fields.Integer(
        load_default=1,
        validate=validate.OneOf([1, 3], error="Kênh nộp tại quầy chỉ là trực tiếp (1) hoặc bưu chính (3)."),
        error_messages={"invalid": "Kênh nộp không hợp lệ."},
    )
    sets_count = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=50, error="Số bộ hồ sơ phải từ 1 đến 50."),
        error_messages={"invalid": "Số bộ hồ sơ phải là số nguyên."},
    )
    return_method = fields.String(
        load_default="counter",
        validate=validate.OneOf(["counter", "post"], error="Nơi trả kết quả là tại quầy hoặc qua bưu chính."),
    )
    received_at = fields.NaiveDateTime(
        load_default=None, error_messages={"invalid": "Thời điểm tiếp nhận phải có dạng 2026-03-02T08:30."}
    )
    outcome = fields.String(
        load_default="accept",
        validate=validate.OneOf(OUTCOMES, error="Kết quả tiếp nhận là accept, supplement hoặc refuse."),
    )
    missing = fields.List(fields.Nested(MissingSchema), load_default=list)
    reason = fields.String(load_default="", validate=validate.Length(max=2000, error="Lý do dài quá 2000 ký tự."))
    data = fields.Dict(load_default=dict, error_messages={"invalid": "Dữ liệu tờ khai phải là một đối tượng."})


_schema = ReceptionSchema()
_component_schema = ComponentSchema()


def clean_reception(payload: Any, now: datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """``(clean, errors)``; errors are flat, e.g. ``{"applicant.id_number": "…"}``."""
    if not isinstance(payload, dict):
        return {}, {"_schema": "Dữ liệu gửi lên phải là một đối tượng JSON."}
    errors: dict[str, str] = {}
    try:
        clean = _schema.load(payload)
    except ValidationError as err:
        return {}, _flatten(err.normalized_messages())
    clean["components"], component_errors = _clean_components(clean["components"])
    errors.update(component_errors)
    applicant = clean["applicant"]
    for key in ("full_name", "id_number", "phone", "email", "address", "organisation_name", "tax_code"):
        applicant[key] = " ".join(str(applicant.get(key) or "").split())
    applicant["phone"] = applicant["phone"].replace(" ", "").replace(".", "")
    received_at = clean["received_at"]
    if received_at is not None:
        if received_at > now + timedelta(minutes=1):
            errors["received_at"] = "Thời điểm tiếp nhận không được ở tương lai."
        elif received_at < now - timedelta(days=366):
            errors["received_at"] = "Thời điểm tiếp nhận quá một năm trước, hãy kiểm tra lại."
    if clean["outcome"] == "supplement" and not clean["missing"]:
        errors["missing"] = "Hãy ghi rõ thành phần cần bổ sung và lý do."
    if clean["outcome"] == "refuse" and len(clean["reason"].strip()) < 3:
        errors["reason"] = "Hãy ghi rõ lý do từ chối tiếp nhận."
    return (clean, {}) if not errors else ({}, errors)


def _clean_components(items: list[Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    clean: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    for index, item in enumerate(items):
        if isinstance(item, bool):
            errors[f"components.{index}"] = "Mã thành phần hồ sơ phải là số."
            continue
        if isinstance(item, int):
            item = {"id": item}
        try:
            clean.append(_component_schema.load(item))
        except ValidationError as err:
            messages = _flatten(err.normalized_messages())
            errors[f"components.{index}"] = next(iter(messages.values()))
    return clean, errors


def _flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = (f"{prefix}.{key}" if key != "_schema" else prefix) if prefix else str(key)
            if isinstance(value, dict):
                out.update(_flatten(value, name))
            else:
                out[name] = str(value[0] if isinstance(value, list) else value)
    return out
