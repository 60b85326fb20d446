"""Task forms: declarative definitions in ``forms/``, validated on the server.

A definition lists its fields (name, Vietnamese label, type, required, choices,
limits). The same definition renders the HTML form, is sent to API clients so a
generic client can fill it, and builds the marshmallow schema that validates
what comes back.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

FIELD_TYPES = ("text", "textarea", "integer", "number", "date", "choice", "boolean", "user")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    type: str = "text"
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    min: float | None = None
    max: float | None = None
    role: str | None = None  # for "user" fields: whom one may choose
    help: str = ""

    def to_dict(self, choices: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "required": self.required,
        }
        options = choices if choices is not None else list(self.choices)
        if self.type in ("choice", "user"):
            out["choices"] = [{"value": value, "label": label} for value, label in options]
        for key in ("max_length", "min", "max"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.help:
            out["help"] = self.help
        return out


class _FormSchema(Schema):
    error_messages = {  # noqa: RUF012 - marshmallow reads a plain class attribute
        "unknown": "Trường này không có trong biểu mẫu.",
        "type": "Dữ liệu biểu mẫu phải là một đối tượng JSON.",
    }


@dataclass(frozen=True)
class FormDefinition:
    name: str
    title: str
    fields: tuple[FormField, ...] = field(default_factory=tuple)

    @cached_property
    def schema(self) -> Schema:
        return _FormSchema.from_dict({f.name: _marshmallow_field(f) for f in self.fields}, name=f"Form_{self.name}")(
            unknown=RAISE
        )

    def validate(
        self, data: Any, dynamic_choices: dict[str, list[tuple[str, str]]] | None = None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Clean ``data``; return ``(clean, errors)`` with one Vietnamese message per bad field."""
        if not isinstance(data, dict):
            return {}, {"_schema": "Dữ liệu biểu mẫu phải là một đối tượng JSON."}
        data = {k: (None if v == "" else v) for k, v in data.items()}
        try:
            clean = self.schema.load(data)
        except ValidationError as err:
            return {}, {name: _first_message(msgs) for name, msgs in err.normalized_messages().items()}
        errors: dict[str, str] = {}
        for f in self.fields:
            allowed = (dynamic_choices or {}).get(f.name)
            value = clean.get(f.name)
            if allowed is not None and value is not None and str(value) not in {v for v, _ in allowed}:
                errors[f.name] = f"Giá trị chọn cho “{f.label}” không hợp lệ."
        for key, value in list(clean.items()):
            if isinstance(value, date):
                clean[key] = value.isoformat()  # workflow data stays JSON
        return (clean, {}) if not errors else ({}, errors)

    def to_dict(self, dynamic_choices: dict[str, list[tuple[str, str]]] | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "fields": [f.to_dict((dynamic_choices or {}).get(f.name)) for f in self.fields],
        }


def _first_message(messages: Any) -> str:
    if isinstance(messages, list):
        return str(messages[0])
    if isinstance(messages, dict):
        return _first_message(next(iter(messages.values())))
    return str(messages)


def _marshmallow_field(f: FormField) -> fields.Field:
    label = f.label
    messages = {
        "required": f"Vui lòng nhập “{label}”.",
        "null": f"Vui lòng nhập “{label}”.",
        "invalid": f"“{label}” không hợp lệ.",
    }
    common: dict[str, Any] = {
        "required": f.required,
        "allow_none": not f.required,
        "error_messages": messages,
    }
    validators: list[Any] = []
    if f.type in ("text", "textarea"):
        limit = f.max_length or (255 if f.type == "text" else 5000)
        validators.append(validate.Length(max=limit, error=f"“{label}” dài quá {limit} ký tự."))
        if f.required:
            validators.append(validate.Length(min=1, error=f"Vui lòng nhập “{label}”."))
        return fields.String(validate=validators, **common)
    if f.type in ("integer", "number"):
        if f.min is not None or f.max is not None:
            validators.append(
                validate.Range(min=f.min, max=f.max, error=f"“{label}” phải trong khoảng {f.min}–{f.max}.")
            )
        messages["invalid"] = f"“{label}” phải là một số."
        cls = fields.Integer if f.type == "integer" else fields.Float
        return (
            cls(validate=validators, strict=False, **common)
            if f.type == "integer"
            else cls(validate=validators, **common)
        )
    if f.type == "date":
        messages["invalid"] = f"“{label}” phải là ngày dạng YYYY-MM-DD."
        return fields.Date(**common)
    if f.type == "boolean":
        return fields.Boolean(**common)
    if f.type == "choice":
        values = [value for value, _ in f.choices]
        validators.append(validate.OneOf(values, error=f"Giá trị chọn cho “{label}” không hợp lệ."))
        return fields.String(validate=validators, **common)
    if f.type == "user":
        return fields.String(**common)
    raise ValueError(f"unknown field type {f.type!r}")


