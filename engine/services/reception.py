"""Validating what the counter types in when it receives a dossier."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates

ID_NUMBER_RE = re.compile(r"^\d{12}$")  # CCCD / số định danh cá nhân
PHONE_RE = re.compile(r"^(0|\+84)\d{9,10}$")


def _required(label: str) -> dict[str, str]:
    return {
        "required": f"Vui lòng nhập {label}.",
        "null": f"Vui lòng nhập {label}.",
        "invalid": f"{label.capitalize()} không hợp lệ.",
    }


class ApplicantSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    error_messages = {"type": "Thông tin người nộp phải là một đối tượng."}  # noqa: RUF012

    full_name = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=255, error="Họ và tên phải từ 2 đến 255 ký tự.")],
        error_messages=_required("họ và tên"),
    )
    id_number = fields.String(required=True, error_messages=_required("số CCCD/định danh"))
    phone = fields.String(load_default="", error_messages=_required("số điện thoại"))
    email = fields.String(load_default="", error_messages=_required("email"))
    address = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=500, error="Địa chỉ phải từ 2 đến 500 ký tự.")],
        error_messages=_required("địa chỉ"),
    )

    @validates("id_number")
    def _id_number(self, value: str, **_: Any) -> None:
        if not ID_NUMBER_RE.match(value.strip()):
            raise ValidationError("Số CCCD/định danh cá nhân phải gồm đúng 12 chữ số.")

    @validates("phone")
    def _phone(self, value: str, **_: Any) -> None:
        if value and not PHONE_RE.match(value.replace(" ", "").replace(".", "")):
            raise ValidationError("Số điện thoại không hợp lệ (ví dụ 0912345678).")

    @validates("email")
    def _email(self, value: str, **_: Any) -> None:
        if value and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            raise ValidationError("Địa chỉ email không hợp lệ.")


class ReceptionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    error_messages = {"type": "Dữ liệu gửi lên phải là một đối tượng JSON."}  # noqa: RUF012

    procedure_code = fields.String(required=True, error_messages=_required("mã thủ tục"))
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
        fields.Integer(error_messages={"invalid": "Mã thành phần hồ sơ phải là số."}),
        load_default=list,
        error_messages={"invalid": "Danh sách thành phần hồ sơ không hợp lệ."},
    )
    channel = fields.Integer(
        load_default=1,
        validate=validate.OneOf([1, 3], error="Kênh nộp tại quầy chỉ là trực tiếp (1) hoặc bưu chính (3)."),
    )
    data = fields.Dict(load_default=dict, error_messages={"invalid": "Dữ liệu tờ khai phải là một đối tượng."})


_schema = ReceptionSchema()


def clean_reception(payload: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """``(clean, errors)``; errors are flat, e.g. ``{"applicant.id_number": "…"}``."""
    if not isinstance(payload, dict):
        return {}, {"_schema": "Dữ liệu gửi lên phải là một đối tượng JSON."}
    try:
        clean = _schema.load(payload)
    except ValidationError as err:
        return {}, _flatten(err.normalized_messages())
    applicant = clean["applicant"]
    for key in ("full_name", "id_number", "phone", "email", "address"):
        applicant[key] = " ".join(str(applicant.get(key) or "").split())
    applicant["phone"] = applicant["phone"].replace(" ", "").replace(".", "")
    return clean, {}


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