def load_form(path: Path) -> FormDefinition:
    raw = json.loads(path.read_text(encoding="utf-8"))
    try:
        return form_from_dict(raw, path.stem)
    except ValueError as err:
        raise ValueError(f"{path.name}: {err}") from err


def form_from_dict(raw: dict[str, Any], name: str) -> FormDefinition:
    """A definition from its JSON shape (a forms/*.json file, or a version saved in the designer)."""
    form_fields = []
    for item in raw.get("fields", []):
        if item.get("type", "text") not in FIELD_TYPES:
            raise ValueError(f"unknown field type {item.get('type')!r}")
        form_fields.append(
            FormField(
                name=item["name"],
                label=item["label"],
                type=item.get("type", "text"),
                required=bool(item.get("required", False)),
                choices=tuple((str(c["value"]), c["label"]) for c in item.get("choices", [])),
                max_length=item.get("max_length"),
                min=item.get("min"),
                max=item.get("max"),
                role=item.get("role"),
                help=item.get("help", ""),
            )
        )
    return FormDefinition(name=raw.get("name", name), title=raw["title"], fields=tuple(form_fields))


# Reads the forms saved in the database: {name: definition}, or None when it cannot read now (keep what we have).
StoredForms = Callable[[], "dict[str, FormDefinition] | None"]
DEFAULT_TTL_SECONDS = 30.0


class FormRegistry:
    """The task forms by name: the newest version saved in the database, else the file in ``folder``.

    Task completion asks for a form on every step, so the forms live in memory; the
    database is read again at most every ``ttl`` seconds (a form saved by another
    worker reaches this one within that time). A form saved by this process is
    served at once (``remember``).
    """

    def __init__(self, folder: Path, stored: StoredForms | None = None, ttl: float = DEFAULT_TTL_SECONDS) -> None:
        self.folder = folder
        self.ttl = ttl
        self._files = {path.stem: load_form(path) for path in sorted(folder.glob("*.json"))}
        self._stored_reader = stored
        self._forms = dict(self._files)
        self._read_at: float | None = None
        self._lock = threading.Lock()

    def _current(self) -> dict[str, FormDefinition]:
        if self._stored_reader is None:
            return self._forms
        if self._stale():
            with self._lock:
                if self._stale():
                    self._refresh_locked()
        return self._forms

    def _stale(self) -> bool:
        return self._read_at is None or time.monotonic() - self._read_at >= self.ttl

    def _refresh_locked(self) -> None:
        stored = self._stored_reader() if self._stored_reader is not None else None
        if stored is not None:
            self._forms = {**self._files, **stored}
        self._read_at = time.monotonic()

    def names(self) -> set[str]:
        return set(self._current())

    def get(self, name: str) -> FormDefinition:
        return self._current()[name]

    def file_form(self, name: str) -> FormDefinition | None:
        """The definition in ``forms/`` (the seed), whatever the database holds."""
        return self._files.get(name)

    def remember(self, definition: FormDefinition) -> None:
        """Serve ``definition`` at once (this process just saved it); the next reading confirms or undoes it."""
        with self._lock:
            if self._stored_reader is not None and self._read_at is None:
                self._refresh_locked()
            self._forms = {**self._forms, definition.name: definition}

    def invalidate(self) -> None:
        """Read the database again at the next request for a form."""
        self._read_at = None
